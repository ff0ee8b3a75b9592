// Helpers for the data tests: tiny generated datasets of every supported layout (a few 0.1 s sine
// WAVs plus the metadata files the format uses), and small file utilities.
#pragma once

#include "patchout/audio_file.h"
#include "patchout/audio_source.h"
#include "patchout/dataset.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace patchout::test {

inline void writeText(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
}

inline std::string readText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Appends one line and returns its 1-based line number.
inline int appendLine(const std::filesystem::path& path, const std::string& line) {
    std::string text = readText(path);
    if (!text.empty() && text.back() != '\n')
        text += '\n';
    text += line + "\n";
    writeText(path, text);
    int n = 0;
    for (char c : text)
        n += c == '\n';
    return n;
}

// A short sine: frequency and length differ per file so content hashes differ.
inline void writeTone(const std::filesystem::path& path, double frequency_hz = 440,
                      double duration_s = 0.1, int sample_rate = 16000) {
    std::filesystem::create_directories(path.parent_path());
    SignalOptions s;
    s.kind = SignalKind::Sine;
    s.sample_rate = sample_rate;
    s.duration_s = duration_s;
    s.frequency_hz = frequency_hz;
    saveWav(path, synthesize(s));
}

// Two classes of tones far apart (400 Hz and 3 kHz, 0.5 s at 32 kHz), `perClass` clips each with
// labels.csv (every third one test, the others train): a dataset any model separates.
inline Dataset toneDataset(const std::filesystem::path& root, int perClass = 6) {
    std::string csv = "filename,label,split\n";
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < perClass; ++i) {
            const std::string name = "k" + std::to_string(c) + "_" + std::to_string(i) + ".wav";
            writeTone(root / name, (c == 0 ? 400.0 : 3000.0) * (1.0 + 0.01 * i), 0.5, 32000);
            csv += name + ",tone" + std::to_string(c) + "," + (i % 3 == 2 ? "test" : "train") + "\n";
        }
    writeText(root / "labels.csv", csv);
    return readDataset(root);
}

inline void writeGarbage(const std::filesystem::path& path) {
    writeText(path, "this is not audio, just text in a file ending in .wav\n");
}

}  // namespace patchout::test
