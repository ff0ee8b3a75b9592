// The fuzz targets, one function each: what every reader of untrusted files does with any bytes.
// fuzz_target.cpp wraps one of them for libFuzzer (the fuzz preset, Clang); core_tests replays the
// inputs that once crashed one (fuzz/corpus/<target>/crash-*) through the same function in the
// ordinary and the sanitize builds. patchout::Error is the documented answer to bad input and is
// caught by the callers; anything else that escapes (std::bad_alloc, std::out_of_range, a crash, a
// sanitizer report) is a finding.
#pragma once

#include "model/pickle.h"
#include "model/safetensors.h"
#include "model/torch_archive.h"
#include "patchout/audio_file.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/report.h"
#include "patchout/run_folder.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace patchout::fuzz {

// The bytes as a regular file, readable by path (/proc/self/fd/N) until destruction.
class MemoryFile {
public:
    MemoryFile(const std::uint8_t* data, std::size_t size) : m_fd(memfd_create("fuzz-input", 0)) {
        if (m_fd < 0)
            std::abort();
        for (std::size_t done = 0; done < size;) {
            const ssize_t n = ::write(m_fd, data + done, size - done);
            if (n <= 0)
                std::abort();
            done += static_cast<std::size_t>(n);
        }
    }
    ~MemoryFile() { ::close(m_fd); }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    std::filesystem::path path() const { return "/proc/self/fd/" + std::to_string(m_fd); }

private:
    int m_fd;
};

// One scratch folder per process (libFuzzer runs inputs one after another in one process).
inline const std::filesystem::path& scratchDir() {
    static const std::filesystem::path dir = [] {
        char tmpl[] = "/tmp/patchout-fuzz-XXXXXX";
        if (!mkdtemp(tmpl))
            std::abort();
        return std::filesystem::path(tmpl);
    }();
    return dir;
}

// Writes `text` to dir/name, creating the folders on the way.
inline void writeFile(const std::filesystem::path& path, std::string_view text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out)
        std::abort();
}

inline std::string_view asText(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The audio decoder path: any bytes as a file, through libsndfile, the header checks, the downmix
// and the resampler, whole and streamed.
inline void audio(const std::uint8_t* data, std::size_t size) {
    const MemoryFile file(data, size);
    try {
        probeAudio(file.path());
    } catch (const Error&) {
    }
    try {
        loadAudio(file.path(), {.target_rate = 32000});  // PaSST's rate: other rates are resampled
    } catch (const Error&) {
    }
    AudioFileReader reader(file.path(), {.target_rate = 16000, .downmix = Downmix::First});
    float block[4096];
    while (reader.read(block, 4096) == 4096) {
    }
}

// The checkpoint importer's unpickler: any bytes as data.pkl.
inline void pickle(const std::uint8_t* data, std::size_t size) {
    const auto out = patchout::pickle::unpickle(data, size, [](const std::string&, DType, std::int64_t) {});
    (void)out.root->find("state_dict");
}

// The checkpoint importer's zip reader: any bytes as a torch.save file (LibTorch's
// PyTorchStreamReader, then our pickle reader and storage checks).
inline void torch_archive(const std::uint8_t* data, std::size_t size) {
    const MemoryFile file(data, size);
    const patchout::pickle::TorchArchive archive(file.path());
    (void)archive.root().find("model");
}

// The model file loader's first step: any bytes as a safetensors file, header and layout checked.
inline void safetensors(const std::uint8_t* data, std::size_t size) {
    const MemoryFile file(data, size);
    std::ifstream in(file.path(), std::ios::binary);
    readSafetensorsHeader(file.path(), in);
}

// A run's metrics.jsonl, as the Train view and `patchout runs` read it.
inline void metrics_jsonl(const std::uint8_t* data, std::size_t size) {
    parseTrainingCurves(std::string(asText(data, size)));
}

// predictions.csv (`patchout metrics`, the Evaluate view) and the report computed from it: the
// first byte picks single- or multi-label, the rest is the file.
inline void predictions(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return;
    computeReport(parsePredictionsCsv(std::string(asText(data + 1, size - 1)), data[0] & 1), {.threads = 1});
}

// report.json as the Evaluate view reads it back (the comparison and the clips it names).
inline void report(const std::uint8_t* data, std::size_t size) {
    const auto dir = scratchDir() / "report";
    writeFile(dir / "report.json", asText(data, size));
    readReportComparison(dir);
    reportClips(dir);
}

// Every dataset reader's metadata (a folder layout's is its groups rule): the first byte picks the
// layout (and strict or skip_bad_rows),
// the rest is split at lines "@@" into that layout's metadata files. Empty WAV-named files stand
// beside them, so rows naming them reach the checks after the parse.
inline void dataset(const std::uint8_t* data, std::size_t size) {
    struct Layout {
        DatasetFormat format;
        std::vector<const char*> files;
    };
    static const Layout kLayouts[] = {
        {DatasetFormat::Csv, {"labels.csv"}},
        {DatasetFormat::Esc50, {"meta/esc50.csv"}},
        {DatasetFormat::Fsd50k,
         {"FSD50K.ground_truth/vocabulary.csv", "FSD50K.ground_truth/dev.csv", "FSD50K.ground_truth/eval.csv"}},
        {DatasetFormat::AudioSet, {"class_labels_indices.csv", "balanced_train_segments.csv"}},
        {DatasetFormat::SpeechCommands, {"validation_list.txt", "testing_list.txt"}},
        {DatasetFormat::Fsdd, {"labels.csv"}},
        {DatasetFormat::Folder, {"groups.txt"}},  // the groups rule: a regular expression
    };
    constexpr std::size_t kCount = sizeof kLayouts / sizeof kLayouts[0];
    if (size == 0)
        return;
    const Layout& layout = kLayouts[data[0] % kCount];
    const bool skipBadRows = (data[0] / kCount) & 1;
    const auto root = scratchDir() / "dataset";
    std::filesystem::remove_all(root);
    for (const char* audio : {"a.wav", "audio/1-1-A-0.wav", "recordings/0_george_0.wav", "yes/x_nohash_0.wav",
                              "FSD50K.dev_audio/1.wav", "FSD50K.eval_audio/2.wav", "balanced_train_segments/Y1.wav"})
        writeFile(root / audio, "");
    std::string_view rest = asText(data + 1, size - 1);
    for (const char* name : layout.files) {
        const auto cut = rest.find("\n@@\n");
        writeFile(root / name, rest.substr(0, cut));
        rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 4);
    }
    readDataset(root, {.format = layout.format, .skip_bad_rows = skipBadRows, .check_audio = false});
}

}  // namespace patchout::fuzz
