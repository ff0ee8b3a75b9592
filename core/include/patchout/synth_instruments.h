// A public non-speech benchmark that measures generalisation: single notes of General MIDI
// instruments rendered by fluidsynth from Debian's soundfonts, one class per GM instrument family,
// with training and validation notes from two soundfonts and the test notes from a third, so the
// test instruments are recordings training never heard. Built on demand (never committed); the same
// options and seed give the same notes. readDataset() reads the result (labels.csv with split and
// group = the soundfont).
#pragma once

#include "patchout/job.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

// One class: a General MIDI family (eight programs from `first_program`) and the MIDI pitches its
// notes are drawn from.
struct InstrumentFamily {
    std::string name;
    int first_program = 0;  // 0-based GM program
    int low_pitch = 48, high_pitch = 84;
};

// The ten melodic families the defaults use: piano, chromatic percussion, organ, guitar, bass,
// strings, ensemble, brass, reed, pipe.
std::vector<InstrumentFamily> defaultInstrumentFamilies();

struct SynthInstrumentsOptions {
    std::vector<InstrumentFamily> families = defaultInstrumentFamilies();
    // Training and validation notes come from these, the test notes from test_soundfont (Debian's
    // fluid-soundfont-gm, musescore-general-soundfont-small, timgm6mb-soundfont).
    std::vector<std::filesystem::path> train_soundfonts = {"/usr/share/sounds/sf2/FluidR3_GM.sf2",
                                                           "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3"};
    std::filesystem::path test_soundfont = "/usr/share/sounds/sf2/TimGM6mb.sf2";
    int notes_per_class = 40;           // per soundfont
    double validation_fraction = 0.15;  // of the training soundfonts' notes, drawn per note
    int sample_rate = 32000;
    double clip_seconds = 1.0;   // each clip; the note itself lasts 30-90% of it, then decays
    int velocity_min = 50, velocity_max = 120;
    std::uint64_t seed = 0;
    bool overwrite = false;  // replace an existing non-empty output folder

    // Throws Error(InvalidArgument) naming the first bad field.
    void validate() const;
};

struct SynthInstrumentsResult {
    std::filesystem::path dir;
    std::size_t clips = 0;
    std::size_t silent_dropped = 0;  // notes a soundfont rendered as (near) silence
    double total_seconds = 0;
};

// Writes the dataset into `out` (<family>/<soundfont>_<n>.wav at sample_rate, labels.csv with
// filename,label,split,group, classes.txt), atomically as makeSynthWords does. One fluidsynth run
// per soundfont renders all its notes in sequence (reverb and chorus off), cut into clips and
// brought to a random peak level. Error(Unsupported) when fluidsynth or a soundfont is missing
// (install them with packaging/install-deps.sh), before anything is written. Progress per
// soundfont; cancellable between soundfonts.
SynthInstrumentsResult makeSynthInstruments(const std::filesystem::path& out,
                                            const SynthInstrumentsOptions& options = {},
                                            const JobControl* job = nullptr);

// A standard MIDI file (format 0, one track): program `programs[i]` then note `pitches[i]` at
// `velocities[i]` starting at i * slot_seconds and lasting durations[i] seconds, on channel 0.
std::string notesMidiFile(const std::vector<int>& programs, const std::vector<int>& pitches,
                          const std::vector<int>& velocities, const std::vector<double>& durations,
                          double slot_seconds);

}  // namespace patchout
