// `patchout metrics`: the full evaluation report from any model's predictions.csv, so results of
// other tools (e.g. the authors' Python PaSST) are compared on exactly the same terms.
#include "commands.h"

#include "patchout/error.h"
#include "patchout/report.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

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

void runMetrics(const MetricsArgs& a) {
    ReportOptions options;
    options.top_k = a.topK;
    options.n_bins = a.bins;
    options.threshold = a.threshold;
    options.n_failures = a.failures;
    options.zero_division = a.zeroDivisionOne ? ZeroDivision::One : ZeroDivision::Zero;
    const Predictions predictions = readPredictionsCsv(a.predictions, a.multiLabel);
    const EvaluationReport report = computeReport(predictions, options);
    std::unique_ptr<BaselineComparison> comparison;
    if (!a.baseline.empty()) {
        const Predictions baseline = readPredictionsCsv(a.baseline, a.multiLabel);
        ComparisonOptions c;
        c.n_bootstrap = a.bootstrap;
        c.seed = a.seed;
        c.report = options;
        comparison = std::make_unique<BaselineComparison>(compareWithBaseline(predictions, baseline, c));
        comparison->baseline_source = a.baseline;
    }
    writeReport(a.out, predictions, report, comparison.get());

    std::cout << a.predictions << ": " << report.n_clips << " clips, " << report.classes.size()
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

}  // namespace

void addMetricsCommand(CLI::App& app) {
    auto args = std::make_shared<MetricsArgs>();
    auto* cmd = app.add_subcommand(
        "metrics", "Evaluation report (report.json/.md, confusion, curves, failures) from a "
                   "predictions.csv: file, true label(s), one score column per class");
    cmd->add_option("--predictions", args->predictions, "predictions.csv of the model")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", args->out, "Folder for the report files")->required();
    cmd->add_flag("--multi-label", args->multiLabel,
                  "Several true labels per clip, joined with ';'");
    cmd->add_option("--baseline", args->baseline,
                    "predictions.csv of a baseline: deltas, bootstrap intervals, McNemar, flips")
        ->check(CLI::ExistingFile);
    cmd->add_option("--top-k", args->topK, "k of top-k accuracy")->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--bins", args->bins, "Reliability-diagram bins")->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--threshold", args->threshold, "Multi-label decision threshold")
        ->capture_default_str();
    cmd->add_option("--failures", args->failures, "Failure cases of each kind")
        ->capture_default_str();
    cmd->add_option("--bootstrap", args->bootstrap, "Paired bootstrap resamples")
        ->capture_default_str();
    cmd->add_option("--seed", args->seed, "Bootstrap seed")->capture_default_str();
    cmd->add_flag("--zero-division-one", args->zeroDivisionOne,
                  "Precision/recall with a zero denominator count as 1 (default 0)");
    cmd->callback([args] { runMetrics(*args); });
}

}  // namespace patchout::cli
