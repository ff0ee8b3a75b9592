// Evaluating a model on a dataset: labels matched by name (refused with the differences listed),
// splits chosen by name (an empty one is an error), and predictDataset's rows equal to the
// classifier's own clip scores in the model's class order.
#include "patchout/evaluate.h"

#include "patchout/audio_file.h"
#include "patchout/audio_source.h"
#include "patchout/error.h"
#include "patchout/passt.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

using namespace patchout;
using patchout::test::TempDir;

namespace {

std::string errorMessage(const std::function<void()>& f, ErrorCode expected) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), expected) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no error";
    return {};
}

}  // namespace

TEST(Evaluate, MatchLabelsByName) {
    EXPECT_EQ(matchLabels({"a", "b", "c"}, {"a", "b", "c"}, false), (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(matchLabels({"c", "a", "b"}, {"a", "b", "c"}, false), (std::vector<int>{1, 2, 0}));
    // Different sets: both sides of the difference are named.
    const std::string m = errorMessage([] { matchLabels({"a", "b", "dog"}, {"a", "b", "cat"}, false); },
                                       ErrorCode::Dataset);
    EXPECT_NE(m.find("only in the model (1): dog"), std::string::npos) << m;
    EXPECT_NE(m.find("only in the dataset (1): cat"), std::string::npos) << m;
    // A dataset with fewer classes: refused unless asked, then mapped.
    const std::string s = errorMessage([] { matchLabels({"a", "b", "c"}, {"c", "a"}, false); },
                                       ErrorCode::Dataset);
    EXPECT_NE(s.find("map labels"), std::string::npos) << s;
    EXPECT_EQ(matchLabels({"a", "b", "c"}, {"c", "a"}, true), (std::vector<int>{2, 0}));
    // Mapping never invents a class the model lacks.
    errorMessage([] { matchLabels({"a", "b"}, {"a", "z"}, true); }, ErrorCode::Dataset);
    errorMessage([] { matchLabels({"a", "a"}, {"a"}, false); }, ErrorCode::Model);
}

TEST(Evaluate, SplitClipsByName) {
    Dataset ds;
    ds.root = "/data";
    ds.clips.resize(5);
    DatasetSplit split;
    split.train = {0, 1, 2};
    split.test = {3, 4};
    EXPECT_EQ(splitClips(ds, split, "test"), (std::vector<std::size_t>{3, 4}));
    EXPECT_EQ(splitClips(ds, split, "all").size(), 5u);
    const std::string m =
        errorMessage([&] { splitClips(ds, split, "validation"); }, ErrorCode::Dataset);
    EXPECT_NE(m.find("validation split"), std::string::npos) << m;
    errorMessage([&] { splitClips(ds, split, "dev"); }, ErrorCode::InvalidArgument);
}

TEST(Evaluate, PredictDatasetGivesTheClassifierScoresInModelOrder) {
    TempDir dir;
    // Two classes as folders ("high", "low"); the model lists them the other way round.
    for (const char* cls : {"high", "low"})
        for (int i = 0; i < 2; ++i) {
            SignalOptions s;
            s.kind = SignalKind::Sine;
            s.frequency_hz = (std::string(cls) == "high" ? 3000.0 : 200.0) + 50.0 * i;
            s.duration_s = 0.5 + 0.4 * i;
            std::filesystem::create_directories(dir / "data" / cls);
            saveWav(dir / "data" / cls / (std::to_string(i) + ".wav"), synthesize(s));
        }
    const Dataset ds = readDataset(dir / "data");
    ASSERT_EQ(ds.classes, (std::vector<std::string>{"high", "low"}));
    PaSSTOptions mo = passtPreset("passt-micro");
    mo.num_classes = 2;
    Classifier classifier(PaSSTModel(mo, 4), {"low", "high"}, ScoreActivation::Softmax);
    std::vector<std::size_t> all{0, 1, 2, 3};
    const Predictions p = predictDataset(classifier, ds, all);
    ASSERT_EQ(p.size(), 4u);
    EXPECT_EQ(p.classes, (std::vector<std::string>{"low", "high"}));
    std::vector<std::filesystem::path> files;
    for (std::size_t i : all)
        files.push_back(ds.root / ds.clips[i].path);
    Classifier again(PaSSTModel(mo, 4), {"low", "high"}, ScoreActivation::Softmax);
    const auto direct = again.classifyFiles(files);
    for (std::size_t r = 0; r < 4; ++r) {
        EXPECT_EQ(p.files[r], ds.clips[r].path);  // dataset-relative
        const int expected = ds.classes[static_cast<std::size_t>(ds.clips[r].labels[0])] == "low" ? 0 : 1;
        EXPECT_EQ(p.labels[r], std::vector<int>{expected});
        for (std::size_t c = 0; c < 2; ++c)
            EXPECT_FLOAT_EQ(static_cast<float>(p.scores.at(r, c)), direct[r].scores[c]);
    }
    const EvaluationReport report = computeReport(p);
    EXPECT_EQ(report.n_clips, 4u);

    // A model for other classes is refused before anything runs; so is one without labels.
    Classifier other(PaSSTModel(mo, 4), {"low", "dog"}, ScoreActivation::Softmax);
    errorMessage([&] { predictDataset(other, ds, all); }, ErrorCode::Dataset);
    Classifier unlabelled(PaSSTModel(mo, 4), {}, ScoreActivation::Softmax);
    errorMessage([&] { predictDataset(unlabelled, ds, all); }, ErrorCode::Model);
    errorMessage([&] { predictDataset(classifier, ds, {}); }, ErrorCode::Dataset);
}
