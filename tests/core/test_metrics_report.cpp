// predictions.csv reading and writing, the evaluation report and its files, and the baseline
// comparison (clip and class matching, paired bootstrap, McNemar against scipy).
#include "patchout/error.h"
#include "patchout/report.h"

#include "test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace {

using nlohmann::json;
using namespace patchout;
using patchout::test::expectError;

const json& reference() {
    static const json doc = [] {
        std::ifstream in(std::string(PATCHOUT_TESTS_DIR) + "/reference/metrics_reference.json");
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

// A reference case as the predictions of a model on clips clip000.wav, clip001.wav, ...
Predictions predictionsOf(const std::string& name) {
    const auto& c = refCase(name);
    Predictions p;
    p.multi_label = c["multi_label"].get<bool>();
    const auto C = c["n_classes"].get<std::size_t>();
    for (std::size_t k = 0; k < C; ++k)
        p.classes.push_back("class " + std::to_string(k));
    p.scores.n_classes = C;
    for (std::size_t i = 0; i < c["scores"].size(); ++i) {
        char file[32];
        std::snprintf(file, sizeof file, "clip%03zu.wav", i);
        p.files.push_back(file);
        for (const auto& v : c["scores"][i])
            p.scores.values.push_back(v.get<double>());
        std::vector<int> labels;
        if (p.multi_label) {
            for (std::size_t k = 0; k < C; ++k)
                if (c["labels"][i][k].get<int>())
                    labels.push_back(static_cast<int>(k));
        } else {
            labels.push_back(c["y_true"][i].get<int>());
        }
        p.labels.push_back(labels);
    }
    p.scores.n_samples = p.files.size();
    return p;
}

std::string readText(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(MetricsPredictionsCsv, ParsesQuotedClassNamesTimeWindowsAndMultiLabel) {
    const std::string text =
        "file,start_s,end_s,true,predicted,\"Speech, male\",dog,\"say \"\"hi\"\"\"\r\n"
        "a.wav,0,1.5,dog,dog,0.1,0.8,0.1\r\n"
        "\"b,c.wav\",1.5,3,\"Speech, male;say \"\"hi\"\"\",x,0.7,0.2,0.6\r\n";
    const auto p = parsePredictionsCsv(text, true, "t.csv");
    EXPECT_EQ(p.classes, (std::vector<std::string>{"Speech, male", "dog", "say \"hi\""}));
    EXPECT_EQ(p.files, (std::vector<std::string>{"a.wav", "b,c.wav"}));
    EXPECT_EQ(p.start_s, (std::vector<double>{0, 1.5}));
    EXPECT_EQ(p.end_s, (std::vector<double>{1.5, 3}));
    EXPECT_EQ(p.labels, (std::vector<std::vector<int>>{{1}, {0, 2}}));
    EXPECT_EQ(p.scores.values, (std::vector<double>{0.1, 0.8, 0.1, 0.7, 0.2, 0.6}));
    EXPECT_TRUE(p.multi_label);
}

TEST(MetricsPredictionsCsv, MalformedInputNamesFileAndLine) {
    const std::string head = "file,true,cat,dog\n";
    expectError([&] { parsePredictionsCsv(head + "a,cat,0.1,0.9\nb,dog,0.2\n", false, "p.csv"); },
                ErrorCode::BadFormat, "p.csv:3");
    expectError([&] { parsePredictionsCsv(head + "a,cat,0.1,zero\n", false, "p.csv"); },
                ErrorCode::BadFormat, "p.csv:2");
    expectError([&] { parsePredictionsCsv(head + "a,cow,0.1,0.9\n", false, "p.csv"); },
                ErrorCode::BadFormat, "'cow'");
    expectError([&] { parsePredictionsCsv(head + "a,cat;dog,0.1,0.9\n", false, "p.csv"); },
                ErrorCode::BadFormat, "multi-label");
    expectError([&] { parsePredictionsCsv(head + "a,,0.1,0.9\n", false, "p.csv"); },
                ErrorCode::BadFormat, "p.csv:2");
    expectError([&] { parsePredictionsCsv("name,cat,dog\na,0.1,0.9\n", false, "p.csv"); },
                ErrorCode::BadFormat, "p.csv:1");
    expectError([&] { parsePredictionsCsv(head + "\"a,cat,0.1,0.9\n", false, "p.csv"); },
                ErrorCode::BadFormat, "quoted");
    expectError([&] { parsePredictionsCsv(head, false, "p.csv"); }, ErrorCode::Dataset,
                "no clips");
    expectError([&] { parsePredictionsCsv("", false, "p.csv"); }, ErrorCode::Dataset, "empty");
    expectError([&] { readPredictionsCsv("/nonexistent/predictions.csv", false); },
                ErrorCode::FileNotFound, "/nonexistent/predictions.csv");
    // A multi-label clip may have no label at all.
    EXPECT_TRUE(parsePredictionsCsv(head + "a,,0.1,0.9\n", true).labels[0].empty());
}

TEST(MetricsPredictionsCsv, WriteThenReadRoundTripsExactly) {
    test::TempDir dir;
    for (const char* name : {"random", "multilabel"}) {
        auto p = predictionsOf(name);
        p.start_s.assign(p.size(), 0.25);
        p.end_s.assign(p.size(), 10.0 / 3.0);
        writePredictionsCsv(dir / "predictions.csv", p);
        const auto q = readPredictionsCsv(dir / "predictions.csv", p.multi_label);
        EXPECT_EQ(q.classes, p.classes);
        EXPECT_EQ(q.files, p.files);
        EXPECT_EQ(q.labels, p.labels);
        EXPECT_EQ(q.scores.values, p.scores.values);
        EXPECT_EQ(q.end_s, p.end_s);
    }
}

TEST(MetricsReport, SingleLabelAgreesWithReferenceAndWritesEveryFile) {
    const auto p = predictionsOf("random");
    const auto& ref = refCase("random");
    ReportOptions options;
    options.top_k = 2;
    options.n_failures = 5;
    const auto r = computeReport(p, options);
    EXPECT_TRUE(r.scores_are_probabilities);
    EXPECT_NEAR(r.accuracy, ref["accuracy"].get<double>(), 1e-12);
    EXPECT_NEAR(r.top_k_accuracy, ref["top_k"]["2"].get<double>(), 1e-12);
    EXPECT_NEAR(r.log_loss, ref["log_loss"].get<double>(), 1e-9);
    EXPECT_NEAR(r.classification.macro.f1, ref["prf_zero"]["macro"]["f1"].get<double>(), 1e-12);
    EXPECT_NEAR(r.ranking.mean_average_precision,
                ref["ranking"]["mean_average_precision"].get<double>(), 1e-9);

    // Failure cases: wrong ones by falling confidence, right ones by rising confidence.
    ASSERT_EQ(r.most_confident_wrong.size(), 5u);
    ASSERT_EQ(r.least_confident_right.size(), 5u);
    double highestWrong = -1;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (!r.top1_correct[i])
            highestWrong =
                std::max(highestWrong, p.scores.at(i, static_cast<std::size_t>(r.top1[i])));
    EXPECT_EQ(r.most_confident_wrong[0].predicted_score, highestWrong);
    for (std::size_t k = 1; k < 5; ++k) {
        EXPECT_GE(r.most_confident_wrong[k - 1].predicted_score,
                  r.most_confident_wrong[k].predicted_score);
        EXPECT_LE(r.least_confident_right[k - 1].predicted_score,
                  r.least_confident_right[k].predicted_score);
    }
    for (const auto& f : r.most_confident_wrong)
        EXPECT_NE(f.predicted, p.labels[f.clip][0]);
    // Most-confused pairs are the largest off-diagonal cells.
    ASSERT_FALSE(r.most_confused.empty());
    std::int64_t largest = 0;
    for (std::size_t t = 0; t < p.classes.size(); ++t)
        for (std::size_t q = 0; q < p.classes.size(); ++q)
            if (t != q)
                largest = std::max(largest, r.confusion.at(t, q));
    EXPECT_EQ(r.most_confused[0].count, largest);

    test::TempDir dir;
    writeReport(dir / "eval", p, r);
    for (const char* f : {"report.json", "report.md", "confusion.csv", "curves.csv", "failures.csv"})
        EXPECT_TRUE(std::filesystem::exists(dir / "eval" / f)) << f;
    const auto j = json::parse(readText(dir / "eval" / "report.json"));
    EXPECT_EQ(j["task"], "single-label");
    EXPECT_EQ(j["n_clips"].get<std::size_t>(), p.size());
    EXPECT_NEAR(j["metrics"]["accuracy"].get<double>(), r.accuracy, 0);
    EXPECT_EQ(j["confusion"]["counts"][1][1].get<std::int64_t>(), r.confusion.at(1, 1));
    EXPECT_EQ(j["per_class"].size(), p.classes.size());
    EXPECT_EQ(j["failures"]["most_confident_wrong"].size(), 5u);
    const auto confusion = readText(dir / "eval" / "confusion.csv");
    EXPECT_EQ(std::count(confusion.begin(), confusion.end(), '\n'),
              static_cast<long>(p.classes.size() + 1));
    const auto md = readText(dir / "eval" / "report.md");
    for (const char* section : {"## Headline metrics", "## Per class", "## Worst classes",
                                "## Most-confused pairs", "## Failure cases"})
        EXPECT_NE(md.find(section), std::string::npos) << section;
    const auto failures = readText(dir / "eval" / "failures.csv");
    EXPECT_EQ(failures.rfind("kind,rank,file,true,predicted,predicted_score,true_score\n", 0), 0u);
    EXPECT_EQ(std::count(failures.begin(), failures.end(), '\n'), 11);
    // curves.csv: every ROC point of class 0 is there (it has fewer than max_curve_points).
    const auto curves = readText(dir / "eval" / "curves.csv");
    std::size_t rocRows = 0;
    for (std::size_t pos = 0; (pos = curves.find("\nclass 0,roc,", pos)) != std::string::npos; ++pos)
        ++rocRows;
    EXPECT_EQ(rocRows, ref["ranking"]["per_class"][0]["roc"]["fpr"].size());
}

TEST(MetricsReport, MultiLabelListsClassesWithoutPositivesAndTimeWindows) {
    auto p = predictionsOf("multilabel");
    p.start_s.assign(p.size(), 1.0);
    p.end_s.assign(p.size(), 11.0);
    ReportOptions options;
    options.n_bins = 10;  // as the reference
    const auto r = computeReport(p, options);
    const auto& ref = refCase("multilabel");
    EXPECT_NEAR(r.subset_accuracy, ref["subset_accuracy"].get<double>(), 1e-12);
    EXPECT_NEAR(r.classification.micro.f1, ref["prf_zero"]["micro"]["f1"].get<double>(), 1e-12);
    EXPECT_NEAR(r.calibration.expected_calibration_error,
                ref["calibration"]["expected_calibration_error"].get<double>(), 1e-12);
    EXPECT_EQ(r.tuned_thresholds.size(), p.classes.size());
    test::TempDir dir;
    writeReport(dir.path(), p, r);
    const auto j = json::parse(readText(dir / "report.json"));
    EXPECT_EQ(j["classes_without_positives"], json::array({"class 5"}));
    EXPECT_EQ(j["classes_without_negatives"], json::array({"class 6"}));
    EXPECT_TRUE(j["per_class"][5]["average_precision"].is_null());
    EXPECT_TRUE(j["per_class"][6]["roc_auc"].is_null());
    EXPECT_FALSE(j["per_class"][6]["average_precision"].is_null());
    EXPECT_NE(readText(dir / "report.md").find("Classes without positive clips"), std::string::npos);
    const auto failures = readText(dir / "failures.csv");
    EXPECT_EQ(failures.rfind("kind,rank,file,start_s,end_s,true,", 0), 0u);
    EXPECT_EQ(readText(dir / "confusion.csv").rfind("class,tp,fp,fn,tn\n", 0), 0u);
}

TEST(MetricsReport, EmptySetIsAnErrorNotANaNReport) {
    Predictions p;
    p.classes = {"a", "b"};
    p.scores.n_classes = 2;
    expectError([&] { computeReport(p); }, ErrorCode::Dataset, "no clips");
}

TEST(MetricsReport, TopKWithKAtLeastTheClassCountIsNotReported) {
    const auto p = predictionsOf("random");  // 6 classes
    ReportOptions options;
    options.top_k = 5;
    EXPECT_FALSE(std::isnan(computeReport(p, options).top_k_accuracy));
    options.top_k = 6;
    EXPECT_TRUE(std::isnan(computeReport(p, options).top_k_accuracy));
}

TEST(MetricsReport, LogitScoresSkipLogLossAndCalibration) {
    auto p = predictionsOf("random");
    for (auto& v : p.scores.values)
        v = std::log(v);  // log-probabilities: same ranking, not probabilities
    const auto r = computeReport(p);
    EXPECT_FALSE(r.scores_are_probabilities);
    EXPECT_TRUE(std::isnan(r.log_loss));
    EXPECT_TRUE(r.calibration.bins.empty());
    EXPECT_NEAR(r.ranking.macro_roc_auc, refCase("random")["ranking"]["macro_roc_auc"].get<double>(),
                1e-9);
}

TEST(MetricsComparison, McNemarMatchesScipy) {
    for (const auto& e : reference()["mcnemar"]) {
        const auto m = mcnemarTest(e["b"].get<std::int64_t>(), e["c"].get<std::int64_t>());
        EXPECT_EQ(m.exact, e["exact"].get<bool>());
        EXPECT_NEAR(m.statistic, e["statistic"].get<double>(), 1e-12);
        EXPECT_NEAR(m.p_value, e["p_value"].get<double>(), 1e-12) << e.dump();
    }
    EXPECT_THROW(mcnemarTest(-1, 3), Error);
}

TEST(MetricsComparison, SamePredictionsGiveZeroDeltas) {
    const auto p = predictionsOf("ties");
    ComparisonOptions options;
    options.n_bootstrap = 50;
    const auto cmp = compareWithBaseline(p, p, options);
    EXPECT_EQ(cmp.n_common, p.size());
    EXPECT_TRUE(cmp.flipped.empty());
    EXPECT_EQ(cmp.mcnemar.p_value, 1.0);
    ASSERT_FALSE(cmp.metrics.empty());
    for (const auto& m : cmp.metrics) {
        EXPECT_EQ(m.delta, 0.0) << m.name;
        EXPECT_EQ(m.ci_low, 0.0) << m.name;
        EXPECT_EQ(m.ci_high, 0.0) << m.name;
    }
}

TEST(MetricsComparison, MatchesClipsByNameClassesByNameAndListsFlips) {
    const auto ours = predictionsOf("random");
    // The baseline: a weaker model (scores mixed with noise from another case), classes in reverse
    // order, rows reversed, the first clip missing and one extra clip.
    const auto other = predictionsOf("ties");
    Predictions base;
    const std::size_t C = ours.classes.size();
    base.classes.assign(ours.classes.rbegin(), ours.classes.rend());
    base.scores.n_classes = C;
    for (std::size_t i = ours.size(); i-- > 1;) {
        base.files.push_back(ours.files[i]);
        base.labels.push_back({static_cast<int>(C - 1) - ours.labels[i][0]});
        for (std::size_t c = C; c-- > 0;)
            base.scores.values.push_back(0.5 * ours.scores.at(i, c) +
                                         0.5 * other.scores.at(i % other.size(), c % 5));
    }
    base.files.push_back("extra.wav");
    base.labels.push_back({0});
    for (std::size_t c = 0; c < C; ++c)
        base.scores.values.push_back(1.0 / static_cast<double>(C));
    base.scores.n_samples = base.files.size();

    ComparisonOptions options;
    options.n_bootstrap = 200;
    const auto cmp = compareWithBaseline(ours, base, options);
    EXPECT_EQ(cmp.n_common, ours.size() - 1);
    EXPECT_EQ(cmp.only_in_ours, std::vector<std::string>{ours.files[0]});
    EXPECT_EQ(cmp.only_in_baseline, std::vector<std::string>{"extra.wav"});

    // The point estimates are the differences of the two reports on the common clips.
    Predictions a = ours, b;
    a.files.erase(a.files.begin());
    a.labels.erase(a.labels.begin());
    a.scores.values.erase(a.scores.values.begin(), a.scores.values.begin() + static_cast<long>(C));
    a.scores.n_samples -= 1;
    b = a;
    for (std::size_t i = 0; i < b.size(); ++i)
        for (std::size_t c = 0; c < C; ++c)
            b.scores.values[i * C + c] = base.scores.at(b.size() - 1 - i, C - 1 - c);
    const auto ra = computeReport(a), rb = computeReport(b);
    std::size_t checked = 0;
    for (const auto& m : cmp.metrics) {
        if (m.name == "accuracy") {
            EXPECT_NEAR(m.delta, ra.accuracy - rb.accuracy, 1e-12);
            ++checked;
        }
        if (m.name == "mAP") {
            EXPECT_NEAR(m.delta, ra.ranking.mean_average_precision - rb.ranking.mean_average_precision,
                        1e-12);
            ++checked;
        }
        if (m.name == "macro_roc_auc") {
            EXPECT_NEAR(m.delta, ra.ranking.macro_roc_auc - rb.ranking.macro_roc_auc, 1e-12);
            ++checked;
        }
        if (m.name == "macro_f1") {
            EXPECT_NEAR(m.delta, ra.classification.macro.f1 - rb.classification.macro.f1, 1e-12);
            ++checked;
        }
        EXPECT_LE(m.ci_low, m.ci_high) << m.name;
    }
    EXPECT_EQ(checked, 4u);
    EXPECT_NEAR(cmp.per_class[2].average_precision,
                ra.ranking.per_class[2].average_precision - rb.ranking.per_class[2].average_precision,
                1e-12);
    std::size_t flips = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        flips += ra.top1_correct[i] != rb.top1_correct[i];
    EXPECT_EQ(cmp.flipped.size(), flips);
    EXPECT_GT(flips, 0u);
    // Both confusion matrices on the common clips, ours in our class order.
    EXPECT_EQ(cmp.ours_confusion.counts, ra.confusion.counts);
    EXPECT_EQ(cmp.baseline_confusion.counts, rb.confusion.counts);
    EXPECT_EQ(cmp.mcnemar.only_ours_right + cmp.mcnemar.only_baseline_right,
              static_cast<std::int64_t>(flips));

    // Seeded: the same seed gives the same interval, another seed another one.
    const auto again = compareWithBaseline(ours, base, options);
    options.seed += 1;
    const auto reseeded = compareWithBaseline(ours, base, options);
    bool anyDifferent = false;
    for (std::size_t k = 0; k < cmp.metrics.size(); ++k) {
        EXPECT_EQ(cmp.metrics[k].ci_low, again.metrics[k].ci_low);
        anyDifferent |= cmp.metrics[k].ci_low != reseeded.metrics[k].ci_low;
    }
    EXPECT_TRUE(anyDifferent);

    test::TempDir dir;
    const auto report = computeReport(ours);
    writeReport(dir.path(), ours, report, &cmp);
    EXPECT_TRUE(std::filesystem::exists(dir / "flipped.csv"));
    EXPECT_TRUE(std::filesystem::exists(dir / "comparison.csv"));
    const auto j = json::parse(readText(dir / "report.json"));
    EXPECT_EQ(j["comparison"]["flipped"].size(), flips);
    EXPECT_NE(readText(dir / "report.md").find("## Comparison with the baseline"), std::string::npos);
    // Read back (the Evaluate view's comparison tab): the flipped clips and per-class deltas too.
    const auto back = readReportComparison(dir.path());
    ASSERT_TRUE(back.has_value());
    ASSERT_EQ(back->flipped.size(), cmp.flipped.size());
    for (std::size_t k = 0; k < cmp.flipped.size(); ++k) {
        EXPECT_EQ(back->flipped[k].file, cmp.flipped[k].file);
        EXPECT_EQ(back->flipped[k].now_right, cmp.flipped[k].now_right);
        EXPECT_EQ(back->flipped[k].true_labels, cmp.flipped[k].true_labels);
        EXPECT_EQ(back->flipped[k].ours_predicted, cmp.flipped[k].ours_predicted);
        EXPECT_EQ(back->flipped[k].baseline_predicted, cmp.flipped[k].baseline_predicted);
    }
    ASSERT_EQ(back->per_class.size(), cmp.per_class.size());
    EXPECT_DOUBLE_EQ(back->per_class[2].average_precision, cmp.per_class[2].average_precision);
    EXPECT_EQ(back->ours_confusion.counts, cmp.ours_confusion.counts);
    EXPECT_EQ(back->baseline_confusion.counts, cmp.baseline_confusion.counts);
    EXPECT_EQ(back->baseline_confusion.n_classes, ours.classes.size());
}

TEST(MetricsComparison, RefusesDifferentClassesAndDisagreeingLabels) {
    const auto ours = predictionsOf("constant");
    auto renamed = ours;
    renamed.classes[1] = "bird";
    expectError([&] { compareWithBaseline(ours, renamed); }, ErrorCode::Model,
                "only in the baseline: bird");
    auto relabelled = ours;
    relabelled.labels[3] = {(ours.labels[3][0] + 1) % 4};
    expectError([&] { compareWithBaseline(ours, relabelled); }, ErrorCode::Dataset,
                ours.files[3]);
    auto elsewhere = ours;
    for (auto& f : elsewhere.files)
        f = "other/" + f;
    expectError([&] { compareWithBaseline(ours, elsewhere); }, ErrorCode::Dataset, "no clip");
}

}  // namespace

TEST(MetricsReport, AConfusionCellListsItsClipsMostConfidentFirst) {
    const std::string text = "file,true,cat,dog,owl\n"
                             "a,cat,0.7,0.2,0.1\n"   // right, lead 0.5 over dog
                             "b,cat,0.2,0.5,0.3\n"   // cat read as dog, 0.3 from right
                             "c,cat,0.4,0.55,0.05\n" // cat read as dog, 0.15 from right
                             "d,dog,0.1,0.8,0.1\n"
                             "e,cat,0.9,0.05,0.05\n";
    const Predictions p = parsePredictionsCsv(text, false, "t.csv");
    const EvaluationReport r = computeReport(p);
    const std::vector<CellClip> all = confusionClips(p, r);
    ASSERT_EQ(all.size(), 5u);
    EXPECT_EQ(all[1].true_class, 0);
    EXPECT_EQ(all[1].predicted, 1);
    const auto wrong = clipsOfCell(all, 0, 1);
    ASSERT_EQ(wrong.size(), 2u);
    EXPECT_EQ(wrong[0].clip, 2u);  // 0.55 before 0.5
    EXPECT_NEAR(wrong[0].margin, 0.15, 1e-12);
    EXPECT_EQ(wrong[1].clip, 1u);
    EXPECT_NEAR(wrong[1].margin, 0.3, 1e-12);
    const auto right = clipsOfCell(all, 0, 0);
    ASSERT_EQ(right.size(), 2u);
    EXPECT_EQ(right[0].clip, 4u);
    EXPECT_NEAR(right[0].score, 0.9, 1e-12);
    EXPECT_NEAR(right[1].margin, 0.5, 1e-12);
    // The cells' clips are the matrix's counts.
    for (int t = 0; t < 3; ++t)
        for (int q = 0; q < 3; ++q)
            EXPECT_EQ(static_cast<std::int64_t>(clipsOfCell(all, t, q).size()),
                      r.confusion.at(static_cast<std::size_t>(t), static_cast<std::size_t>(q)));
    expectError([&] { confusionClips(parsePredictionsCsv("file,true,cat,dog,owl\na,cat,1,0,0\n", false), r); },
                ErrorCode::InvalidArgument, "other predictions");
    Predictions tags = p;  // multi-label: no matrix, no cells
    tags.multi_label = true;
    EXPECT_TRUE(confusionClips(tags, computeReport(tags)).empty());
}
