#include "patchout/synth_words.h"

#include "data/portable_random.h"
#include "data/staged_folder.h"
#include "patchout/audio_file.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/resampler.h"
#include "patchout/speech.h"
#include "patchout/text.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace patchout {

void SynthWordsOptions::validate() const {
    auto bad = [](const std::string& what) { throw Error(ErrorCode::InvalidArgument, what); };
    if (words.empty())
        bad("words: at least one word");
    std::set<std::string> w;
    for (const auto& word : words) {
        if (word.empty() || word.find_first_of("/\\,;\"") != std::string::npos || word[0] == '.')
            bad("words: '" + word + "' is not usable as a class folder name");
        if (!w.insert(word).second)
            bad("words: '" + word + "' listed twice");
    }
    if (train_voices.empty())
        bad("train_voices: at least one voice");
    std::set<std::string> v;
    for (const auto* list : {&train_voices, &validation_voices, &test_voices})
        for (const auto& voice : *list)
            if (voice.empty() || !v.insert(voice).second)
                bad("voices: '" + voice + "' is empty or in two lists (voices must be disjoint)");
    if (takes_per_voice < 1)
        bad("takes_per_voice must be >= 1");
    if (words_per_minute.empty())
        bad("words_per_minute: at least one rate");
    for (int r : words_per_minute)
        if (r < 80 || r > 450)
            bad("words_per_minute must be in 80..450");
    if (pitch_min < 0 || pitch_max > 99 || pitch_min > pitch_max)
        bad("pitch_min..pitch_max must lie in 0..99");
    if (snr_db.empty())
        bad("snr_db: at least one SNR");
    if (sample_rate < kMinSampleRate || sample_rate > kMaxSampleRate)
        bad("sample_rate out of range");
    if (!(clip_seconds > 0.1 && clip_seconds <= 30))
        bad("clip_seconds must be in (0.1, 30]");
}

namespace {

// espeak-ng pads words with silence; cut it so the word can be placed at a known offset.
std::pair<std::size_t, std::size_t> voicedRange(const std::vector<float>& x) {
    float peak = 0;
    for (float s : x)
        peak = std::max(peak, std::abs(s));
    const float threshold = peak * 0.02f;
    std::size_t b = 0, e = x.size();
    while (b < e && std::abs(x[b]) < threshold)
        ++b;
    while (e > b && std::abs(x[e - 1]) < threshold)
        --e;
    return {b, e};
}

std::vector<float> noise(std::size_t n, int kind, std::mt19937_64& rng) {
    std::vector<float> out(n);
    double b0 = 0, b1 = 0, b2 = 0, brown = 0;
    for (auto& s : out) {
        const double w = data::standardNormal(rng);
        if (kind == 0) {
            s = static_cast<float>(w);
        } else if (kind == 1) {  // pink: Paul Kellet's economy filter
            b0 = 0.99765 * b0 + w * 0.0990460;
            b1 = 0.96300 * b1 + w * 0.2965164;
            b2 = 0.57000 * b2 + w * 1.0526913;
            s = static_cast<float>(b0 + b1 + b2 + w * 0.1848);
        } else {  // brown, leaky so it stays bounded
            brown = 0.995 * brown + w * 0.1;
            s = static_cast<float>(brown);
        }
    }
    return out;
}

double rms(const float* x, std::size_t n) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        sum += static_cast<double>(x[i]) * x[i];
    return n ? std::sqrt(sum / static_cast<double>(n)) : 0.0;
}

std::string fileStem(const std::string& voice) {
    std::string s = voice;
    for (auto& c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-'))
            c = '_';
    return s;
}

}  // namespace

std::vector<std::string> defaultTrainVoices() {
    std::vector<std::string> voices;
    for (const char* accent : {"en", "en-us", "en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc"})
        for (const char* variant : {"", "+m1", "+m2", "+m3", "+m4", "+m6", "+f1", "+f2", "+f4", "+klatt2"})
            voices.push_back(std::string(accent) + variant);
    return voices;
}

SynthWordsResult makeSynthWords(const fs::path& out, const SynthWordsOptions& options,
                                const JobControl* job) {
    options.validate();
    data::StagedFolder folder(out, options.overwrite);  // removed again unless committed
    const fs::path staging = folder.dir();

    struct Voice {
        std::string name, split;
    };
    std::vector<Voice> voices;
    for (const auto& v : options.train_voices)
        voices.push_back({v, "train"});
    for (const auto& v : options.validation_voices)
        voices.push_back({v, "validation"});
    for (const auto& v : options.test_voices)
        voices.push_back({v, "test"});

    // Unknown voices are refused before any clip is written (synthesizeSpeech checks the name).
    for (const auto& v : voices)
        synthesizeSpeech("a", {.voice = v.name});

    SynthWordsResult result;
    result.dir = out;
    const std::int64_t total = static_cast<std::int64_t>(voices.size() * options.words.size()) *
                               options.takes_per_voice;
    std::ostringstream csv;
    csv << "filename,label,split,speaker\n";
    {
        std::int64_t step = 0;
        for (std::size_t vi = 0; vi < voices.size(); ++vi) {
            for (std::size_t wi = 0; wi < options.words.size(); ++wi) {
                for (int take = 0; take < options.takes_per_voice; ++take) {
                    if (job)
                        job->throwIfCancelled();
                    // One stream per clip: the bytes of a clip do not depend on the other options.
                    const std::string key = voices[vi].name + "\x1f" + options.words[wi];
                    std::mt19937_64 rng(data::mixSeed(options.seed, data::fnv1a64(key.data(), key.size()),
                                                      static_cast<std::uint64_t>(take)));
                    SpeechOptions speech;
                    speech.voice = voices[vi].name;
                    speech.words_per_minute =
                        options.words_per_minute[static_cast<std::size_t>(take) % options.words_per_minute.size()];
                    speech.pitch = options.pitch_min +
                                   static_cast<int>(data::uniformIndex(
                                       rng, static_cast<std::uint64_t>(options.pitch_max - options.pitch_min + 1)));
                    const Waveform spoken =
                        resample(synthesizeSpeech(options.words[wi], speech), options.sample_rate);
                    const auto [b, e] = voicedRange(spoken.samples);
                    const std::size_t wordLen = e - b;
                    const auto clipLen = std::max<std::size_t>(
                        static_cast<std::size_t>(std::lround(options.clip_seconds * options.sample_rate)),
                        wordLen + static_cast<std::size_t>(options.sample_rate / 20));
                    const std::size_t offset = data::uniformIndex(rng, clipLen - wordLen + 1);
                    Waveform clip;
                    clip.sample_rate = options.sample_rate;
                    clip.samples.assign(clipLen, 0.f);
                    const double speechRms = rms(spoken.samples.data() + b, wordLen);
                    const int kind = static_cast<int>(data::uniformIndex(rng, 3));
                    const double snr = options.snr_db[data::uniformIndex(rng, options.snr_db.size())];
                    auto n = noise(clipLen, kind, rng);
                    const double noiseScale =
                        speechRms / std::pow(10.0, snr / 20.0) / std::max(rms(n.data(), n.size()), 1e-12);
                    for (std::size_t i = 0; i < clipLen; ++i)
                        clip.samples[i] = static_cast<float>(n[i] * noiseScale);
                    for (std::size_t i = 0; i < wordLen; ++i)
                        clip.samples[offset + i] += spoken.samples[b + i];
                    // A random level, then kept inside [-1, 1] so 16-bit PCM does not clip.
                    float peak = 1e-6f;
                    for (float s : clip.samples)
                        peak = std::max(peak, std::abs(s));
                    const double level = 0.3 + 0.6 * data::uniform01(rng);
                    for (auto& s : clip.samples)
                        s = static_cast<float>(s * level / peak);

                    const std::string rel = options.words[wi] + "/" + fileStem(voices[vi].name) + "_" +
                                            std::to_string(take) + ".wav";
                    saveWav(staging / rel, clip);
                    csv << csvRow({rel, options.words[wi], voices[vi].split, voices[vi].name});
                    ++result.clips;
                    result.total_seconds += clip.durationSeconds();
                    if (job)
                        job->report({++step, total, rel, {}});
                }
            }
        }
        std::string classes;
        for (const auto& w : options.words)
            classes += w + "\n";
        writeTextAtomically(staging / "classes.txt", classes);
        writeTextAtomically(staging / "labels.csv", csv.str());

        folder.commit();
    }
    return result;
}

}  // namespace patchout
