// Decoding and writing audio files through libsndfile (WAV, FLAC, OGG/Vorbis, Opus, MP3 where the
// installed libsndfile has it, AIFF, ...), downmixed to mono and optionally resampled with libsoxr.
// AudioFileReader streams a file in blocks so an hour of audio never needs an hour-sized copy.
// Thread-safety: free functions are reentrant; one AudioFileReader per thread.
#pragma once

#include "patchout/waveform.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace patchout {

struct AudioInfo {
    int sample_rate = 0;
    int channels = 0;
    std::int64_t frames = 0;  // samples per channel
    std::string format;       // e.g. "WAV (Microsoft) / Signed 16 bit PCM"
    double durationSeconds() const noexcept {
        return sample_rate > 0 ? static_cast<double>(frames) / sample_rate : 0.0;
    }
};

// How several channels become one.
enum class Downmix { Average, First, Channel };

struct LoadOptions {
    int target_rate = 0;  // 0 keeps the file's rate; otherwise resampled with libsoxr (high quality)
    Downmix downmix = Downmix::Average;
    int channel = 0;          // used with Downmix::Channel
    double offset_s = 0.0;    // start reading here
    double duration_s = 0.0;  // 0 reads to the end
};

// Limits that reject absurd files instead of trying to process them.
inline constexpr int kMinSampleRate = 1000;
inline constexpr int kMaxSampleRate = 768000;

// Reads the header only. Throws Error(FileNotFound | BadFormat | Unsupported) naming the file.
AudioInfo probeAudio(const std::filesystem::path& path);

// Decodes a whole file (or the window given by offset/duration). Rejects empty files, NaN/Inf
// samples and sample rates outside [kMinSampleRate, kMaxSampleRate] with a clear Error.
Waveform loadAudio(const std::filesystem::path& path, const LoadOptions& options = {});

// Writes 16-bit PCM (or 32-bit float) WAV atomically.
enum class WavEncoding { Pcm16, Float32 };
void saveWav(const std::filesystem::path& path, const Waveform& wave,
             WavEncoding encoding = WavEncoding::Pcm16);

// Streams a file block by block, mono, at LoadOptions::target_rate (resampling across block
// boundaries without seams). read() returns fewer samples than asked only at the end.
class AudioFileReader {
public:
    explicit AudioFileReader(const std::filesystem::path& path, const LoadOptions& options = {});
    ~AudioFileReader();
    AudioFileReader(AudioFileReader&&) noexcept;
    AudioFileReader& operator=(AudioFileReader&&) noexcept;

    const AudioInfo& info() const noexcept;
    int sampleRate() const noexcept;  // output rate
    std::size_t read(float* out, std::size_t maxSamples);
    std::vector<float> read(std::size_t maxSamples);
    bool atEnd() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace patchout
