// The built-in demo data: a folder-per-class dataset with a voice-disjoint split, byte-identical
// for the same seed.
#include "data_support.h"
#include "patchout/audio_file.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/speech.h"
#include "patchout/synth_words.h"
#include "test_support.h"

#include <map>
#include <set>

using namespace patchout;
using patchout::test::readText;
using patchout::test::TempDir;
namespace fs = std::filesystem;

namespace {

SynthWordsOptions small(std::uint64_t seed = 1) {
    SynthWordsOptions o;
    o.words = {"yes", "no", "stop"};
    o.train_voices = {"en", "en+m3"};
    o.validation_voices = {"en-us"};
    o.test_voices = {"en+f3"};
    o.takes_per_voice = 2;
    o.seed = seed;
    return o;
}

std::map<std::string, std::string> allFiles(const fs::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(root))
        if (e.is_regular_file())
            files[e.path().lexically_relative(root).generic_string()] = readText(e.path());
    return files;
}

}  // namespace

TEST(SynthWords, WritesAReadableVoiceDisjointDataset) {
    TempDir dir;
    std::int64_t steps = 0;
    JobControl job([&](const Progress& p) {
        steps = p.step;
        EXPECT_EQ(p.total, 24);
    });
    const auto r = makeSynthWords(dir / "words", small(), &job);
    EXPECT_EQ(r.clips, 24u);  // 3 words x 4 voices x 2 takes
    EXPECT_EQ(steps, 24);
    const Dataset ds = readDataset(dir / "words");
    EXPECT_EQ(ds.format, DatasetFormat::Csv);
    EXPECT_EQ(ds.classes, (std::vector<std::string>{"yes", "no", "stop"}));  // classes.txt order
    ASSERT_EQ(ds.clips.size(), 24u);
    for (auto n : ds.classCounts())
        EXPECT_EQ(n, 8u);
    const DatasetSplit s = splitByDataset(ds);
    EXPECT_EQ(s.train.size(), 12u);
    EXPECT_EQ(s.validation.size(), 6u);
    EXPECT_EQ(s.test.size(), 6u);
    std::set<std::string> trainVoices, testVoices;
    for (auto i : s.train)
        trainVoices.insert(ds.clips[i].group);
    for (auto i : s.test)
        testVoices.insert(ds.clips[i].group);
    EXPECT_EQ(trainVoices, (std::set<std::string>{"en", "en+m3"}));
    EXPECT_EQ(testVoices, std::set<std::string>{"en+f3"});
    // 32 kHz, at least the clip length, not clipped, and not silent.
    const Waveform w = loadAudio(ds.clipPath(0));
    EXPECT_EQ(w.sample_rate, 32000);
    EXPECT_GE(w.durationSeconds(), 1.0 - 1e-6);
    float peak = 0;
    for (float x : w.samples)
        peak = std::max(peak, std::abs(x));
    EXPECT_GT(peak, 0.25f);
    EXPECT_LE(peak, 1.0f);
    // The word stands out of the noise (lowest SNR 10 dB): in every clip the loudest 100 ms is at
    // least twice the RMS of the quietest 100 ms, which holds only noise.
    for (std::size_t i = 0; i < ds.clips.size(); ++i) {
        const Waveform c = loadAudio(ds.clipPath(i));
        double loud = 0, quiet = 1e9;
        for (std::size_t start = 0; start + 3200 <= c.size(); start += 1600) {
            double sum = 0;
            for (std::size_t k = start; k < start + 3200; ++k)
                sum += static_cast<double>(c.samples[k]) * c.samples[k];
            loud = std::max(loud, std::sqrt(sum / 3200));
            quiet = std::min(quiet, std::sqrt(sum / 3200));
        }
        EXPECT_GT(loud, 2 * quiet) << ds.clips[i].path;
        EXPECT_GT(quiet, 0.0) << ds.clips[i].path << " has no background noise";
    }
    // Also readable as plain folder-per-class.
    EXPECT_EQ(readDataset(dir / "words", {.format = DatasetFormat::Folder}).clips.size(), 24u);
}

TEST(SynthWords, SameSeedSameBytesOtherSeedOtherBytes) {
    TempDir dir;
    makeSynthWords(dir / "a", small(5));
    makeSynthWords(dir / "b", small(5));
    makeSynthWords(dir / "c", small(6));
    const auto a = allFiles(dir / "a");
    const auto b = allFiles(dir / "b");
    const auto c = allFiles(dir / "c");
    ASSERT_EQ(a.size(), 26u);  // 24 clips + labels.csv + classes.txt
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, bytes] : a)
        EXPECT_TRUE(b.count(name) && b.at(name) == bytes) << name << " differs between two runs with seed 5";
    std::size_t differing = 0;
    for (const auto& [name, bytes] : a)
        differing += c.count(name) && c.at(name) != bytes;
    EXPECT_GE(differing, 20u) << "seed 6 gives (nearly) the same clips as seed 5";
}

TEST(SynthWords, RefusesNonEmptyOutputUnlessOverwrite) {
    TempDir dir;
    test::writeText(dir / "out/keep.txt", "mine");
    try {
        makeSynthWords(dir / "out", small());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    }
    EXPECT_EQ(readText(dir / "out/keep.txt"), "mine");
    auto o = small();
    o.overwrite = true;
    makeSynthWords(dir / "out", o);
    EXPECT_FALSE(fs::exists(dir / "out/keep.txt"));
    EXPECT_TRUE(fs::exists(dir / "out/labels.csv"));
    // No staging or old folders left next to it.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path()))
        ++entries;
    EXPECT_EQ(entries, 1u);
}

TEST(SynthWords, CancelLeavesNothingBehind) {
    TempDir dir;
    // The progress callback cancels its own job after three clips.
    JobControl* target = nullptr;
    JobControl stopper([&target](const Progress& p) {
        if (p.step == 3)
            target->cancel();
    });
    target = &stopper;
    try {
        makeSynthWords(dir / "out", small(), &stopper);
        FAIL() << "not cancelled";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Cancelled);
    }
    EXPECT_FALSE(fs::exists(dir / "out"));
    EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(SynthWords, InvalidOptionsAndUnknownVoice) {
    TempDir dir;
    auto o = small();
    o.test_voices = {"en"};  // also a training voice
    EXPECT_THROW(o.validate(), Error);
    o = small();
    o.words = {"a/b"};
    EXPECT_THROW(makeSynthWords(dir / "x", o), Error);
    o = small();
    o.pitch_min = 80;
    o.pitch_max = 20;
    EXPECT_THROW(o.validate(), Error);
    o = small();
    o.train_voices = {"no-such-voice-xyz"};
    try {
        makeSynthWords(dir / "y", o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Unsupported);
    }
    EXPECT_FALSE(fs::exists(dir / "y"));
}

TEST(SynthWords, DefaultVoicesExist) {
    // The default voice list must be speakable by the installed espeak-ng.
    const SynthWordsOptions o;
    o.validate();
    for (const auto* list : {&o.train_voices, &o.validation_voices, &o.test_voices})
        for (const auto& v : *list)
            EXPECT_NO_THROW(synthesizeSpeech("one", {.voice = v})) << v;
    EXPECT_FALSE(listSpeechVoices("en").empty());
}
