#include "patchout/prune.h"

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

// The share of heads to keep: keep_heads, or the largest share meeting a target.
double keepShareFor(const PruneOptions& o, const PaSSTModel& model, const HeadScores& importance) {
    if (o.target_parameters <= 0 && o.target_latency <= 0)
        return o.keep_heads;
    const int total = countHeads(model.options());
    std::optional<ModelProfile> profile;
    if (o.target_latency > 0) {
        ProfileOptions po;
        po.backward = false;
        po.repeats = 15;
        profile = profileModel(model, po);
    }
    const double params0 = static_cast<double>(model.parameterCount());
    for (int kept = total; kept >= model.options().depth; --kept) {
        const HeadSelection keep = headsToKeep(importance, static_cast<double>(kept) / total);
        const bool met = o.target_parameters > 0
                             ? static_cast<double>(prunedParameterCount(model.options(), model.parameterCount(), keep)) <=
                                   o.target_parameters * params0
                             : predictedLatencyMs(*profile, keep) <= o.target_latency * profile->inference_ms;
        if (met)
            return static_cast<double>(kept) / total;
    }
    const HeadSelection least = headsToKeep(importance, 1e-9);
    const double best = o.target_parameters > 0
                            ? static_cast<double>(prunedParameterCount(model.options(), model.parameterCount(), least)) / params0
                            : predictedLatencyMs(*profile, least) / profile->inference_ms;
    throw Error(ErrorCode::InvalidArgument,
                "pruning heads alone cannot reach " +
                    std::to_string(static_cast<int>(std::lround(100 * (o.target_parameters > 0 ? o.target_parameters
                                                                                                : o.target_latency)))) +
                    "% of the " + (o.target_parameters > 0 ? "parameters" : "time per window") +
                    ": one head per block leaves " + std::to_string(static_cast<int>(std::lround(100 * best))) +
                    "% (share the MLP between blocks, or choose a smaller preset)");
}

}  // namespace

void PruneOptions::validate() const {
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
    PruneResult result;
    result.parameters_before = start.model.parameterCount();
    result.heads_before = countHeads(start.model.options());
    HeadImportanceOptions io;
    io.feature_preset = o.fine_tune.feature_preset;
    io.cache_dir = o.fine_tune.cache_dir.empty() ? paths.cache() : o.fine_tune.cache_dir;
    io.batch_size = o.fine_tune.batch_size;
    io.max_batches = o.importance_batches;
    io.seed = o.fine_tune.seed;

    nlohmann::ordered_json log = {{"checkpoint", fs::absolute(checkpoint).string()},
                                  {"keep_heads", o.keep_heads},
                                  {"rounds", nlohmann::ordered_json::array()},
                                  {"parameters_before", result.parameters_before},
                                  {"heads_before", result.heads_before}};
    PaSSTModel model = std::move(start.model);
    fs::create_directories(run);
    HeadScores firstImportance = headImportance(model, dataset, carved.train, io, job);
    const double keepShare = keepShareFor(o, model, firstImportance);
    log["keep_heads"] = keepShare;
    for (int r = 1; r <= o.rounds; ++r) {
        PruneRound round;
        round.round = r;
        round.run_dir = r == o.rounds ? run : run / "rounds" / std::to_string(r);
        round.importance = r == 1 ? firstImportance : headImportance(model, dataset, carved.train, io, job);
        const int target = std::max(model.options().depth,
                                    static_cast<int>(std::lround(std::pow(keepShare, static_cast<double>(r) / o.rounds) *
                                                                 result.heads_before)));
        const int current = countHeads(model.options());
        round.keep = headsToKeep(round.importance, std::min(1.0, static_cast<double>(target) / current));
        PaSSTModel pruned = pruneHeads(model, round.keep);
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
    result.model = result.rounds.back().trained.best_checkpoint;
    log["parameters_after"] = result.parameters_after;
    log["heads_after"] = result.heads_after;
    writeTextAtomically(run / "prune.json", log.dump(2) + "\n");
    return result;
}

}  // namespace patchout
