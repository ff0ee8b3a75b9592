// Patchout as a first-class mask, positional-encoding variants, long inputs, per-block details and
// positional-embedding resizing for fine-tuning.
#include "model/passt_module.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/passt.h"
#include "test_support.h"

#include <algorithm>
#include <cmath>
#include <set>

using namespace patchout;

namespace {

PaSSTOptions micro(PatchoutOptions patchout = {}) {
    auto o = passtPreset("passt-micro");
    o.patchout = patchout;
    return o;
}

// Patch tokens (without cls / dist) of an eval forward with no patchout: the reference positions.
torch::Tensor patchTokens(PaSSTImpl& m, const torch::Tensor& x) {
    const int front = m.options().distilled ? 2 : 1;
    auto t = m.tokens(x, nullptr, nullptr);
    return t.slice(1, front);
}

}  // namespace

TEST(PatchoutMask, KeptCountFollowsTheFormulaAndCellsAreConsistent) {
    const PatchoutOptions po{.s_patchout_t = 3, .s_patchout_f = 2, .u_patchout = 7};
    const auto mask = drawPatchoutMask(po, 12, 9, 42);
    EXPECT_EQ(mask.freq_patches, 12);
    EXPECT_EQ(mask.time_patches, 9);
    EXPECT_FALSE(mask.per_sample);
    ASSERT_EQ(mask.masks(), 1);
    EXPECT_EQ(mask.keptCount(), (12 - 2) * (9 - 3) - 7);
    const auto cells = mask.keptCells();
    ASSERT_EQ(static_cast<int>(cells.size()), mask.keptCount());
    std::set<int> rows, cols;
    for (auto [f, t] : cells) {
        EXPECT_TRUE(mask.isKept(0, f, t));
        EXPECT_TRUE(mask.isKept(5, f, t));  // a per-batch mask answers for every example
        rows.insert(f);
        cols.insert(t);
    }
    // Whole rows and columns are gone: at most F - s_f rows and T - s_t columns appear.
    EXPECT_LE(rows.size(), 10u);
    EXPECT_LE(cols.size(), 6u);
    EXPECT_TRUE(std::is_sorted(mask.kept[0].begin(), mask.kept[0].end()));
    EXPECT_THROW(mask.isKept(0, 12, 0), Error);
    EXPECT_THROW(mask.keptCount(1), Error);
}

TEST(PatchoutMask, SameSeedSameMaskOtherSeedOtherMask) {
    const PatchoutOptions po{.s_patchout_t = 2, .s_patchout_f = 3, .u_patchout = 5};
    EXPECT_EQ(drawPatchoutMask(po, 12, 9, 7).kept, drawPatchoutMask(po, 12, 9, 7).kept);
    EXPECT_NE(drawPatchoutMask(po, 12, 9, 7).kept, drawPatchoutMask(po, 12, 9, 8).kept);
}

TEST(PatchoutMask, PerSampleMasksDifferBetweenExamples) {
    PatchoutOptions po{.s_patchout_t = 2, .s_patchout_f = 3, .u_patchout = 5};
    po.per_sample = true;
    const auto mask = drawPatchoutMask(po, 12, 9, 3, 4);
    ASSERT_EQ(mask.masks(), 4);
    EXPECT_TRUE(mask.per_sample);
    for (int m = 0; m < 4; ++m)
        EXPECT_EQ(mask.keptCount(m), (12 - 3) * (9 - 2) - 5);
    EXPECT_NE(mask.kept[0], mask.kept[1]);
    const auto cells = mask.keptCells(2);
    for (auto [f, t] : cells)
        EXPECT_TRUE(mask.isKept(2, f, t));
}

TEST(PatchoutMask, OptionsThatDropEverythingAreRefused) {
    EXPECT_THROW(drawPatchoutMask({.s_patchout_t = 9, .s_patchout_f = 0, .u_patchout = 0}, 12, 9, 0), Error);
    EXPECT_THROW(drawPatchoutMask({.s_patchout_t = 0, .s_patchout_f = 12, .u_patchout = 0}, 12, 9, 0), Error);
    EXPECT_THROW(drawPatchoutMask({.s_patchout_t = 0, .s_patchout_f = 0, .u_patchout = 108}, 12, 9, 0), Error);
    EXPECT_THROW(drawPatchoutMask({.s_patchout_t = -1, .s_patchout_f = 0, .u_patchout = 0}, 12, 9, 0), Error);
    EXPECT_NO_THROW(drawPatchoutMask({.s_patchout_t = 0, .s_patchout_f = 0, .u_patchout = 107}, 12, 9, 0));
}

TEST(PatchoutMask, TrainingForwardKeepsPositionsOfKeptTokens) {
    PaSSTModel model(micro({.s_patchout_t = 2, .s_patchout_f = 3, .u_patchout = 5}), 1);
    auto& m = *model.module();
    torch::manual_seed(11);
    auto x = torch::randn({2, 1, 128, 90});  // 8 time patches, shorter than the 10 positions
    torch::NoGradGuard noGrad;
    const auto full = patchTokens(m, x);  // eval: every patch, positions from column 0
    EXPECT_TRUE(model.lastPatchoutMask().kept.empty());  // eval forwards leave no mask

    // A forced mask in eval applies exactly the mask's cells; the kept tokens equal the unmasked
    // forward's tokens at those cells (positions added before the mask).
    const auto mask = drawPatchoutMask(m.options().patchout, 12, 8, 99);
    PatchoutMask used;
    auto masked = m.tokens(x, &mask, &used).slice(1, 2);
    ASSERT_EQ(masked.size(1), (12 - 3) * (8 - 2) - 5);
    EXPECT_EQ(used.kept, mask.kept);
    auto idx = torch::tensor(mask.kept[0], torch::kLong);
    EXPECT_TRUE(torch::allclose(masked, full.index_select(1, idx)));

    // Training draws its own mask (reproducibly from torch's seed) and exposes it.
    model.setTraining(true);
    torch::manual_seed(5);
    auto a = m.tokens(x);
    const auto maskA = model.lastPatchoutMask();
    torch::manual_seed(5);
    auto b = m.tokens(x);
    EXPECT_EQ(model.lastPatchoutMask().kept, maskA.kept);
    EXPECT_TRUE(torch::equal(a, b));
    EXPECT_EQ(a.size(1), 2 + maskA.keptCount());
    EXPECT_EQ(maskA.freq_patches, 12);
    EXPECT_EQ(maskA.time_patches, 8);
}

TEST(PatchoutMask, PerSampleMaskGathersEachExamplesOwnCells) {
    auto po = PatchoutOptions{.s_patchout_t = 1, .s_patchout_f = 2, .u_patchout = 3};
    po.per_sample = true;
    PaSSTModel model(micro(po), 2);
    auto& m = *model.module();
    torch::manual_seed(12);
    auto x = torch::randn({3, 1, 128, 100});
    torch::NoGradGuard noGrad;
    const auto full = patchTokens(m, x);
    const auto mask = drawPatchoutMask(po, 12, 9, 4, 3);
    auto masked = m.tokens(x, &mask, nullptr).slice(1, 2);
    for (int b = 0; b < 3; ++b) {
        auto idx = torch::tensor(mask.kept[static_cast<std::size_t>(b)], torch::kLong);
        EXPECT_TRUE(torch::allclose(masked[b], full[b].index_select(0, idx))) << b;
    }
    const auto wrongBatch = drawPatchoutMask(po, 12, 9, 4, 2);
    EXPECT_THROW(m.tokens(x, &wrongBatch, nullptr), Error);
}

TEST(PatchoutMask, GradientsReachOnlyKeptPatches) {
    PaSSTModel model(micro({.s_patchout_t = 3, .s_patchout_f = 4, .u_patchout = 0}), 3);
    auto& m = *model.module();
    model.setTraining(true);
    torch::manual_seed(13);
    auto x = torch::randn({2, 1, 128, 100}).requires_grad_(true);
    m.forward(x).first.sum().backward();
    const auto mask = model.lastPatchoutMask();
    ASSERT_EQ(mask.keptCount(), (12 - 4) * (9 - 3));
    // Patch (f, t) reads mel bins [10f, 10f + 16) and frames [10t, 10t + 16). An input cell gets a
    // gradient exactly when a kept patch reads it; cells read only by dropped patches get none.
    std::vector<bool> melKept(128, false), frameKept(100, false);
    for (auto [f, t] : mask.keptCells()) {
        for (int i = 10 * f; i < 10 * f + 16; ++i)
            melKept[static_cast<std::size_t>(i)] = true;
        for (int i = 10 * t; i < 10 * t + 16; ++i)
            frameKept[static_cast<std::size_t>(i)] = true;
    }
    const torch::Tensor g = x.grad().abs().sum(std::vector<std::int64_t>{0, 1});  // [128, 100]
    int zero = 0;
    for (int mel = 0; mel < 128; ++mel)
        for (int frame = 0; frame < 100; ++frame) {
            const bool used = melKept[static_cast<std::size_t>(mel)] && frameKept[static_cast<std::size_t>(frame)];
            const bool has = g[mel][frame].item<double>() > 0;
            EXPECT_EQ(has, used) << mel << "," << frame;
            zero += has ? 0 : 1;
        }
    EXPECT_GT(zero, 0);  // with 4 rows and 3 columns dropped some cells are never read
}

TEST(PatchoutMask, InferencePatchoutOnlyWhenAsked) {
    PatchoutOptions po{.s_patchout_t = 2, .s_patchout_f = 2, .u_patchout = 0};
    PaSSTModel model(micro(po), 4);
    torch::manual_seed(14);
    auto x = torch::randn({1, 1, 128, 100});
    auto& m = *model.module();
    torch::NoGradGuard noGrad;
    EXPECT_EQ(m.tokens(x).size(1), 2 + 12 * 9);
    po.at_inference = true;
    model.setPatchout(po);
    EXPECT_EQ(m.tokens(x).size(1), 2 + 10 * 7);
    EXPECT_EQ(model.lastPatchoutMask().keptCount(), 10 * 7);
    PaSSTModel::DetailOptions detail;
    const auto d = model.forwardDetailed(x.data_ptr<float>(), 1, 100, detail);
    EXPECT_EQ(d.patchout_mask.keptCount(), 10 * 7);
    EXPECT_EQ(d.token_shape, (std::vector<std::int64_t>{1, 2 + 70, 64}));
}

TEST(PaSSTPositions, SinusoidalIsFixedAndNoneHasNoPositions) {
    auto o = micro();
    o.positional_encoding = PositionalEncoding::Sinusoidal;
    PaSSTModel sinModel(o, 1);
    auto learnedCount = PaSSTModel(micro(), 1).parameterCount();
    // Not trained: the sin/cos tables are buffers, not parameters.
    EXPECT_EQ(sinModel.parameterCount(), learnedCount - 64 * 12 - 64 * 10);
    auto& m = *sinModel.module();
    ASSERT_TRUE(m.freq_new_pos_embed.defined());
    EXPECT_FALSE(m.freq_new_pos_embed.requires_grad());
    auto [freq, time] = sinusoidalPositions(64, 12, 10);
    EXPECT_TRUE(torch::equal(m.time_new_pos_embed, time));
    // Channel 0 is sin(position) / 2, channel 32 cos(position) / 2.
    EXPECT_NEAR(time[0][0][0][3].item<double>(), 0.5 * std::sin(3.0), 1e-6);
    EXPECT_NEAR(time[0][32][0][3].item<double>(), 0.5 * std::cos(3.0), 1e-6);
    EXPECT_NEAR(freq[0][0][5][0].item<double>(), 0.5 * std::sin(5.0), 1e-6);
    // Distinct positions get distinct codes.
    EXPECT_GT((time.select(3, 1) - time.select(3, 2)).abs().sum().item<double>(), 0.1);

    o.positional_encoding = PositionalEncoding::None;
    PaSSTModel none(o, 1);
    EXPECT_EQ(none.parameterCount(), learnedCount - 64 * 12 - 64 * 10);
    EXPECT_FALSE(none.module()->freq_new_pos_embed.defined());
    // Without positions the patch tokens are the patch embedding itself.
    torch::manual_seed(15);
    auto x = torch::randn({1, 1, 128, 100});
    torch::NoGradGuard noGrad;
    auto tokens = none.module()->tokens(x).slice(1, 2);
    auto embed = none.module()->patch_embed->forward(x).flatten(2).transpose(1, 2);
    EXPECT_TRUE(torch::allclose(tokens, embed));
    // With sinusoidal positions they differ from it by exactly the tables.
    auto sinTokens = sinModel.module()->tokens(x).slice(1, 2);
    auto sinEmbed = sinModel.module()->patch_embed->forward(x) + time.slice(3, 0, 9) + freq;
    EXPECT_TRUE(torch::allclose(sinTokens, sinEmbed.flatten(2).transpose(1, 2)));

    EXPECT_EQ(positionalEncodingFromName("sinusoidal"), PositionalEncoding::Sinusoidal);
    EXPECT_EQ(positionalEncodingName(PositionalEncoding::None), "none");
    EXPECT_THROW(positionalEncodingFromName("rotary"), Error);
    const auto back = passtOptionsFromJson(passtOptionsToJson(o));
    EXPECT_EQ(back.positional_encoding, PositionalEncoding::None);
}

TEST(PaSSTPositions, ResizeInterpolatesTheEmbeddings) {
    PaSSTModel model(micro(), 5);
    auto& m = *model.module();
    const auto before = m.time_new_pos_embed.clone();
    m.resizePositions(128, 200);  // twice the time positions
    EXPECT_EQ(model.options().input_frames, 200);
    ASSERT_EQ(m.time_new_pos_embed.sizes(), (std::vector<std::int64_t>{1, 64, 1, 20}));
    EXPECT_EQ(m.freq_new_pos_embed.sizes(), (std::vector<std::int64_t>{1, 64, 12, 1}));
    // Bicubic, align_corners=False, scale 2: reference values from torch.nn.functional.interpolate.
    auto expected = torch::nn::functional::interpolate(
        before, torch::nn::functional::InterpolateFuncOptions()
                    .size(std::vector<std::int64_t>{1, 20})
                    .mode(torch::kBicubic)
                    .align_corners(false));
    EXPECT_TRUE(torch::allclose(m.time_new_pos_embed, expected));
    // The resized model runs on the new length; parameters keep requiring gradients.
    EXPECT_TRUE(m.time_new_pos_embed.requires_grad());
    torch::NoGradGuard noGrad;
    EXPECT_EQ(m.tokens(torch::randn({1, 1, 128, 200})).size(1), 2 + 12 * 19);
    EXPECT_THROW(m.resizePositions(8, 200), Error);
}

TEST(PaSSTPositions, ImportResizesToTargetInputSize) {
    PATCHOUT_REQUIRE_FIXTURES();
    ImportOptions io;
    io.num_heads = 4;
    io.target_input_frames = 150;
    const auto imported = importCheckpoint(test::fixturesDir() / "tiny_passt.pt", io);
    EXPECT_EQ(imported.model.options().input_frames, 150);
    EXPECT_EQ(imported.model.options().timePositions(), 15);
    // 130 frames (13 patches) now fit without cutting.
    auto input = test::readF32(test::fixturesDir() / "input_long.f32");
    const auto out = imported.model.forward(input.data(), 2, 130);
    EXPECT_EQ(out.logits.size(), 20u);
}

TEST(PaSSTLong, LongInputsAreAnErrorUnlessCutIsAsked) {
    PaSSTModel model(micro(), 6);
    torch::manual_seed(17);
    auto x = torch::randn({1, 1, 128, 130});
    std::vector<float> input(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    try {
        model.forward(input.data(), 1, 130);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("cut_long_inputs"), std::string::npos) << e.what();
    }
    model.setCutLongInputs(true);
    EXPECT_TRUE(model.options().cut_long_inputs);
    const auto cut = model.forward(input.data(), 1, 130);
    // The cut keeps the first 10 time patches, which read the first 106 frames.
    auto head = x.slice(3, 0, 106).contiguous();
    const auto first = model.forward(head.data_ptr<float>(), 1, 106);
    ASSERT_EQ(cut.logits.size(), 10u);
    EXPECT_LE(test::maxAbsDiff(cut.logits, first.logits).max_abs, 1e-5);
    auto o = micro();
    o.cut_long_inputs = true;
    EXPECT_TRUE(passtOptionsFromJson(passtOptionsToJson(o)).cut_long_inputs);
}

TEST(PaSSTDetail, BlockTokensAndAttentionMapsMatchTheModule) {
    PaSSTModel model(micro(), 7);
    torch::manual_seed(16);
    auto x = torch::randn({2, 1, 128, 100});
    PaSSTModel::DetailOptions detail;
    detail.attention_maps = true;
    const auto d = model.forwardDetailed(x.data_ptr<float>(), 2, 100, detail);
    const auto plain = model.forward(x.data_ptr<float>(), 2, 100);
    EXPECT_EQ(d.output.logits, plain.logits);
    ASSERT_EQ(d.block_tokens.size(), 2u);
    ASSERT_EQ(d.attention_maps.size(), 2u);
    EXPECT_EQ(d.token_shape, (std::vector<std::int64_t>{2, 110, 64}));
    EXPECT_EQ(d.attention_shape, (std::vector<std::int64_t>{2, 4, 110, 110}));
    EXPECT_TRUE(d.patchout_mask.kept.empty());
    torch::NoGradGuard noGrad;
    auto& m = *model.module();
    auto b0 = m.block_list[0]->forward(m.tokens(x));
    auto got = torch::from_blob(const_cast<float*>(d.block_tokens[0].data()), {2, 110, 64});
    EXPECT_TRUE(torch::allclose(got, b0, 1e-5, 1e-6));
    // Attention rows are distributions.
    auto att = torch::from_blob(const_cast<float*>(d.attention_maps[1].data()), {2, 4, 110, 110});
    EXPECT_TRUE(torch::allclose(att.sum(-1), torch::ones({2, 4, 110}), 1e-4, 1e-5));
    EXPECT_GE(att.min().item<double>(), 0.0);

    detail.block_tokens = false;
    detail.attention_maps = false;
    const auto lean = model.forwardDetailed(x.data_ptr<float>(), 2, 100, detail);
    EXPECT_TRUE(lean.block_tokens.empty());
    EXPECT_TRUE(lean.attention_maps.empty());
    model.setTraining(true);
    EXPECT_THROW(model.forwardDetailed(x.data_ptr<float>(), 2, 100, detail), Error);
}
