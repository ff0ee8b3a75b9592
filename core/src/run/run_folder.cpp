#include "patchout/run_folder.h"

#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/trainer.h"

#include <nlohmann/json.hpp>


namespace fs = std::filesystem;
using json = nlohmann::json;

namespace patchout {
namespace {

fs::path existing(const fs::path& path) { return fs::is_regular_file(path) ? path : fs::path(); }

}  // namespace

RunPaths RunPaths::ofCheckpoint(const fs::path& checkpoint) {
    const RunPaths run(checkpoint.parent_path().parent_path());
    std::error_code ec;
    if (checkpoint.parent_path().filename() != "checkpoints" || !fs::is_regular_file(run.config(), ec))
        return {};
    return run;
}

bool isRunFolder(const fs::path& dir) {
    const RunPaths run(dir);
    std::error_code ec;
    return fs::is_regular_file(run.config(), ec) &&
           (fs::is_regular_file(run.metrics(), ec) || fs::is_directory(run.checkpoints(), ec));
}

TrainOptions readRunOptions(const fs::path& dir) {
    const RunPaths run(dir);
    json options;
    try {
        options = json::parse(readTextFile(run.config())).value("options", json::object());
    } catch (const json::exception& e) {
        throw Error(ErrorCode::BadFormat, std::string("config.json: ") + e.what(), run.config().string());
    }
    TrainOptions o = trainOptionsFromJson(options.dump());
    if (!options.contains("validation_fraction"))
        o.validation_fraction = 0;  // a run from before it: resumed with the split it had
    o.resume = true;
    return o;
}

RunFolder readRunFolder(const fs::path& dir) {
    if (!fs::is_directory(dir))
        throw Error(ErrorCode::FileNotFound, "no such folder", dir.string());
    if (!isRunFolder(dir))
        throw Error(ErrorCode::Dataset,
                    "not a run folder: it needs config.json and metrics.jsonl or checkpoints/ (what "
                    "`patchout train --out` writes)",
                    dir.string());
    const RunPaths paths(dir);
    RunFolder run;
    run.dir = dir;
    json config;
    try {
        config = json::parse(readTextFile(paths.config()));
        const json options = config.value("options", json::object());
        run.preset = options.value("preset", "");
        run.planned_epochs = options.value("epochs", 0);
        run.seed = options.value("seed", std::uint64_t{0});
        // Runs from before validation_fraction validated without carving: 0 finds their split.
        run.validation_fraction = options.value("validation_fraction", 0.0);
        const json split = config.value("split", json::object());
        run.split = split.value("name", "");
        run.validation_note = split.value("validation_note", "");
        run.train_clips = split.value("train", std::size_t{0});
        run.validation_clips = split.value("validation", std::size_t{0});
        run.test_clips = split.value("test", std::size_t{0});
        const json dataset = config.value("dataset", json::object());
        run.dataset = dataset.value("root", "");
        run.classes = dataset.value("classes", std::vector<std::string>{});
        run.multi_label = dataset.value("multi_label", false);
    } catch (const json::exception& e) {
        throw Error(ErrorCode::BadFormat, std::string("config.json: ") + e.what(), paths.config().string());
    }
    run.best_checkpoint = existing(paths.bestModel());
    run.last_checkpoint = existing(paths.lastModel());
    if (fs::is_regular_file(paths.eval() / "predictions.csv"))
        run.eval_dir = paths.eval();
    if (fs::is_regular_file(paths.embeddings() / "tensors.tsv"))
        run.embeddings_dir = paths.embeddings();
    if (fs::is_regular_file(paths.metrics()))
        run.curves = readTrainingCurves(paths.metrics());
    return run;
}

Dataset readRunDataset(const RunFolder& run) {
    if (run.dataset.empty())
        throw Error(ErrorCode::Dataset, "config.json names no dataset", RunPaths(run.dir).config().string());
    if (!fs::is_directory(run.dataset))
        throw Error(ErrorCode::FileNotFound, "the run's dataset is no longer there", run.dataset);
    return readDataset(run.dataset, {.skip_bad_rows = readRunOptions(run.dir).skip_bad_rows});
}

}  // namespace patchout
