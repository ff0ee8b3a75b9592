#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/run_folder.h"
#include "data_support.h"
#include "test_support.h"

#include <cmath>

using namespace patchout;
namespace fs = std::filesystem;

namespace {

const char* kMetrics =
    R"({"type":"step","epoch":1,"step":5,"loss":2.3,"lr":0.0001,"examples_per_s":300})"
    "\n"
    R"({"type":"step","epoch":1,"step":10,"loss":2.1,"lr":0.0002,"examples_per_s":310})"
    "\n"
    R"({"type":"epoch","epoch":1,"step":10,"train_loss":2.2,"lr":0.0002,"validation":{"examples":40,"loss":1.9,"accuracy":0.35},"seconds":4.5})"
    "\n"
    R"({"type":"epoch","epoch":2,"step":20,"train_loss":1.7,"lr":0.0001,"seconds":4.0})"
    "\n";

void writeRun(const std::filesystem::path& dir) {
    writeTextAtomically(dir / "config.json",
                        R"({"options":{"preset":"passt-micro","epochs":50,"seed":7},"split":{"name":"group"},)"
                        R"("dataset":{"root":"/data/words","classes":["yes","no"],"multi_label":false}})");
    writeTextAtomically(dir / "metrics.jsonl", kMetrics);
}

}  // namespace

TEST(RunFolder, ParsesStepAndEpochLines) {
    const auto c = parseTrainingCurves(kMetrics);
    ASSERT_EQ(c.steps.size(), 2u);
    EXPECT_EQ(c.steps[1].step, 10);
    EXPECT_DOUBLE_EQ(c.steps[1].loss, 2.1);
    EXPECT_DOUBLE_EQ(c.steps[1].examples_per_s, 310);
    ASSERT_EQ(c.epochs.size(), 2u);
    EXPECT_EQ(c.epochs[0].epoch, 1);
    EXPECT_DOUBLE_EQ(c.epochs[0].validation_accuracy, 0.35);
    EXPECT_DOUBLE_EQ(c.epochs[0].validation_loss, 1.9);
    EXPECT_DOUBLE_EQ(c.epochs[0].seconds, 4.5);
    EXPECT_TRUE(std::isnan(c.epochs[1].validation_accuracy));  // a run without validation
}

TEST(RunFolder, SkipsATornLastLineButNotABadMiddleLine) {
    const std::string torn = std::string(kMetrics) + R"({"type":"step","epoch":3,"st)";
    EXPECT_EQ(parseTrainingCurves(torn).steps.size(), 2u);
    const std::string bad = std::string("{\"type\":\"step\"}\nnot json\n") + kMetrics;
    try {
        parseTrainingCurves(bad, "run/metrics.jsonl");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadFormat);
        EXPECT_NE(std::string(e.what()).find("run/metrics.jsonl:2"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parseTrainingCurves("[1, 2]\n{}\n"), Error);  // not an object
}

// Found by fuzz_metrics_jsonl: a field of another type threw nlohmann's type_error past every
// caller that expects patchout::Error (the Train view among them).
TEST(RunFolder, AFieldOfTheWrongTypeReadsAsAbsent) {
    const auto c = parseTrainingCurves(
        "{\"type\":9800149683}\n"
        "{\"type\":\"step\",\"epoch\":\"one\",\"step\":2.5,\"loss\":\"x\"}\n"
        "{\"type\":\"epoch\",\"epoch\":1,\"validation\":[1,2]}\n");
    ASSERT_EQ(c.steps.size(), 1u);
    EXPECT_EQ(c.steps[0].epoch, 0);
    EXPECT_EQ(c.steps[0].step, 0);
    EXPECT_TRUE(std::isnan(c.steps[0].loss));
    ASSERT_EQ(c.epochs.size(), 1u);
    EXPECT_TRUE(std::isnan(c.epochs[0].validation_loss));
    // A number beyond double is nlohmann's out_of_range, not a parse_error: still ours.
    EXPECT_THROW(parseTrainingCurves("{\"loss\":2.3e4478}\n{}\n"), Error);
}

TEST(RunFolder, ReadsWhatTheRunHolds) {
    test::TempDir dir;
    writeRun(dir.path());
    RunFolder run = readRunFolder(dir.path());
    EXPECT_EQ(run.preset, "passt-micro");
    EXPECT_EQ(run.planned_epochs, 50);
    EXPECT_EQ(run.split, "group");
    EXPECT_EQ(run.seed, 7u);
    EXPECT_EQ(run.dataset, "/data/words");
    EXPECT_EQ(run.classes, (std::vector<std::string>{"yes", "no"}));
    EXPECT_EQ(run.curves.epochs.size(), 2u);
    EXPECT_TRUE(run.best_checkpoint.empty());  // not written yet: a run in its first epoch
    EXPECT_TRUE(run.eval_dir.empty());
    writeTextAtomically(dir / "checkpoints" / "best.safetensors", "x");
    writeTextAtomically(dir / "eval" / "predictions.csv", "file,label\n");
    writeTextAtomically(dir / "embeddings" / "tensors.tsv", "1\t2\n");
    run = readRunFolder(dir.path());
    EXPECT_EQ(run.best_checkpoint, dir / "checkpoints" / "best.safetensors");
    EXPECT_TRUE(run.last_checkpoint.empty());
    EXPECT_EQ(run.eval_dir, dir / "eval");
    EXPECT_EQ(run.embeddings_dir, dir / "embeddings");
}

TEST(RunFolder, RefusesWhatIsNotARun) {
    test::TempDir dir;
    auto codeOf = [](const std::filesystem::path& p) {
        try {
            readRunFolder(p);
        } catch (const Error& e) {
            return e.code();
        }
        return ErrorCode::Internal;
    };
    EXPECT_EQ(codeOf(dir / "missing"), ErrorCode::FileNotFound);
    EXPECT_FALSE(isRunFolder(dir.path()));
    EXPECT_EQ(codeOf(dir.path()), ErrorCode::Dataset);
    writeRun(dir.path());
    EXPECT_TRUE(isRunFolder(dir.path()));
    writeTextAtomically(dir / "config.json", "{\"options\": ");
    EXPECT_EQ(codeOf(dir.path()), ErrorCode::BadFormat);
}

TEST(RunFolder, ItsDatasetIsReadAsTrainingReadIt) {
    test::TempDir dir;
    const fs::path data = dir / "data", runDir = dir / "run";
    test::toneDataset(data, 3);
    test::appendLine(data / "labels.csv", "gone.wav,tone0,train");  // a row naming a missing file
    auto writeConfig = [&](bool skip) {
        writeTextAtomically(runDir / "config.json",
                            std::string(R"({"options":{"preset":"passt-micro","skip_bad_rows":)") +
                                (skip ? "true" : "false") + R"(},"dataset":{"root":")" + data.string() + "\"}}");
        writeTextAtomically(runDir / "metrics.jsonl", kMetrics);
    };
    writeConfig(false);  // a strict run refuses the dataset, naming the row
    test::expectError([&] { readRunDataset(readRunFolder(runDir)); }, ErrorCode::Dataset, "gone.wav");
    writeConfig(true);   // trained without it: its jobs read it without it too
    const Dataset ds = readRunDataset(readRunFolder(runDir));
    EXPECT_EQ(ds.clips.size(), 6u);
    EXPECT_EQ(ds.skipped_rows, 1u);
    fs::remove_all(data);
    test::expectError([&] { readRunDataset(readRunFolder(runDir)); }, ErrorCode::FileNotFound, "no longer there");
}

TEST(RunFolder, TheBestEpochIsTheFirstWithTheHighestValidationAccuracy) {
    TrainingCurves c;
    EXPECT_EQ(c.bestEpoch(), nullptr);
    for (double acc : {std::nan(""), 0.3, 0.6, 0.6, 0.5})
        c.epochs.push_back({.epoch = static_cast<int>(c.epochs.size()) + 1, .validation_accuracy = acc});
    ASSERT_NE(c.bestEpoch(), nullptr);
    EXPECT_EQ(c.bestEpoch()->epoch, 3);
    c.epochs.resize(1);  // only an unvalidated epoch
    EXPECT_EQ(c.bestEpoch(), nullptr);
}
