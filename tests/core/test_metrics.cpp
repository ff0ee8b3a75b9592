// Every metric of metrics.h against scikit-learn 1.2 on the cases of
// tests/reference/metrics_reference.json (made by tests/reference/make_metrics_reference.py):
// random scores, ties, constant scores, a class never predicted, a class never present,
// multi-label with a class in every clip.
#include "patchout_source_paths.h"
#include "patchout/error.h"
#include "patchout/metrics.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>

namespace {

using nlohmann::json;
using namespace patchout;

constexpr double kTol = 1e-9;

const json& reference() {
    static const json doc = [] {
        const std::string path = std::string(PATCHOUT_TESTS_DIR) + "/reference/metrics_reference.json";
        std::ifstream in(path);
        if (!in)
            throw std::runtime_error("cannot read " + path);
        return json::parse(in);
    }();
    return doc;
}

const json& refCase(const std::string& name) {
    for (const auto& c : reference()["cases"])
        if (c["name"] == name)
            return c;
    throw std::runtime_error("no reference case " + name);
}

ScoreMatrix scoresOf(const json& c) {
    ScoreMatrix s;
    s.n_samples = c["scores"].size();
    s.n_classes = c["n_classes"].get<std::size_t>();
    for (const auto& row : c["scores"])
        for (const auto& v : row)
            s.values.push_back(v.get<double>());
    return s;
}

LabelMatrix labelsOf(const json& c) {
    LabelMatrix m;
    m.n_samples = c["labels"].size();
    m.n_classes = c["n_classes"].get<std::size_t>();
    for (const auto& row : c["labels"])
        for (const auto& v : row)
            m.values.push_back(static_cast<std::uint8_t>(v.get<int>()));
    return m;
}

// NaN on our side must be null on scikit-learn's side, and the other way round.
void expectNear(double ours, const json& ref, const std::string& what, double tol = kTol) {
    if (ref.is_null()) {
        EXPECT_TRUE(std::isnan(ours)) << what << ": scikit-learn leaves it undefined, ours " << ours;
        return;
    }
    EXPECT_NEAR(ours, ref.get<double>(), tol) << what;
}

void expectVector(const std::vector<double>& ours, const json& ref, const std::string& what,
                  double tol = 1e-12) {
    ASSERT_EQ(ours.size(), ref.size()) << what;
    for (std::size_t i = 0; i < ours.size(); ++i)
        ASSERT_NEAR(ours[i], ref[i].get<double>(), tol) << what << "[" << i << "]";
}

const char* kSingleCases[] = {"random", "ties", "constant", "never_predicted_never_present"};
const char* kMultiCases[] = {"multilabel", "multilabel_ties"};

void checkReport(const ClassificationReport& rep, const json& ref, const std::string& what) {
    const auto& pc = ref["per_class"];
    for (std::size_t c = 0; c < rep.per_class.size(); ++c) {
        const std::string w = what + " class " + std::to_string(c);
        expectNear(rep.per_class[c].precision, pc["precision"][c], w + " precision");
        expectNear(rep.per_class[c].recall, pc["recall"][c], w + " recall");
        expectNear(rep.per_class[c].f1, pc["f1"][c], w + " f1");
        EXPECT_EQ(rep.per_class[c].support, pc["support"][c].get<std::int64_t>()) << w;
    }
    for (const auto& [avg, v] : {std::pair{"macro", rep.macro}, std::pair{"micro", rep.micro},
                                 std::pair{"weighted", rep.weighted}}) {
        expectNear(v.precision, ref[avg]["precision"], what + " " + avg + " precision");
        expectNear(v.recall, ref[avg]["recall"], what + " " + avg + " recall");
        expectNear(v.f1, ref[avg]["f1"], what + " " + avg + " f1");
    }
}

void checkRanking(const RankingMetrics& r, const json& ref, const std::string& what,
                  bool curves = true) {
    ASSERT_EQ(r.per_class.size(), ref["per_class"].size());
    for (std::size_t c = 0; c < r.per_class.size(); ++c) {
        const auto& rc = ref["per_class"][c];
        const auto& ours = r.per_class[c];
        const std::string w = what + " class " + std::to_string(c);
        EXPECT_EQ(ours.positives, rc["positives"].get<std::int64_t>()) << w;
        EXPECT_EQ(ours.negatives, rc["negatives"].get<std::int64_t>()) << w;
        expectNear(ours.roc_auc, rc["roc_auc"], w + " roc_auc");
        expectNear(ours.average_precision, rc["average_precision"], w + " average_precision");
        if (!curves)
            continue;
        if (rc.contains("roc")) {
            expectVector(ours.roc.fpr, rc["roc"]["fpr"], w + " fpr");
            expectVector(ours.roc.tpr, rc["roc"]["tpr"], w + " tpr");
            expectVector(ours.roc.thresholds, rc["roc"]["thresholds"], w + " roc thresholds");
        } else {
            EXPECT_TRUE(ours.roc.fpr.empty()) << w;
        }
        if (rc.contains("pr")) {
            expectVector(ours.pr.precision, rc["pr"]["precision"], w + " precision curve");
            expectVector(ours.pr.recall, rc["pr"]["recall"], w + " recall curve");
            expectVector(ours.pr.thresholds, rc["pr"]["thresholds"], w + " pr thresholds");
        } else {
            EXPECT_TRUE(ours.pr.precision.empty()) << w;
        }
    }
    EXPECT_EQ(r.classes_without_positives,
              ref["classes_without_positives"].get<std::vector<std::size_t>>()) << what;
    EXPECT_EQ(r.classes_without_negatives,
              ref["classes_without_negatives"].get<std::vector<std::size_t>>()) << what;
    expectNear(r.macro_roc_auc, ref["macro_roc_auc"], what + " macro_roc_auc");
    expectNear(r.weighted_roc_auc, ref["weighted_roc_auc"], what + " weighted_roc_auc");
    expectNear(r.micro_roc_auc, ref["micro_roc_auc"], what + " micro_roc_auc");
    expectNear(r.mean_average_precision, ref["mean_average_precision"], what + " mAP");
    expectNear(r.weighted_average_precision, ref["weighted_average_precision"],
               what + " weighted AP");
    expectNear(r.micro_average_precision, ref["micro_average_precision"], what + " micro AP");
    expectNear(r.d_prime, ref["d_prime"], what + " d_prime");
}

void checkCalibration(const Calibration& cal, const json& ref, const std::string& what) {
    ASSERT_EQ(cal.bins.size(), ref["n_bins"].get<std::size_t>());
    expectNear(cal.expected_calibration_error, ref["expected_calibration_error"], what + " ECE");
    expectNear(cal.maximum_calibration_error, ref["maximum_calibration_error"], what + " MCE");
    std::vector<double> acc, conf;
    for (std::size_t b = 0; b < cal.bins.size(); ++b) {
        EXPECT_EQ(cal.bins[b].count, ref["counts"][b].get<std::int64_t>()) << what << " bin " << b;
        if (cal.bins[b].count > 0) {
            acc.push_back(cal.bins[b].accuracy);
            conf.push_back(cal.bins[b].mean_confidence);
        }
    }
    expectVector(acc, ref["accuracy"], what + " calibration_curve prob_true", kTol);
    expectVector(conf, ref["mean_confidence"], what + " calibration_curve prob_pred", kTol);
}

TEST(MetricsSingleLabel, AgreesWithScikitLearn) {
    for (const char* name : kSingleCases) {
        SCOPED_TRACE(name);
        const auto& c = refCase(name);
        const auto scores = scoresOf(c);
        const auto yTrue = c["y_true"].get<std::vector<int>>();
        const std::size_t C = scores.n_classes;

        const auto pred = argmaxPredictions(scores);
        EXPECT_EQ(pred, c["argmax"].get<std::vector<int>>());
        expectNear(accuracy(yTrue, pred), c["accuracy"], "accuracy");
        for (const auto& [k, v] : c["top_k"].items())
            expectNear(topKAccuracy(yTrue, scores, std::stoi(k)), v, "top-" + k);

        const auto cm = confusionMatrix(yTrue, pred, C);
        const auto refCm = c["confusion"];
        const auto norm = cm.rowNormalised();
        for (std::size_t t = 0; t < C; ++t)
            for (std::size_t p = 0; p < C; ++p) {
                EXPECT_EQ(cm.at(t, p), refCm[t][p].get<std::int64_t>()) << t << "," << p;
                EXPECT_NEAR(norm[t * C + p], c["confusion_normalised"][t][p].get<double>(), 1e-12);
            }
        expectNear(balancedAccuracy(cm), c["balanced_accuracy"], "balanced accuracy");
        expectNear(cohenKappa(cm), c["cohen_kappa"], "kappa");
        expectNear(logLoss(yTrue, scores), c["log_loss"], "log loss");

        const auto counts = classCounts(cm);
        checkReport(classificationReport(counts, ZeroDivision::Zero), c["prf_zero"], "zd=0");
        checkReport(classificationReport(counts, ZeroDivision::One), c["prf_one"], "zd=1");

        checkRanking(rankingMetrics(oneHot(yTrue, C), scores, {.keep_curves = true}), c["ranking"],
                     name);
        checkCalibration(topLabelCalibration(yTrue, scores, 10), c["calibration"], name);
    }
}

TEST(MetricsMultiLabel, AgreesWithScikitLearn) {
    for (const char* name : kMultiCases) {
        SCOPED_TRACE(name);
        const auto& c = refCase(name);
        const auto scores = scoresOf(c);
        const auto truth = labelsOf(c);
        const std::vector<double> half(scores.n_classes, 0.5);
        const auto decided = applyThresholds(scores, half);
        expectNear(subsetAccuracy(truth, decided), c["subset_accuracy"], "subset accuracy");
        expectNear(hammingLoss(truth, decided), c["hamming_loss"], "hamming loss");
        const auto counts = classCounts(truth, decided);
        checkReport(classificationReport(counts, ZeroDivision::Zero), c["prf_zero"], "zd=0");
        checkReport(classificationReport(counts, ZeroDivision::One), c["prf_one"], "zd=1");
        // One thread and several must give the same numbers.
        checkRanking(rankingMetrics(truth, scores, {.keep_curves = true, .threads = 1}),
                     c["ranking"], name);
        checkRanking(rankingMetrics(truth, scores, {.keep_curves = true, .threads = 3}),
                     c["ranking"], name);
        checkCalibration(binaryCalibration(truth, scores, 10), c["calibration"], name);

        const auto tuned = tuneThresholds(truth, scores, 0.5);
        ASSERT_EQ(tuned.size(), c["tuned_thresholds"].size());
        for (std::size_t k = 0; k < tuned.size(); ++k) {
            const auto& ref = c["tuned_thresholds"][k];
            EXPECT_EQ(tuned[k].has_positives, ref["has_positives"].get<bool>()) << k;
            EXPECT_DOUBLE_EQ(tuned[k].threshold, ref["threshold"].get<double>()) << k;
            EXPECT_NEAR(tuned[k].f1, ref["f1"].get<double>(), 1e-12) << k;
        }
    }
}

TEST(MetricsBinary, SingleFunctionsMatchRankingMetrics) {
    const auto& c = refCase("multilabel_ties");
    const auto scores = scoresOf(c);
    const auto truth = labelsOf(c);
    for (std::size_t k = 0; k < scores.n_classes; ++k) {
        std::vector<double> s;
        std::vector<std::uint8_t> t;
        for (std::size_t i = 0; i < scores.n_samples; ++i) {
            s.push_back(scores.at(i, k));
            t.push_back(truth.values[i * scores.n_classes + k]);
        }
        const auto& ref = c["ranking"]["per_class"][k];
        expectNear(rocAuc(s, t), ref["roc_auc"], "rocAuc " + std::to_string(k));
        expectNear(averagePrecision(s, t), ref["average_precision"],
                   "averagePrecision " + std::to_string(k));
        const auto b = binaryRanking(s, t, false);
        EXPECT_TRUE(b.roc.fpr.empty() && b.pr.precision.empty()) << "curves were not asked for";
    }
}

TEST(MetricsBinary, HandWorkedExample) {
    // scikit-learn's docstring example: AP 0.8333, AUC 0.75.
    const std::vector<double> s{0.1, 0.4, 0.35, 0.8};
    const std::vector<std::uint8_t> t{0, 0, 1, 1};
    EXPECT_NEAR(averagePrecision(s, t), 5.0 / 6.0, 1e-15);
    EXPECT_NEAR(rocAuc(s, t), 0.75, 1e-15);
    const auto b = binaryRanking(s, t, true);
    EXPECT_EQ(b.pr.thresholds, (std::vector<double>{0.1, 0.35, 0.4, 0.8}));
    EXPECT_DOUBLE_EQ(b.roc.thresholds.front(), 1.8);
}

TEST(MetricsBinary, UndefinedClassesAreNaNNotZeroOrOne) {
    const std::vector<double> s{0.1, 0.9, 0.5};
    EXPECT_TRUE(std::isnan(rocAuc(s, std::vector<std::uint8_t>{0, 0, 0})));
    EXPECT_TRUE(std::isnan(averagePrecision(s, std::vector<std::uint8_t>{0, 0, 0})));
    EXPECT_TRUE(std::isnan(rocAuc(s, std::vector<std::uint8_t>{1, 1, 1})));
    EXPECT_DOUBLE_EQ(averagePrecision(s, std::vector<std::uint8_t>{1, 1, 1}), 1.0);
}

TEST(MetricsNormal, InverseCdfMatchesScipy) {
    for (const auto& e : reference()["inverse_normal_cdf"]) {
        const double p = e["p"].get<double>(), x = e["x"].get<double>();
        EXPECT_NEAR(inverseNormalCdf(p), x, 1e-12 * std::max(1.0, std::abs(x))) << "p=" << p;
    }
    EXPECT_EQ(inverseNormalCdf(0.0), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(inverseNormalCdf(1.0), std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(inverseNormalCdf(1.5)));
    EXPECT_DOUBLE_EQ(dPrime(0.5), 0.0);
    EXPECT_NEAR(dPrime(0.9), std::sqrt(2.0) * 1.2815515655446004, 1e-12);
}

TEST(MetricsErrors, BadInputIsRefusedClearly) {
    const std::vector<int> empty;
    EXPECT_THROW(accuracy(empty, empty), Error);
    EXPECT_THROW(accuracy(std::vector<int>{0, 1}, std::vector<int>{0}), Error);
    EXPECT_THROW(confusionMatrix(std::vector<int>{0, 3}, std::vector<int>{0, 1}, 3), Error);
    ScoreMatrix s{2, 2, {0.2, 0.8, 0.6, 0.4}};
    EXPECT_THROW(topKAccuracy(std::vector<int>{0, 1}, s, 0), Error);
    EXPECT_THROW(logLoss(std::vector<int>{0, -1}, s), Error);
    ScoreMatrix bad{2, 2, {0.2, NAN, 0.6, 0.4}};
    EXPECT_THROW(rankingMetrics(LabelMatrix{2, 2, {1, 0, 0, 1}}, bad), Error);
    EXPECT_THROW(rankingMetrics(LabelMatrix{1, 2, {1, 0}}, s), Error);
    EXPECT_THROW(applyThresholds(s, std::vector<double>{0.5}), Error);
    try {
        oneHot(std::vector<int>{0, 7}, 3);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("label 7"), std::string::npos) << e.what();
    }
}

TEST(MetricsSingleLabel, OneHotAndCountsAreConsistent) {
    const std::vector<int> yTrue{0, 1, 2, 2}, yPred{0, 2, 2, 1};
    const auto hot = oneHot(yTrue, 3);
    EXPECT_EQ(hot.values, (std::vector<std::uint8_t>{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1}));
    const auto viaConfusion = classCounts(confusionMatrix(yTrue, yPred, 3));
    const auto viaMatrices = classCounts(hot, oneHot(yPred, 3));
    for (std::size_t c = 0; c < 3; ++c) {
        EXPECT_EQ(viaConfusion[c].tp, viaMatrices[c].tp);
        EXPECT_EQ(viaConfusion[c].fp, viaMatrices[c].fp);
        EXPECT_EQ(viaConfusion[c].fn, viaMatrices[c].fn);
        EXPECT_EQ(viaConfusion[c].tn, viaMatrices[c].tn);
    }
    EXPECT_EQ(viaConfusion[2].tp, 1);
    EXPECT_EQ(viaConfusion[2].fp, 1);
    EXPECT_EQ(viaConfusion[2].fn, 1);
    EXPECT_EQ(viaConfusion[2].tn, 1);
}

}  // namespace

namespace {

TEST(MetricsBinary, ThinnedCurvesKeepTheirEnds) {
    const auto& c = refCase("random");
    const auto scores = scoresOf(c);
    const auto truth = oneHot(c["y_true"].get<std::vector<int>>(), scores.n_classes);
    const auto full = rankingMetrics(truth, scores, {.keep_curves = true});
    const auto thin = rankingMetrics(truth, scores, {.keep_curves = true, .max_curve_points = 5});
    for (std::size_t k = 0; k < scores.n_classes; ++k) {
        const auto& f = full.per_class[k];
        const auto& t = thin.per_class[k];
        ASSERT_GT(f.roc.fpr.size(), 5u);
        ASSERT_EQ(t.roc.fpr.size(), 5u);
        ASSERT_EQ(t.roc.thresholds.size(), 5u);
        EXPECT_EQ(t.roc.fpr.back(), 1.0);
        EXPECT_EQ(t.roc.tpr.front(), 0.0);
        EXPECT_EQ(t.pr.precision.size(), 5u);
        EXPECT_EQ(t.pr.thresholds.size(), 4u);  // the final (recall 0, precision 1) has none
        EXPECT_EQ(t.pr.precision.back(), 1.0);
        EXPECT_EQ(t.pr.recall.front(), f.pr.recall.front());
        EXPECT_EQ(t.pr.thresholds.front(), f.pr.thresholds.front());
        EXPECT_EQ(t.roc_auc, f.roc_auc) << "thinning touches the curves only";
    }
}

}  // namespace

namespace {

// Scores of mixed sign take the comparison-sort path, all-negative ones the radix path with the
// other top bit; a shift keeps the ranking, so AUC and AP must not move.
TEST(MetricsBinary, ShiftedScoresOfAnySignGiveTheSameRanking) {
    for (const char* name : {"ties", "multilabel_ties"}) {
        SCOPED_TRACE(name);
        const auto& c = refCase(name);
        const auto truth = c["multi_label"].get<bool>()
                               ? labelsOf(c)
                               : oneHot(c["y_true"].get<std::vector<int>>(), c["n_classes"]);
        for (double shift : {-0.3, -2.0}) {
            auto scores = scoresOf(c);
            for (auto& v : scores.values)
                v += shift;
            const auto r = rankingMetrics(truth, scores);
            checkRanking(r, c["ranking"], name, false);
        }
    }
}

}  // namespace

namespace {

// Above 2^21 scores the radix sort splits by the top bits first (the micro average of a large
// set); it must agree with the comparison sort that mixed-sign scores take. Scores are multiples of
// 2^-21, so shifting them by -0.5 is exact and keeps every tie.
TEST(MetricsBinary, LargeArraysSortLikeTheComparisonSort) {
    const std::size_t n = 2'500'000;
    std::vector<double> scores(n), shifted(n);
    std::vector<std::uint8_t> truth(n);
    std::uint64_t state = 12345;
    for (std::size_t i = 0; i < n; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const auto k = static_cast<double>((state >> 33) % (1u << 21));
        truth[i] = static_cast<double>((state >> 20) % 100) < 3 + 10 * k / (1u << 21);
        scores[i] = k / static_cast<double>(1u << 21);
        shifted[i] = scores[i] - 0.5;
    }
    const auto radix = binaryRanking(scores, truth);
    const auto compare = binaryRanking(shifted, truth);
    EXPECT_EQ(radix.positives, compare.positives);
    EXPECT_NEAR(radix.roc_auc, compare.roc_auc, 1e-12);
    EXPECT_NEAR(radix.average_precision, compare.average_precision, 1e-12);
    EXPECT_GT(radix.roc_auc, 0.6);  // positives are likelier at high scores
}

}  // namespace

TEST(MetricsInterval, WilsonMatchesStatsmodels) {
    // Wilson (1927), as statsmodels' proportion_confint(count, nobs, method="wilson") gives it
    const auto [lo, hi] = wilsonInterval(212, 396);  // 53.54% of synth-instruments' test notes
    EXPECT_NEAR(lo, 0.4862, 5e-4);
    EXPECT_NEAR(hi, 0.5840, 5e-4);
    const auto [lo100, hi100] = wilsonInterval(80, 80);  // 100%: the interval still has width
    EXPECT_NEAR(lo100, 0.9542, 5e-4);
    EXPECT_DOUBLE_EQ(hi100, 1.0);
    const auto [lo0, hi0] = wilsonInterval(0, 10);
    EXPECT_DOUBLE_EQ(lo0, 0.0);
    EXPECT_NEAR(hi0, 0.2775, 5e-4);
    EXPECT_EQ(wilsonInterval(0, 0), (std::pair<double, double>{0.0, 1.0}));
    EXPECT_THROW(wilsonInterval(11, 10), Error);
}
