// The trainer: options and their JSON form, the learning-rate schedule, the default split,
// learning on generated tones, the run folder, exact resume after a clean stop and after SIGKILL,
// fine-tuning with a new head and frozen blocks, and data-parallel training over Gloo (two
// processes on 127.0.0.1 against one process on the combined batches; a rank that dies).
// Processes are this test binary started again on the hidden worker test below, so each rank has
// a fresh LibTorch (no fork of a process whose thread pools already run).
#include "data/portable_random.h"
#include "data_support.h"
#include "model/passt_module.h"
#include "patchout/batch_loader.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/feature_cache.h"
#include "patchout/run_folder.h"
#include "patchout/system_info.h"
#include "patchout/trainer.h"
#include "test_support.h"
#include "train/augment.h"

#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <random>
#include <set>
#include <thread>

using namespace patchout;
using patchout::test::TempDir;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Three classes of tones far apart in frequency, `perClass` clips each (every third one test),
// 0.5 s at 32 kHz so they pad (never crop) to the model's 100 frames.
Dataset toneDataset(const fs::path& root, int perClass = 12) {
    const double base[] = {300.0, 1200.0, 4000.0};
    std::string csv = "filename,label,split\n";
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < perClass; ++i) {
            const std::string name = "k" + std::to_string(c) + "_" + std::to_string(i) + ".wav";
            test::writeTone(root / name, base[c] * (1.0 + 0.01 * i), 0.5, 32000);
            csv += name + ",tone" + std::to_string(c) + "," + (i % 3 == 2 ? "test" : "train") + "\n";
        }
    test::writeText(root / "labels.csv", csv);
    return readDataset(root);
}

TrainOptions quickOptions(const fs::path& cache) {
    TrainOptions o;
    o.preset = "passt-micro";
    o.epochs = 2;
    o.batch_size = 8;
    o.lr = 1e-3;
    o.warmup_steps = 2;
    o.log_every_steps = 1;
    o.cache_dir = cache;
    o.validation_fraction = 0;  // these tests count training clips and steps (carving has its own)
    return o;
}

std::map<std::string, torch::Tensor> weightsOf(const fs::path& file) {
    ModelCheckpoint ck = loadModel(file);
    std::map<std::string, torch::Tensor> out;
    for (const auto& item : ck.model.module()->named_parameters())
        out[item.key()] = item.value().detach().clone();
    return out;
}

double maxDifference(const std::map<std::string, torch::Tensor>& a,
                     const std::map<std::string, torch::Tensor>& b) {
    double worst = 0;
    for (const auto& [name, t] : a) {
        EXPECT_TRUE(b.count(name)) << name;
        if (b.count(name))
            worst = std::max(worst, (t - b.at(name)).abs().max().item<double>());
    }
    return worst;
}

std::vector<json> metricLines(const fs::path& file) {
    std::ifstream in(file);
    std::vector<json> lines;
    std::string line;
    while (std::getline(in, line))
        lines.push_back(json::parse(line));  // throws (fails the test) on a torn line
    return lines;
}

// Starts this binary on the worker test with `config` (JSON: dataset, run, options, ...).
pid_t startWorker(const fs::path& config) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setenv("PATCHOUT_TRAIN_WORKER", config.c_str(), 1);
        ::execl("/proc/self/exe", "core_tests", "--gtest_filter=TrainerWorker.DISABLED_Run",
                "--gtest_also_run_disabled_tests", "--gtest_brief=1", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

// Waits up to `seconds`; kills the worker and returns -1 when it is still running.
int waitWorker(pid_t pid, double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    int status = 0;
    while (std::chrono::steady_clock::now() < until) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
}

void writeWorkerConfig(const fs::path& file, const fs::path& dataset, const fs::path& run,
                       const TrainOptions& o, const fs::path& report, int dieAtStep = 0) {
    json j = {{"dataset", dataset.string()},
              {"run", run.string()},
              {"options", json::parse(trainOptionsToJson(o))},
              {"report", report.string()},
              {"die_at_step", dieAtStep}};
    test::writeText(file, j.dump());
}

TrainOptions plainOptions(const fs::path& cache) {
    TrainOptions o = quickOptions(cache);
    o.augment.mixup_alpha = 0;
    o.augment.roll_frames = 0;
    o.augment.gain_db = 0;
    o.augment.time_masks = 0;
    o.augment.freq_masks = 0;
    return o;
}

}  // namespace

// The process body the tests above start: trains as told, writes what happened to `report`.
TEST(TrainerWorker, DISABLED_Run) {
    const char* configPath = std::getenv("PATCHOUT_TRAIN_WORKER");
    if (configPath == nullptr)
        GTEST_SKIP() << "started by the multi-process trainer tests only";
    const json config = json::parse(test::readText(configPath));
    const Dataset ds = readDataset(config["dataset"].get<std::string>());
    const TrainOptions o = trainOptionsFromJson(config["options"].dump());
    const int dieAt = config["die_at_step"].get<int>();
    JobControl job([&](const Progress& p) {
        if (dieAt > 0 && p.step >= dieAt)
            ::_exit(3);  // as abruptly as a crash: no destructors, no goodbye to the peers
    });
    json report;
    try {
        const TrainResult r = train(ds, defaultTrainSplit(ds), o, config["run"].get<std::string>(), &job);
        report = {{"ok", true}, {"steps", r.steps}, {"digest", std::to_string(r.weights_digest)}};
    } catch (const Error& e) {
        report = {{"ok", false}, {"code", errorCodeName(e.code())}, {"what", e.what()}};
    }
    test::writeText(config["report"].get<std::string>(), report.dump());
}

TEST(TrainerOptions, ValidateNamesTheBadField) {
    EXPECT_NO_THROW(TrainOptions{}.validate());
    auto fails = [](auto change, const std::string& field) {
        TrainOptions o;
        change(o);
        try {
            o.validate();
            ADD_FAILURE() << "accepted bad " << field;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
            EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
        }
    };
    fails([](TrainOptions& o) { o.epochs = 0; }, "epochs");
    fails([](TrainOptions& o) { o.batch_size = 0; }, "batch_size");
    fails([](TrainOptions& o) { o.lr = -1; }, "lr");
    fails([](TrainOptions& o) { o.schedule = "step"; }, "schedule");
    fails([](TrainOptions& o) { o.loss = "mse"; }, "loss");
    fails([](TrainOptions& o) { o.rank = 2; }, "rank");
    fails([](TrainOptions& o) { o.augment.mixup_prob = 2; }, "mixup_prob");
    fails([](TrainOptions& o) { o.accumulate_steps = 0; }, "accumulate_steps");
    fails([](TrainOptions& o) { o.device = "gpu"; }, "device");
}

TEST(TrainerOptions, JsonRoundTripAndUnknownFields) {
    TrainOptions o;
    o.preset = "passt-micro";
    o.epochs = 7;
    o.lr = 2.5e-4;
    o.schedule = "linear";
    o.augment.mixup_alpha = 0.5;
    o.patchout.s_patchout_t = 3;
    o.cache_dir = "/tmp/c";
    o.extra_train = {"/data/synth", "more"};
    const TrainOptions back = trainOptionsFromJson(trainOptionsToJson(o));
    EXPECT_EQ(back.extra_train, o.extra_train);
    EXPECT_EQ(back.preset, "passt-micro");
    EXPECT_EQ(back.epochs, 7);
    EXPECT_DOUBLE_EQ(back.lr, 2.5e-4);
    EXPECT_EQ(back.schedule, "linear");
    EXPECT_DOUBLE_EQ(back.augment.mixup_alpha, 0.5);
    EXPECT_EQ(back.patchout.s_patchout_t, 3);
    EXPECT_EQ(back.cache_dir, fs::path("/tmp/c"));
    // Absent fields keep the base's values.
    const TrainOptions partial = trainOptionsFromJson(R"({"epochs": 3, "augment": {"gain_db": 0}})", o);
    EXPECT_EQ(partial.epochs, 3);
    EXPECT_EQ(partial.preset, "passt-micro");
    EXPECT_DOUBLE_EQ(partial.augment.gain_db, 0.0);
    EXPECT_DOUBLE_EQ(partial.augment.mixup_alpha, 0.5);
    EXPECT_THROW(trainOptionsFromJson(R"({"epoch": 3})"), Error);
    EXPECT_THROW(trainOptionsFromJson(R"({"augment": {"mix": 1}})"), Error);
    EXPECT_THROW(trainOptionsFromJson(R"({"epochs": "many"})"), Error);
    EXPECT_THROW(trainOptionsFromJson("{not json"), Error);
}

TEST(TrainerSchedule, WarmupThenCosineOrLinearDecay) {
    TrainOptions o;
    o.lr = 1e-3;
    o.min_lr = 1e-5;
    // Warm-up: step s of 10 runs at lr * (s + 1) / 10.
    EXPECT_DOUBLE_EQ(learningRateAt(o, 0, 110, 10), 1e-4);
    EXPECT_DOUBLE_EQ(learningRateAt(o, 9, 110, 10), 1e-3);
    // Cosine over the remaining 100 steps: peak, half way the mean of peak and floor, then floor.
    EXPECT_NEAR(learningRateAt(o, 10, 110, 10), 1e-3, 1e-12);
    EXPECT_NEAR(learningRateAt(o, 60, 110, 10), (1e-3 + 1e-5) / 2, 1e-12);
    EXPECT_NEAR(learningRateAt(o, 110, 110, 10), 1e-5, 1e-12);
    o.schedule = "linear";
    EXPECT_NEAR(learningRateAt(o, 35, 110, 10), 1e-5 + (1e-3 - 1e-5) * 0.75, 1e-12);
    o.schedule = "constant";
    EXPECT_DOUBLE_EQ(learningRateAt(o, 100, 110, 10), 1e-3);
}

TEST(TrainerSplit, OwnSplitElseGroupsElseError) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones", 6);
    const DatasetSplit own = defaultTrainSplit(ds);
    EXPECT_EQ(own.train.size(), 12u);
    EXPECT_EQ(own.test.size(), 6u);
    Dataset grouped = ds;
    for (std::size_t i = 0; i < grouped.clips.size(); ++i) {
        grouped.clips[i].split.clear();
        grouped.clips[i].group = "speaker" + std::to_string(i % 6);
    }
    const DatasetSplit bySpeaker = defaultTrainSplit(grouped);
    EXPECT_EQ(bySpeaker.train.size() + bySpeaker.validation.size() + bySpeaker.test.size(), 18u);
    EXPECT_FALSE(bySpeaker.test.empty());
    // By name, as `train --split` and `eval` (from config.json) ask for it.
    EXPECT_EQ(trainSplit(ds, "own").test, own.test);
    EXPECT_EQ(trainSplit(ds, "auto").name, own.name);
    Dataset both = ds;  // a split of its own and speakers: "group" ignores the own split
    for (std::size_t i = 0; i < both.clips.size(); ++i)
        both.clips[i].group = "speaker" + std::to_string(i % 6);
    EXPECT_EQ(trainSplit(both, "group", 5).name, "group");
    EXPECT_EQ(trainSplit(both, "group", 5).test, trainSplit(both, "group", 5).test);
    EXPECT_THROW(trainSplit(ds, "random"), Error);
    for (auto& c : grouped.clips)
        c.group.clear();
    EXPECT_THROW(defaultTrainSplit(grouped), Error);
}

TEST(Trainer, LearnsTonesAndWritesTheRunFolder) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones");
    // A ViT from scratch sits at chance for a few dozen steps before it finds the tone: 72 steps
    // of 4 clips, no augmentation (learning, not regularisation), seed 0.
    TrainOptions o = plainOptions(dir / "cache");
    o.epochs = 12;
    o.batch_size = 4;
    o.warmup_steps = 6;
    std::vector<Progress> seen;
    JobControl job([&](const Progress& p) { seen.push_back(p); });
    const TrainResult r = train(ds, defaultTrainSplit(ds), o, dir / "run", &job);
    EXPECT_TRUE(r.finished);
    EXPECT_EQ(r.epochs_done, 12);
    EXPECT_EQ(r.steps, 12 * 6);  // 24 training clips in batches of 4
    EXPECT_EQ(r.test.examples, 12u);
    EXPECT_GE(r.test.accuracy, 0.75) << "loss " << r.test.loss;  // chance: 1/3
    ASSERT_EQ(r.epochs.size(), 12u);
    EXPECT_LT(r.epochs.back().train_loss, 0.6 * r.epochs.front().train_loss);
    // Progress carries what the progress bar shows.
    ASSERT_FALSE(seen.empty());
    for (const char* key : {"loss", "lr", "examples_per_s", "eta_s"})
        EXPECT_TRUE(seen.front().metrics.count(key)) << key;
    EXPECT_EQ(seen.front().total, 72);

    // The run folder.
    const json config = json::parse(test::readText(dir / "run" / "config.json"));
    EXPECT_EQ(config["dataset"]["classes"].size(), 3u);
    EXPECT_EQ(config["options"]["epochs"], 12);
    EXPECT_EQ(config["loss"], "ce");
    const auto lines = metricLines(dir / "run" / "metrics.jsonl");
    int steps = 0, epochs = 0, tests = 0;
    for (const auto& j : lines) {
        steps += j["type"] == "step";
        epochs += j["type"] == "epoch";
        tests += j["type"] == "test";
    }
    EXPECT_EQ(steps, 72);
    EXPECT_EQ(epochs, 12);
    EXPECT_EQ(tests, 1);
    const ModelCheckpoint last = loadModel(r.last_checkpoint);
    EXPECT_EQ(last.labels, ds.classes);
    EXPECT_EQ(last.metadata.at("epoch"), "12");
    EXPECT_EQ(last.metadata.at("task"), "single-label");  // softmax scores at inference
    EXPECT_EQ(last.model.options().num_classes, 3);
    const ModelCheckpoint best = loadModel(r.best_checkpoint);
    EXPECT_EQ(best.metadata.at("epoch"), std::to_string(r.best_epoch));
    EXPECT_EQ(readRunState(dir / "run").step, 72);
    EXPECT_EQ(readRunState(dir / "run").epoch, 12);
    // The saved model scores as the trainer said.
    const ClassificationScore again = scoreModel(last.model, ds, defaultTrainSplit(ds).test, "passt-32k", dir / "cache");
    EXPECT_DOUBLE_EQ(again.accuracy, r.test.accuracy);
    EXPECT_NEAR(again.loss, r.test.loss, 1e-6);
    // Training again into a folder with a state needs resume.
    EXPECT_THROW(train(ds, defaultTrainSplit(ds), o, dir / "run"), Error);
}

// A split with only train and test: validation is carved from train (never the test clips), the
// run says how; with validation_fraction 0 there is none and the best checkpoint is the last one.
TEST(Trainer, ValidatesOnClipsCarvedFromTrainingNeverOnTest) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones", 6);  // 4 train + 2 test clips of each of 3 classes
    const DatasetSplit own = defaultTrainSplit(ds);
    ASSERT_TRUE(own.validation.empty());
    TrainOptions o = plainOptions(dir / "cache");
    o.epochs = 1;
    o.batch_size = 3;
    o.validation_fraction = 0.25;
    const TrainResult r = train(ds, own, o, dir / "run");
    EXPECT_EQ(r.validation_clips, 3u);  // one clip of each class
    EXPECT_NE(r.validation_note.find("stratified"), std::string::npos) << r.validation_note;
    EXPECT_EQ(r.test.examples, own.test.size());
    const json config = json::parse(test::readText(dir / "run" / "config.json"));
    EXPECT_EQ(config["split"]["train"], 9);
    EXPECT_EQ(config["split"]["validation"], 3);
    EXPECT_EQ(config["split"]["test"], 6);
    EXPECT_EQ(config["split"]["validation_note"], r.validation_note);
    for (const auto& j : metricLines(dir / "run" / "metrics.jsonl")) {
        if (j["type"] == "epoch") {
            EXPECT_EQ(j["validation"]["examples"], 3);
        }
    }
    // The run finds the same split again (eval, the floor).
    const RunFolder run = readRunFolder(dir / "run");
    EXPECT_DOUBLE_EQ(run.validation_fraction, 0.25);
    EXPECT_EQ(run.validation_clips, 3u);
    const DatasetSplit again = carveValidation(ds, own, {.fraction = run.validation_fraction, .seed = run.seed});
    EXPECT_EQ(again.validation.size(), 3u);
    for (std::size_t i : again.validation)
        EXPECT_EQ(ds.clips[i].split, kSplitTrain);

    o.validation_fraction = 0;
    o.epochs = 2;
    const TrainResult none = train(ds, own, o, dir / "none");
    EXPECT_EQ(none.validation_clips, 0u);
    EXPECT_EQ(none.best_epoch, 2);  // the last epoch, not one the test clips chose
    for (const auto& j : metricLines(dir / "none" / "metrics.jsonl"))
        EXPECT_FALSE(j.contains("validation")) << j.dump();
    EXPECT_FALSE(loadModel(none.best_checkpoint).metadata.count("validation_accuracy"));
}

TEST(Trainer, ScoreModelCountsTopOneHits) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones", 3);
    PaSSTOptions po = passtPreset("passt-micro");
    po.num_classes = 3;
    const PaSSTModel model(po, 5);
    FeatureCache cache(dir / "cache", featurePreset("passt-32k"));
    std::vector<std::size_t> all(ds.clips.size());
    std::iota(all.begin(), all.end(), 0);
    const ClassificationScore s = scoreModel(model, ds, all, "passt-32k", dir / "cache", 4);
    EXPECT_FALSE(model.training());
    // By hand: each clip padded with silence to 100 frames, one forward each, argmax against the
    // label (the clips are shorter than one window).
    int hits = 0;
    double loss = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const Features f = cache.get(ds.clipPath(i));
        const std::vector<float> block = cropOrPad(f, 100, 0, silenceValue(cache.options()));
        const ModelOutput out = model.forward(block.data(), 1, 100);
        const auto top = std::max_element(out.logits.begin(), out.logits.end()) - out.logits.begin();
        hits += top == ds.clips[i].labels[0];
        double z = 0;
        const float m = *std::max_element(out.logits.begin(), out.logits.end());
        for (float v : out.logits)
            z += std::exp(v - m);
        loss += -(out.logits[ds.clips[i].labels[0]] - m - std::log(z));
    }
    EXPECT_EQ(s.examples, all.size());
    EXPECT_DOUBLE_EQ(s.accuracy, hits / static_cast<double>(all.size()));
    EXPECT_NEAR(s.loss, loss / all.size(), 1e-4);
    PaSSTOptions wrong = po;
    wrong.num_classes = 4;
    EXPECT_THROW(scoreModel(PaSSTModel(wrong), ds, all, "passt-32k", dir / "cache"), Error);
    // A model in training mode is scored in eval mode and handed back in training mode.
    PaSSTModel training(po, 5);
    training.setTraining(true);
    const ClassificationScore same = scoreModel(training, ds, all, "passt-32k", dir / "cache", 4);
    EXPECT_TRUE(training.training());
    EXPECT_DOUBLE_EQ(same.accuracy, s.accuracy);
    EXPECT_NEAR(same.loss, s.loss, 1e-6);
}

TEST(Trainer, ResumeAfterCleanStopReproducesTheUninterruptedRun) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones");
    TrainOptions o = quickOptions(dir / "cache");
    o.accumulate_steps = 2;  // 24 clips in 6 batches of 4: 3 steps of 2 batches per epoch
    o.batch_size = 4;
    o.drop_path_rate = 0.1;  // randomness inside the model too
    const TrainResult straight = train(ds, defaultTrainSplit(ds), o, dir / "straight");
    EXPECT_EQ(straight.steps, 6);

    // Cancelled after step 2 (mid-epoch 1): the state is saved there, then resumed to the end.
    JobControl job([&](const Progress& p) {
        if (p.step == 2 && p.message.rfind("epoch 1/", 0) == 0)
            job.cancel();
    });
    try {
        train(ds, defaultTrainSplit(ds), o, dir / "stopped", &job);
        ADD_FAILURE() << "not cancelled";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Cancelled);
    }
    EXPECT_EQ(readRunState(dir / "stopped").step, 2);
    EXPECT_EQ(readRunState(dir / "stopped").batch, 4);
    o.resume = true;
    const TrainResult resumed = train(ds, defaultTrainSplit(ds), o, dir / "stopped");
    EXPECT_TRUE(resumed.finished);
    EXPECT_EQ(resumed.steps, 6);
    EXPECT_EQ(resumed.weights_digest, straight.weights_digest);
    EXPECT_EQ(maxDifference(weightsOf(straight.last_checkpoint), weightsOf(resumed.last_checkpoint)), 0.0);
    // The metrics log says the same as the uninterrupted one, step for step.
    const auto a = metricLines(dir / "straight" / "metrics.jsonl");
    const auto b = metricLines(dir / "stopped" / "metrics.jsonl");
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i]["type"] == "step") {
            EXPECT_EQ(a[i]["loss"], b[i]["loss"]) << i;
        }
}

TEST(Trainer, StopAtAnEpochsLastStepKeepsThatEpoch) {
    // A stop that arrives while the epoch's validation runs (here: on its last step) still scores,
    // logs and saves the epoch: the first epoch of a run stopped from the GUI is never lost.
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones");
    TrainOptions o = quickOptions(dir / "cache");  // 24 train clips in batches of 8: 3 steps
    JobControl job([&](const Progress& p) {
        if (p.step == 3 && p.message == "epoch 1/2")
            job.cancel();
    });
    try {
        train(ds, defaultTrainSplit(ds), o, dir / "run", &job);
        ADD_FAILURE() << "not cancelled";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Cancelled);
    }
    const RunState state = readRunState(dir / "run");
    EXPECT_EQ(state.epoch, 1);
    EXPECT_EQ(state.step, 3);
    EXPECT_TRUE(fs::exists(dir / "run" / "checkpoints" / "best.safetensors"));
    EXPECT_EQ(readTrainingCurves(dir / "run" / "metrics.jsonl").epochs.size(), 1u);
}

TEST(Trainer, ResumeAfterSigkillFinishesWithValidFiles) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones", 24);
    TrainOptions o = quickOptions(dir / "cache");
    o.epochs = 40;  // far more than the worker gets to do before it is killed
    o.batch_size = 4;
    o.checkpoint_every_steps = 1;
    writeWorkerConfig(dir / "kill.json", dir / "tones", dir / "run", o, dir / "kill-report.json");
    const pid_t pid = startWorker(dir / "kill.json");
    // Kill it once it has saved a few states and is in the middle of more.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < until) {
        try {
            if (readRunState(dir / "run").step >= 7)
                break;
        } catch (const Error&) {
            // read while being replaced: try again
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the worker ended by itself";
    const RunState killedAt = readRunState(dir / "run");
    ASSERT_GE(killedAt.step, 7);
    ASSERT_LT(killedAt.epoch, 40);

    o.resume = true;
    o.epochs = killedAt.epoch + 2;  // finish the interrupted epoch and one more
    const TrainResult r = train(ds, defaultTrainSplit(ds), o, dir / "run");
    EXPECT_TRUE(r.finished);
    EXPECT_GT(r.steps, killedAt.step);
    EXPECT_EQ(loadModel(r.last_checkpoint).metadata.at("epoch"), std::to_string(o.epochs));
    EXPECT_NO_THROW(loadModel(r.best_checkpoint));
    // No torn lines, steps strictly increasing, no temporary file of the killed process left.
    std::int64_t previous = 0;
    for (const auto& j : metricLines(dir / "run" / "metrics.jsonl"))
        if (j["type"] == "step") {
            EXPECT_GT(j["step"].get<std::int64_t>(), previous);
            previous = j["step"].get<std::int64_t>();
        }
    EXPECT_EQ(previous, r.steps);
    for (const auto& entry : fs::recursive_directory_iterator(dir / "run" / "checkpoints"))
        EXPECT_TRUE(entry.path().filename() == "last.safetensors" ||
                    entry.path().filename() == "best.safetensors" ||
                    entry.path().filename() == "state.pt")
            << entry.path();
}

TEST(Trainer, FineTunesASavedModelWithNewHeadAndFrozenBlocks) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones", 6);
    PaSSTOptions po = passtPreset("passt-micro");
    po.num_classes = 5;
    saveModel(dir / "pretrained.safetensors", PaSSTModel(po, 9), {"a", "b", "c", "d", "e"});
    TrainOptions o = quickOptions(dir / "cache");
    o.init_checkpoint = dir / "pretrained.safetensors";
    o.freeze_blocks = 1;
    const TrainResult r = train(ds, defaultTrainSplit(ds), o, dir / "run");
    const auto before = weightsOf(dir / "pretrained.safetensors");
    const auto after = weightsOf(r.last_checkpoint);
    EXPECT_EQ(after.at("head.1.weight").size(0), 3);
    EXPECT_TRUE(torch::equal(before.at("blocks.0.attn.qkv.weight"), after.at("blocks.0.attn.qkv.weight")));
    EXPECT_TRUE(torch::equal(before.at("patch_embed.proj.weight"), after.at("patch_embed.proj.weight")));
    EXPECT_FALSE(torch::equal(before.at("blocks.1.attn.qkv.weight"), after.at("blocks.1.attn.qkv.weight")));
    o.freeze_blocks = 3;  // deeper than the model
    EXPECT_THROW(train(ds, defaultTrainSplit(ds), o, dir / "run2"), Error);
}

TEST(Trainer, MixedPrecisionTrainsFp32WeightsAndGivesTheThreadsBack) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones", 6);
    TrainOptions o = quickOptions(dir / "cache");
    o.precision = "bf16";
    configureThreads({.torch_threads = 1, .blas_threads = 2});
    const TrainResult r = train(ds, defaultTrainSplit(ds), o, dir / "run");
    EXPECT_EQ(currentThreads().torch_threads, 1);  // the BLAS pool's cores went to torch, and back
    EXPECT_EQ(currentThreads().blas_threads, 2);
    const auto weights = weightsOf(r.last_checkpoint);
    EXPECT_EQ(weights.at("blocks.0.mlp.fc1.weight").scalar_type(), torch::kFloat32);  // master weights
    ASSERT_FALSE(r.epochs.empty());
    EXPECT_TRUE(std::isfinite(r.epochs.back().train_loss));
    // The same steps in fp32 end elsewhere, but not far: bf16 rounds the products, not the updates.
    o.precision = "fp32";
    const TrainResult f = train(ds, defaultTrainSplit(ds), o, dir / "run32");
    const auto fp32 = weightsOf(f.last_checkpoint);
    const float moved = (fp32.at("head.1.weight") - weights.at("head.1.weight")).abs().max().item<float>();
    EXPECT_GT(moved, 0.0f);
    EXPECT_LT(moved, 0.05f);
    EXPECT_EQ(resolvePrecision("fp32"), "fp32");
    EXPECT_EQ(resolvePrecision("auto"), detectCpuFeatures().avx512_bf16 ? "bf16" : "fp32");
    EXPECT_THROW(resolvePrecision("fp16"), Error);
    o.precision = "half";
    EXPECT_THROW(o.validate(), Error);
}

TEST(Trainer, TrainsWhereTheDeviceSaysAndRefusesAMissingGpu) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones", 6);
    TrainOptions o = quickOptions(dir / "cache");
    o.device = "cpu";
    const TrainResult cpu = train(ds, defaultTrainSplit(ds), o, dir / "cpu");
    o.device = "auto";
    const TrainResult automatic = train(ds, defaultTrainSplit(ds), o, dir / "auto");
    const auto a = weightsOf(cpu.last_checkpoint);
    const auto b = weightsOf(automatic.last_checkpoint);
    if (!cudaStatus().usable()) {
        // auto is the CPU here: the same steps, the same weights.
        EXPECT_TRUE(torch::equal(a.at("head.1.weight"), b.at("head.1.weight")));
        o.device = "cuda";
        try {
            train(ds, defaultTrainSplit(ds), o, dir / "cuda");
            ADD_FAILURE() << "--device cuda without CUDA must be refused";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::Unsupported);
            EXPECT_NE(e.message().find("use --device cpu or auto"), std::string::npos) << e.message();
        }
    } else {
        // On the GPU the checkpoint is written from host memory and the run resumes on the CPU.
        EXPECT_LT((a.at("head.1.weight") - b.at("head.1.weight")).abs().max().item<float>(), 0.05f);
        o.device = "cpu";
        o.epochs += 1;
        o.resume = true;
        EXPECT_NO_THROW(train(ds, defaultTrainSplit(ds), o, dir / "auto"));
    }
}

TEST(Trainer, ExtraTrainingDataJoinsTheTrainingSplitOnly) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones", 6);      // 12 train, 6 test
    const Dataset extra = toneDataset(dir / "more", 3);    // 9 clips, the same three classes
    TrainOptions o = quickOptions(dir / "cache");
    o.epochs = 1;
    o.extra_train = {dir / "more"};
    const TrainResult r = train(ds, defaultTrainSplit(ds), o, dir / "run");
    EXPECT_EQ(r.steps, 3);  // (12 + 9) clips in batches of 8
    EXPECT_EQ(r.test.examples, 6u);
    const json config = json::parse(test::readText(dir / "run" / "config.json"));
    EXPECT_EQ(config["split"]["train"], 21) << config["split"].dump();
    EXPECT_EQ(config["options"]["extra_train"][0], (dir / "more").string());
    EXPECT_EQ(ds.clips.size(), 18u);  // the caller's dataset is untouched
    EXPECT_EQ(extra.clips.size(), 9u);
    // A dataset with a class the run does not have is refused before training.
    test::writeText(dir / "odd" / "labels.csv", "filename,label\nx.wav,tone7\n");
    test::writeTone(dir / "odd" / "x.wav", 500, 0.5, 32000);
    o.extra_train = {dir / "odd"};
    EXPECT_THROW(train(ds, defaultTrainSplit(ds), o, dir / "run2"), Error);
}

TEST(TrainerDistributed, TwoRanksMatchOneProcessOnTheCombinedBatches) {
    TempDir dir;
    const Dataset ds = toneDataset(dir / "tones", 12);  // 24 training clips
    TrainOptions o = plainOptions(dir / "cache");
    o.epochs = 2;
    o.batch_size = 4;  // per rank: 2 x 4 = the single process's 8
    o.world_size = 2;
    o.master_port = 29000 + static_cast<int>(::getpid() % 2000);
    o.timeout_s = 60;
    std::vector<pid_t> pids;
    for (int rank = 0; rank < 2; ++rank) {
        TrainOptions r = o;
        r.rank = rank;
        const std::string n = std::to_string(rank);
        writeWorkerConfig(dir / ("rank" + n + ".json"), dir / "tones", dir / ("ddp" + n), r,
                          dir / ("report" + n + ".json"));
        pids.push_back(startWorker(dir / ("rank" + n + ".json")));
    }
    for (pid_t pid : pids)
        EXPECT_EQ(waitWorker(pid, 240), 0);
    const json r0 = json::parse(test::readText(dir / "report0.json"));
    const json r1 = json::parse(test::readText(dir / "report1.json"));
    ASSERT_TRUE(r0["ok"].get<bool>()) << r0.dump();
    ASSERT_TRUE(r1["ok"].get<bool>()) << r1.dump();
    EXPECT_EQ(r0["steps"], 6);
    EXPECT_EQ(r0["digest"], r1["digest"]) << "the ranks ended with different weights";
    EXPECT_FALSE(fs::exists(dir / "ddp1" / "checkpoints" / "last.safetensors"))
        << "only rank 0 writes checkpoints";

    TrainOptions single = plainOptions(dir / "cache");
    single.epochs = 2;
    single.batch_size = 8;
    const TrainResult one = train(ds, defaultTrainSplit(ds), single, dir / "single");
    EXPECT_EQ(one.steps, 6);
    EXPECT_LT(maxDifference(weightsOf(one.last_checkpoint),
                            weightsOf(dir / "ddp0" / "checkpoints" / "last.safetensors")),
              1e-4);
}

TEST(TrainerDistributed, ARankThatDiesMakesTheOtherFailClearly) {
    TempDir dir;
    toneDataset(dir / "tones", 12);
    TrainOptions o = plainOptions(dir / "cache");
    o.epochs = 20;
    o.batch_size = 2;
    o.world_size = 2;
    o.master_port = 31000 + static_cast<int>(::getpid() % 2000);
    o.timeout_s = 10;
    std::vector<pid_t> pids;
    for (int rank = 0; rank < 2; ++rank) {
        TrainOptions r = o;
        r.rank = rank;
        const std::string n = std::to_string(rank);
        writeWorkerConfig(dir / ("rank" + n + ".json"), dir / "tones", dir / ("ddp" + n), r,
                          dir / ("report" + n + ".json"), rank == 1 ? 3 : 0);
        pids.push_back(startWorker(dir / ("rank" + n + ".json")));
    }
    EXPECT_EQ(waitWorker(pids[1], 120), 3);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(waitWorker(pids[0], 60), 0) << "rank 0 hung after its peer died";
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 40.0);
    const json r0 = json::parse(test::readText(dir / "report0.json"));
    EXPECT_FALSE(r0["ok"].get<bool>());
    EXPECT_EQ(r0["code"], errorCodeName(ErrorCode::Io)) << r0.dump();
    EXPECT_NE(r0["what"].get<std::string>().find("peer"), std::string::npos) << r0.dump();
}

// ---- augmentation ------------------------------------------------------------------------------

namespace {

AugmentOptions nothing() {
    AugmentOptions a;
    a.mixup_alpha = 0;
    a.roll_frames = 0;
    a.gain_db = 0;
    a.time_masks = 0;
    a.freq_masks = 0;
    a.freq_shift_bins = 0;
    return a;
}

}  // namespace

TEST(Augment, FrequencyShiftMovesRowsAndRepeatsTheEdge) {
    // Row f holds the value f: after a shift by s every row f holds clamp(f - s, 0, 127).
    const std::int64_t bins = 128, frames = 12;
    torch::Tensor x = torch::arange(bins, torch::kFloat32).view({1, bins, 1}).expand({16, bins, frames}).clone();
    torch::Tensor y = torch::eye(16).slice(1, 0, 4);
    AugmentOptions a = nothing();
    a.freq_shift_bins = 4;
    std::mt19937_64 rng(7);
    augment(x, y, a, featurePreset("passt-32k"), rng);
    std::set<int> shifts;
    for (std::int64_t b = 0; b < 16; ++b) {
        const int s = 64 - static_cast<int>(x[b][64][0].item<float>());
        ASSERT_LE(std::abs(s), 4);
        shifts.insert(s);
        for (std::int64_t f = 0; f < bins; ++f) {
            const float expected = static_cast<float>(std::clamp<std::int64_t>(f - s, 0, bins - 1));
            ASSERT_TRUE(torch::all(x[b][f] == expected).item<bool>()) << "example " << b << " row " << f;
        }
    }
    EXPECT_GE(shifts.size(), 3u);  // the shift is drawn per example
    EXPECT_TRUE(torch::equal(y, torch::eye(16).slice(1, 0, 4)));  // targets untouched without mixup
}

TEST(Augment, RollGainAndMixup) {
    const std::int64_t bins = 8, frames = 20;
    const FeatureOptions f = featurePreset("passt-32k");
    // Roll: column t holds t; after a roll by r it holds (t - r) mod T.
    torch::Tensor x = torch::arange(frames, torch::kFloat32).view({1, 1, frames}).expand({6, bins, frames}).clone();
    torch::Tensor y = torch::zeros({6, 3});
    AugmentOptions a = nothing();
    a.roll_frames = 5;
    std::mt19937_64 rng(3);
    augment(x, y, a, f, rng);
    for (std::int64_t b = 0; b < 6; ++b) {
        const int r = static_cast<int>(std::lround((frames - x[b][0][0].item<float>()))) % frames;
        EXPECT_TRUE(r <= 5 || r >= frames - 5) << r;
        EXPECT_TRUE(torch::equal(x[b][3], torch::roll(torch::arange(frames, torch::kFloat32), {r}, {0})));
    }
    // Gain: one constant offset per example, at most gain_db dB.
    x = torch::zeros({6, bins, frames});
    a = nothing();
    a.gain_db = 6;
    augment(x, y, a, f, rng);
    for (std::int64_t b = 0; b < 6; ++b) {
        EXPECT_NEAR((x[b].max() - x[b].min()).item<float>(), 0.0f, 1e-6f);
        EXPECT_LE(std::abs(x[b][0][0].item<double>()), 6 * featureUnitsPerDb(f) + 1e-6);
    }
    // Mixup: targets stay distributions with the larger weight >= 1/2, features mixed the same way.
    x = torch::arange(6, torch::kFloat32).view({6, 1, 1}).expand({6, bins, frames}).clone();
    y = torch::eye(6);
    a = nothing();
    a.mixup_alpha = 0.4;
    augment(x, y, a, f, rng);
    for (std::int64_t b = 0; b < 6; ++b) {
        EXPECT_NEAR(y[b].sum().item<float>(), 1.0f, 1e-6f);
        EXPECT_GE(y[b].max().item<float>(), 0.5f - 1e-6f);
        // The mixed feature value is the targets' weighted mean of the example indices.
        EXPECT_NEAR(x[b][0][0].item<float>(), (y[b] * torch::arange(6, torch::kFloat32)).sum().item<float>(), 1e-5f);
    }
    EXPECT_GT(data::betaSample(rng, 0.3), 0.0);
    const AugmentOptions scratch = fromScratchAugment();
    EXPECT_EQ(scratch.mixup_alpha, 0.0);
    EXPECT_EQ(scratch.freq_shift_bins, 4);
    EXPECT_NO_THROW(scratch.validate());
}

TEST(Augment, DrawsAreUnchangedSoOldRunsResumeAlike) {
    // A run resumes from its saved RNG state: the order and kind of augment()'s draws are part of
    // the run's format. Every augmentation on, a fixed input and seed: the result printed by the
    // implementation of 2026-12 (before SpecAugment's draw moved into drawSpecAugmentMasks).
    const std::int64_t bins = 32, frames = 40;
    torch::Tensor x = torch::arange(4 * bins * frames, torch::kFloat32).view({4, bins, frames}).remainder(97);
    torch::Tensor y = torch::eye(4);
    AugmentOptions a;
    a.freq_shift_bins = 3;
    a.time_masks = 2;
    a.freq_masks = 2;
    a.freq_mask_bins = 6;
    std::mt19937_64 rng(2026);
    augment(x, y, a, featurePreset("passt-32k"), rng);
    const torch::Tensor weights = torch::arange(x.numel(), torch::kFloat64).remainder(13).view(x.sizes());
    EXPECT_NEAR((x.to(torch::kFloat64) * weights).sum().item<double>(), 957803.220791, 0.05);
    EXPECT_NEAR(y[0][0].item<double>(), 0.986919, 1e-6);  // mixed
    EXPECT_EQ(rng(), 10212164479104792743ull);             // the same number of draws
}

TEST(Augment, SpecAugmentZeroesWhatDrawSpecAugmentMasksDraws) {
    const int bins = 24, frames = 50;
    AugmentOptions a = nothing();
    a.time_masks = 3;
    a.time_mask_frames = 8;
    a.freq_masks = 2;
    a.freq_mask_bins = 5;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        torch::Tensor x = torch::ones({1, bins, frames});
        torch::Tensor y = torch::ones({1, 2});
        std::mt19937_64 rng(seed);
        augment(x, y, a, featurePreset("passt-32k"), rng);
        const SpecAugmentMasks masks = drawSpecAugmentMasks(a, bins, frames, seed);
        ASSERT_EQ(masks.time.size(), 3u);
        ASSERT_EQ(masks.freq.size(), 2u);
        int hidden = 0;
        for (int f = 0; f < bins; ++f)
            for (int t = 0; t < frames; ++t) {
                const bool masked = masks.hides(f, t);
                hidden += masked;
                ASSERT_EQ(x[0][f][t].item<float>(), masked ? 0.0f : 1.0f) << "seed " << seed << " bin " << f
                                                                           << " frame " << t;
            }
        EXPECT_DOUBLE_EQ(masks.hiddenShare(bins, frames), static_cast<double>(hidden) / (bins * frames));
        for (const auto& band : masks.time)
            EXPECT_TRUE(band.width >= 0 && band.width <= 8 && band.start >= 0 && band.start + band.width <= frames);
        for (const auto& band : masks.freq)
            EXPECT_TRUE(band.width >= 0 && band.width <= 5 && band.start >= 0 && band.start + band.width <= bins);
    }
    // Wider than the block: a mask covers at most all of it; none drawn when off.
    a.time_mask_frames = 500;
    const SpecAugmentMasks wide = drawSpecAugmentMasks(a, bins, frames, 3);
    for (const auto& band : wide.time)
        EXPECT_LE(band.start + band.width, frames);
    EXPECT_TRUE(drawSpecAugmentMasks(nothing(), bins, frames, 3).time.empty());
    EXPECT_EQ(SpecAugmentMasks{}.hiddenShare(bins, frames), 0.0);
    EXPECT_EQ(SpecAugmentMasks::covered({{2, 3}, {4, 2}, {9, 5}}, 10),
              (std::vector<bool>{false, false, true, true, true, true, false, false, false, true}));
}
