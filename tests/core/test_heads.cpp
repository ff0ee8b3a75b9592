// Attention heads (heads.h): a pruned model computes what the masked one does, its shapes, counts
// and cost shrink, it survives a file round trip (and files without head counts still load), the
// importance of a head that cannot matter is zero, and the selection keeps a head in every block;
// dropping the top blocks equals silencing them; the prune job drops blocks and heads.
#include "data_support.h"
#include "model/passt_module.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/heads.h"
#include "patchout/profiler.h"
#include "patchout/prune.h"
#include "patchout/trainer.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <numeric>

using namespace patchout;
using patchout::test::TempDir;
namespace fs = std::filesystem;

namespace {

PaSSTOptions smallOptions() {
    PaSSTOptions o = passtPreset("passt-micro");  // 64 wide, 2 blocks, 4 heads of 16
    o.num_classes = 2;
    return o;
}

std::vector<float> randomInput(int batch, int frames) {
    torch::manual_seed(3);
    const torch::Tensor x = torch::randn({batch, 128, frames});
    return {x.data_ptr<float>(), x.data_ptr<float>() + x.numel()};
}

// Pruning with one short epoch of fine-tuning on every training clip.
PruneOptions quickPrune(const fs::path& cache) {
    PruneOptions o;
    o.fine_tune.preset = "passt-micro";
    o.fine_tune.epochs = 1;
    o.fine_tune.batch_size = 4;
    o.fine_tune.validation_fraction = 0;
    o.fine_tune.baseline = false;
    o.fine_tune.cache_dir = cache;
    return o;
}

float maxDiff(const std::vector<float>& a, const std::vector<float>& b) {
    float m = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

}  // namespace

TEST(Heads, PrunedModelEqualsTheMaskedOne) {
    PaSSTModel model(smallOptions(), 5);
    const HeadSelection keep = {{true, false, true, false}, {false, false, false, true}};
    const PaSSTModel pruned = pruneHeads(model, keep);
    EXPECT_EQ(pruned.options().block_heads, (std::vector<int>{2, 1}));
    const std::vector<float> input = randomInput(3, 100);
    setHeadMask(model, keep);
    const ModelOutput masked = model.forward(input.data(), 3, 100);
    const ModelOutput small = pruned.forward(input.data(), 3, 100);
    EXPECT_LE(maxDiff(masked.logits, small.logits), 1e-5f);
    EXPECT_LE(maxDiff(masked.features, small.features), 1e-5f);
    setHeadMask(model, {});  // every head back
    const ModelOutput full = model.forward(input.data(), 3, 100);
    EXPECT_GT(maxDiff(full.logits, small.logits), 1e-4f);
    // Pruning the pruned model again works on its own heads.
    const PaSSTModel smaller = pruneHeads(pruned, {{true, false}, {true}});
    EXPECT_EQ(smaller.options().block_heads, (std::vector<int>{1, 1}));
}

TEST(Heads, ShapesCountsAndCostShrink) {
    const PaSSTModel model(smallOptions(), 5);
    const PaSSTModel pruned = pruneHeads(model, {{true, true, false, false}, {true, false, false, false}});
    const auto& blocks = pruned.module()->block_list;
    EXPECT_EQ(blocks[0]->attn->qkv->weight.sizes(), (std::vector<std::int64_t>{3 * 32, 64}));
    EXPECT_EQ(blocks[0]->attn->proj->weight.sizes(), (std::vector<std::int64_t>{64, 32}));
    EXPECT_EQ(blocks[1]->attn->qkv->weight.sizes(), (std::vector<std::int64_t>{3 * 16, 64}));
    // Each head dropped takes 4 x 64 x 16 weights and 3 x 16 biases with it.
    EXPECT_EQ(model.parameterCount() - pruned.parameterCount(), 5 * (4 * 64 * 16 + 3 * 16));
    const ForwardCost before = forwardCost(model.options(), 100), after = forwardCost(pruned.options(), 100);
    EXPECT_DOUBLE_EQ(after.attention_proj, before.attention_proj * 3 / 8);
    EXPECT_DOUBLE_EQ(after.mlp, before.mlp);
    // Keeping every head changes nothing in the options.
    EXPECT_TRUE(pruneHeads(model, allHeads(model.options())).options().block_heads.empty());
    EXPECT_THROW(pruneHeads(model, {{false, false, false, false}, {true, true, true, true}}), Error);
    EXPECT_THROW(pruneHeads(model, {{true}}), Error);
}

TEST(Heads, PrunedModelFilesRoundTripAndOldFilesLoad) {
    TempDir dir;
    const PaSSTModel model(smallOptions(), 5);
    const PaSSTModel pruned = pruneHeads(model, {{true, false, true, true}, {false, true, false, false}});
    saveModel(dir / "pruned.safetensors", pruned, {"a", "b"});
    const ModelCheckpoint back = loadModel(dir / "pruned.safetensors");
    EXPECT_EQ(back.model.options().block_heads, (std::vector<int>{3, 1}));
    const std::vector<float> input = randomInput(2, 100);
    EXPECT_EQ(back.model.forward(input.data(), 2, 100).logits, pruned.forward(input.data(), 2, 100).logits);
    // An unpruned model's options carry no head counts: files stay as older versions wrote them.
    EXPECT_EQ(passtOptionsToJson(model.options()).find("block_heads"), std::string::npos);
    EXPECT_NE(passtOptionsToJson(pruned.options()).find("block_heads"), std::string::npos);
    EXPECT_THROW(passtOptionsFromJson(R"({"depth": 2, "block_heads": "two"})"), Error);
    PaSSTOptions wrong = smallOptions();
    wrong.block_heads = {4, 5};  // more heads than num_heads
    EXPECT_THROW(wrong.validate(), Error);
}

TEST(Heads, ImportanceIsStoredWithTheModel) {
    TempDir dir;
    const PaSSTModel model(smallOptions(), 5);
    saveModel(dir / "m.safetensors", model, {"a", "b"}, {{"trainer", "test"}});
    EXPECT_TRUE(storedHeadImportance(loadModel(dir / "m.safetensors").metadata).empty());
    const HeadScores importance = {{0.1, 0.9, 0.3, 0.2}, {0.5, 0.5, 0.5, 0.5}};
    storeHeadImportance(dir / "m.safetensors", importance);
    const ModelCheckpoint back = loadModel(dir / "m.safetensors");
    EXPECT_EQ(storedHeadImportance(back.metadata), importance);
    EXPECT_EQ(back.metadata.at("trainer"), "test");  // the rest as it was
    EXPECT_EQ(back.labels, (std::vector<std::string>{"a", "b"}));
    const std::vector<float> input = randomInput(1, 100);
    EXPECT_EQ(back.model.forward(input.data(), 1, 100).logits, model.forward(input.data(), 1, 100).logits);
    EXPECT_THROW(storeHeadImportance(dir / "m.safetensors", {{0.1, 0.9}}), Error);  // not the model's heads
    EXPECT_THROW(storedHeadImportance({{kHeadImportanceKey, "{broken"}}), Error);
}

TEST(Heads, ImportanceOfAHeadThatCannotMatterIsZero) {
    TempDir dir;
    const Dataset tones = test::toneDataset(dir / "tones", 6);
    PaSSTModel model(smallOptions(), 5);
    {
        // Head 2 of block 1 writes nothing: its output-projection columns are zero.
        torch::NoGradGuard noGrad;
        model.module()->block_list[1]->attn->proj->weight.slice(1, 32, 48).zero_();
    }
    std::vector<std::size_t> all(tones.clips.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    HeadImportanceOptions o;
    o.batch_size = 4;
    o.cache_dir = dir / "cache";
    const HeadScores scores = headImportance(model, tones, all, o);
    ASSERT_EQ(scores.size(), 2u);
    ASSERT_EQ(scores[1].size(), 4u);
    EXPECT_EQ(scores[1][2], 0.0);
    for (const auto& row : scores) {
        double norm = 0;
        for (double v : row) {
            EXPECT_GE(v, 0.0);
            norm += v * v;
        }
        EXPECT_NEAR(norm, 1.0, 1e-9);  // unit length per block
    }
    for (const auto& p : model.module()->parameters())
        EXPECT_FALSE(p.grad().defined());  // the model's gradients untouched
    EXPECT_FALSE(model.module()->block_list[0]->attn->head_gate.defined());
    EXPECT_EQ(headScoresFromJson(headScoresToJson(scores)), scores);
    EXPECT_THROW(headScoresFromJson("{}"), Error);
    // The selection drops the least important heads, never a block's last.
    const HeadSelection keep = headsToKeep({{0.9, 0.1, 0.5, 0.2}, {0.05, 0.01, 0.02, 0.03}}, 0.25);
    EXPECT_EQ(keep, (HeadSelection{{true, false, false, false}, {true, false, false, false}}));
    const HeadSelection half = headsToKeep({{0.9, 0.1, 0.5, 0.2}, {0.8, 0.7, 0.6, 0.3}}, 0.5);
    EXPECT_EQ(half, (HeadSelection{{true, false, false, false}, {true, true, true, false}}));  // ranked across blocks
    EXPECT_THROW(headsToKeep(scores, 0.0), Error);
}

TEST(Heads, PruneJobPrunesInRoundsAndFineTunes) {
    TempDir dir;
    const Dataset tones = test::toneDataset(dir / "tones", 6);
    PaSSTOptions po = smallOptions();
    saveModel(dir / "model.safetensors", PaSSTModel(po, 2), tones.classes);
    PruneOptions o = quickPrune(dir / "cache");
    o.keep_heads = 0.5;
    o.rounds = 2;
    const PruneResult r = pruneAndFineTune(dir / "model.safetensors", tones, splitByDataset(tones), o, dir / "run");
    ASSERT_EQ(r.rounds.size(), 2u);
    EXPECT_EQ(r.heads_before, 8);
    EXPECT_EQ(r.rounds[0].heads, 6);  // 8 x 0.5^(1/2) = 5.66, rounded
    EXPECT_EQ(r.heads_after, 4);
    EXPECT_LT(r.parameters_after, r.parameters_before);
    EXPECT_TRUE(fs::exists(dir / "run" / "rounds" / "1" / "config.json"));
    EXPECT_TRUE(fs::exists(dir / "run" / "config.json"));
    EXPECT_TRUE(fs::exists(dir / "run" / "prune.json"));
    const ModelCheckpoint best = loadModel(r.model);
    EXPECT_EQ(best.model.parameterCount(), r.parameters_after);
    EXPECT_EQ(best.labels, tones.classes);
    // A run folder is not overwritten; a model of other classes is refused.
    EXPECT_THROW(pruneAndFineTune(dir / "model.safetensors", tones, splitByDataset(tones), o, dir / "run"), Error);
    // A parameter target: the fewest heads that get there (each head 4 x 64 x 16 + 48 parameters).
    o.rounds = 1;
    o.target_parameters = 0.9;
    const PruneResult target = pruneAndFineTune(dir / "model.safetensors", tones, splitByDataset(tones), o, dir / "run3");
    const auto heads = static_cast<std::int64_t>(r.heads_before - target.heads_after);
    EXPECT_LE(target.parameters_after, 0.9 * static_cast<double>(target.parameters_before));
    EXPECT_GT(target.parameters_before - (heads - 1) * (4 * 64 * 16 + 48), 0.9 * static_cast<double>(target.parameters_before));
    o.target_parameters = 0.5;  // more than all heads but one per block hold
    try {
        pruneAndFineTune(dir / "model.safetensors", tones, splitByDataset(tones), o, dir / "run4");
        ADD_FAILURE() << "an unreachable target was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot reach 50% of the parameters"), std::string::npos) << e.what();
    }
    o.target_parameters = 0;
    saveModel(dir / "other.safetensors", PaSSTModel(po, 2), {"x", "y"});
    EXPECT_THROW(pruneAndFineTune(dir / "other.safetensors", tones, splitByDataset(tones), o, dir / "run2"), Error);
}

TEST(Blocks, KeepingTheFirstBlocksEqualsMakingTheOthersIdentities) {
    PaSSTOptions po = smallOptions();
    po.depth = 3;
    po.block_heads = {2, 4, 1};
    PaSSTModel model(po, 7);
    const PaSSTModel two = keepFirstBlocks(model, 2);
    EXPECT_EQ(two.options().depth, 2);
    EXPECT_EQ(two.options().block_heads, (std::vector<int>{2, 4}));
    std::int64_t lastBlock = 0;
    for (const auto& p : model.module()->block_list[2]->parameters())
        lastBlock += p.numel();
    EXPECT_EQ(model.parameterCount() - two.parameterCount(), lastBlock);
    EXPECT_TRUE(keepFirstBlocks(model, 1).options().block_heads == (std::vector<int>{2}));
    // A block whose attention and MLP write nothing passes its input on: the model with block 2 so
    // silenced computes what the model without it does.
    {
        torch::NoGradGuard noGrad;
        auto& last = *model.module()->block_list[2];
        last.attn->proj->weight.zero_();
        last.attn->proj->bias.zero_();
        last.mlp->fc2->weight.zero_();
        last.mlp->fc2->bias.zero_();
    }
    const std::vector<float> input = randomInput(2, 100);
    const ModelOutput silenced = model.forward(input.data(), 2, 100), kept = two.forward(input.data(), 2, 100);
    EXPECT_LE(maxDiff(silenced.logits, kept.logits), 1e-5f);
    EXPECT_LE(maxDiff(silenced.features, kept.features), 1e-5f);
    // Shared blocks: the kept ones still share.
    po.block_heads.clear();
    po.depth = 4;
    po.sharing = ParameterSharing::All;
    const PaSSTModel shared = keepFirstBlocks(PaSSTModel(po, 1), 3);
    EXPECT_TRUE(shared.module()->block_list[0]->mlp->fc1->weight.is_same(shared.module()->block_list[1]->mlp->fc1->weight));
    EXPECT_THROW(keepFirstBlocks(model, 0), Error);
    EXPECT_THROW(keepFirstBlocks(model, 4), Error);
}

TEST(Heads, PredictionsScaleThePrunedParts) {
    const PaSSTOptions o = smallOptions();
    const PaSSTModel model(o, 5);
    const HeadSelection half = {{true, true, false, false}, {false, true, false, true}};
    EXPECT_EQ(prunedParameterCount(o, model.parameterCount(), half), pruneHeads(model, half).parameterCount());
    EXPECT_EQ(prunedParameterCount(o, model.parameterCount(), allHeads(o)), model.parameterCount());
    EXPECT_THROW(prunedParameterCount(o, model.parameterCount(), {{true}}), Error);
    // A profile made by hand: per block 2 ms of attention (projections + scores) and 3 ms of MLP,
    // 1 ms outside the blocks; the whole pass measured at twice the sum of its parts.
    ModelProfile profile;
    profile.parts.push_back({"patch_embed", kPartPatchEmbedding, -1, 0, 0, 1.0, 0, 0});
    for (int b = 0; b < 2; ++b) {
        profile.parts.push_back({"qkv", kPartAttentionProjections, b, 0, 0, 1.5, 0, 0});
        profile.parts.push_back({"scores", kPartAttentionScores, b, 0, 0, 0.5, 0, 0});
        profile.parts.push_back({"mlp", kPartMlp, b, 0, 0, 3.0, 0, 0});
    }
    profile.inference_ms = 22.0;  // parts: 11 ms
    EXPECT_DOUBLE_EQ(predictedLatencyMs(profile, allHeads(o)), 22.0);
    EXPECT_DOUBLE_EQ(predictedLatencyMs(profile, half), 2 * (1 + 2 * (1.0 + 3.0)));   // half the attention
    EXPECT_DOUBLE_EQ(predictedLatencyMs(profile, {allHeads(o)[0]}, 1), 2 * (1 + 2.0 + 3.0));  // block 1 dropped
}

TEST(Blocks, PruneJobDropsBlocksAloneOrWithHeads) {
    TempDir dir;
    const Dataset tones = test::toneDataset(dir / "tones", 6);
    saveModel(dir / "model.safetensors", PaSSTModel(smallOptions(), 2), tones.classes);
    PruneOptions o = quickPrune(dir / "cache");
    o.keep_blocks = 1;
    o.keep_heads = 1;
    o.rounds = 1;
    const PruneResult blocks = pruneAndFineTune(dir / "model.safetensors", tones, splitByDataset(tones), o, dir / "run");
    EXPECT_EQ(blocks.blocks_before, 2);
    EXPECT_EQ(blocks.blocks_after, 1);
    EXPECT_EQ(blocks.heads_after, 4);
    EXPECT_EQ(loadModel(blocks.model).model.options().depth, 1);
    // Then half of the kept block's heads.
    o.keep_heads = 0.5;
    const PruneResult both = pruneAndFineTune(dir / "model.safetensors", tones, splitByDataset(tones), o, dir / "run2");
    EXPECT_EQ(both.blocks_after, 1);
    EXPECT_EQ(both.heads_after, 2);
    o.keep_blocks = 3;  // more than the model has
    EXPECT_THROW(pruneAndFineTune(dir / "model.safetensors", tones, splitByDataset(tones), o, dir / "run3"), Error);
    // The shallow model to compare with, trained from the preset; a model file keeps its depth.
    TrainOptions t = o.fine_tune;
    t.depth = 1;
    EXPECT_EQ(loadModel(train(tones, splitByDataset(tones), t, dir / "shallow").last_checkpoint).model.options().depth, 1);
    t.init_checkpoint = dir / "model.safetensors";
    EXPECT_THROW(train(tones, splitByDataset(tones), t, dir / "shallow2"), Error);
    t.init_checkpoint.clear();
    t.depth = -1;
    EXPECT_THROW(t.validate(), Error);
}

TEST(Sharing, SharedBlocksAreOneTensorStoredOnce) {
    TempDir dir;
    PaSSTOptions po = smallOptions();
    po.depth = 4;
    const PaSSTModel plain(po, 1);
    po.sharing = ParameterSharing::All;
    po.sharing_group = 2;
    const PaSSTModel shared(po, 1);
    const auto& blocks = shared.module()->block_list;
    EXPECT_TRUE(blocks[0]->mlp->fc1->weight.is_same(blocks[1]->mlp->fc1->weight));
    EXPECT_TRUE(blocks[2]->attn->qkv->weight.is_same(blocks[3]->attn->qkv->weight));
    EXPECT_FALSE(blocks[1]->attn->qkv->weight.is_same(blocks[2]->attn->qkv->weight));
    std::int64_t perBlock = 0;
    for (const auto& p : plain.module()->block_list[0]->parameters())
        perBlock += p.numel();
    EXPECT_EQ(plain.parameterCount() - shared.parameterCount(), 2 * perBlock);
    // Stored once: the file has the group leaders' tensors only, and loads into the same sharing.
    saveModel(dir / "shared.safetensors", shared);
    const CheckpointInfo info = inspectCheckpoint(dir / "shared.safetensors");
    EXPECT_EQ(info.tensors.size(), shared.parameters().size());
    for (const auto& t : info.tensors)
        EXPECT_EQ(t.name.rfind("blocks.1.", 0), std::string::npos) << t.name;
    const ModelCheckpoint back = loadModel(dir / "shared.safetensors");
    EXPECT_TRUE(back.model.module()->block_list[2]->norm1->weight.is_same(back.model.module()->block_list[3]->norm1->weight));
    const std::vector<float> input = randomInput(2, 100);
    EXPECT_EQ(back.model.forward(input.data(), 2, 100).logits, shared.forward(input.data(), 2, 100).logits);
    // Only the MLP, or only the attention.
    po.sharing = ParameterSharing::Mlp;
    const PaSSTModel mlp(po, 1);
    EXPECT_TRUE(mlp.module()->block_list[0]->mlp->fc2->weight.is_same(mlp.module()->block_list[1]->mlp->fc2->weight));
    EXPECT_FALSE(mlp.module()->block_list[0]->attn->qkv->weight.is_same(mlp.module()->block_list[1]->attn->qkv->weight));
    // Heads of shared attention cannot be pruned block by block.
    EXPECT_THROW(pruneHeads(shared, allHeads(shared.options())), Error);
}

TEST(Sharing, AnUnsharedModelSharesTheMeanOfEachGroup) {
    PaSSTOptions po = smallOptions();
    po.depth = 4;
    const PaSSTModel plain(po, 1);
    const PaSSTModel shared = withParameterSharing(plain, ParameterSharing::Attention, 2);
    const auto& p = plain.module()->block_list;
    const auto& s = shared.module()->block_list;
    EXPECT_TRUE(torch::allclose(s[2]->attn->qkv->weight, (p[2]->attn->qkv->weight + p[3]->attn->qkv->weight) / 2));
    EXPECT_TRUE(torch::equal(s[3]->mlp->fc1->weight, p[3]->mlp->fc1->weight));  // not shared: copied
    EXPECT_TRUE(torch::equal(s[0]->norm1->weight, p[0]->norm1->weight));
    EXPECT_EQ(shared.options().sharing, ParameterSharing::Attention);
    // And back: every block its own copy of the shared weights.
    const PaSSTModel unshared = withParameterSharing(shared, ParameterSharing::None, 2);
    EXPECT_EQ(unshared.parameterCount(), plain.parameterCount());
    EXPECT_TRUE(torch::equal(unshared.module()->block_list[3]->attn->qkv->weight, s[2]->attn->qkv->weight));
    EXPECT_THROW(withParameterSharing(plain, ParameterSharing::All, 1), Error);
}

TEST(Sharing, TrainingSharedBlocksUpdatesEachSharedTensorOnce) {
    TempDir dir;
    const Dataset tones = test::toneDataset(dir / "tones", 6);
    TrainOptions t;
    t.preset = "passt-micro";
    t.epochs = 1;
    t.batch_size = 4;
    t.lr = 1e-3;
    t.validation_fraction = 0;
    t.baseline = false;
    t.cache_dir = dir / "cache";
    t.sharing = "all";
    const TrainResult shared = train(tones, splitByDataset(tones), t, dir / "shared");
    const ModelCheckpoint model = loadModel(shared.last_checkpoint);
    EXPECT_EQ(model.model.options().sharing, ParameterSharing::All);
    EXPECT_EQ(model.model.parameterCount(), PaSSTModel([] {
                                                PaSSTOptions o = passtPreset("passt-micro");
                                                o.num_classes = 2;
                                                o.sharing = ParameterSharing::All;
                                                return o;
                                            }())
                                                .parameterCount());
    // Adam's first step moves every weight by about lr; a shared tensor handed to the optimiser
    // once per block would move twice as far.
    t.batch_size = 8;  // the 8 training clips: one step is the whole epoch
    t.warmup_steps = 0;
    t.weight_decay = 0;
    const TrainResult one = train(tones, splitByDataset(tones), t, dir / "one-step");
    EXPECT_EQ(one.steps, 1);
    PaSSTOptions po = passtPreset("passt-micro");
    po.num_classes = 2;
    po.sharing = ParameterSharing::All;
    const PaSSTModel start(po, t.seed);
    const ModelCheckpoint after = loadModel(one.last_checkpoint);
    const float moved = (after.model.module()->block_list[1]->mlp->fc1->weight -
                         start.module()->block_list[1]->mlp->fc1->weight)
                            .abs()
                            .max()
                            .item<float>();
    EXPECT_GT(moved, 0.5 * t.lr);
    EXPECT_LT(moved, 1.01 * t.lr);
    EXPECT_THROW(
        [&] {
            TrainOptions bad = t;
            bad.sharing = "everything";
            bad.validate();
        }(),
        Error);
}
