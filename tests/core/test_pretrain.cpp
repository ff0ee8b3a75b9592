// Self-supervised pretraining (pretrain.h): which audio it gathers from folders (datasets without
// their test clips, plain folders without unreadable files), the reconstruction it learns, the
// files it writes, a cancel that keeps the last finished epoch, and fine-tuning from its encoder.
#include "data_support.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/pretrain.h"
#include "patchout/run_folder.h"
#include "patchout/trainer.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <numeric>

using namespace patchout;
using patchout::test::TempDir;
namespace fs = std::filesystem;

namespace {

PretrainOptions quickPretrain(const fs::path& cache) {
    PretrainOptions o;
    o.preset = "passt-micro";
    o.epochs = 6;
    o.batch_size = 4;
    o.lr = 2e-3;
    o.cache_dir = cache;
    return o;
}

std::vector<std::size_t> allClips(const Dataset& d) {
    std::vector<std::size_t> all(d.clips.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    return all;
}

}  // namespace

TEST(PretrainOptions, ValidateNamesTheBadField) {
    PretrainOptions o;
    EXPECT_NO_THROW(o.validate());
    auto message = [](const PretrainOptions& bad) {
        try {
            bad.validate();
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    o.mask_ratio = 1.0;
    EXPECT_NE(message(o).find("mask_ratio"), std::string::npos);
    o = {};
    o.decoder_dim = 30;  // not a multiple of 4 heads
    EXPECT_NE(message(o).find("decoder_dim"), std::string::npos);
    o = {};
    o.epochs = 0;
    EXPECT_NE(message(o).find("epochs"), std::string::npos);
    o = {};
    o.preset = "no-such-model";
    EXPECT_THROW(o.validate(), Error);
    o = {};
    o.precision = "fp16";
    EXPECT_THROW(o.validate(), Error);
}

TEST(Pretrain, GathersDatasetsWithoutTheirTestClipsAndPlainFolders) {
    TempDir dir;
    const Dataset tones = test::toneDataset(dir / "tones", 6);  // 8 train, 4 test
    test::writeTone(dir / "plain" / "a" / "one.wav", 500, 0.3, 16000);
    test::writeTone(dir / "plain" / "two.flac", 700, 0.3, 16000);
    test::writeGarbage(dir / "plain" / "broken.wav");
    test::writeText(dir / "plain" / "notes.txt", "not audio\n");

    std::vector<std::string> notes;
    const Dataset audio = unlabelledAudio({dir / "tones", dir / "plain"}, false, &notes);
    EXPECT_TRUE(audio.classes.empty());
    ASSERT_EQ(audio.clips.size(), 8u + 2u);
    for (const Clip& c : audio.clips) {
        EXPECT_TRUE(c.labels.empty());
        EXPECT_TRUE(fs::path(c.path).is_absolute()) << c.path;
        EXPECT_TRUE(fs::exists(audio.clipPath(c))) << c.path;
        EXPECT_EQ(c.path.find("broken"), std::string::npos);
    }
    const auto testClips = std::count_if(tones.clips.begin(), tones.clips.end(),
                                         [](const Clip& c) { return c.split == kSplitTest; });
    for (const Clip& c : tones.clips) {
        if (c.split != kSplitTest)
            continue;
        for (const Clip& taken : audio.clips)
            EXPECT_NE(fs::path(taken.path).filename(), fs::path(c.path).filename());
    }
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_NE(notes[0].find(std::to_string(testClips) + " test clips left out"), std::string::npos) << notes[0];
    EXPECT_NE(notes[1].find("2 audio files"), std::string::npos) << notes[1];
    EXPECT_NE(notes[1].find("1 unreadable"), std::string::npos) << notes[1];

    EXPECT_EQ(unlabelledAudio({dir / "tones"}, true).clips.size(), tones.clips.size());
    // A folder layout with a test split: its test files stay out, loose files come in.
    test::writeTone(dir / "layout" / "train" / "x" / "a.wav", 500, 0.3, 16000);
    test::writeTone(dir / "layout" / "train" / "y" / "b.wav", 600, 0.3, 16000);
    test::writeTone(dir / "layout" / "test" / "x" / "c.wav", 700, 0.3, 16000);
    test::writeTone(dir / "layout" / "test" / "y" / "d.wav", 800, 0.3, 16000);
    test::writeTone(dir / "layout" / "loose.wav", 900, 0.3, 16000);
    notes.clear();
    const Dataset layout = unlabelledAudio({dir / "layout"}, false, &notes);
    EXPECT_EQ(layout.clips.size(), 3u);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("2 of its test split left out"), std::string::npos) << notes[0];
    try {
        unlabelledAudio({dir / "missing"});
        FAIL() << "a missing folder was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::FileNotFound);
    }
    fs::create_directories(dir / "empty");
    try {
        unlabelledAudio({dir / "empty"});
        FAIL() << "a folder without audio was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Dataset);
    }
}

TEST(Pretrain, SplitAudioIsTrainingAndValidationNeverTest) {
    TempDir dir;
    const Dataset tones = test::toneDataset(dir / "tones", 9);  // 12 train, 6 test
    const DatasetSplit split = carveValidation(tones, splitByDataset(tones), {.fraction = 0.25});
    ASSERT_FALSE(split.validation.empty());
    test::writeTone(dir / "more" / "x.wav", 500, 0.3, 16000);
    std::vector<std::string> notes;
    const Dataset audio = unlabelledSplitAudio(tones, split, {dir / "more"}, &notes);
    ASSERT_EQ(audio.clips.size(), split.train.size() + split.validation.size() + 1);
    for (std::size_t i : split.test)
        for (const Clip& c : audio.clips)
            EXPECT_NE(fs::path(c.path), fs::absolute(tones.clipPath(i)).lexically_normal());
    EXPECT_EQ(fs::path(audio.clips.back().path).filename(), "x.wav");
    EXPECT_TRUE(fs::exists(audio.clipPath(audio.clips.front())));
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_NE(notes[0].find("6 test clips left out"), std::string::npos) << notes[0];
}

TEST(Pretrain, LearnsToReconstructAndTheEncoderFineTunes) {
    TempDir dir;
    const Dataset tones = test::toneDataset(dir / "tones", 8);
    const Dataset audio = unlabelledAudio({dir / "tones"}, true);
    const PretrainOptions o = quickPretrain(dir / "cache");
    const PretrainResult r = pretrain(audio, allClips(audio), o, dir / "pre");

    ASSERT_EQ(r.epochs.size(), 6u);
    EXPECT_EQ(r.clips, audio.clips.size());
    EXPECT_EQ(r.steps, 6 * static_cast<std::int64_t>(audio.clips.size() / 4));
    EXPECT_LT(r.epochs.back().loss, 0.9 * r.epochs.front().loss)
        << r.epochs.front().loss << " -> " << r.epochs.back().loss;
    const nlohmann::json config = nlohmann::json::parse(test::readText(dir / "pre" / "pretrain.json"));
    EXPECT_EQ(config["pretrain"]["preset"], "passt-micro");
    EXPECT_EQ(config["hidden_patches"].get<int>(), 81);  // 75% of 12 x 9 patches
    EXPECT_EQ(readTrainingCurves(RunPaths(dir / "pre").metrics()).epochs.size(), 6u);
    EXPECT_FALSE(isRunFolder(dir / "pre"));  // not a training run: the workbench does not list it

    // The saved encoder is the pretrained one, not a fresh initialisation.
    ModelCheckpoint saved = loadModel(r.checkpoint);
    EXPECT_EQ(saved.metadata.at("trainer"), "patchout pretrain");
    EXPECT_EQ(saved.metadata.at("epoch"), "6");
    EXPECT_TRUE(saved.labels.empty());
    const PaSSTModel fresh(passtPreset("passt-micro"), o.seed);
    std::vector<float> input(128 * 100, 0.5f);
    EXPECT_NE(saved.model.forward(input.data(), 1, 100).features, fresh.forward(input.data(), 1, 100).features);

    // Fine-tuning takes its body and puts a head for the task on it.
    TrainOptions t;
    t.preset = "passt-micro";
    t.init_checkpoint = r.checkpoint;
    t.epochs = 2;
    t.batch_size = 4;
    t.cache_dir = dir / "cache";
    t.baseline = false;
    const TrainResult tr = train(tones, defaultTrainSplit(tones), t, dir / "run");
    EXPECT_TRUE(tr.finished);
    EXPECT_EQ(loadModel(tr.last_checkpoint).model.options().num_classes, 2);
}

TEST(Pretrain, BeforeTrainingTakesTheTrainingsSplitAndSettings) {
    TempDir dir;
    const Dataset tones = test::toneDataset(dir / "tones", 9);  // 12 train, 6 test
    test::writeTone(dir / "more" / "x.wav", 500, 0.3, 32000);
    TrainOptions t;
    t.preset = "passt-micro";
    t.batch_size = 4;
    t.validation_fraction = 0.25;
    t.seed = 3;
    t.cache_dir = dir / "cache";
    t.precision = "bf16";  // mixed precision reaches the pretraining too
    const PretrainResult r = pretrainBeforeTraining(tones, splitByDataset(tones), t, 2, {dir / "more"}, dir / "pre");
    EXPECT_EQ(r.clips, 12u + 1u);  // training and carved validation clips, the extra file; no test clip
    EXPECT_EQ(r.epochs.size(), 2u);
    EXPECT_EQ(r.steps, 2 * (13 / 4));
    const nlohmann::json config = nlohmann::json::parse(test::readText(dir / "pre" / "pretrain.json"));
    EXPECT_EQ(config["pretrain"]["batch_size"].get<int>(), 4);
    EXPECT_EQ(config["pretrain"]["seed"].get<int>(), 3);
    EXPECT_EQ(config["pretrain"]["precision"].get<std::string>(), "bf16");
    for (const auto& epoch : r.epochs)
        EXPECT_TRUE(std::isfinite(epoch.loss));
    EXPECT_TRUE(fs::exists(dir / "cache"));  // the training's feature cache
}

TEST(Pretrain, CancelKeepsTheLastFinishedEpoch) {
    TempDir dir;
    test::toneDataset(dir / "tones", 6);
    const Dataset audio = unlabelledAudio({dir / "tones"}, true);
    PretrainOptions o = quickPretrain(dir / "cache");
    o.epochs = 5;
    std::int64_t perEpoch = static_cast<std::int64_t>(audio.clips.size()) / o.batch_size;
    JobControl* self = nullptr;
    JobControl job([&](const Progress& p) {
        if (p.event == ProgressEvent::Step && p.step == perEpoch + 1)
            self->cancel();  // in the second epoch
    });
    self = &job;
    try {
        pretrain(audio, allClips(audio), o, dir / "pre", &job);
        FAIL() << "not cancelled";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Cancelled);
        EXPECT_NE(std::string(e.what()).find("epoch 1 is kept"), std::string::npos) << e.what();
    }
    EXPECT_EQ(loadModel(RunPaths(dir / "pre").lastModel()).metadata.at("epoch"), "1");
}

TEST(Pretrain, TooFewClipsForABatchIsADatasetError) {
    TempDir dir;
    test::writeTone(dir / "few" / "one.wav", 500, 0.3, 32000);
    const Dataset audio = unlabelledAudio({dir / "few"});
    try {
        pretrain(audio, allClips(audio), quickPretrain(dir / "cache"), dir / "pre");
        FAIL() << "one clip filled a batch of 4";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Dataset);
    }
}
