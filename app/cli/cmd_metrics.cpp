// `patchout metrics`: the full evaluation report from any model's predictions.csv, so results of
// other tools (e.g. the authors' Python PaSST) are compared on exactly the same terms.
// `patchout eval`: the same report for a checkpoint on a dataset split (it writes the model's
// predictions.csv first); both share the report options and the summary printed here.
#include "commands.h"
#include "progress_bar.h"

#include "patchout/classifier.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/evaluate.h"
#include "patchout/report.h"
#include "patchout/run_folder.h"
#include "patchout/trainer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct MetricsArgs {
    std::string predictions;
    std::string baseline;
    std::string out;
    bool multiLabel = false;
    int topK = 5;
    int bins = 15;
    double threshold = 0.5;
    std::size_t failures = 20;
    std::size_t bootstrap = 1000;
    std::uint64_t seed = 1234;
    bool zeroDivisionOne = false;
};

std::string show(double v) {
    if (std::isnan(v))
        return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

ReportOptions reportOptions(const MetricsArgs& a) {
    ReportOptions options;
    options.top_k = a.topK;
    options.n_bins = a.bins;
    options.threshold = a.threshold;
    options.n_failures = a.failures;
    options.zero_division = a.zeroDivisionOne ? ZeroDivision::One : ZeroDivision::Zero;
    return options;
}

// Computes the report of `predictions` (against `baseline` when given), writes it into a.out and
// prints the headline numbers.
void reportAndPrint(const MetricsArgs& a, const Predictions& predictions, const std::string& name,
                    const Predictions* baseline) {
    const ReportOptions options = reportOptions(a);
    const EvaluationReport report = computeReport(predictions, options);
    std::unique_ptr<BaselineComparison> comparison;
    if (baseline != nullptr) {
        ComparisonOptions c;
        c.n_bootstrap = a.bootstrap;
        c.seed = a.seed;
        c.report = options;
        comparison = std::make_unique<BaselineComparison>(compareWithBaseline(predictions, *baseline, c));
        comparison->baseline_source = a.baseline;
    }
    writeReport(a.out, predictions, report, comparison.get());

    std::cout << name << ": " << report.n_clips << " clips, " << report.classes.size()
              << " classes, " << (report.multi_label ? "multi-label" : "single-label") << "\n";
    if (report.multi_label)
        std::cout << "  top-1 accuracy " << show(report.top1_accuracy) << ", micro F1 "
                  << show(report.classification.micro.f1);
    else
        std::cout << "  accuracy " << show(report.accuracy) << ", top-" << a.topK << " "
                  << show(report.top_k_accuracy) << ", macro F1 "
                  << show(report.classification.macro.f1);
    std::cout << ", mAP " << show(report.ranking.mean_average_precision) << ", ROC-AUC "
              << show(report.ranking.macro_roc_auc) << ", d' " << show(report.ranking.d_prime)
              << "\n";
    if (!report.ranking.classes_without_positives.empty())
        std::cout << "  " << report.ranking.classes_without_positives.size()
                  << " classes without positives (left out of the averages, listed in the report)\n";
    if (comparison) {
        std::cout << "  vs " << a.baseline << " on " << comparison->n_common << " common clips";
        if (!comparison->only_in_ours.empty() || !comparison->only_in_baseline.empty())
            std::cout << " (" << comparison->only_in_ours.size() << " only here, "
                      << comparison->only_in_baseline.size() << " only in the baseline)";
        std::cout << ":\n";
        for (const auto& m : comparison->metrics)
            std::cout << "    " << m.name << " " << (m.delta >= 0 ? "+" : "") << show(m.delta)
                      << " [" << show(m.ci_low) << ", " << show(m.ci_high) << "]\n";
        char p[32];
        std::snprintf(p, sizeof p, "%.3g", comparison->mcnemar.p_value);
        std::cout << "    McNemar p = " << p << ", "
                  << comparison->flipped.size() << " clips flipped\n";
    }
    std::cout << "  report written to " << a.out << "\n";
}

void runMetrics(const MetricsArgs& a) {
    const Predictions predictions = readPredictionsCsv(a.predictions, a.multiLabel);
    std::unique_ptr<Predictions> baseline;
    if (!a.baseline.empty())
        baseline = std::make_unique<Predictions>(readPredictionsCsv(a.baseline, a.multiLabel));
    reportAndPrint(a, predictions, a.predictions, baseline.get());
}

// ---- eval ----------------------------------------------------------------------------------

struct EvalArgs {
    MetricsArgs report;
    std::string checkpoint;
    std::string dataset;
    std::string format = "auto";
    std::string split = "test";
    bool mapLabels = false;
    std::string aggregation = "mean";
    std::string padding = "silence";
    InferOptions infer;
    bool quiet = false;
};

Predictions evaluate(const EvalArgs& a, const fs::path& checkpoint, const Dataset& ds,
                     const std::vector<std::size_t>& clips) {
    InferOptions infer = a.infer;
    infer.aggregation = aggregationFromName(a.aggregation);
    if (a.padding != "silence" && a.padding != "mask")
        throw Error(ErrorCode::InvalidArgument, "--padding must be silence or mask (not '" + a.padding + "')");
    infer.pad_with_silence = a.padding == "silence";
    Classifier classifier = Classifier::fromCheckpoint(checkpoint, infer);
    ProgressBar bar("eval", !a.quiet);
    JobControl job([&](const Progress& p) {
        Progress q = p;
        q.message = "windows";
        bar.update(q);
    });
    Predictions p = predictDataset(classifier, ds, clips, a.mapLabels, &job);
    bar.finish();
    return p;
}

// A baseline is a predictions.csv, an eval folder or its report.json (the predictions.csv beside
// it), or another checkpoint (evaluated on the same clips).
Predictions loadBaseline(const EvalArgs& a, const Dataset& ds, const std::vector<std::size_t>& clips) {
    fs::path b = a.report.baseline;
    if (fs::is_directory(b))
        b /= "predictions.csv";
    else if (b.filename() == "report.json")
        b = b.parent_path() / "predictions.csv";
    if (b.extension() == ".safetensors" || b.extension() == ".pt" || b.extension() == ".ckpt") {
        std::cout << "Evaluating the baseline checkpoint " << b.string() << "\n";
        return evaluate(a, b, ds, clips);
    }
    if (!fs::exists(b))
        throw Error(ErrorCode::FileNotFound,
                    "no baseline predictions (a predictions.csv, an eval folder, its report.json or "
                    "a checkpoint)",
                    b.string());
    return readPredictionsCsv(b, ds.multi_label);
}

// The split the checkpoint was trained with: a checkpoint inside a run folder
// (<run>/checkpoints/*.safetensors beside <run>/config.json) names its split and seed there, so
// the test clips are the ones training never saw; elsewhere, `train`'s default with seed 0.
DatasetSplit trainingSplit(const Dataset& ds, const fs::path& checkpoint) {
    const fs::path run = checkpoint.parent_path().parent_path();
    if (!fs::is_regular_file(run / "config.json"))
        return defaultTrainSplit(ds);
    const RunFolder r = readRunFolder(run);
    return trainSplit(ds, r.split == "own" || r.split == "group" ? r.split : "auto", r.seed);
}

void runEval(const EvalArgs& a) {
    DatasetReadOptions ro;
    ro.format = parseDatasetFormat(a.format);
    const Dataset ds = readDataset(a.dataset, ro);
    const DatasetSplit split = trainingSplit(ds, a.checkpoint);
    const std::vector<std::size_t> clips = splitClips(ds, split, a.split);
    std::cout << "Evaluating " << a.checkpoint << " on " << clips.size() << " " << a.split
              << " clips of " << a.dataset << " (" << ds.classes.size() << " classes, split "
              << split.name << ")\n";
    const Predictions predictions = evaluate(a, a.checkpoint, ds, clips);
    std::unique_ptr<Predictions> baseline;
    if (!a.report.baseline.empty())
        baseline = std::make_unique<Predictions>(loadBaseline(a, ds, clips));
    fs::create_directories(a.report.out);
    writePredictionsCsv(fs::path(a.report.out) / "predictions.csv", predictions, a.report.threshold);
    reportAndPrint(a.report, predictions, a.checkpoint, baseline.get());
}

void addReportOptions(CLI::App* cmd, MetricsArgs& a) {
    cmd->add_option("--out", a.out, "Folder for the report files")->required();
    cmd->add_option("--top-k", a.topK, "k of top-k accuracy")->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--bins", a.bins, "Reliability-diagram bins")->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--threshold", a.threshold, "Multi-label decision threshold")
        ->capture_default_str();
    cmd->add_option("--failures", a.failures, "Failure cases of each kind")->capture_default_str();
    cmd->add_option("--bootstrap", a.bootstrap, "Paired bootstrap resamples")->capture_default_str();
    cmd->add_option("--seed", a.seed, "Bootstrap seed")->capture_default_str();
    cmd->add_flag("--zero-division-one", a.zeroDivisionOne,
                  "Precision/recall with a zero denominator count as 1 (default 0)");
}

}  // namespace

void addMetricsCommand(CLI::App& app) {
    auto args = std::make_shared<MetricsArgs>();
    auto* cmd = app.add_subcommand(
        "metrics", "Evaluation report (report.json/.md, confusion, curves, failures) from a "
                   "predictions.csv: file, true label(s), one score column per class");
    cmd->add_option("--predictions", args->predictions, "predictions.csv of the model")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_flag("--multi-label", args->multiLabel,
                  "Several true labels per clip, joined with ';'");
    cmd->add_option("--baseline", args->baseline,
                    "predictions.csv of a baseline: deltas, bootstrap intervals, McNemar, flips")
        ->check(CLI::ExistingFile);
    addReportOptions(cmd, *args);
    cmd->callback([args] { runMetrics(*args); });
}

void addEvalCommand(CLI::App& app) {
    auto args = std::make_shared<EvalArgs>();
    auto* cmd = app.add_subcommand(
        "eval", "Evaluate a checkpoint on a dataset split: predictions.csv plus the full report "
                "(report.json/.md, confusion, curves, failures; deltas against --baseline)");
    cmd->add_option("--checkpoint", args->checkpoint, "Model file (.safetensors)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("-d,--dataset", args->dataset, "Dataset folder (any layout `dataset info` reads)")
        ->required();
    cmd->add_option("--format", args->format, "Dataset layout")->capture_default_str();
    cmd->add_option("--split", args->split,
                    "Clips to evaluate: test, validation, train or all (the split the checkpoint's "
                    "run folder trained with, else train's default)")
        ->capture_default_str();
    cmd->add_flag("--map-labels", args->mapLabels,
                  "Accept a dataset whose classes are a subset of the model's labels (by name)");
    cmd->add_option("--baseline", args->report.baseline,
                    "Baseline: predictions.csv, an eval folder, its report.json, or a checkpoint");
    cmd->add_option("--window-s", args->infer.window_s, "Window length in seconds (0: the model's)")
        ->capture_default_str();
    cmd->add_option("--hop-s", args->infer.hop_s, "Hop between windows (0: the window)")
        ->capture_default_str();
    cmd->add_option("--aggregation", args->aggregation, "Clip score from windows: mean or max")
        ->capture_default_str();
    cmd->add_option("--padding", args->padding,
                    "Short windows: silence (padded as train pads clips) or mask (scored at their length)")
        ->capture_default_str();
    cmd->add_option("--batch", args->infer.batch_size,
                    "Windows per forward pass (0: 32, or 1 for windows of 512+ tokens)")
        ->capture_default_str();
    cmd->add_flag("--bf16", args->infer.bf16, "bfloat16 autocast (fast with AVX-512 BF16)");
    cmd->add_flag("--quiet", args->quiet, "No progress bar");
    addReportOptions(cmd, args->report);
    cmd->callback([args] { runEval(*args); });
}

}  // namespace patchout::cli
