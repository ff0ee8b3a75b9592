#include "patchout/run_jobs.h"

#include "patchout/audio_source.h"
#include "patchout/error.h"
#include "patchout/evaluate.h"
#include "patchout/files.h"
#include "patchout/run_folder.h"
#include "patchout/embedding_folder.h"
#include "patchout/trainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <set>

namespace fs = std::filesystem;

namespace patchout {
namespace {

// The model a run job uses: the best (by validation) if written, else the last.
fs::path runModel(const RunFolder& run) {
    if (!run.best_checkpoint.empty())
        return run.best_checkpoint;
    if (!run.last_checkpoint.empty())
        return run.last_checkpoint;
    throw Error(ErrorCode::Dataset, "the run has no model yet (checkpoints/ holds none)", run.dir.string());
}

Predictions predict(const fs::path& checkpoint, const Dataset& dataset,
                    const std::vector<std::size_t>& clips, const EvaluateOptions& options,
                    const JobControl* job, std::vector<FileError>* skipped = nullptr) {
    Classifier classifier = Classifier::fromCheckpoint(checkpoint, options.infer);
    return predictDataset(classifier, dataset, clips, options.map_labels, job, options.strict ? nullptr : skipped);
}

// A baseline is a predictions.csv, an eval folder or its report.json (the predictions.csv beside
// it), or another checkpoint (evaluated on the same clips).
Predictions baselinePredictions(const EvaluateOptions& options, const Dataset& dataset,
                                const std::vector<std::size_t>& clips, const JobControl* job) {
    fs::path b = options.baseline;
    if (fs::is_directory(b))
        b /= "predictions.csv";
    else if (b.filename() == "report.json")
        b = b.parent_path() / "predictions.csv";
    if (b.extension() == ".safetensors" || b.extension() == ".pt" || b.extension() == ".ckpt")
        return predict(b, dataset, clips, options, job);
    if (!fs::exists(b))
        throw Error(ErrorCode::FileNotFound,
                    "no baseline predictions (a predictions.csv, an eval folder, its report.json or "
                    "a checkpoint)",
                    b.string());
    return readPredictionsCsv(b, dataset.multi_label);
}

}  // namespace

// The split the run trained with, found again from its kind, seed and validation share.
DatasetSplit runSplit(const Dataset& dataset, const RunFolder& run) {
    const DatasetSplit split =
        trainSplit(dataset, run.split == "own" || run.split == "group" ? run.split : "auto", run.seed);
    return carveValidation(dataset, split, {.fraction = run.validation_fraction, .seed = run.seed});
}

DatasetSplit checkpointSplit(const Dataset& dataset, const fs::path& checkpoint) {
    const RunPaths paths = RunPaths::ofCheckpoint(checkpoint);
    if (paths.empty())
        return defaultTrainSplit(dataset);
    return runSplit(dataset, readRunFolder(paths.dir));
}

EvaluateResult evaluateCheckpoint(const fs::path& checkpoint, const Dataset& dataset, const fs::path& out,
                                  const EvaluateOptions& options, const JobControl* job) {
    EvaluateResult r;
    r.checkpoint = checkpoint;
    r.out = out;
    const DatasetSplit split = checkpointSplit(dataset, checkpoint);
    r.split_name = split.name;
    const std::vector<std::size_t> clips = splitClips(dataset, split, options.split);
    EvaluateOptions o = options;
    if (const RunPaths run = RunPaths::ofCheckpoint(checkpoint); !run.empty())
        o.infer.feature_preset = readRunOptions(run.dir).feature_preset;  // the run's front end
    r.predictions = predict(checkpoint, dataset, clips, o, job, &r.skipped);
    fs::create_directories(out);
    writeFileErrors(out / "errors.csv", r.skipped);
    if (r.predictions.scores.n_samples == 0)
        throw Error(ErrorCode::Dataset, "none of the " + std::to_string(clips.size()) +
                                            " clips could be decoded (listed in errors.csv)", out.string());
    ReportOptions reportOptions = options.report;
    reportOptions.clips = describeClips(split, options.split);
    if (!r.skipped.empty())
        reportOptions.clips += ", " + std::to_string(r.skipped.size()) + " of them not decodable (errors.csv)";
    r.report = computeReport(r.predictions, reportOptions);
    if (!options.baseline.empty()) {
        ComparisonOptions c = options.comparison;
        c.report = reportOptions;
        r.comparison = compareWithBaseline(r.predictions, baselinePredictions(options, dataset, clips, job), c);
        r.comparison->baseline_source = options.baseline;
    }
    writePredictionsCsv(out / "predictions.csv", r.predictions, options.report.threshold);
    writeReport(out, r.predictions, r.report, r.comparison ? &*r.comparison : nullptr);
    return r;
}

EvaluateResult evaluateRun(const fs::path& dir, const EvaluateOptions& options, const JobControl* job) {
    const RunFolder run = readRunFolder(dir);
    const fs::path model = runModel(run);
    EvaluateOptions o = options;
    const fs::path floor = RunPaths(dir).baseline() / "predictions.csv";
    if (o.baseline.empty() && o.split == "test" && fs::is_regular_file(floor))
        o.baseline = floor;  // the model beside the run's floor, with interval and McNemar
    return evaluateCheckpoint(model, readRunDataset(run), RunPaths(dir).eval(), o, job);
}

BaselineResult baselineRun(const fs::path& dir, const std::string& which, BaselineOptions options,
                           const JobControl* job) {
    const RunFolder run = readRunFolder(dir);
    const Dataset dataset = readRunDataset(run);
    if (options.cache_dir.empty()) {
        const fs::path cache = readRunOptions(dir).cache_dir;
        options.cache_dir = cache.empty() ? RunPaths(dir).cache() : cache;
    }
    return runBaseline(dataset, runSplit(dataset, run), which, RunPaths(dir).baseline(), options, job);
}

// ---- embed ---------------------------------------------------------------------------------

void writeEmbedRecipe(const fs::path& dir, const EmbedRecipe& recipe) {
    const nlohmann::json j = {{"checkpoint", fs::absolute(recipe.checkpoint).string()},
                              {"pooling", poolingName(recipe.options.pooling)},
                              {"block", recipe.options.block},
                              {"window_s", recipe.options.window_s},
                              {"hop_s", recipe.options.hop_s},
                              {"projection", recipe.projection}};
    writeTextAtomically(dir / "embed.json", j.dump(1) + "\n");
}

EmbedRecipe readEmbedRecipe(const fs::path& dir) {
    const fs::path file = dir / "embed.json";
    if (!fs::is_regular_file(file))
        throw Error(ErrorCode::FileNotFound, "no embed.json: make the folder with `patchout embed`",
                    dir.string());
    EmbedRecipe r;
    try {
        const nlohmann::json j = nlohmann::json::parse(readTextFile(file));
        r.checkpoint = j.value("checkpoint", "");
        r.options.pooling = poolingFromName(j.value("pooling", "head"));
        r.options.block = j.value("block", -1);
        r.options.window_s = j.value("window_s", 0.0);
        r.options.hop_s = j.value("hop_s", 0.0);
        r.projection = j.value("projection", "");
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::BadFormat, e.what(), file.string());
    }
    return r;
}

EmbedResult embedFilesToFolder(const fs::path& checkpoint, const std::vector<fs::path>& files,
                               std::vector<std::string> names, const std::vector<std::string>& labels,
                               const fs::path& out, const EmbedOptions& options,
                               const std::string& projection, const JobControl* job, bool strict) {
    if (projection != "auto" && projection != "tsne" && projection != "pca" && projection != "none")
        throw Error(ErrorCode::InvalidArgument,  // a misspelt method fails before the embedding work
                    "unknown projection '" + projection + "' (auto, tsne, pca, none)");
    if (files.empty())
        throw Error(ErrorCode::InvalidArgument, "no audio files to embed");
    if (names.empty())
        for (const fs::path& f : files)
            names.push_back(f.string());
    if (names.size() != files.size() || labels.size() != files.size())
        throw Error(ErrorCode::InvalidArgument, "one name and one label per file");
    Embedder embedder = Embedder::fromCheckpoint(checkpoint, options);
    EmbedResult r;
    const EmbeddingMatrix m = embedder.embedFiles(files, job, strict ? nullptr : &r.skipped);
    fs::create_directories(out);
    writeFileErrors(out / "errors.csv", r.skipped);
    r.out = out;
    r.rows = m.rows;
    r.dim = m.dim;
    if (m.rows == 0)
        return r;
    // The names and labels of the files that made a row.
    std::set<fs::path> bad;
    for (const FileError& e : r.skipped)
        bad.insert(e.path);
    std::vector<std::string> keptNames, keptLabels;
    for (std::size_t i = 0; i < files.size(); ++i)
        if (!bad.count(files[i])) {
            keptNames.push_back(names[i]);
            keptLabels.push_back(labels[i]);
        }
    // The similarity index, the map and the recipe travel with the embeddings, so a query can be
    // embedded the same way.
    r.projection = writeEmbeddingFolder(out, m, keptNames, keptLabels, projection);
    writeEmbedRecipe(out, {checkpoint, options, r.projection});
    return r;
}

EmbedResult embedRun(const fs::path& dir, const EmbedOptions& options, const std::string& projection,
                     const JobControl* job, bool strict) {
    const RunFolder run = readRunFolder(dir);
    const fs::path model = runModel(run);
    const Dataset dataset = readRunDataset(run);
    std::vector<fs::path> files;
    std::vector<std::string> names, labels;
    for (std::size_t i = 0; i < dataset.clips.size(); ++i) {
        files.push_back(dataset.clipPath(i));
        names.push_back(fs::absolute(files.back()).string());
        const auto& clipLabels = dataset.clips[i].labels;
        labels.push_back(clipLabels.empty() ? std::string()
                                            : dataset.classes.at(static_cast<std::size_t>(clipLabels.front())));
    }
    return embedFilesToFolder(model, files, std::move(names), labels, RunPaths(dir).embeddings(), options,
                              projection, job, strict);
}

// ---- speed ---------------------------------------------------------------------------------

SpeedMeasurement measureSpeed(Classifier& classifier, const SpeedOptions& options, const JobControl* job) {
    using Clock = std::chrono::steady_clock;
    SpeedMeasurement r;
    r.window_s = classifier.windowFrames() / classifier.frameRate();
    const Waveform noise = synthesize({.kind = SignalKind::WhiteNoise,
                                       .sample_rate = classifier.sampleRate(),
                                       .duration_s = r.window_s,
                                       .amplitude = 0.1});
    classifier.classify(noise, "warm-up");
    std::vector<double> ms;
    const auto t0 = Clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
    while (static_cast<int>(ms.size()) < options.min_runs ||
           (static_cast<int>(ms.size()) < options.max_runs && elapsed() < options.seconds)) {
        if (job)
            job->throwIfCancelled();
        const auto one = Clock::now();
        classifier.classify(noise, "speed");
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - one).count());
        if (job)
            job->report({.step = static_cast<std::int64_t>(ms.size()), .total = options.max_runs,
                         .message = "forward passes"});
    }
    std::sort(ms.begin(), ms.end());
    r.runs = static_cast<int>(ms.size());
    r.median_ms = ms[ms.size() / 2];
    r.p90_ms = ms[std::min(ms.size() - 1, ms.size() * 9 / 10)];
    return r;
}

}  // namespace patchout
