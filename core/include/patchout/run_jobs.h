// The jobs both programs offer on models and run folders, one definition each (docs/architecture.md,
// "Run jobs"): evaluate a checkpoint or a run, embed files or a run (with the recipe file that lets
// a query be embedded alike), and measure a model's speed. `patchout eval`, `patchout embed`,
// `patchout similar`, `patchout demo`, `patchout model speed` and the workbench (Evaluate run…,
// Embed run…, the Model view's speed) call these. Long jobs take a JobControl (progress,
// cancel); every file is written atomically. Thread-safety: one job per thread.
#pragma once

#include "patchout/baseline.h"
#include "patchout/classifier.h"
#include "patchout/dataset.h"
#include "patchout/embedder.h"
#include "patchout/job.h"
#include "patchout/report.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace patchout {

// ---- evaluate ------------------------------------------------------------------------------

struct EvaluateOptions {
    std::string split = "test";  // the clips scored: test, validation, train or all
    bool map_labels = false;     // accept a dataset whose classes are a subset of the model's
    InferOptions infer = evaluationInferOptions();  // as train() scores validation and test clips
    ReportOptions report;
    // A baseline to compare with: a predictions.csv, an eval folder, its report.json, or another
    // checkpoint (evaluated on the same clips). Empty: none.
    std::filesystem::path baseline{};
    ComparisonOptions comparison;
    // A clip that cannot be decoded stops the job (true), or is left out of the predictions and
    // the report and listed in OUT/errors.csv (false).
    bool strict = false;
};

struct EvaluateResult {
    std::filesystem::path checkpoint, out;
    std::string split_name;  // the dataset split the clips came from ("own", "group", ...)
    Predictions predictions;
    EvaluationReport report;
    std::optional<BaselineComparison> comparison;
    std::vector<FileError> skipped;  // clips that could not be decoded (OUT/errors.csv)
};

// The split a checkpoint was trained with: a model file inside a run folder finds its split kind
// and seed in config.json, so its test clips are the ones training never saw; elsewhere train()'s
// default split (seed 0).
DatasetSplit checkpointSplit(const Dataset& dataset, const std::filesystem::path& checkpoint);

// Scores the clips `options.split` of `dataset` with `checkpoint` and writes predictions.csv and
// the report (writeReport) into `out`. Progress in windows; cancellable between batches.
EvaluateResult evaluateCheckpoint(const std::filesystem::path& checkpoint, const Dataset& dataset,
                                  const std::filesystem::path& out, const EvaluateOptions& options = {},
                                  const JobControl* job = nullptr);

// evaluateCheckpoint for a run folder: its best model (else its last), its dataset (config.json's
// root), into RUN/eval; compared with the run's floor (RUN/baseline, baselineRun) when that is
// there and no other baseline is given. Error(Dataset) when the run has no model yet or its
// dataset is gone.
EvaluateResult evaluateRun(const std::filesystem::path& run, const EvaluateOptions& options = {},
                           const JobControl* job = nullptr);

// The classical floor (baseline.h) for a run: fitted on the training clips of the run's dataset
// and split, scoring its `which` clips, with the run's feature cache (unless options.cache_dir
// says otherwise), into RUN/baseline.
BaselineResult baselineRun(const std::filesystem::path& run, const std::string& which = "test",
                           BaselineOptions options = {}, const JobControl* job = nullptr);

// ---- embed ---------------------------------------------------------------------------------

// embed.json in an embeddings folder: how its embeddings were made, so a query is embedded alike.
struct EmbedRecipe {
    std::filesystem::path checkpoint;  // absolute
    EmbedOptions options;
    std::string projection;  // the 2-D map's method (tsne, pca, none)
};
void writeEmbedRecipe(const std::filesystem::path& dir, const EmbedRecipe& recipe);  // atomic
// Error(FileNotFound) without embed.json ("make the folder with `patchout embed`"),
// Error(BadFormat) for one that does not parse.
EmbedRecipe readEmbedRecipe(const std::filesystem::path& dir);

struct EmbedResult {
    std::filesystem::path out;
    std::int64_t rows = 0;
    int dim = 0;
    std::string projection;  // the method used
    std::vector<FileError> skipped;  // files that could not be decoded (OUT/errors.csv)
};

// Embeds `files` with the frozen encoder of `checkpoint` and writes the embeddings folder
// (writeEmbeddingFolder: projector TSVs, embeddings.bin, similarity index, projection.tsv) and its
// embed.json into `out`. `names` and `labels`: one per file (names empty: the paths). A file that
// cannot be decoded is left out and listed in `skipped` and OUT/errors.csv (written on every run);
// unless `strict`, where it throws. When no file could be embedded, nothing but errors.csv is
// written and rows is 0.
EmbedResult embedFilesToFolder(const std::filesystem::path& checkpoint,
                               const std::vector<std::filesystem::path>& files,
                               std::vector<std::string> names, const std::vector<std::string>& labels,
                               const std::filesystem::path& out, const EmbedOptions& options = {},
                               const std::string& projection = "auto", const JobControl* job = nullptr,
                               bool strict = false);

// Every clip of a run's dataset (config.json's root), labelled with its first class, through the
// run's best model (else its last) into RUN/embeddings.
EmbedResult embedRun(const std::filesystem::path& run, const EmbedOptions& options = {},
                     const std::string& projection = "auto", const JobControl* job = nullptr, bool strict = false);

// ---- speed ---------------------------------------------------------------------------------

struct SpeedOptions {
    int min_runs = 5;
    int max_runs = 50;
    double seconds = 2.0;  // stop after this long once min_runs are done
};

struct SpeedMeasurement {
    double window_s = 0;  // the model's input length
    int runs = 0;
    double median_ms = 0, p90_ms = 0;  // one window (batch 1), after one warm-up pass
    double realTimeFactor() const { return median_ms > 0 ? window_s * 1000.0 / median_ms : 0; }
};

// Times forward passes of `classifier` on one window of white noise. Cancellable between passes
// (Error(Cancelled)); progress per pass.
SpeedMeasurement measureSpeed(Classifier& classifier, const SpeedOptions& options = {},
                              const JobControl* job = nullptr);

}  // namespace patchout
