// synth-instruments: the MIDI file fluidsynth renders, and the dataset it makes (skipped with a
// message where fluidsynth or Debian's soundfonts are not installed).
#include "data_support.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/synth_instruments.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

using namespace patchout;
using patchout::test::TempDir;
namespace fs = std::filesystem;

TEST(SynthInstruments, MidiFileHoldsEachNoteInItsSlot) {
    const std::string midi = notesMidiFile({0, 33}, {60, 40}, {100, 64}, {0.5, 0.25}, 1.0);
    ASSERT_GE(midi.size(), 22u);
    EXPECT_EQ(midi.substr(0, 4), "MThd");
    EXPECT_EQ(midi.substr(14, 4), "MTrk");
    const std::string track = midi.substr(22);
    // delta 0: program 0, note on 60; 480 ticks (0.5 s): note off; 480 more (1 s): program 33 ...
    const std::string want = std::string("\x00\xc0\x00\x00\x90\x3c\x64\x83\x60\x80\x3c\x00\x83\x60\xc0\x21\x00\x90\x28\x40", 20);
    EXPECT_EQ(track.substr(0, want.size()), want);
    EXPECT_EQ(track.substr(track.size() - 3), std::string("\xff\x2f\x00", 3));
    EXPECT_THROW(notesMidiFile({0}, {60}, {100}, {1.5}, 1.0), Error);  // longer than its slot
    EXPECT_THROW(notesMidiFile({128}, {60}, {100}, {0.5}, 1.0), Error);
    EXPECT_THROW(notesMidiFile({0, 1}, {60}, {100}, {0.5}, 1.0), Error);
}

TEST(SynthInstruments, TestNotesComeFromASoundfontTrainingNeverHears) {
    const SynthInstrumentsOptions defaults;
    for (const auto& sf : {defaults.train_soundfonts[0], defaults.train_soundfonts[1], defaults.test_soundfont})
        if (!fs::exists(sf))
            GTEST_SKIP() << sf << " is not installed (packaging/install-deps.sh)";
    if (std::system("fluidsynth --version > /dev/null 2>&1") != 0)
        GTEST_SKIP() << "fluidsynth is not installed (packaging/install-deps.sh)";
    TempDir dir;
    SynthInstrumentsOptions o;
    o.notes_per_class = 3;
    o.validation_fraction = 0.3;
    o.seed = 5;
    const SynthInstrumentsResult r = makeSynthInstruments(dir / "notes", o);
    EXPECT_EQ(r.clips + r.silent_dropped, 3u * 10u * 3u);
    const Dataset ds = readDataset(dir / "notes");
    EXPECT_EQ(ds.classes.size(), 10u);
    EXPECT_EQ(ds.clips.size(), r.clips);
    std::set<std::string> trainGroups, testGroups;
    std::size_t validation = 0;
    for (const Clip& c : ds.clips) {
        (c.split == kSplitTest ? testGroups : trainGroups).insert(c.group);
        validation += c.split == kSplitValidation;
        const Waveform w = loadAudio(ds.clipPath(c));
        EXPECT_EQ(w.sample_rate, 32000);
        EXPECT_EQ(w.samples.size(), 32000u);
    }
    EXPECT_EQ(testGroups, std::set<std::string>{"TimGM6mb"});
    EXPECT_EQ(trainGroups, (std::set<std::string>{"FluidR3_GM", "MuseScore_General_Lite"}));
    EXPECT_GT(validation, 0u);
    // Same seed, same notes; an existing folder is kept unless overwrite.
    EXPECT_THROW(makeSynthInstruments(dir / "notes", o), Error);
    o.overwrite = true;
    makeSynthInstruments(dir / "notes", o);
    EXPECT_EQ(readDataset(dir / "notes").clips.size(), ds.clips.size());
    // A missing soundfont is said before anything is written.
    SynthInstrumentsOptions missing = o;
    missing.test_soundfont = dir / "none.sf2";
    try {
        makeSynthInstruments(dir / "other", missing);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Unsupported);
        EXPECT_NE(std::string(e.what()).find("install-deps"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir / "other"));
}
