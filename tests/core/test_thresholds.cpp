// Decision thresholds of multi-label models: per class with a global fallback, the thresholds.json
// round trip and its malformed forms, what goes with a model file (its run's), operating points
// counted by hand, and the classes present in a clip.
#include "data_support.h"
#include "multi_label_fixture.h"
#include "patchout/classifier.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/run_folder.h"
#include "patchout/thresholds.h"
#include "test_support.h"

#include <gtest/gtest.h>

using namespace patchout;
namespace fs = std::filesystem;

TEST(Thresholds, PerClassOverGlobalAndTheirFileRoundTrips) {
    DecisionThresholds t;
    t.global = 0.4;
    t.per_class = {{"cat", 0.65}};
    EXPECT_DOUBLE_EQ(t.of("cat"), 0.65);
    EXPECT_DOUBLE_EQ(t.of("dog"), 0.4);
    EXPECT_EQ(t.forLabels({"dog", "cat"}), (std::vector<double>{0.4, 0.65}));
    test::TempDir dir;
    writeDecisionThresholds(dir / "t.json", t);
    const DecisionThresholds back = readDecisionThresholds(dir / "t.json");
    EXPECT_DOUBLE_EQ(back.global, 0.4);
    EXPECT_EQ(back.per_class, t.per_class);
    test::expectError([&] { readDecisionThresholds(dir / "none.json"); }, ErrorCode::FileNotFound, "none.json");
    for (const char* bad : {"[1]", "{\"global\": 2}", "{\"per_class\": {\"cat\": \"high\"}}", "{\"per_class\": 3}", "{x"}) {
        test::writeText(dir / "bad.json", bad);
        test::expectError([&] { readDecisionThresholds(dir / "bad.json"); }, ErrorCode::BadFormat, "thresholds");
    }
    t.per_class["owl"] = -0.1;
    test::expectError([&] { writeDecisionThresholds(dir / "t.json", t); }, ErrorCode::InvalidArgument, "owl");
    EXPECT_DOUBLE_EQ(readDecisionThresholds(dir / "t.json").global, 0.4);  // the good file stays
}

TEST(Thresholds, AModelTakesItsRunsThresholds) {
    test::TempDir dir;
    const RunPaths run(dir / "run");
    writeTextAtomically(run.config(), "{}");
    writeTextAtomically(run.bestModel(), "x");
    EXPECT_DOUBLE_EQ(thresholdsForModel(run.bestModel()).global, 0.5);  // none saved: 0.5
    writeDecisionThresholds(run.thresholds(), {.global = 0.3, .per_class = {{"owl", 0.9}}});
    EXPECT_DOUBLE_EQ(thresholdsForModel(run.bestModel()).of("owl"), 0.9);
    EXPECT_DOUBLE_EQ(thresholdsForModel(dir / "elsewhere.safetensors").global, 0.5);
}

TEST(Thresholds, OperatingPointsCountByHand) {
    const Predictions p = test::dogCatOwl();
    // dog at 0.35: a (0.9, dog) found, d (0.3, dog) missed, b (0.4, cat) a false alarm.
    const OperatingPoint dog = operatingPoint(p, 0, 0.35);
    EXPECT_EQ(dog.tp, 1);
    EXPECT_EQ(dog.fp, 1);
    EXPECT_EQ(dog.fn, 1);
    EXPECT_DOUBLE_EQ(dog.precision, 0.5);
    EXPECT_DOUBLE_EQ(dog.recall, 0.5);
    EXPECT_DOUBLE_EQ(dog.f1, 0.5);
    const OperatingPoint none = operatingPoint(p, 2, 0.95);  // nothing said: precision 0, not NaN
    EXPECT_EQ(none.tp + none.fp, 0);
    EXPECT_DOUBLE_EQ(none.precision, 0.0);
    // Every class at its own: dog 0.35 (1/1/1), cat 0.65 (a? 0.6 no; b 0.7 yes: 1 tp, 0 fp, 1 fn),
    // owl 0.5 (c yes, d 0.6 false alarm: 1 tp, 1 fp, 0 fn).
    const OperatingPoint all = microOperatingPoint(p, {0.35, 0.65, 0.5});
    EXPECT_EQ(all.tp, 3);
    EXPECT_EQ(all.fp, 2);
    EXPECT_EQ(all.fn, 2);
    EXPECT_DOUBLE_EQ(all.f1, 6.0 / 10.0);
    test::expectError([&] { operatingPoint(p, 3, 0.5); }, ErrorCode::InvalidArgument, "outside 3 classes");
    test::expectError([&] { microOperatingPoint(p, {0.5}); }, ErrorCode::InvalidArgument, "one threshold per class");
}

TEST(Thresholds, PresentClassesAreThoseAtTheirThresholdBestFirst) {
    const auto present = presentClasses({0.9f, 0.2f, 0.6f, 0.65f}, {0.5, 0.1, 0.7, 0.65});
    ASSERT_EQ(present.size(), 3u);
    EXPECT_EQ(present[0].first, 0);
    EXPECT_EQ(present[1].first, 3);  // at its threshold counts
    EXPECT_EQ(present[2].first, 1);
    EXPECT_THROW(presentClasses({0.9f}, {0.5, 0.5}), Error);
}

TEST(Thresholds, MultiLabelConfusionCountsFoundAndFalseAlarmsPerTrueClass) {
    // x is a and b, y is b, z is a; at 0.5 x says a, b, c; y says b; z says b.
    const Predictions p = parsePredictionsCsv("file,true,a,b,c\nx,a;b,0.9,0.6,0.7\ny,b,0.2,0.7,0.1\nz,a,0.4,0.8,0.1\n",
                                              true);
    const ConfusionMatrix m = multiLabelConfusion(p, {0.5, 0.5, 0.5});
    ASSERT_EQ(m.n_classes, 3u);
    // Row a (x, z): x finds a, its b is a label (no alarm), its c is an alarm; z misses a, says b.
    EXPECT_EQ(m.counts, (std::vector<std::int64_t>{1, 1, 1, /* b: x and y found, x's c */ 0, 2, 1, /* c */ 0, 0, 0}));
    const auto zb = multiLabelCellClips(p, {0.5, 0.5, 0.5}, 0, 1);
    ASSERT_EQ(zb.size(), 1u);
    EXPECT_EQ(p.files[zb[0].clip], "z");
    EXPECT_DOUBLE_EQ(zb[0].score, 0.8);
    EXPECT_NEAR(zb[0].margin, 0.3, 1e-12);
    const auto found = multiLabelCellClips(p, {0.5, 0.5, 0.5}, 1, 1);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(p.files[found[0].clip], "y");  // highest score first
    EXPECT_EQ(p.files[found[1].clip], "x");
    // Each class at its own threshold: b at 0.75 keeps z's alarm, loses both finds.
    const ConfusionMatrix own = multiLabelConfusion(p, {0.5, 0.75, 0.5});
    EXPECT_EQ(own.at(0, 1), 1);
    EXPECT_EQ(own.at(1, 1), 0);
    EXPECT_TRUE(multiLabelCellClips(p, {0.5, 0.75, 0.5}, 1, 1).empty());
    EXPECT_THROW(multiLabelConfusion(p, {0.5}), Error);
    EXPECT_THROW(multiLabelCellClips(p, {0.5, 0.5, 0.5}, 3, 0), Error);
    EXPECT_TRUE(p.hasLabel(0, 1));   // x is a and b
    EXPECT_FALSE(p.hasLabel(1, 0));  // y is b only
    test::expectError([&] { p.checkThresholds({0.5, 0.5}); }, ErrorCode::InvalidArgument, "one threshold per class");
    p.checkThresholds({0.1, 0.2, 0.3});
    // computeReport's most confused pairs are this matrix's off-diagonal at one threshold.
    const EvaluationReport report = computeReport(p, {.threshold = 0.5});
    ASSERT_EQ(report.most_confused.size(), 3u);
    for (const auto& pair : report.most_confused)
        EXPECT_EQ(pair.count, m.at(static_cast<std::size_t>(pair.true_class), static_cast<std::size_t>(pair.predicted_class)));
}
