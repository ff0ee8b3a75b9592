// Classification metrics with scikit-learn's semantics (accuracy, precision/recall/F1 with
// zero_division, confusion matrices, log loss, kappa, ROC/PR curves, AUC, average precision, mAP,
// d-prime, calibration, per-class thresholds), in plain C++ so that a 100 000 x 527 evaluation takes
// seconds. Reports (report.h) and the GUI call these; tests compare each one with scikit-learn.
// Thread-safety: every function is reentrant; rankingMetrics and tuneThresholds use several threads
// internally.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace patchout {

// Scores (probabilities, logits, any "higher means more likely") of n_samples clips for n_classes
// classes, row-major: values[sample * n_classes + class].
struct ScoreMatrix {
    std::size_t n_samples = 0;
    std::size_t n_classes = 0;
    std::vector<double> values;

    double at(std::size_t sample, std::size_t cls) const { return values[sample * n_classes + cls]; }
    std::span<const double> row(std::size_t sample) const {
        return {values.data() + sample * n_classes, n_classes};
    }
};

// Multi-label ground truth, 0/1, same layout as ScoreMatrix.
struct LabelMatrix {
    std::size_t n_samples = 0;
    std::size_t n_classes = 0;
    std::vector<std::uint8_t> values;

    bool at(std::size_t sample, std::size_t cls) const {
        return values[sample * n_classes + cls] != 0;
    }
};

// What a ratio with a zero denominator is set to (scikit-learn's zero_division; "warn" is Zero).
enum class ZeroDivision { Zero, One };

// ---- single-label ---------------------------------------------------------------------------
// Labels are class indices in [0, n_classes). Every function throws Error(InvalidArgument) on
// empty input, mismatched lengths or out-of-range labels.

// Index of the highest score of each row; ties go to the lowest index (numpy.argmax).
std::vector<int> argmaxPredictions(const ScoreMatrix& scores);
LabelMatrix oneHot(std::span<const int> labels, std::size_t nClasses);

double accuracy(std::span<const int> yTrue, std::span<const int> yPred);
// The Wilson score interval of a proportion (`successes` of n; an accuracy times its clips), at
// the confidence of the normal quantile z (1.959964: 95%), as statsmodels' proportion_confint
// method="wilson". Stays inside [0, 1] and is sensible at 0% and 100%. {0, 1} for n = 0.
std::pair<double, double> wilsonInterval(double successes, std::size_t n, double z = 1.959964);
// A clip counts when its true class is among the k highest scores. Ties rank the higher class index
// first, as scikit-learn's top_k_accuracy_score (stable argsort, reversed).
double topKAccuracy(std::span<const int> yTrue, const ScoreMatrix& scores, int k);

// Rows = true class, columns = predicted class.
struct ConfusionMatrix {
    std::size_t n_classes = 0;
    std::vector<std::int64_t> counts;  // row-major

    std::int64_t at(std::size_t trueClass, std::size_t predicted) const {
        return counts[trueClass * n_classes + predicted];
    }
    // Each row divided by its sum; rows of classes that never occur stay 0.
    std::vector<double> rowNormalised() const;
};
ConfusionMatrix confusionMatrix(std::span<const int> yTrue, std::span<const int> yPred,
                                std::size_t nClasses);

// Mean recall over the classes that occur in yTrue (balanced_accuracy_score).
double balancedAccuracy(const ConfusionMatrix& confusion);
// Unweighted Cohen's kappa (cohen_kappa_score).
double cohenKappa(const ConfusionMatrix& confusion);
// Mean negative log-likelihood of the true class: probabilities are clipped to [eps, 1 - eps]
// (eps = DBL_EPSILON) and each row renormalised, as log_loss in scikit-learn 1.2.
double logLoss(std::span<const int> yTrue, const ScoreMatrix& probabilities);

// Per-class decision counts, the sufficient statistics of precision / recall / F1.
struct ClassCounts {
    std::int64_t tp = 0, fp = 0, fn = 0, tn = 0;
};
std::vector<ClassCounts> classCounts(const ConfusionMatrix& confusion);

struct PrecisionRecallF1 {
    double precision = 0, recall = 0, f1 = 0;
    std::int64_t support = 0;  // true instances
};
// classification_report / precision_recall_fscore_support with labels = all classes.
struct ClassificationReport {
    std::vector<PrecisionRecallF1> per_class;
    PrecisionRecallF1 macro, micro, weighted;
};
ClassificationReport classificationReport(std::span<const ClassCounts> counts,
                                          ZeroDivision zeroDivision = ZeroDivision::Zero);

// ---- scores, one class against the rest ------------------------------------------------------

// roc_curve (drop_intermediate=True; the first threshold is the highest score + 1, as
// scikit-learn 1.2) and precision_recall_curve (recall decreasing, ending at precision 1, recall 0).
struct RocCurve {
    std::vector<double> fpr, tpr, thresholds;
};
struct PrCurve {
    std::vector<double> precision, recall, thresholds;
};

// Everything ranking-based about one class. roc_auc is NaN when the class has no positives or no
// negatives, average_precision is NaN when it has no positives: such classes are listed by
// RankingMetrics and left out of the averages, never counted as 0 or 1.
struct BinaryRanking {
    std::int64_t positives = 0, negatives = 0;
    double roc_auc = 0;
    double average_precision = 0;
    RocCurve roc;  // empty unless curves were asked for and the AUC is defined
    PrCurve pr;    // empty unless curves were asked for and the class has positives
};
BinaryRanking binaryRanking(std::span<const double> scores, std::span<const std::uint8_t> truth,
                            bool keepCurves = false);
double rocAuc(std::span<const double> scores, std::span<const std::uint8_t> truth);
double averagePrecision(std::span<const double> scores, std::span<const std::uint8_t> truth);

// Inverse of the standard normal CDF (|relative error| < 1e-15 over (0, 1)).
double inverseNormalCdf(double p);
// d' = sqrt(2) * Phi^-1(AUC), the AudioSet convention.
double dPrime(double auc);

struct RankingOptions {
    bool keep_curves = false;
    // Thin each kept curve to at most this many evenly spaced points, ends kept (0: all). A
    // 100 000-clip class has up to 100 000 points per curve; a plot needs a thousand.
    std::size_t max_curve_points = 0;
    unsigned threads = 0;  // 0: all cores
};
struct RankingMetrics {
    std::vector<BinaryRanking> per_class;
    std::vector<std::size_t> classes_without_positives;  // AP and AUC undefined
    std::vector<std::size_t> classes_without_negatives;  // AUC undefined
    // Averages over the classes where the metric is defined; weighted = by positives.
    double macro_roc_auc = 0, weighted_roc_auc = 0, micro_roc_auc = 0;
    double mean_average_precision = 0, weighted_average_precision = 0, micro_average_precision = 0;
    double d_prime = 0;  // of macro_roc_auc
};
// One-vs-rest for single-label (truth = oneHot(labels)) and the multi-label case alike.
RankingMetrics rankingMetrics(const LabelMatrix& truth, const ScoreMatrix& scores,
                              const RankingOptions& options = {});

// ---- calibration -------------------------------------------------------------------------------

struct ReliabilityBin {
    double lower = 0, upper = 0;
    std::int64_t count = 0;
    double mean_confidence = 0;  // 0 when empty
    double accuracy = 0;         // fraction correct (or positive); 0 when empty
};
struct Calibration {
    std::vector<ReliabilityBin> bins;
    double expected_calibration_error = 0;  // sum over bins of count/N * |accuracy - confidence|
    double maximum_calibration_error = 0;   // over non-empty bins
};
// Equal-width bins on [0, 1]; a value on an edge falls into the lower bin (calibration_curve).
// Single-label: confidence of the top class (argmaxPredictions) against whether it is right.
Calibration topLabelCalibration(std::span<const int> yTrue, const ScoreMatrix& probabilities,
                                int nBins = 15);
// Multi-label: every (clip, class) score against its 0/1 truth.
Calibration binaryCalibration(const LabelMatrix& truth, const ScoreMatrix& probabilities,
                              int nBins = 15);

// ---- multi-label decisions -----------------------------------------------------------------

// Score >= threshold[class] predicts the class.
LabelMatrix applyThresholds(const ScoreMatrix& scores, std::span<const double> thresholds);
std::vector<ClassCounts> classCounts(const LabelMatrix& truth, const LabelMatrix& predicted);
double subsetAccuracy(const LabelMatrix& truth, const LabelMatrix& predicted);
double hammingLoss(const LabelMatrix& truth, const LabelMatrix& predicted);

struct ThresholdChoice {
    double threshold = 0.5;
    double f1 = 0;
    bool has_positives = false;  // false: no tuning was possible, threshold = the fallback
};
// Per class, the score threshold that maximises F1 = 2tp / (2tp + fp + fn) on this (validation)
// set; among equal F1 the highest threshold wins.
std::vector<ThresholdChoice> tuneThresholds(const LabelMatrix& truth, const ScoreMatrix& scores,
                                            double fallback = 0.5);

}  // namespace patchout
