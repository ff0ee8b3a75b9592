// Built-in demo data: espeak-ng speaks a set of keywords with several voices, speeds and pitches,
// over background noise at a few SNRs, into a folder-per-class dataset (<word>/<voice>_<n>.wav at
// 32 kHz, labels.csv in the generic CSV layout, classes.txt) whose test and validation voices are
// never heard in training. The same options and seed give the same bytes. readDataset() reads it.
#pragma once

#include "patchout/job.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

// The default training voices: accents {en, en-us, en-029, en-gb-x-gbclan, en-gb-x-gbcwmd,
// en-us-nyc} x variants {default, m1, m2, m3, m4, m6, f1, f2, f4, klatt2}.
std::vector<std::string> defaultTrainVoices();

struct SynthWordsOptions {
    std::vector<std::string> words = {"zero", "one", "two",   "three", "four",
                                      "five", "six", "seven", "eight", "nine"};
    // espeak-ng voices (accent + variant: "en-us+f2"); each voice is one "speaker". The defaults
    // cross 6 accents with 10 voice variants for training (60 speakers: a ViT trained from scratch
    // needs that many to generalise to new voices); validation and test voices pair accents and
    // variants training never hears.
    std::vector<std::string> train_voices = defaultTrainVoices();
    std::vector<std::string> validation_voices = {"en-gb-scotland+m5", "en-gb-scotland+f5"};
    std::vector<std::string> test_voices = {"en-gb-x-rp", "en-gb-x-rp+f3", "en-gb-x-rp+m7",
                                            "en-gb-scotland+klatt3"};
    int takes_per_voice = 2;                             // clips per word and voice
    std::vector<int> words_per_minute = {140, 190};      // take t uses entry t % size
    int pitch_min = 25, pitch_max = 75;                  // espeak-ng pitch, drawn per clip
    std::vector<double> snr_db = {30.0, 20.0, 10.0};     // drawn per clip; noise white/pink/brown
    int sample_rate = 32000;
    double clip_seconds = 1.0;  // the word sits at a random offset in this much audio
    std::uint64_t seed = 0;
    bool overwrite = false;     // replace an existing non-empty output folder

    // Throws Error(InvalidArgument) naming the first bad field.
    void validate() const;
};

struct SynthWordsResult {
    std::filesystem::path dir;
    std::size_t clips = 0;
    double total_seconds = 0;
};

// Writes the dataset into `out`, atomically: it is built in a hidden sibling folder and renamed
// into place, so `out` never holds half a dataset. An existing non-empty `out` is an
// Error(InvalidArgument) unless options.overwrite. Reports one progress step per clip and stops
// (leaving `out` untouched) when `job` is cancelled. Throws Error(Unsupported) when espeak-ng lacks
// a voice.
SynthWordsResult makeSynthWords(const std::filesystem::path& out, const SynthWordsOptions& options = {},
                                const JobControl* job = nullptr);

}  // namespace patchout
