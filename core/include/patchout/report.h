// Evaluation reports: a model's predictions on a set of clips (predictions.csv) become every metric
// of metrics.h, failure cases and an optional comparison with a baseline, written as an eval/ folder
// (report.json, report.md, confusion.csv, curves.csv, failures.csv). `patchout metrics` and
// `patchout eval` both go readPredictionsCsv / Predictions -> computeReport -> writeReport.
#pragma once

#include "patchout/metrics.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace patchout {

// predictions.csv: a header row, then one row per clip. Columns: `file`; the true label(s) in
// `true` (or `label` / `labels`), several joined with ';' for multi-label; optionally `start_s`
// and `end_s` (the time window scored) and `predicted` (ignored on reading: recomputed from the
// scores); every other column is the score of the class it is named after. Fields may be quoted
// (RFC 4180), so class names may contain commas.
struct Predictions {
    std::vector<std::string> classes;
    std::vector<std::string> files;
    std::vector<double> start_s, end_s;    // empty when there is no time window
    std::vector<std::vector<int>> labels;  // true class indices per clip
    ScoreMatrix scores;
    bool multi_label = false;

    std::size_t size() const { return files.size(); }
    bool hasTimeWindows() const { return !start_s.empty(); }
    bool hasLabel(std::size_t clip, int cls) const {
        return std::find(labels[clip].begin(), labels[clip].end(), cls) != labels[clip].end();
    }
    // Error(InvalidArgument) unless `thresholds` holds one decision threshold per class.
    void checkThresholds(const std::vector<double>& thresholds) const;
};

// Throws Error(BadFormat) naming "path:line" for a malformed row, an unknown label, a score that
// is not a number or a label with ';' without multiLabel; Error(Dataset) for a file without clips.
Predictions readPredictionsCsv(const std::filesystem::path& path, bool multiLabel);
// The same from CSV text in memory; `source` names it in error messages.
Predictions parsePredictionsCsv(const std::string& text, bool multiLabel,
                                const std::string& source = "predictions.csv");
// Writes the same layout (with a `predicted` column), atomically; scores round-trip exactly.
void writePredictionsCsv(const std::filesystem::path& path, const Predictions& predictions,
                         double threshold = 0.5);

struct ReportOptions {
    int top_k = 5;
    int n_bins = 15;               // reliability-diagram bins
    std::size_t n_failures = 20;   // of each kind
    std::size_t n_worst = 10;      // worst classes and most-confused pairs in report.md
    double threshold = 0.5;        // multi-label decision threshold on the scores
    ZeroDivision zero_division = ZeroDivision::Zero;
    std::size_t max_curve_points = 1000;  // per curve in curves.csv (evenly thinned, ends kept)
    unsigned threads = 0;                 // 0: all cores
    // Which clips were scored, as the report names them ("the test clips of split own"; "" when
    // unknown): report.json's "clips", report.md's first line, the Evaluate view's header.
    std::string clips{};
};

// A clip whose top-scoring class is wrong (or, for least-confident-right, right). For multi-label
// clips, "right" means the top class is one of the true labels.
struct FailureCase {
    std::size_t clip = 0;
    int predicted = 0;
    double predicted_score = 0;
    double true_score = 0;  // highest score among the true classes (NaN without labels)
};

struct ConfusedPair {
    int true_class = 0, predicted_class = 0;
    std::int64_t count = 0;
};

struct EvaluationReport {
    ReportOptions options;
    bool multi_label = false;
    std::vector<std::string> classes;
    std::size_t n_clips = 0;
    bool scores_are_probabilities = false;  // all in [0, 1]: log loss and calibration are defined

    std::vector<int> top1;                   // highest-scoring class per clip
    std::vector<std::uint8_t> top1_correct;  // per clip

    // Single-label (decisions = top1).
    ConfusionMatrix confusion;
    double accuracy = 0, top_k_accuracy = 0, balanced_accuracy = 0, cohen_kappa = 0;
    double log_loss = 0;  // NaN unless scores_are_probabilities
    // Multi-label (decisions = score >= options.threshold).
    double subset_accuracy = 0, hamming_loss = 0, top1_accuracy = 0;
    std::vector<ThresholdChoice> tuned_thresholds;  // best F1 on this very set: an upper bound

    std::vector<ClassCounts> counts;
    ClassificationReport classification;
    RankingMetrics ranking;  // curves kept
    Calibration calibration;  // empty bins unless scores_are_probabilities
    std::vector<ConfusedPair> most_confused;
    std::vector<FailureCase> most_confident_wrong, least_confident_right;
};

// Throws Error(Dataset) when there are no clips.
EvaluationReport computeReport(const Predictions& predictions, const ReportOptions& options = {});

// A clip's place in the confusion matrix (the Evaluate view lists a cell's clips, to be heard).
struct CellClip {
    std::size_t clip = 0;
    int true_class = 0, predicted = 0;  // predicted: the top class (report.top1)
    double score = 0;                   // the predicted class's score
    // How decided the prediction was: a right clip's lead over the runner-up class, a wrong clip's
    // lead over its true class (small: nearly right).
    double margin = 0;
};
// Every clip of single-label `predictions` with its cell, in clip order; `report` is the one
// computed from them. Empty for multi-label predictions (no matrix). Error(InvalidArgument) for a
// report of other predictions.
std::vector<CellClip> confusionClips(const Predictions& predictions, const EvaluationReport& report);
// The clips of the cell (true_class, predicted) among `clips`, highest score first.
std::vector<CellClip> clipsOfCell(const std::vector<CellClip>& clips, int true_class, int predicted);
// Where a multi-label model's decisions at `thresholds` (one per class) land, as a matrix the
// Evaluate view draws like a confusion matrix: rows are true classes, columns the classes said
// present. (i, i) counts the clips of class i where i is present (found); (i, j), j != i, the
// clips of class i where j is present though not one of its labels (a false alarm beside i). A
// clip counts in the row of each of its labels. Error(InvalidArgument) for a threshold count other
// than the classes'.
ConfusionMatrix multiLabelConfusion(const Predictions& predictions, const std::vector<double>& thresholds);
// The clips of one cell of multiLabelConfusion, the highest score of `present` first: score is that
// class's score, margin how far it lies above its threshold. Error(InvalidArgument) for a class out
// of range.
std::vector<CellClip> multiLabelCellClips(const Predictions& predictions, const std::vector<double>& thresholds,
                                          int true_class, int present);

// ---- baseline comparison -------------------------------------------------------------------

struct ComparisonOptions {
    std::size_t n_bootstrap = 1000;  // paired resamples of the common clips
    std::uint64_t seed = 1234;
    double confidence = 0.95;
    ReportOptions report;
};

struct MetricDelta {
    std::string name;
    double ours = 0, baseline = 0, delta = 0;
    double ci_low = 0, ci_high = 0;  // bootstrap interval of the delta
};

struct ClassDelta {
    double f1 = 0, average_precision = 0, roc_auc = 0;  // ours - baseline (NaN when undefined)
};

// McNemar's test on the clips exactly one of the two models gets right.
struct McNemarResult {
    std::int64_t only_ours_right = 0, only_baseline_right = 0;
    bool exact = false;     // exact binomial test (used when the two counts sum to < 25)
    double statistic = 0;   // chi-square with continuity correction (0 when exact)
    double p_value = 1;
};
McNemarResult mcnemarTest(std::int64_t onlyOursRight, std::int64_t onlyBaselineRight);

struct FlippedClip {
    std::string file;
    bool now_right = false;  // baseline wrong, ours right
    std::vector<int> true_labels;
    int ours_predicted = 0, baseline_predicted = 0;
};

struct BaselineComparison {
    std::filesystem::path baseline_source;
    std::size_t n_common = 0;
    std::vector<std::string> only_in_ours, only_in_baseline;  // clips left out, by file name
    std::vector<MetricDelta> metrics;
    std::vector<ClassDelta> per_class;  // in our class order
    McNemarResult mcnemar;
    std::vector<FlippedClip> flipped;
    // Both confusion matrices on the common clips, classes in our order (single-label; empty for
    // multi-label): ours minus the baseline's is where the two models differ.
    ConfusionMatrix ours_confusion, baseline_confusion;
    std::size_t n_bootstrap = 0;
    double confidence = 0.95;
};

// Matches clips by file name (and time window when both have one) and classes by name. Throws
// Error(Model) listing the differences when the class sets differ, Error(Dataset) when the two
// sides disagree on a clip's true labels or have no clip in common.
BaselineComparison compareWithBaseline(const Predictions& ours, const Predictions& baseline,
                                       const ComparisonOptions& options = {});

// One sentence on whether the model beats the baseline, from the paired bootstrap interval of the
// headline metric (accuracy; mAP when there is none) and McNemar's test: "the model beats the
// baseline: accuracy +7.5 points [+2.5, +12.5] (95% interval), McNemar p = 0.0120" when the whole
// interval is above 0; "THE MODEL IS BELOW THE BASELINE: ..." when it is below; "THE MODEL DOES NOT
// CLEARLY BEAT THE BASELINE: ... (the interval includes 0)" otherwise. kind None and no text
// without either metric.
struct ComparisonVerdict {
    enum class Kind { None, Beats, Unclear, Below } kind = Kind::None;
    std::string text;
};
ComparisonVerdict comparisonVerdict(const BaselineComparison& comparison);

// The comparison writeReport stored in dir/report.json: source, clips in common, metrics with
// their intervals, McNemar, the per-class deltas, the flipped clips (class indices in the report's
// class order; a flipped clip naming a class the report lacks is left out) and both confusion
// matrices (empty unless whole). nullopt when the report has none or cannot be read.
std::optional<BaselineComparison> readReportComparison(const std::filesystem::path& dir);

// The "clips" writeReport recorded in dir/report.json (ReportOptions::clips): "" when the file,
// the field or the file's JSON is missing (an older report, predictions from elsewhere).
std::string reportClips(const std::filesystem::path& dir);

// Writes report.json, report.md, confusion.csv, curves.csv and failures.csv into `dir` (created if
// missing), each atomically; with a comparison also comparison.csv (per-class deltas) and
// flipped.csv.
void writeReport(const std::filesystem::path& dir, const Predictions& predictions,
                 const EvaluationReport& report, const BaselineComparison* comparison = nullptr);

}  // namespace patchout
