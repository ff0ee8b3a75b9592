#include "patchout/prune.h"

#include "model/passt_module.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/profiler.h"
#include "patchout/run_folder.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <optional>

namespace fs = std::filesystem;

namespace patchout {
namespace {

int countHeads(const PaSSTOptions& o) {
    int n = 0;
    for (int b = 0; b < o.depth; ++b)
        n += o.headsOf(b);
    return n;
}

// The share of `model`'s heads to keep: keep_heads, or the largest share that brings `model` to a
// target share of `start`'s parameters or predicted time (`model` is `start` less dropped blocks).
double keepShareFor(const PruneOptions& o, const PaSSTModel& start, const PaSSTModel& model, const HeadScores& importance,
                    bool blocksDropped) {
    if (o.target_parameters <= 0 && o.target_latency <= 0)
        return o.keep_heads;
    const int total = countHeads(model.options());
    std::optional<ModelProfile> profile;
    double ms0 = 0;
    if (o.target_latency > 0) {
        ProfileOptions po;
        po.backward = false;
        po.repeats = 15;
        profile = profileModel(model, po);
        ms0 = blocksDropped ? profileModel(start, po).inference_ms : profile->inference_ms;  // one profile when they are one model
    }
    const double params0 = static_cast<double>(start.parameterCount());
    auto share = [&](const HeadSelection& keep) {
        return o.target_parameters > 0
                   ? static_cast<double>(prunedParameterCount(model.options(), model.parameterCount(), keep)) / params0
                   : predictedLatencyMs(*profile, keep) / ms0;
    };
    const double target = o.target_parameters > 0 ? o.target_parameters : o.target_latency;
    for (int kept = total; kept >= model.options().depth; --kept)
        if (share(headsToKeep(importance, static_cast<double>(kept) / total)) <= target)
            return static_cast<double>(kept) / total;
    throw Error(ErrorCode::InvalidArgument,
                "pruning heads cannot reach " + std::to_string(static_cast<int>(std::lround(100 * target))) + "% of the " +
                    (o.target_parameters > 0 ? "parameters" : "time per window") + ": one head per block leaves " +
                    std::to_string(static_cast<int>(std::lround(100 * share(headsToKeep(importance, 1e-9))))) +
                    "% (drop blocks with keep_blocks, share the MLP between blocks, or choose a smaller preset)");
}

}  // namespace

PaSSTModel keepFirstBlocks(const PaSSTModel& model, int blocks) {
    const PaSSTOptions& from = model.options();
    if (blocks < 1 || blocks > from.depth)
        throw Error(ErrorCode::InvalidArgument, "blocks to keep must lie in [1, " + std::to_string(from.depth) + "], not " +
                                                    std::to_string(blocks));
    PaSSTOptions to = from;
    to.depth = blocks;
    if (!to.block_heads.empty())
        to.block_heads.resize(static_cast<std::size_t>(blocks));
    if (!to.pruned())
        to.block_heads.clear();
    PaSSTModel kept = PaSSTModelAccess::uninitialized(to);
    torch::NoGradGuard noGrad;
    PaSSTImpl& src = *const_cast<PaSSTModel&>(model).module();
    const auto parameters = src.named_parameters();
    const auto buffers = src.named_buffers();
    // Every name of the smaller model is a name of the larger one, with the same shape.
    for (auto& item : kept.module()->named_parameters())
        item.value().copy_(parameters[item.key()]);
    for (auto& item : kept.module()->named_buffers())
        item.value().copy_(buffers[item.key()]);
    kept.setTraining(model.training());
    return kept;
}

void PruneOptions::validate() const {
    if (keep_blocks < 0)
        throw Error(ErrorCode::InvalidArgument, "keep_blocks must not be negative", "PruneOptions");
    if (!(keep_heads > 0 && keep_heads <= 1))
        throw Error(ErrorCode::InvalidArgument, "keep_heads must lie in (0, 1]", "PruneOptions");
    if (target_parameters < 0 || target_parameters >= 1 || target_latency < 0 || target_latency >= 1)
        throw Error(ErrorCode::InvalidArgument, "targets are shares in (0, 1) of the starting model's", "PruneOptions");
    if (target_parameters > 0 && target_latency > 0)
        throw Error(ErrorCode::InvalidArgument, "give one target: parameters or latency", "PruneOptions");
    if (rounds < 1)
        throw Error(ErrorCode::InvalidArgument, "rounds must be at least 1", "PruneOptions");
    if (importance_batches < 0)
        throw Error(ErrorCode::InvalidArgument, "importance_batches must not be negative", "PruneOptions");
    fine_tune.validate();
}

PruneResult pruneAndFineTune(const fs::path& checkpoint, const Dataset& dataset, const DatasetSplit& split,
                             const PruneOptions& o, const fs::path& run, const JobControl* job) {
    o.validate();
    const RunPaths paths(run);
    if (fs::exists(paths.config()) || fs::exists(run / "prune.json"))
        throw Error(ErrorCode::InvalidArgument, "the folder holds a run already; choose a new one", run.string());
    ModelCheckpoint start = loadModel(checkpoint);
    if (start.labels != dataset.classes)
        throw Error(ErrorCode::Model, "the model's classes are not the dataset's: prune a model trained on it",
                    checkpoint.string());
    // The clips train() trains on: importance never looks at validation or test clips.
    const DatasetSplit carved =
        carveValidation(dataset, split, {.fraction = o.fine_tune.validation_fraction, .seed = o.fine_tune.seed});
    if (o.keep_blocks > start.model.options().depth)
        throw Error(ErrorCode::InvalidArgument,
                    "the model has " + std::to_string(start.model.options().depth) + " blocks, fewer than keep_blocks " +
                        std::to_string(o.keep_blocks),
                    checkpoint.string());
    PruneResult result;
    result.parameters_before = start.model.parameterCount();
    result.heads_before = countHeads(start.model.options());
    result.blocks_before = start.model.options().depth;
    HeadImportanceOptions io;
    io.feature_preset = o.fine_tune.feature_preset;
    io.cache_dir = o.fine_tune.cache_dir.empty() ? paths.cache() : o.fine_tune.cache_dir;
    io.batch_size = o.fine_tune.batch_size;
    io.max_batches = o.importance_batches;
    io.seed = o.fine_tune.seed;

    nlohmann::ordered_json log = {{"checkpoint", fs::absolute(checkpoint).string()},
                                  {"keep_blocks", o.keep_blocks > 0 ? o.keep_blocks : result.blocks_before},
                                  {"keep_heads", o.keep_heads},
                                  {"rounds", nlohmann::ordered_json::array()},
                                  {"parameters_before", result.parameters_before},
                                  {"heads_before", result.heads_before}};
    const bool dropBlocks = o.keep_blocks > 0 && o.keep_blocks < result.blocks_before;
    PaSSTModel model = dropBlocks ? keepFirstBlocks(start.model, o.keep_blocks) : start.model.sharedWeights();
    fs::create_directories(run);
    // Importance only where heads are to go (keep_heads 1 with keep_blocks: blocks dropped alone).
    const bool pruneHeadsToo = o.keep_heads < 1 || o.target_parameters > 0 || o.target_latency > 0;
    HeadScores firstImportance = pruneHeadsToo ? headImportance(model, dataset, carved.train, io, job) : HeadScores{};
    const double keepShare = pruneHeadsToo ? keepShareFor(o, start.model, model, firstImportance, dropBlocks) : 1.0;
    const int headsStart = countHeads(model.options());  // the heads keep_heads is a share of
    log["keep_heads"] = keepShare;
    for (int r = 1; r <= o.rounds; ++r) {
        PruneRound round;
        round.round = r;
        round.run_dir = r == o.rounds ? run : run / "rounds" / std::to_string(r);
        round.importance = r == 1 || !pruneHeadsToo ? firstImportance : headImportance(model, dataset, carved.train, io, job);
        const int target = std::max(model.options().depth,
                                    static_cast<int>(std::lround(std::pow(keepShare, static_cast<double>(r) / o.rounds) *
                                                                 headsStart)));
        const int current = countHeads(model.options());
        round.keep = pruneHeadsToo ? headsToKeep(round.importance, std::min(1.0, static_cast<double>(target) / current))
                                   : allHeads(model.options());
        PaSSTModel pruned = target < current ? pruneHeads(model, round.keep) : model.sharedWeights();
        round.parameters = pruned.parameterCount();
        round.heads = countHeads(pruned.options());
        fs::create_directories(RunPaths(round.run_dir).checkpoints());
        const fs::path prunedFile = RunPaths(round.run_dir).checkpoints() / "pruned.safetensors";
        saveModel(prunedFile, pruned, dataset.classes, {{"trainer", "patchout prune"}, {"round", std::to_string(r)}});
        TrainOptions t = o.fine_tune;
        t.init_checkpoint = prunedFile;
        t.resume = false;
        t.baseline = o.fine_tune.baseline && r == o.rounds;
        round.trained = train(dataset, split, t, round.run_dir, job);
        log["rounds"].push_back({{"round", r},
                                 {"importance", round.importance},
                                 {"keep", round.keep},
                                 {"heads", round.heads},
                                 {"parameters", round.parameters},
                                 {"run", fs::absolute(round.run_dir).string()},
                                 {"test_accuracy", round.trained.test.accuracy}});
        writeTextAtomically(run / "prune.json", log.dump(2) + "\n");
        model = std::move(loadModel(round.trained.best_checkpoint).model);
        result.rounds.push_back(std::move(round));
    }
    result.parameters_after = model.parameterCount();
    result.heads_after = countHeads(model.options());
    result.blocks_after = model.options().depth;
    result.model = result.rounds.back().trained.best_checkpoint;
    log["parameters_after"] = result.parameters_after;
    log["heads_after"] = result.heads_after;
    log["blocks_after"] = result.blocks_after;
    writeTextAtomically(run / "prune.json", log.dump(2) + "\n");
    return result;
}

}  // namespace patchout
