// PaSST against the reference fixtures (../shared/fixtures/passt, generated with the authors'
// PyTorch code) and the model's own invariants: options, presets, patchout, training mode.
#include "model/passt_module.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/passt.h"
#include "test_support.h"

#include <fstream>
#include <set>
#include <sstream>

using namespace patchout;
using patchout::test::fixturesDir;
using patchout::test::readF32;

namespace {

constexpr double kTolerance = 1e-4;  // the fixture README's tolerance for float32 outputs

torch::Tensor fixture(const std::string& name, std::vector<std::int64_t> shape) {
    auto v = readF32(fixturesDir() / name);
    auto t = torch::from_blob(v.data(), shape, torch::kFloat32).clone();
    EXPECT_EQ(t.numel(), static_cast<std::int64_t>(v.size())) << name;
    return t;
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    EXPECT_EQ(a.sizes(), b.sizes());
    return (a - b).abs().max().item<double>();
}

ImportOptions tinyImport() {
    ImportOptions io;
    io.num_heads = 4;  // the one thing the weights cannot tell
    return io;
}

class PaSSTReference : public ::testing::Test {
protected:
    void SetUp() override {
        PATCHOUT_REQUIRE_FIXTURES();
        imported = std::make_unique<ImportedModel>(importCheckpoint(fixturesDir() / "tiny_passt.pt", tinyImport()));
    }
    PaSST& module() { return imported->model.module(); }
    std::unique_ptr<ImportedModel> imported;
};

}  // namespace

TEST_F(PaSSTReference, ImportInfersTheTinyArchitecture) {
    const auto& o = imported->model.options();
    EXPECT_EQ(o.embed_dim, 64);
    EXPECT_EQ(o.depth, 2);
    EXPECT_EQ(o.num_heads, 4);
    EXPECT_EQ(o.num_classes, 10);
    EXPECT_EQ(o.patch_size, 16);
    EXPECT_EQ(o.in_chans, 1);
    EXPECT_DOUBLE_EQ(o.mlp_ratio, 4.0);
    EXPECT_TRUE(o.qkv_bias);
    EXPECT_TRUE(o.distilled);
    EXPECT_EQ(o.freqPositions(), 12);
    EXPECT_EQ(o.timePositions(), 10);
    EXPECT_EQ(imported->report.tensors, 39);
    EXPECT_TRUE(imported->report.skipped.empty());
    EXPECT_TRUE(imported->report.reinitialized.empty());
    EXPECT_TRUE(imported->report.ignored_globals.empty());
    EXPECT_EQ(imported->report.copy, "");
    EXPECT_FALSE(imported->model.training());
}

TEST_F(PaSSTReference, FullInputMatchesLogitsFeaturesAndIntermediates) {
    torch::NoGradGuard noGrad;
    auto x = fixture("input_full.f32", {2, 1, 128, 100});
    auto& m = *module();
    EXPECT_LE(maxDiff(m.patch_embed->forward(x), fixture("full_patch_embed.f32", {2, 64, 12, 9})), kTolerance);
    auto tokens = m.tokens(x);
    EXPECT_LE(maxDiff(tokens, fixture("full_tokens_in.f32", {2, 110, 64})), kTolerance);
    auto b0 = m.block_list[0]->forward(tokens);
    EXPECT_LE(maxDiff(b0, fixture("full_block0_out.f32", {2, 110, 64})), kTolerance);
    auto b1 = m.block_list[1]->forward(b0);
    EXPECT_LE(maxDiff(b1, fixture("full_block1_out.f32", {2, 110, 64})), kTolerance);
    EXPECT_LE(maxDiff(m.norm->forward(b1), fixture("full_norm_out.f32", {2, 110, 64})), kTolerance);
    auto [logits, features] = m.forward(x);
    const double logitsDiff = maxDiff(logits, fixture("full_logits.f32", {2, 10}));
    EXPECT_LE(logitsDiff, kTolerance);
    EXPECT_LE(maxDiff(features, fixture("full_features.f32", {2, 64})), kTolerance);
    RecordProperty("logits_max_abs_diff", std::to_string(logitsDiff));
}

TEST_F(PaSSTReference, ShortInputUsesTheFirstTimePositions) {
    torch::NoGradGuard noGrad;
    auto x = fixture("input_short.f32", {2, 1, 128, 60});
    EXPECT_LE(maxDiff(module()->tokens(x), fixture("short_tokens_in.f32", {2, 62, 64})), kTolerance);
    auto [logits, features] = module()->forward(x);
    EXPECT_LE(maxDiff(logits, fixture("short_logits.f32", {2, 10})), kTolerance);
    EXPECT_LE(maxDiff(features, fixture("short_features.f32", {2, 64})), kTolerance);
}

TEST_F(PaSSTReference, LongInputIsCutToThePositionalEmbedding) {
    torch::NoGradGuard noGrad;
    auto x = fixture("input_long.f32", {2, 1, 128, 130});
    // By default a clear error, never a silently cut answer; the reference's cut only when asked.
    EXPECT_THROW(module()->tokens(x), Error);
    EXPECT_THROW(module()->forward(x), Error);
    imported->model.setCutLongInputs(true);
    EXPECT_EQ(module()->tokens(x).size(1), 2 + 12 * 10);
    auto [logits, features] = module()->forward(x);
    EXPECT_LE(maxDiff(logits, fixture("long_logits.f32", {2, 10})), kTolerance);
    EXPECT_LE(maxDiff(features, fixture("long_features.f32", {2, 64})), kTolerance);
}

TEST_F(PaSSTReference, PublicForwardMatchesOnRawAndFeatureInput) {
    auto input = readF32(fixturesDir() / "input_full.f32");
    const auto out = imported->model.forward(input.data(), 2, 100);
    ASSERT_EQ(out.batch, 2);
    ASSERT_EQ(out.logits.size(), 20u);
    ASSERT_EQ(out.features.size(), 128u);
    EXPECT_LE(test::maxAbsDiff(out.logits, readF32(fixturesDir() / "full_logits.f32")).max_abs, kTolerance);
    EXPECT_LE(test::maxAbsDiff(out.features, readF32(fixturesDir() / "full_features.f32")).max_abs, kTolerance);

    // The same two examples as Features blocks (frame-major) give the same result.
    std::vector<Features> batch(2);
    for (int b = 0; b < 2; ++b) {
        batch[b].n_bins = 128;
        batch[b].n_frames = 100;
        batch[b].data.resize(128 * 100);
        for (int m = 0; m < 128; ++m)
            for (int t = 0; t < 100; ++t)
                batch[b].data[static_cast<std::size_t>(t) * 128 + m] = input[(b * 128 + m) * 100 + t];
    }
    const auto viaFeatures = imported->model.forward(batch);
    EXPECT_EQ(viaFeatures.logits, out.logits);
    EXPECT_EQ(viaFeatures.features, out.features);
}

TEST_F(PaSSTReference, PatchoutIsInactiveInEval) {
    auto input = readF32(fixturesDir() / "input_full.f32");
    imported->model.setPatchout({.s_patchout_t = 3, .s_patchout_f = 4, .u_patchout = 10});
    const auto out = imported->model.forward(input.data(), 2, 100);
    EXPECT_LE(test::maxAbsDiff(out.logits, readF32(fixturesDir() / "full_logits.f32")).max_abs, kTolerance);
}

TEST_F(PaSSTReference, PasstSPresetHasTheOfficialKeysAndShapes) {
    std::ifstream in(fixturesDir() / "passt_s_keys.txt");
    ASSERT_TRUE(in);
    std::vector<TensorInfo> expected;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        const auto tab = line.find('\t');
        ASSERT_NE(tab, std::string::npos) << line;
        TensorInfo info{line.substr(0, tab), "F32", {}};
        std::stringstream dims(line.substr(tab + 2, line.size() - tab - 3));
        std::string d;
        while (std::getline(dims, d, ','))
            info.shape.push_back(std::stoll(d));
        expected.push_back(info);
    }
    ASSERT_EQ(expected.size(), 159u);
    PaSSTModel model(passtPreset("passt-s"));
    const auto actual = model.parameters();
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(actual[i].name, expected[i].name) << i;
        EXPECT_EQ(actual[i].shape, expected[i].shape) << expected[i].name;
    }
    EXPECT_EQ(model.parameterCount(), 86153758);
    EXPECT_EQ(actual[5].shapeText(), "[768, 1, 16, 16]");  // patch_embed.proj.weight
    EXPECT_EQ(actual[5].numel(), 768 * 256);
    EXPECT_EQ(TensorInfo{}.shapeText(), "[]");
    EXPECT_EQ(TensorInfo{}.numel(), 1);  // a scalar
}

TEST(PaSST, PresetsBuildAndValidate) {
    for (const auto& name : passtPresetNames()) {
        if (name == "passt-s")
            continue;  // built by PaSSTReference.PasstSPresetHasTheOfficialKeysAndShapes
        const auto o = passtPreset(name);
        EXPECT_NO_THROW(o.validate()) << name;
        PaSSTModel model(o);
        std::int64_t n = 0;
        for (const auto& p : model.parameters())
            n += p.numel();
        EXPECT_EQ(model.parameterCount(), n) << name;
    }
    const auto s = passtPreset("passt-s");
    EXPECT_EQ(s.freqPositions(), 12);
    EXPECT_EQ(s.timePositions(), 99);
    EXPECT_EQ(s.patchout.s_patchout_t, 40);
    EXPECT_EQ(s.patchout.s_patchout_f, 4);
    EXPECT_EQ(s.timePatches(998), 99);
    EXPECT_EQ(s.timePatches(15), 0);
    EXPECT_EQ(s.mlpHidden(), 3072);
    EXPECT_THROW(passtPreset("passt-xl"), Error);
}

TEST(PaSST, ValidateNamesTheBadField) {
    auto expectBad = [](PaSSTOptions o, const std::string& field) {
        try {
            o.validate();
            ADD_FAILURE() << "accepted bad " << field;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
            EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
        }
    };
    auto o = passtPreset("passt-micro");
    auto heads = o;
    heads.num_heads = 5;
    expectBad(heads, "num_heads");
    auto drop = o;
    drop.drop_path_rate = 1.0;
    expectBad(drop, "drop_path_rate");
    auto freq = o;
    freq.patchout.s_patchout_f = 12;
    expectBad(freq, "s_patchout_f");
    auto mels = o;
    mels.n_mels = 8;
    expectBad(mels, "n_mels");
    auto depth = o;
    depth.depth = 0;
    expectBad(depth, "depth");
}

TEST(PaSST, OptionsJsonRoundTrip) {
    auto o = passtPreset("passt-mini");
    o.drop_path_rate = 0.1;
    o.patchout.u_patchout = 7;
    o.distilled = false;
    const auto back = passtOptionsFromJson(passtOptionsToJson(o));
    EXPECT_EQ(passtOptionsToJson(back), passtOptionsToJson(o));
    EXPECT_EQ(back.embed_dim, 192);
    EXPECT_EQ(back.patchout.u_patchout, 7);
    EXPECT_FALSE(back.distilled);
    EXPECT_DOUBLE_EQ(back.drop_path_rate, 0.1);
    // Absent fields keep their defaults; unknown or mistyped ones are errors.
    EXPECT_EQ(passtOptionsFromJson(R"({"depth": 3})").depth, 3);
    EXPECT_EQ(passtOptionsFromJson(R"({"depth": 3})").embed_dim, 768);
    EXPECT_THROW(passtOptionsFromJson(R"({"dept": 3})"), Error);
    EXPECT_THROW(passtOptionsFromJson(R"({"depth": "3"})"), Error);
    EXPECT_THROW(passtOptionsFromJson(R"({"qkv_bias": 1})"), Error);
    EXPECT_EQ(passtOptionsFromJson(R"({"head_pooling": "patches"})").head_pooling, HeadPooling::Patches);
    EXPECT_EQ(passtOptionsFromJson("{}").head_pooling, HeadPooling::Tokens);  // the reference
    EXPECT_THROW(passtOptionsFromJson(R"({"head_pooling": "max"})"), Error);
    EXPECT_THROW(passtOptionsFromJson("[1, 2]"), Error);
    EXPECT_THROW(passtOptionsFromJson("{"), Error);
}

TEST(PaSST, InitialisationIsReproducibleFromTheSeed) {
    const auto o = passtPreset("passt-micro");
    PaSSTModel a(o, 7), b(o, 7), c(o, 8);
    auto pa = a.module()->named_parameters();
    auto pb = b.module()->named_parameters();
    auto pc = c.module()->named_parameters();
    bool anyDifferent = false;
    for (const auto& p : pa) {
        EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
        anyDifferent |= !torch::equal(p.value(), pc[p.key()]);
    }
    EXPECT_TRUE(anyDifferent);
    // The reference initialisation: LayerNorms 1/0, linear biases 0, std 0.02 elsewhere.
    EXPECT_TRUE(torch::equal(pa["norm.weight"], torch::ones({64})));
    EXPECT_TRUE(torch::equal(pa["blocks.0.attn.qkv.bias"], torch::zeros({192})));
    const double std = pa["blocks.0.mlp.fc1.weight"].std().item<double>();
    EXPECT_NEAR(std, 0.02, 0.002);
    const double bound = 1.0 / 16.0;  // 1 / sqrt(fan_in 1 * 16 * 16)
    EXPECT_LE(pa["patch_embed.proj.weight"].abs().max().item<double>(), bound);
}

TEST(PaSST, ForwardRunsOnTheModelsDeviceWithHostInputsAndOutputs) {
    PaSSTModel model(passtPreset("passt-micro"), 5);
    EXPECT_EQ(model.device(), ComputeDevice::Cpu);  // until set
    std::vector<float> input(2 * 128 * 100);
    for (std::size_t i = 0; i < input.size(); ++i)
        input[i] = static_cast<float>(std::sin(0.01 * static_cast<double>(i)));
    const ModelOutput cpu = model.forward(input.data(), 2, 100);
    model.setDevice(ComputeDevice::Cpu);  // where it is: nothing moves
    EXPECT_EQ(model.forward(input.data(), 2, 100).logits, cpu.logits);
    if (!cudaStatus().usable())
        GTEST_SKIP() << "CUDA is " << cudaStatus().describe() << ": the GPU half runs in tools/gpu_check.sh";
    PaSSTModel handle = model.sharedWeights();
    model.setDevice(ComputeDevice::Cuda);
    EXPECT_EQ(handle.device(), ComputeDevice::Cuda);  // every handle follows its weights
    const ModelOutput gpu = model.forward(input.data(), 2, 100);
    ASSERT_EQ(gpu.logits.size(), cpu.logits.size());
    for (std::size_t i = 0; i < cpu.logits.size(); ++i)
        EXPECT_NEAR(gpu.logits[i], cpu.logits[i], 1e-4);
    const auto detailed = model.forwardDetailed(input.data(), 2, 100, {.block_tokens = true, .attention_maps = true});
    EXPECT_EQ(detailed.attention_maps.size(), 2u);
    model.setDevice(ComputeDevice::Cpu);
    EXPECT_EQ(model.forward(input.data(), 2, 100).logits, cpu.logits);
}

TEST(PaSST, StructuredPatchoutKeepsSortedColumnsAndRows) {
    torch::manual_seed(3);
    // Value = 100 * f + t, so the kept grid tells which rows and columns survived.
    auto grid = (torch::arange(12).view({1, 1, 12, 1}) * 100 + torch::arange(9).view({1, 1, 1, 9}))
                    .to(torch::kFloat32).expand({2, 3, 12, 9});
    auto out = structuredPatchout(grid, 4, 5);
    ASSERT_EQ(out.sizes(), (std::vector<std::int64_t>{2, 3, 7, 5}));
    auto rows = out.select(0, 0).select(0, 0).select(1, 0);
    auto cols = out.select(0, 0).select(0, 0).select(0, 0);
    for (int i = 1; i < 7; ++i)
        EXPECT_LT(rows[i - 1].item<float>(), rows[i].item<float>());
    for (int i = 1; i < 5; ++i)
        EXPECT_LT(cols[i - 1].item<float>(), cols[i].item<float>());
    // The same patches for every example and channel of the batch.
    EXPECT_TRUE(torch::equal(out.select(0, 0), out.select(0, 1)));
    EXPECT_TRUE(torch::equal(out.select(1, 0), out.select(1, 2)));
    EXPECT_TRUE(torch::equal(structuredPatchout(grid, 0, 0), grid));
    EXPECT_THROW(structuredPatchout(grid, 9, 0), Error);
    EXPECT_THROW(structuredPatchout(grid, 0, 12), Error);
}

TEST(PaSST, UnstructuredPatchoutDropsTokensForTheWholeBatch) {
    torch::manual_seed(4);
    auto tokens = torch::arange(20).to(torch::kFloat32).view({1, 20, 1}).expand({3, 20, 2});
    auto out = unstructuredPatchout(tokens, 6);
    ASSERT_EQ(out.sizes(), (std::vector<std::int64_t>{3, 14, 2}));
    std::set<float> kept;
    for (int i = 0; i < 14; ++i) {
        kept.insert(out[0][i][0].item<float>());
        if (i > 0) {
            EXPECT_LT(out[0][i - 1][0].item<float>(), out[0][i][0].item<float>());
        }
    }
    EXPECT_EQ(kept.size(), 14u);
    EXPECT_TRUE(torch::equal(out.select(0, 0), out.select(0, 2)));
    EXPECT_THROW(unstructuredPatchout(tokens, 20), Error);
}

TEST(PaSST, DropPathZeroesWholeExamplesOnlyInTraining) {
    torch::manual_seed(5);
    auto x = torch::ones({64, 3, 4});
    EXPECT_TRUE(torch::equal(dropPath(x, 0.5, false), x));
    auto y = dropPath(x, 0.5, true);
    int dropped = 0;
    for (int b = 0; b < 64; ++b) {
        const auto v = y[b];
        const bool zero = torch::equal(v, torch::zeros_like(v));
        const bool doubled = torch::equal(v, torch::full_like(v, 2.0));
        EXPECT_TRUE(zero || doubled) << b;
        dropped += zero;
    }
    EXPECT_GT(dropped, 10);
    EXPECT_LT(dropped, 54);
}

TEST(PaSST, TrainingModeAppliesPatchoutAndTrains) {
    auto o = passtPreset("passt-micro");
    o.patchout = {.s_patchout_t = 2, .s_patchout_f = 3, .u_patchout = 5};
    PaSSTModel model(o, 1);
    torch::manual_seed(6);
    auto x = torch::randn({2, 1, 128, 100});
    auto& m = *model.module();
    EXPECT_EQ(m.tokens(x).size(1), 2 + 12 * 9);  // eval: every patch
    model.setTraining(true);
    EXPECT_TRUE(model.training());
    EXPECT_EQ(m.tokens(x).size(1), 2 + (12 - 3) * (9 - 2) - 5);
    EXPECT_THROW(model.forward(x.data_ptr<float>(), 2, 100), Error);  // the public forward is eval only

    // One optimiser step on a multi-label loss lowers it, and every used parameter gets a gradient.
    torch::manual_seed(7);
    auto target = torch::zeros({2, 10});
    target.index_put_({0, 3}, 1.0);
    target.index_put_({1, 7}, 1.0);
    torch::optim::AdamW opt(m.parameters(), torch::optim::AdamWOptions(1e-3));
    auto lossOf = [&] {
        return torch::binary_cross_entropy_with_logits(m.forward(x).first, target);
    };
    model.setPatchout({});
    auto before = lossOf();
    opt.zero_grad();
    before.backward();
    for (const auto& p : m.named_parameters()) {
        if (p.key().rfind("head_dist.", 0) != 0) {
            EXPECT_TRUE(p.value().grad().defined() && p.value().grad().abs().sum().item<double>() > 0)
                << p.key();
        }
    }
    opt.step();
    EXPECT_LT(lossOf().item<double>(), before.item<double>());
    model.setTraining(false);
    EXPECT_THROW(model.setPatchout({.s_patchout_t = 0, .s_patchout_f = 12, .u_patchout = 0}), Error);
}

TEST(PaSST, NonDistilledModelUsesTheClsTokenOnly) {
    auto o = passtPreset("passt-micro");
    o.distilled = false;
    o.head_pooling = HeadPooling::Tokens;
    PaSSTModel model(o, 2);
    const auto keys = model.parameters();
    for (const auto& k : keys) {
        EXPECT_NE(k.name, "dist_token");
        EXPECT_NE(k.name.rfind("head_dist", 0), 0u);
    }
    torch::NoGradGuard noGrad;
    auto x = torch::randn({1, 1, 128, 40});
    auto& m = *model.module();
    EXPECT_EQ(m.tokens(x).size(1), 1 + 12 * 3);
    auto encoded = m.encode(x);
    auto [logits, features] = m.forward(x);
    EXPECT_TRUE(torch::allclose(features, encoded.select(1, 0)));
    EXPECT_TRUE(torch::allclose(logits, m.head->forward(features)));
    // With the head on the patches it reads their mean instead (the cls token is left out).
    m.setHeadPooling(HeadPooling::Patches);
    EXPECT_TRUE(torch::allclose(m.forward(x).second, encoded.slice(1, 1).mean(1)));
}

TEST(PaSST, ForwardCostFollowsTheWeightShapes) {
    for (const std::string& name : passtPresetNames()) {
        const PaSSTOptions o = passtPreset(name);
        const ForwardCost c = forwardCost(o, o.input_frames);
        EXPECT_EQ(c.patches, o.freqPatches() * o.timePatches(o.input_frames)) << name;
        EXPECT_EQ(c.tokens, c.patches + (o.distilled ? 2 : 1)) << name;
        // Every linear layer multiplies each token by its weight once: MACs per token = weights.
        std::int64_t blockWeights = 0, convWeights = 0, headWeights = 0;
        for (const TensorInfo& t : PaSSTModel(o).parameters()) {
            const bool weight = t.name.size() > 7 && t.name.ends_with(".weight") && t.shape.size() >= 2;
            if (weight && t.name.starts_with("blocks."))
                blockWeights += t.numel();
            else if (t.name == "patch_embed.proj.weight")
                convWeights = t.numel();
            else if (t.name == "head.1.weight")
                headWeights = t.numel();
        }
        EXPECT_DOUBLE_EQ((c.attention_proj + c.mlp) / c.tokens, static_cast<double>(blockWeights)) << name;
        EXPECT_DOUBLE_EQ(c.patch_embed / c.patches, static_cast<double>(convWeights)) << name;
        EXPECT_DOUBLE_EQ(c.head, static_cast<double>(headWeights)) << name;
        EXPECT_DOUBLE_EQ(c.attention_scores, 2.0 * o.depth * c.tokens * c.tokens * o.embed_dim) << name;
        EXPECT_DOUBLE_EQ(c.flops(), 2 * (c.patch_embed + c.attention_proj + c.attention_scores + c.mlp + c.head));
    }
    // PaSST-S on 10 s: 1,188 patches; the paper's training patchout (40 time columns, 4 frequency
    // rows) keeps 8 x 59 = 472 of them and cuts the blocks' cost by more than half.
    const PaSSTOptions s = passtPreset("passt-s");
    const ForwardCost full = forwardCost(s, 998);
    const ForwardCost kept = forwardCost(s, 998, 472);
    EXPECT_EQ(full.patches, 1188);
    EXPECT_EQ(kept.tokens, 474);
    EXPECT_EQ(kept.patch_embed, full.patch_embed);
    EXPECT_LT(kept.macs(), 0.45 * full.macs());
    EXPECT_GT(full.flops(), 1e11);  // ~ 0.2 TFLOP per 10 s clip
    // Longer inputs are cut to the positional embedding, as the model cuts them.
    EXPECT_EQ(forwardCost(s, 3000).patches, 1188);
    EXPECT_THROW(forwardCost(s, 10), Error);
    EXPECT_THROW(forwardCost(s, 998, 1189), Error);
}

TEST(PaSST, ForwardRejectsBadInput) {
    PaSSTModel model(passtPreset("passt-micro"));
    std::vector<float> x(128 * 15, 0.f);
    EXPECT_THROW(model.forward(x.data(), 1, 15), Error);  // shorter than one patch
    EXPECT_THROW(model.forward(x.data(), 0, 16), Error);
    EXPECT_THROW(model.forward(std::vector<Features>{}), Error);
    Features wrongBins;
    wrongBins.n_bins = 64;
    wrongBins.n_frames = 20;
    wrongBins.data.assign(64 * 20, 0.f);
    EXPECT_THROW(model.forward({wrongBins}), Error);
    Features a, b;
    a.n_bins = b.n_bins = 128;
    a.n_frames = 20;
    b.n_frames = 30;
    a.data.assign(128 * 20, 0.f);
    b.data.assign(128 * 30, 0.f);
    try {
        model.forward({a, b});
        ADD_FAILURE() << "accepted blocks of different lengths";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    }
    auto& m = *model.module();
    EXPECT_THROW(m.forward(torch::zeros({1, 1, 64, 100})), Error);
}
