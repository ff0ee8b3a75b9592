#include "patchout/audio_file.h"

#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/resampler.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace patchout {
namespace {

constexpr std::size_t kBlockFrames = 65536;

struct SndFileCloser {
    void operator()(SNDFILE* f) const noexcept { sf_close(f); }
};
using SndFilePtr = std::unique_ptr<SNDFILE, SndFileCloser>;

std::string formatName(int format) {
    SF_FORMAT_INFO major{format & SF_FORMAT_TYPEMASK, nullptr, nullptr};
    SF_FORMAT_INFO minor{format & SF_FORMAT_SUBMASK, nullptr, nullptr};
    sf_command(nullptr, SFC_GET_FORMAT_INFO, &major, sizeof(major));
    sf_command(nullptr, SFC_GET_FORMAT_INFO, &minor, sizeof(minor));
    std::string name = major.name ? major.name : "unknown";
    if (minor.name)
        name += std::string(" / ") + minor.name;
    return name;
}

SndFilePtr openChecked(const fs::path& path, AudioInfo& info) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error(ErrorCode::FileNotFound, "no such file", path.string());
    if (fs::is_directory(path, ec))
        throw Error(ErrorCode::InvalidArgument, "is a folder, not an audio file", path.string());
    if (fs::file_size(path, ec) == 0)
        throw Error(ErrorCode::BadFormat, "file is empty (0 bytes)", path.string());
    SF_INFO sfinfo{};
    SndFilePtr file(sf_open(path.c_str(), SFM_READ, &sfinfo));
    if (!file) {
        const int code = sf_error(nullptr);
        const std::string reason = sf_strerror(nullptr);
        const auto errorCode =
            code == SF_ERR_UNRECOGNISED_FORMAT ? ErrorCode::Unsupported : ErrorCode::BadFormat;
        throw Error(errorCode, "cannot decode audio: " + reason, path.string());
    }
    info.sample_rate = sfinfo.samplerate;
    info.channels = sfinfo.channels;
    info.frames = sfinfo.frames;
    info.format = formatName(sfinfo.format);
    if (info.sample_rate < kMinSampleRate || info.sample_rate > kMaxSampleRate)
        throw Error(ErrorCode::BadFormat,
                    "absurd sample rate " + std::to_string(info.sample_rate) + " Hz (accepted: " +
                        std::to_string(kMinSampleRate) + ".." + std::to_string(kMaxSampleRate) + ")",
                    path.string());
    if (info.channels < 1 || info.channels > 1024)
        throw Error(ErrorCode::BadFormat, "absurd channel count " + std::to_string(info.channels),
                    path.string());
    if (info.frames <= 0)
        throw Error(ErrorCode::BadFormat, "contains no audio (0 samples)", path.string());
    return file;
}

}  // namespace

AudioInfo probeAudio(const fs::path& path) {
    AudioInfo info;
    openChecked(path, info);
    return info;
}

struct AudioFileReader::Impl {
    fs::path path;
    AudioInfo info;
    LoadOptions options;
    SndFilePtr file;
    std::unique_ptr<Resampler> resampler;
    std::int64_t framesLeft = 0;   // input frames still to read
    std::int64_t framesRead = 0;
    std::vector<float> interleaved;
    std::vector<float> mono;
    std::vector<float> pending;    // converted samples not yet handed out
    std::size_t pendingPos = 0;
    bool inputDone = false;

    void decodeBlock() {
        const auto want = static_cast<sf_count_t>(
            std::min<std::int64_t>(framesLeft, static_cast<std::int64_t>(kBlockFrames)));
        interleaved.resize(static_cast<std::size_t>(want) * info.channels);
        const sf_count_t got = want > 0 ? sf_readf_float(file.get(), interleaved.data(), want) : 0;
        if (got < want) {
            // libsndfile stops early on truncated or corrupt data: say so rather than pad.
            if (sf_error(file.get()) != SF_ERR_NO_ERROR || framesRead + got < info.frames)
                throw Error(ErrorCode::BadFormat,
                            "truncated or corrupt audio: header promises " +
                                std::to_string(info.frames) + " samples, only " +
                                std::to_string(framesRead + got) + " could be decoded",
                            path.string());
        }
        mono.resize(static_cast<std::size_t>(got));
        const int ch = info.channels;
        for (sf_count_t i = 0; i < got; ++i) {
            const float* frame = &interleaved[static_cast<std::size_t>(i) * ch];
            float v;
            if (ch == 1 || options.downmix == Downmix::First) {
                v = frame[0];
            } else if (options.downmix == Downmix::Channel) {
                v = frame[options.channel];
            } else {
                float sum = 0.f;
                for (int c = 0; c < ch; ++c)
                    sum += frame[c];
                v = sum / static_cast<float>(ch);
            }
            if (!std::isfinite(v))
                throw Error(ErrorCode::BadFormat,
                            "NaN or infinite sample at " +
                                std::to_string(static_cast<double>(framesRead + i) /
                                               info.sample_rate) +
                                " s",
                            path.string());
            mono[static_cast<std::size_t>(i)] = v;
        }
        framesRead += got;
        framesLeft -= got;
        if (framesLeft <= 0 || got == 0)
            inputDone = true;

        pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(pendingPos));
        pendingPos = 0;
        if (resampler) {
            resampler->process(mono.data(), mono.size(), pending);
            if (inputDone)
                resampler->finish(pending);
        } else {
            pending.insert(pending.end(), mono.begin(), mono.end());
        }
    }
};

AudioFileReader::AudioFileReader(const fs::path& path, const LoadOptions& options)
    : m_impl(std::make_unique<Impl>()) {
    auto& d = *m_impl;
    d.path = path;
    d.options = options;
    d.file = openChecked(path, d.info);
    if (options.downmix == Downmix::Channel &&
        (options.channel < 0 || options.channel >= d.info.channels))
        throw Error(ErrorCode::InvalidArgument,
                    "channel " + std::to_string(options.channel) + " asked, file has " +
                        std::to_string(d.info.channels),
                    path.string());
    if (options.offset_s < 0 || options.duration_s < 0)
        throw Error(ErrorCode::InvalidArgument, "offset and duration must be >= 0", path.string());
    const auto offset = static_cast<std::int64_t>(std::llround(options.offset_s * d.info.sample_rate));
    if (offset >= d.info.frames)
        throw Error(ErrorCode::InvalidArgument,
                    "offset " + std::to_string(options.offset_s) + " s is past the end (" +
                        std::to_string(d.info.durationSeconds()) + " s)",
                    path.string());
    if (offset > 0 && sf_seek(d.file.get(), offset, SEEK_SET) < 0)
        throw Error(ErrorCode::BadFormat, "cannot seek in file", path.string());
    d.framesRead = offset;
    d.framesLeft = d.info.frames - offset;
    if (options.duration_s > 0)
        d.framesLeft = std::min<std::int64_t>(
            d.framesLeft, std::llround(options.duration_s * d.info.sample_rate));
    if (options.target_rate != 0 && options.target_rate != d.info.sample_rate)
        d.resampler = std::make_unique<Resampler>(d.info.sample_rate, options.target_rate);
}

AudioFileReader::~AudioFileReader() = default;
AudioFileReader::AudioFileReader(AudioFileReader&&) noexcept = default;
AudioFileReader& AudioFileReader::operator=(AudioFileReader&&) noexcept = default;

const AudioInfo& AudioFileReader::info() const noexcept { return m_impl->info; }

int AudioFileReader::sampleRate() const noexcept {
    return m_impl->resampler ? m_impl->resampler->outputRate() : m_impl->info.sample_rate;
}

bool AudioFileReader::atEnd() const noexcept {
    return m_impl->inputDone && m_impl->pendingPos >= m_impl->pending.size();
}

std::size_t AudioFileReader::read(float* out, std::size_t maxSamples) {
    auto& d = *m_impl;
    std::size_t written = 0;
    while (written < maxSamples) {
        if (d.pendingPos >= d.pending.size()) {
            if (d.inputDone)
                break;
            d.decodeBlock();
            continue;
        }
        const std::size_t n = std::min(maxSamples - written, d.pending.size() - d.pendingPos);
        std::copy_n(d.pending.begin() + static_cast<std::ptrdiff_t>(d.pendingPos), n, out + written);
        d.pendingPos += n;
        written += n;
    }
    return written;
}

std::vector<float> AudioFileReader::read(std::size_t maxSamples) {
    std::vector<float> out(maxSamples);
    out.resize(read(out.data(), maxSamples));
    return out;
}

Waveform loadAudio(const fs::path& path, const LoadOptions& options) {
    AudioFileReader reader(path, options);
    Waveform wave;
    wave.sample_rate = reader.sampleRate();
    const auto& info = reader.info();
    // The header's length is a claim, not a promise (a damaged Ogg page or a hostile header says
    // 2^40 frames; found by fuzz_audio): reserve at most ten minutes, then grow with what decodes.
    const double seconds = options.duration_s > 0 ? options.duration_s : info.durationSeconds();
    wave.samples.reserve(static_cast<std::size_t>(std::clamp(seconds, 0.0, 600.0) * wave.sample_rate) + 1024);
    std::vector<float> block(kBlockFrames);
    while (!reader.atEnd()) {
        const std::size_t n = reader.read(block.data(), block.size());
        wave.samples.insert(wave.samples.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n));
        if (n == 0)
            break;
    }
    if (wave.samples.empty())
        throw Error(ErrorCode::BadFormat, "contains no audio (0 samples)", path.string());
    return wave;
}

void saveWav(const fs::path& path, const Waveform& wave, WavEncoding encoding) {
    if (wave.sample_rate < kMinSampleRate || wave.sample_rate > kMaxSampleRate)
        throw Error(ErrorCode::InvalidArgument,
                    "cannot write sample rate " + std::to_string(wave.sample_rate), path.string());
    writePathAtomically(path, [&](const fs::path& tmp) {
        SF_INFO info{};
        info.samplerate = wave.sample_rate;
        info.channels = 1;
        info.format = SF_FORMAT_WAV | (encoding == WavEncoding::Pcm16 ? SF_FORMAT_PCM_16 : SF_FORMAT_FLOAT);
        SndFilePtr file(sf_open(tmp.c_str(), SFM_WRITE, &info));
        if (!file)
            throw Error(ErrorCode::Io, std::string("cannot create: ") + sf_strerror(nullptr),
                        path.string());
        if (encoding == WavEncoding::Pcm16)
            sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
        const auto n = static_cast<sf_count_t>(wave.samples.size());
        if (sf_writef_float(file.get(), wave.samples.data(), n) != n)
            throw Error(ErrorCode::Io, std::string("write failed: ") + sf_strerror(file.get()),
                        path.string());
        if (sf_close(file.release()) != 0)
            throw Error(ErrorCode::Io, "closing failed (disk full?)", path.string());
    });
}

}  // namespace patchout
