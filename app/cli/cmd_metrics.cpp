// `patchout metrics`: the full evaluation report from any model's predictions.csv, so results of
// other tools (e.g. the authors' Python PaSST) are compared on exactly the same terms.
// `patchout eval`: the same report for a checkpoint on a dataset split (it writes the model's
// predictions.csv first); both share the report options and the summary printed here.
#include "commands.h"
#include "output.h"
#include "progress_bar.h"

#include "patchout/classifier.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/evaluate.h"
#include "patchout/report.h"
#include "patchout/run_jobs.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

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

// Prints the headline numbers of a report (and of its comparison with a baseline).
void printSummary(const MetricsArgs& a, const EvaluationReport& report, const std::string& name,
                  const BaselineComparison* comparison) {
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
        std::cout << "  vs " << comparison->baseline_source.string() << " on " << comparison->n_common << " common clips";
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
        if (const ComparisonVerdict verdict = comparisonVerdict(*comparison); !verdict.text.empty())
            std::cout << "  " << verdict.text << "\n";
    }
    std::cout << "  report written to " << a.out << "\n";
}

void runMetrics(const MetricsArgs& a) {
    const Predictions predictions = readPredictionsCsv(a.predictions, a.multiLabel);
    const ReportOptions options = reportOptions(a);
    const EvaluationReport report = computeReport(predictions, options);
    std::optional<BaselineComparison> comparison;
    if (!a.baseline.empty()) {
        ComparisonOptions c;
        c.n_bootstrap = a.bootstrap;
        c.seed = a.seed;
        c.report = options;
        comparison = compareWithBaseline(predictions, readPredictionsCsv(a.baseline, a.multiLabel), c);
        comparison->baseline_source = a.baseline;
    }
    writeReport(a.out, predictions, report, comparison ? &*comparison : nullptr);
    printSummary(a, report, a.predictions, comparison ? &*comparison : nullptr);
}

// ---- eval ----------------------------------------------------------------------------------

struct EvalArgs {
    MetricsArgs report;
    std::string run;
    std::string checkpoint;
    std::string dataset;
    std::string format = "auto";
    std::string aggregation = "mean";
    std::string padding = "silence";
    EvaluateOptions options;
    bool quiet = false;
    bool skipBadRows = false;
};

void runEval(EvalArgs& a) {
    EvaluateOptions& o = a.options;
    o.infer.aggregation = aggregationFromName(a.aggregation);
    if (a.padding != "silence" && a.padding != "mask")
        throw Error(ErrorCode::InvalidArgument, "--padding must be silence or mask (not '" + a.padding + "')");
    o.infer.pad_with_silence = a.padding == "silence";
    o.report = reportOptions(a.report);
    o.baseline = a.report.baseline;
    o.comparison.n_bootstrap = a.report.bootstrap;
    o.comparison.seed = a.report.seed;
    ProgressBar bar("eval", !a.quiet);
    JobControl job([&](const Progress& p) {
        Progress q = p;
        q.message = "windows";
        bar.update(q);
    });
    EvaluateResult r;
    int rowsCode = 0;  // dataset rows left out (--skip_bad_rows)
    if (!a.run.empty()) {
        if (!a.checkpoint.empty() || !a.dataset.empty() || !a.report.out.empty())
            throw Error(ErrorCode::InvalidArgument,
                        "--run takes the model, the dataset and the output folder from the run: "
                        "leave out --checkpoint, --dataset and --out");
        std::cout << "Evaluating the run " << a.run << " on its " << o.split << " clips\n";
        r = evaluateRun(a.run, o, &job);
        a.report.out = r.out.string();
    } else {
        if (a.checkpoint.empty() || a.dataset.empty() || a.report.out.empty())
            throw Error(ErrorCode::InvalidArgument, "give --run RUN, or --checkpoint, --dataset and --out");
        DatasetReadOptions ro;
        ro.format = parseDatasetFormat(a.format);
        ro.skip_bad_rows = a.skipBadRows;
        const Dataset ds = readDataset(a.dataset, ro);
        rowsCode = reportLeftOutRows(ds);
        std::cout << "Evaluating " << a.checkpoint << " on the " << o.split << " clips of " << a.dataset
                  << " (" << ds.classes.size() << " classes)\n";
        r = evaluateCheckpoint(a.checkpoint, ds, a.report.out, o, &job);
    }
    bar.finish();
    std::cout << "Scored on " << r.report.n_clips << " " << o.split << " clips (split " << r.split_name << ")\n";
    printSummary(a.report, r.report, r.checkpoint.string(), r.comparison ? &*r.comparison : nullptr);
    // Clips that could not be decoded are left out of the report and listed beside it.
    const int code = reportSkipped(r.skipped, r.report.n_clips + r.skipped.size(), r.out / "errors.csv");
    if (code != 0 || rowsCode != 0)
        throw CLI::RuntimeError(std::max(code, rowsCode));
}

// `outRequired`: eval --run writes into RUN/eval.
void addReportOptions(CLI::App* cmd, MetricsArgs& a, bool outRequired = true) {
    auto* out = cmd->add_option("--out", a.out, "Folder for the report files");
    if (outRequired)
        out->required();
    cmd->add_option("--top_k", a.topK, "k of top-k accuracy")->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--bins", a.bins, "Reliability-diagram bins")->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--threshold", a.threshold, "Multi-label decision threshold")
        ->capture_default_str();
    cmd->add_option("--failures", a.failures, "Failure cases of each kind")->capture_default_str();
    cmd->add_option("--bootstrap", a.bootstrap, "Paired bootstrap resamples")->capture_default_str();
    cmd->add_option("--seed", a.seed, "Bootstrap seed")->capture_default_str();
    cmd->add_flag("--zero_division_one", a.zeroDivisionOne,
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
    cmd->add_flag("--multi_label", args->multiLabel,
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
        "eval", "Evaluate a checkpoint (or a run) on a dataset split: predictions.csv plus the full report "
                "(report.json/.md, confusion, curves, failures; deltas against --baseline)");
    cmd->add_option("--run", args->run,
                    "A run folder: its best model on its own dataset's split, into RUN/eval "
                    "(instead of --checkpoint, --dataset and --out)")
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--checkpoint", args->checkpoint, "Model file (.safetensors)")
        ->check(CLI::ExistingFile);
    cmd->add_option("-d,--dataset", args->dataset, "Dataset folder (any layout `dataset info` reads)");
    cmd->add_option("--format", args->format, "Dataset layout")->capture_default_str();
    cmd->add_flag("--skip_bad_rows", args->skipBadRows,
                  std::string(kSkipBadRowsHelp) + " (--run: as the run was trained)");
    cmd->add_option("--split", args->options.split,
                    "Clips to evaluate: test, validation, train or all (the split the checkpoint's "
                    "run folder trained with, else train's default)")
        ->capture_default_str();
    cmd->add_flag("--map_labels", args->options.map_labels,
                  "Accept a dataset whose classes are a subset of the model's labels (by name)");
    cmd->add_option("--baseline", args->report.baseline,
                    "Baseline: predictions.csv, an eval folder, its report.json, or a checkpoint");
    cmd->add_option("--window_s", args->options.infer.window_s, "Window length in seconds (0: the model's)")
        ->capture_default_str();
    cmd->add_option("--hop_s", args->options.infer.hop_s, "Hop between windows (0: the window)")
        ->capture_default_str();
    cmd->add_option("--aggregation", args->aggregation, "Clip score from windows: mean or max")
        ->capture_default_str();
    cmd->add_option("--padding", args->padding,
                    "Short windows: silence (padded as train pads clips) or mask (scored at their length)")
        ->capture_default_str();
    cmd->add_option("--batch", args->options.infer.batch_size,
                    "Windows per forward pass (0: 32, or 1 for windows of 512+ tokens)")
        ->capture_default_str();
    cmd->add_flag("--bf16", args->options.infer.bf16, "bfloat16 autocast (fast with AVX-512 BF16)");
    addDeviceOption(cmd, args->options.infer.device);
    cmd->add_flag("--quiet", args->quiet, "No progress bar");
    cmd->add_flag("--strict", args->options.strict, "Stop at the first clip that cannot be decoded (exit code 1)");
    cmd->footer(kSkippedFilesHelp);
    addReportOptions(cmd, args->report, false);
    cmd->callback([args] { runEval(*args); });
}

}  // namespace patchout::cli
