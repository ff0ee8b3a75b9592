#include "patchout/prune.h"

#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/run_folder.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace fs = std::filesystem;

namespace patchout {
namespace {

int countHeads(const PaSSTOptions& o) {
    int n = 0;
    for (int b = 0; b < o.depth; ++b)
        n += o.headsOf(b);
    return n;
}

}  // namespace

void PruneOptions::validate() const {
    if (!(keep_heads > 0 && keep_heads <= 1))
        throw Error(ErrorCode::InvalidArgument, "keep_heads must lie in (0, 1]", "PruneOptions");
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
    for (int r = 1; r <= o.rounds; ++r) {
        PruneRound round;
        round.round = r;
        round.run_dir = r == o.rounds ? run : run / "rounds" / std::to_string(r);
        round.importance = headImportance(model, dataset, carved.train, io, job);
        const int target = std::max(model.options().depth,
                                    static_cast<int>(std::lround(std::pow(o.keep_heads, static_cast<double>(r) / o.rounds) *
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
