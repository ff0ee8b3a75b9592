// The classical floor (baseline.h): the clip statistics by hand, the logistic regression against
// scikit-learn 1.2 (tests/reference/baseline_reference.json, made by make_baseline_reference.py),
// and the whole job on tones: a dataset split, a run folder, and eval --run comparing the model
// with the run's floor.
#include "data_support.h"
#include "patchout_source_paths.h"
#include "patchout/baseline.h"
#include "patchout/error.h"
#include "patchout/recipes.h"
#include "patchout/run_folder.h"
#include "patchout/run_jobs.h"
#include "patchout/trainer.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

using namespace patchout;
using patchout::test::TempDir;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const json& reference() {
    static const json doc = [] {
        const std::string path = std::string(PATCHOUT_TESTS_DIR) + "/reference/baseline_reference.json";
        std::ifstream in(path);
        if (!in)
            throw std::runtime_error("cannot read " + path);
        return json::parse(in);
    }();
    return doc;
}

std::vector<float> flat(const json& rows, int& dim) {
    std::vector<float> out;
    dim = static_cast<int>(rows.at(0).size());
    for (const auto& row : rows)
        for (const auto& v : row)
            out.push_back(v.get<float>());
    return out;
}

// Fits a reference case and compares the test probabilities with scikit-learn's.
void expectLikeSklearn(const json& c, bool multiLabel) {
    int dim = 0;
    const std::vector<float> x = flat(c.at("x"), dim);
    const auto labels = c.at("labels").get<std::vector<std::vector<int>>>();
    BaselineOptions o;
    o.c = c.at("c").get<double>();
    const LogisticRegression m = fitLogisticRegression(x, static_cast<std::int64_t>(labels.size()), dim, labels,
                                                       c.at("classes").get<int>(), multiLabel, o);
    int testDim = 0;
    const std::vector<float> test = flat(c.at("test"), testDim);
    const auto rows = static_cast<std::int64_t>(c.at("test").size());
    const std::vector<double> p = m.predict(test, rows);
    const auto& want = c.at("proba");
    double worst = 0;
    for (std::int64_t r = 0; r < rows; ++r)
        for (int k = 0; k < m.classes; ++k)
            worst = std::max(worst, std::abs(p[static_cast<std::size_t>(r * m.classes + k)] -
                                             want.at(static_cast<std::size_t>(r)).at(static_cast<std::size_t>(k)).get<double>()));
    EXPECT_LT(worst, 2e-3) << "C " << o.c << ", " << m.iterations << " evaluations";
}

}  // namespace

TEST(Baseline, ClipStatisticsByHand) {
    Features f;
    f.n_bins = 2;
    f.n_frames = 3;
    f.data = {1, 10, 3, 10, 2, 40};  // frame-major: bin 0 = 1, 3, 2; bin 1 = 10, 10, 40
    const std::vector<float> s = clipStatistics(f);
    ASSERT_EQ(s.size(), 12u);
    const std::vector<float> want = {
        2.0f, 20.0f,                                            // means
        static_cast<float>(std::sqrt(2.0 / 3.0)), static_cast<float>(std::sqrt(200.0)),  // deviations
        3.0f, 40.0f,                                            // maxima
        0.5f, 15.0f,                                            // differences (2, -1) and (0, 30): means
        1.5f, 15.0f,                                            // their deviations
        2.0f, 30.0f};                                           // their maxima
    for (std::size_t i = 0; i < want.size(); ++i)
        EXPECT_NEAR(s[i], want[i], 1e-5) << i;
    f.n_frames = 1;
    f.data = {5, 6};
    const std::vector<float> one = clipStatistics(f);
    EXPECT_FLOAT_EQ(one[0], 5.0f);
    EXPECT_FLOAT_EQ(one[2], 0.0f);   // no spread
    EXPECT_FLOAT_EQ(one[6], 0.0f);   // no difference
}

TEST(Baseline, LogisticRegressionAgreesWithScikitLearn) {
    for (const auto& c : reference().at("single"))
        expectLikeSklearn(c, false);
    expectLikeSklearn(reference().at("multi"), true);
}

TEST(Baseline, LogisticRegressionRefusesBadInput) {
    const std::vector<float> x = {0, 1, 2, 3};
    EXPECT_THROW(fitLogisticRegression(x, 2, 2, {{0}, {0}}, 2, false), Error);  // one class only
    EXPECT_THROW(fitLogisticRegression(x, 2, 3, {{0}, {1}}, 2, false), Error);  // sizes
    EXPECT_THROW(fitLogisticRegression(x, 2, 2, {{0}, {2}}, 2, false), Error);  // label out of range
    EXPECT_THROW(fitLogisticRegression(x, 2, 2, {{0, 1}, {1}}, 2, false), Error);  // two labels
    BaselineOptions bad;
    bad.c = 0;
    EXPECT_THROW(fitLogisticRegression(x, 2, 2, {{0}, {1}}, 2, false, bad), Error);
}

TEST(Baseline, RunsOnADatasetSplitAndBesideARun) {
    TempDir dir;
    const Dataset ds = test::toneDataset(dir / "tones");
    std::vector<Progress> seen;
    JobControl job([&](const Progress& p) { seen.push_back(p); });
    const BaselineResult r = runBaseline(ds, defaultTrainSplit(ds), "test", dir / "floor", {}, &job);
    EXPECT_EQ(r.train_clips, 8u);
    EXPECT_EQ(r.report.n_clips, 4u);
    EXPECT_DOUBLE_EQ(r.report.accuracy, 1.0);  // tones an octave and more apart
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back().step, 12);
    for (const char* f : {"predictions.csv", "report.json", "report.md"})
        EXPECT_TRUE(fs::is_regular_file(dir / "floor" / f)) << f;

    // Beside a run: its split and feature cache, into RUN/baseline; eval --run then compares.
    TrainOptions o = trainRecipe("from-scratch");
    o.epochs = 1;
    o.batch_size = 4;
    o.warmup_steps = 1;
    train(ds, defaultTrainSplit(ds), o, dir / "run");
    const BaselineResult floor = baselineRun(dir / "run");
    EXPECT_EQ(floor.report.n_clips, 4u);
    EXPECT_TRUE(fs::is_regular_file(RunPaths(dir / "run").baseline() / "predictions.csv"));
    const EvaluateResult e = evaluateRun(dir / "run");
    ASSERT_TRUE(e.comparison.has_value());
    EXPECT_EQ(e.comparison->n_common, 4u);
    JobControl stop;
    stop.cancel();
    EXPECT_THROW(baselineRun(dir / "run", "test", {}, &stop), Error);
}
