#include "patchout/synth_instruments.h"

#include "base/process.h"
#include "data/portable_random.h"
#include "data/staged_folder.h"
#include "patchout/audio_file.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/text.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace fs = std::filesystem;

namespace patchout {

std::vector<InstrumentFamily> defaultInstrumentFamilies() {
    return {{"piano", 0, 36, 84},     {"chromatic_percussion", 8, 60, 96}, {"organ", 16, 36, 84},
            {"guitar", 24, 40, 76},   {"bass", 32, 28, 55},                {"strings", 40, 43, 84},
            {"ensemble", 48, 43, 84}, {"brass", 56, 40, 76},               {"reed", 64, 48, 84},
            {"pipe", 72, 60, 96}};
}

void SynthInstrumentsOptions::validate() const {
    auto bad = [](const std::string& m) { throw Error(ErrorCode::InvalidArgument, m); };
    if (families.size() < 2)
        bad("synth-instruments needs at least two instrument families");
    for (const auto& f : families)
        if (f.name.empty() || f.first_program < 0 || f.first_program + 8 > 128 || f.low_pitch < 0 ||
            f.high_pitch > 127 || f.low_pitch > f.high_pitch)
            bad("instrument family '" + f.name + "': programs must be in 0..127 and 0 <= low <= high <= 127");
    if (train_soundfonts.empty() || test_soundfont.empty())
        bad("synth-instruments needs training soundfonts and a test soundfont");
    if (notes_per_class < 1)
        bad("notes_per_class must be >= 1");
    if (!(validation_fraction >= 0 && validation_fraction < 1))
        bad("validation_fraction must be in [0, 1)");
    if (sample_rate < 8000 || sample_rate > 96000)
        bad("sample_rate must be in 8000..96000");
    if (!(clip_seconds >= 0.2 && clip_seconds <= 10))
        bad("clip_seconds must be in [0.2, 10]");
    if (velocity_min < 1 || velocity_max > 127 || velocity_min > velocity_max)
        bad("velocities must satisfy 1 <= velocity_min <= velocity_max <= 127");
}

namespace {

void putVarLen(std::string& out, std::uint32_t v) {
    char bytes[5];
    int n = 0;
    bytes[n++] = static_cast<char>(v & 0x7f);
    while ((v >>= 7) != 0)
        bytes[n++] = static_cast<char>(0x80 | (v & 0x7f));
    while (n > 0)
        out += bytes[--n];
}

void putBigEndian(std::string& out, std::uint32_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
        out += static_cast<char>((v >> (8 * i)) & 0xff);
}

struct Note {
    std::size_t family = 0;
    int program = 0, pitch = 60, velocity = 100;
    double duration = 0.5;
    std::string split;
};

}  // namespace

std::string notesMidiFile(const std::vector<int>& programs, const std::vector<int>& pitches,
                          const std::vector<int>& velocities, const std::vector<double>& durations,
                          double slot_seconds) {
    const std::size_t n = programs.size();
    if (pitches.size() != n || velocities.size() != n || durations.size() != n || !(slot_seconds > 0))
        throw Error(ErrorCode::InvalidArgument, "notesMidiFile: one program, pitch, velocity and duration per note");
    constexpr int kTicksPerQuarter = 480;  // at the default 120 bpm: 960 ticks per second
    constexpr double kTicksPerSecond = 2.0 * kTicksPerQuarter;
    struct Event {
        std::uint32_t tick;
        int order;  // at one tick: note off, then program, then note on
        std::string bytes;
    };
    std::vector<Event> events;
    for (std::size_t i = 0; i < n; ++i) {
        if (programs[i] < 0 || programs[i] > 127 || pitches[i] < 0 || pitches[i] > 127 || velocities[i] < 1 ||
            velocities[i] > 127 || !(durations[i] > 0 && durations[i] < slot_seconds))
            throw Error(ErrorCode::InvalidArgument, "notesMidiFile: note " + std::to_string(i) + " is out of range");
        const auto on = static_cast<std::uint32_t>(std::lround(static_cast<double>(i) * slot_seconds * kTicksPerSecond));
        const auto off = static_cast<std::uint32_t>(
            std::lround((static_cast<double>(i) * slot_seconds + durations[i]) * kTicksPerSecond));
        events.push_back({on, 1, {'\xc0', static_cast<char>(programs[i])}});
        events.push_back({on, 2, {'\x90', static_cast<char>(pitches[i]), static_cast<char>(velocities[i])}});
        events.push_back({off, 0, {'\x80', static_cast<char>(pitches[i]), '\0'}});
    }
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        return a.tick != b.tick ? a.tick < b.tick : a.order < b.order;
    });
    std::string track;
    std::uint32_t now = 0;
    for (const auto& e : events) {
        putVarLen(track, e.tick - now);
        now = e.tick;
        track += e.bytes;
    }
    putVarLen(track, static_cast<std::uint32_t>(kTicksPerSecond));  // a second for the last tail
    track += std::string("\xff\x2f\x00", 3);
    std::string file = "MThd";
    putBigEndian(file, 6, 4);
    putBigEndian(file, 0, 2);  // format 0
    putBigEndian(file, 1, 2);  // one track
    putBigEndian(file, kTicksPerQuarter, 2);
    file += "MTrk";
    putBigEndian(file, static_cast<std::uint32_t>(track.size()), 4);
    return file + track;
}

SynthInstrumentsResult makeSynthInstruments(const fs::path& out, const SynthInstrumentsOptions& options,
                                            const JobControl* job) {
    options.validate();
    std::vector<fs::path> soundfonts = options.train_soundfonts;
    soundfonts.push_back(options.test_soundfont);
    for (const auto& sf : soundfonts)
        if (!fs::is_regular_file(sf))
            throw Error(ErrorCode::Unsupported,
                        "soundfont missing (Debian: fluid-soundfont-gm, musescore-general-soundfont-small, "
                        "timgm6mb-soundfont; packaging/install-deps.sh installs them)",
                        sf.string());
    if (detail::runProgram({"fluidsynth", "--version"}).exit_code != 0)
        throw Error(ErrorCode::Unsupported, "cannot run fluidsynth (Debian package fluidsynth; "
                                            "packaging/install-deps.sh installs it)");
    data::StagedFolder folder(out, options.overwrite);
    const double slot = options.clip_seconds + 0.25;  // the clip, then a quarter second for the tail

    SynthInstrumentsResult result;
    result.dir = out;
    std::ostringstream csv;
    csv << "filename,label,split,group\n";
    for (std::size_t s = 0; s < soundfonts.size(); ++s) {
        if (job)
            job->throwIfCancelled();
        const bool test = s + 1 == soundfonts.size();
        const std::string stem = soundfonts[s].stem().string();
        // The notes of this soundfont: a stream per (seed, soundfont name), so adding a soundfont
        // does not change the others' notes.
        std::mt19937_64 rng(data::mixSeed(options.seed, data::fnv1a64(stem.data(), stem.size())));
        std::vector<Note> notes;
        for (std::size_t f = 0; f < options.families.size(); ++f) {
            const InstrumentFamily& fam = options.families[f];
            for (int k = 0; k < options.notes_per_class; ++k) {
                Note n;
                n.family = f;
                n.program = fam.first_program + static_cast<int>(data::uniformIndex(rng, 8));
                n.pitch = fam.low_pitch +
                          static_cast<int>(data::uniformIndex(rng, static_cast<std::uint64_t>(fam.high_pitch - fam.low_pitch + 1)));
                n.velocity = options.velocity_min +
                             static_cast<int>(data::uniformIndex(
                                 rng, static_cast<std::uint64_t>(options.velocity_max - options.velocity_min + 1)));
                n.duration = options.clip_seconds * (0.3 + 0.6 * data::uniform01(rng));
                n.split = test ? "test" : data::uniform01(rng) < options.validation_fraction ? "validation" : "train";
                notes.push_back(n);
            }
        }
        std::vector<int> programs, pitches, velocities;
        std::vector<double> durations;
        for (const auto& n : notes) {
            programs.push_back(n.program);
            pitches.push_back(n.pitch);
            velocities.push_back(n.velocity);
            durations.push_back(n.duration);
        }
        const fs::path midi = folder.dir() / (".notes-" + stem + ".mid");
        const fs::path rendered = folder.dir() / (".notes-" + stem + ".wav");
        writeTextAtomically(midi, notesMidiFile(programs, pitches, velocities, durations, slot));
        const auto run = detail::runProgram({"fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.5", "-r",
                                             std::to_string(options.sample_rate), "-T", "wav", "-F",
                                             rendered.string(), soundfonts[s].string(), midi.string()});
        if (run.exit_code != 0 || !fs::is_regular_file(rendered))
            throw Error(ErrorCode::Unsupported, "fluidsynth could not render the notes", soundfonts[s].string());
        const Waveform all = loadAudio(rendered, {.target_rate = options.sample_rate});
        std::error_code ec;
        fs::remove(midi, ec);
        fs::remove(rendered, ec);
        const auto clipLen = static_cast<std::size_t>(std::lround(options.clip_seconds * options.sample_rate));
        for (std::size_t i = 0; i < notes.size(); ++i) {
            const auto start = static_cast<std::size_t>(std::lround(static_cast<double>(i) * slot * options.sample_rate));
            Waveform clip;
            clip.sample_rate = options.sample_rate;
            clip.samples.assign(clipLen, 0.0f);
            for (std::size_t t = 0; t < clipLen && start + t < all.samples.size(); ++t)
                clip.samples[t] = all.samples[start + t];
            float peak = 0;
            for (float v : clip.samples)
                peak = std::max(peak, std::abs(v));
            if (peak < 1e-3f) {  // a program this soundfont leaves silent
                ++result.silent_dropped;
                continue;
            }
            // A random peak level: loudness says nothing about the instrument or the soundfont.
            const double level = 0.3 + 0.6 * data::uniform01(rng);
            for (auto& v : clip.samples)
                v = static_cast<float>(v * level / peak);
            const std::string label = options.families[notes[i].family].name;
            const std::string rel = label + "/" + stem + "_" + std::to_string(i) + ".wav";
            saveWav(folder.dir() / rel, clip);
            csv << csvRow({rel, label, notes[i].split, stem});
            ++result.clips;
            result.total_seconds += clip.durationSeconds();
        }
        if (job)
            job->report({static_cast<std::int64_t>(s + 1), static_cast<std::int64_t>(soundfonts.size()), stem, {}});
    }
    std::string classes;
    for (const auto& f : options.families)
        classes += f.name + "\n";
    writeTextAtomically(folder.dir() / "classes.txt", classes);
    writeTextAtomically(folder.dir() / "labels.csv", csv.str());
    folder.commit();
    return result;
}

}  // namespace patchout
