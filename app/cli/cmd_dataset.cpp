// `patchout dataset info|validate|synth-words|synth-instruments`: look at a dataset the way training will read it,
// check it with the report of every problem (file and line), and make the built-in demo data.
#include "commands.h"
#include "progress_bar.h"

#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/synth_instruments.h"
#include "patchout/synth_words.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct DatasetArgs {
    std::string dir;
    std::string format = "auto";
    bool skipBadRows = false;
    bool noAudioCheck = false;
    std::string csv;
    // synth-words
    std::string out;
    std::uint64_t seed = 0;
    bool overwrite = false;
    std::vector<std::string> words = SynthWordsOptions{}.words;
    int takes = SynthWordsOptions{}.takes_per_voice;
    int sampleRate = SynthWordsOptions{}.sample_rate;
    // synth-instruments
    int notes = SynthInstrumentsOptions{}.notes_per_class;
};

DatasetReadOptions readOptions(const DatasetArgs& a, bool skip) {
    DatasetReadOptions o;
    o.format = parseDatasetFormat(a.format);
    o.skip_bad_rows = skip;
    o.check_audio = !a.noAudioCheck;
    o.csv_file = a.csv;
    return o;
}

// Reads the dataset with a progress bar on a terminal (100,000 clips take seconds to check).
Dataset readWithProgress(const DatasetArgs& a, bool skip) {
    ProgressBar bar("reading");
    JobControl job([&](const Progress& p) { bar.update(p); });
    DatasetReadOptions o = readOptions(a, skip);
    o.job = &job;
    Dataset ds = readDataset(a.dir, o);
    bar.finish();
    return ds;
}

void printProblems(const Dataset& ds) {
    for (const auto& p : ds.problems)
        std::cout << "  " << p.describe() << "\n";
}

std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f s", s);
    return buf;
}

void runInfo(const DatasetArgs& a) {
    // info describes what is usable; the problems (if any) are listed at the end.
    const Dataset ds = readWithProgress(a, true);
    std::cout << "Dataset: " << fs::absolute(ds.root).string() << "\n"
              << "Format: " << datasetFormatName(ds.format) << "\n"
              << "Clips: " << ds.clips.size() << "  classes: " << ds.classes.size()
              << (ds.multi_label ? "  (multi-label)" : "") << "\n";
    std::vector<std::string> splits;
    for (const auto& c : ds.clips) {
        const std::string s = c.fold > 0 ? "fold " + std::to_string(c.fold)
                                         : (c.split.empty() ? "(none)" : c.split);
        if (std::find(splits.begin(), splits.end(), s) == splits.end())
            splits.push_back(s);
    }
    std::sort(splits.begin(), splits.end(), [](const std::string& x, const std::string& y) {
        auto rank = [](const std::string& s) {
            return s == kSplitTrain ? 0 : s == kSplitValidation ? 1 : s == kSplitTest ? 2 : 3;
        };
        return rank(x) != rank(y) ? rank(x) < rank(y) : x < y;
    });
    std::map<std::string, std::vector<std::size_t>> perSplit;  // split -> counts per class
    for (const auto& s : splits)
        perSplit[s].assign(ds.classes.size(), 0);
    std::map<std::string, std::size_t> splitClips;
    for (const auto& c : ds.clips) {
        const std::string s = c.fold > 0 ? "fold " + std::to_string(c.fold)
                                         : (c.split.empty() ? "(none)" : c.split);
        ++splitClips[s];
        for (int l : c.labels)
            ++perSplit[s][static_cast<std::size_t>(l)];
    }
    std::cout << "Splits:";
    for (const auto& s : splits)
        std::cout << "  " << s << " " << splitClips[s];
    std::cout << "\n";
    const auto groups = ds.groups();
    if (!groups.empty())
        std::cout << "Speakers/groups: " << groups.size() << "\n";

    double total = 0, shortest = 1e300, longest = 0;
    for (const auto& c : ds.clips) {
        total += c.duration_s;
        shortest = std::min(shortest, c.duration_s);
        longest = std::max(longest, c.duration_s);
    }
    if (!ds.clips.empty() && !a.noAudioCheck)
        std::cout << "Duration: total " << seconds(total) << ", mean "
                  << seconds(total / static_cast<double>(ds.clips.size())) << ", min "
                  << seconds(shortest) << ", max " << seconds(longest) << "\n";

    std::size_t width = 5;
    for (const auto& n : ds.classes)
        width = std::max(width, n.size());
    width = std::min<std::size_t>(width, 40);
    std::cout << "\n" << std::left << std::setw(static_cast<int>(width) + 6) << "class" << std::right
              << std::setw(8) << "total";
    for (const auto& s : splits)
        std::cout << std::setw(std::max<int>(10, static_cast<int>(s.size()) + 2)) << s;
    std::cout << "\n";
    const auto counts = ds.classCounts();
    for (std::size_t c = 0; c < ds.classes.size(); ++c) {
        std::cout << std::left << std::setw(5) << c << " " << std::setw(static_cast<int>(width))
                  << ds.classes[c].substr(0, width) << std::right << std::setw(8) << counts[c];
        for (const auto& s : splits)
            std::cout << std::setw(std::max<int>(10, static_cast<int>(s.size()) + 2)) << perSplit[s][c];
        std::cout << "\n";
    }
    if (!ds.problems.empty()) {
        std::cout << "\n" << ds.problems.size() << " problem(s), " << ds.skipped_rows
                  << " row(s) left out (see `patchout dataset validate`):\n";
        printProblems(ds);
    }
}

void runValidate(const DatasetArgs& a) {
    const Dataset ds = readWithProgress(a, a.skipBadRows);
    if (ds.problems.empty()) {
        std::cout << "OK: " << ds.clips.size() << " clips in " << ds.classes.size() << " classes ("
                  << datasetFormatName(ds.format) << "), no problems\n";
        return;
    }
    std::cout << ds.problems.size() << " problem(s); skipped " << ds.skipped_rows
              << " bad row(s), " << ds.clips.size() << " clips usable:\n";
    printProblems(ds);
}

void runSynthWords(const DatasetArgs& a) {
    SynthWordsOptions o;
    o.seed = a.seed;
    o.overwrite = a.overwrite;
    o.words = a.words;
    o.takes_per_voice = a.takes;
    o.sample_rate = a.sampleRate;
    JobControl job([](const Progress& p) {
        if (p.step % 20 == 0 || p.step == p.total)
            std::cerr << "\r  spoken " << p.step << "/" << p.total << std::flush;
    });
    const SynthWordsResult r = makeSynthWords(a.out, o, &job);
    std::cerr << "\n";
    std::cout << "Wrote " << r.clips << " clips (" << seconds(r.total_seconds) << ") of "
              << o.words.size() << " words to " << fs::absolute(r.dir).string() << "\n"
              << "  train voices: " << o.train_voices.size() << ", validation voices: "
              << o.validation_voices.size() << ", held-out test voices: " << o.test_voices.size()
              << "\n";
}

void runSynthInstruments(const DatasetArgs& a) {
    SynthInstrumentsOptions o;
    o.seed = a.seed;
    o.overwrite = a.overwrite;
    o.notes_per_class = a.notes;
    o.sample_rate = a.sampleRate;
    JobControl job([](const Progress& p) {
        std::cerr << "  rendered " << p.message << " (" << p.step << "/" << p.total << ")\n";
    });
    const SynthInstrumentsResult r = makeSynthInstruments(a.out, o, &job);
    std::cout << "Wrote " << r.clips << " clips (" << seconds(r.total_seconds) << ") of "
              << o.families.size() << " instrument families to " << fs::absolute(r.dir).string() << "\n"
              << "  train and validation: " << o.train_soundfonts.size()
              << " soundfonts; held-out test: " << o.test_soundfont.filename().string() << "\n";
    if (r.silent_dropped > 0)
        std::cout << "  " << r.silent_dropped << " notes rendered silent were left out\n";
}

}  // namespace

void addDatasetCommands(CLI::App& app) {
    static DatasetArgs a;
    auto* ds = app.add_subcommand("dataset", "Inspect and validate datasets; make the built-in demo data");
    ds->require_subcommand(1);
    std::string formats;
    for (const auto& n : datasetFormatNames())
        formats += (formats.empty() ? "" : ", ") + n;

    auto* info = ds->add_subcommand("info", "Classes, clips per class and split, durations");
    info->add_option("dir", a.dir, "Dataset folder")->required();
    info->add_option("--format", a.format, "Layout: " + formats)->capture_default_str();
    info->add_option("--csv", a.csv, "Metadata file for the csv format (default labels.csv)");
    info->add_flag("--no_audio_check", a.noAudioCheck, "Do not open each audio file");
    info->callback([] { runInfo(a); });

    auto* validate = ds->add_subcommand("validate", "Report every problem with file and line");
    validate->add_option("dir", a.dir, "Dataset folder")->required();
    validate->add_option("--format", a.format, "Layout: " + formats)->capture_default_str();
    validate->add_option("--csv", a.csv, "Metadata file for the csv format (default labels.csv)");
    validate->add_flag("--skip_bad_rows", a.skipBadRows,
                       "Leave bad rows out and say how many (default: any problem is an error)");
    validate->add_flag("--no_audio_check", a.noAudioCheck, "Do not open each audio file");
    validate->callback([] { runValidate(a); });

    auto* synth = ds->add_subcommand(
        "synth-words", "Built-in demo data: espeak-ng speaks the digits (or --words) with several "
                       "voices, speeds and pitches over noise (held-out voices for test)");
    synth->add_option("--out,-o", a.out, "Output folder (must be empty or absent)")->required();
    synth->add_option("--seed", a.seed, "Random seed (same seed, same bytes)")->capture_default_str();
    synth->add_flag("--overwrite", a.overwrite, "Replace an existing output folder");
    synth->add_option("--words", a.words, "Words to speak, one class each (comma-separated)")
        ->delimiter(',')
        ->capture_default_str();
    synth->add_option("--takes", a.takes, "Clips per word and voice")->capture_default_str();
    synth->add_option("--sample_rate", a.sampleRate,
                      "Sample rate of the files (e.g. 8000 to match telephone-band recordings)")
        ->capture_default_str();
    synth->callback([] { runSynthWords(a); });

    auto* instruments = ds->add_subcommand(
        "synth-instruments",
        "A non-speech benchmark: single notes of ten General MIDI instrument families rendered by "
        "fluidsynth; train and validation from two soundfonts, test from a third (instruments "
        "training never heard)");
    instruments->add_option("--out,-o", a.out, "Output folder (must be empty or absent)")->required();
    instruments->add_option("--seed", a.seed, "Random seed (same seed, same notes)")->capture_default_str();
    instruments->add_flag("--overwrite", a.overwrite, "Replace an existing output folder");
    instruments->add_option("--notes", a.notes, "Notes per instrument family and soundfont")->capture_default_str();
    instruments->add_option("--sample_rate", a.sampleRate, "Sample rate of the files")->capture_default_str();
    instruments->callback([] { runSynthInstruments(a); });
}

}  // namespace patchout::cli
