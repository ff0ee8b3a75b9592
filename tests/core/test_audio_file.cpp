#include "patchout/audio_file.h"
#include "patchout/audio_source.h"
#include "patchout/error.h"
#include "patchout/resampler.h"
#include "test_support.h"

#include <sndfile.h>

#include <fstream>

using namespace patchout;
using patchout::test::TempDir;

namespace {

// Writes interleaved float frames with libsndfile in any format it supports.
void writeWithSndfile(const std::filesystem::path& path, const std::vector<float>& interleaved,
                      int channels, int rate, int format) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
    sf_writef_float(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels));
    sf_close(f);
}

ErrorCode codeOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.code();
    }
    ADD_FAILURE() << "no patchout::Error thrown";
    return ErrorCode::Internal;
}

std::string messageOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

Waveform sine(int rate, double seconds, double hz = 440.0) {
    return synthesize({.kind = SignalKind::Sine, .sample_rate = rate, .duration_s = seconds,
                       .frequency_hz = hz, .amplitude = 0.5});
}

}  // namespace

TEST(AudioFile, WavRoundTripFloatIsExactAndPcm16IsClose) {
    TempDir dir;
    const Waveform w = sine(16000, 0.5);
    saveWav(dir / "sine_440hz_16k_f32.wav", w, WavEncoding::Float32);
    saveWav(dir / "sine_440hz_16k_s16.wav", w, WavEncoding::Pcm16);
    const Waveform f = loadAudio(dir / "sine_440hz_16k_f32.wav");
    EXPECT_EQ(f.sample_rate, 16000);
    EXPECT_EQ(f.samples, w.samples);
    const Waveform s = loadAudio(dir / "sine_440hz_16k_s16.wav");
    ASSERT_EQ(s.size(), w.size());
    EXPECT_LE(test::maxAbsDiff(s.samples, w.samples).max_abs, 1.0 / 32768 + 1e-7);
}

TEST(AudioFile, ProbeReadsHeaderOnly) {
    TempDir dir;
    saveWav(dir / "a.wav", sine(22050, 1.0));
    const AudioInfo info = probeAudio(dir / "a.wav");
    EXPECT_EQ(info.sample_rate, 22050);
    EXPECT_EQ(info.channels, 1);
    EXPECT_EQ(info.frames, 22050);
    EXPECT_NEAR(info.durationSeconds(), 1.0, 1e-12);
    EXPECT_NE(info.format.find("WAV"), std::string::npos);
}

TEST(AudioFile, FlacAndOggDecode) {
    TempDir dir;
    const Waveform w = sine(32000, 0.5);
    writeWithSndfile(dir / "a.flac", w.samples, 1, 32000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    writeWithSndfile(dir / "a.ogg", w.samples, 1, 32000, SF_FORMAT_OGG | SF_FORMAT_VORBIS);
    EXPECT_LE(test::maxAbsDiff(loadAudio(dir / "a.flac").samples, w.samples).max_abs, 1e-4);
    const Waveform ogg = loadAudio(dir / "a.ogg");
    EXPECT_EQ(ogg.sample_rate, 32000);
    EXPECT_NEAR(static_cast<double>(ogg.size()), 16000.0, 2.0);
}

TEST(AudioFile, StereoDownmixOptions) {
    TempDir dir;
    std::vector<float> stereo;
    for (int i = 0; i < 1000; ++i) {
        stereo.push_back(0.5f);
        stereo.push_back(-0.25f);
    }
    writeWithSndfile(dir / "stereo.wav", stereo, 2, 8000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    EXPECT_FLOAT_EQ(loadAudio(dir / "stereo.wav").samples[10], 0.125f);
    EXPECT_FLOAT_EQ(loadAudio(dir / "stereo.wav", {.downmix = Downmix::First}).samples[10], 0.5f);
    EXPECT_FLOAT_EQ(
        loadAudio(dir / "stereo.wav", {.downmix = Downmix::Channel, .channel = 1}).samples[10], -0.25f);
    EXPECT_EQ(codeOf([&] { loadAudio(dir / "stereo.wav", {.downmix = Downmix::Channel, .channel = 2}); }),
              ErrorCode::InvalidArgument);
}

TEST(AudioFile, ResamplesOnLoadLikeResample) {
    TempDir dir;
    const Waveform w = sine(44100, 2.0, 1000.0);
    saveWav(dir / "a.wav", w, WavEncoding::Float32);
    const Waveform loaded = loadAudio(dir / "a.wav", {.target_rate = 32000});
    EXPECT_EQ(loaded.sample_rate, 32000);
    // Block-wise streaming resampling equals one call over the whole signal.
    const Waveform whole = resample(w, 32000);
    ASSERT_EQ(loaded.size(), whole.size());
    EXPECT_LE(test::maxAbsDiff(loaded.samples, whole.samples).max_abs, 1e-6);
    EXPECT_NEAR(static_cast<double>(loaded.size()), 64000.0, 2.0);
}

TEST(AudioFile, OffsetAndDurationWindow) {
    TempDir dir;
    Waveform ramp{std::vector<float>(8000), 8000};
    for (std::size_t i = 0; i < ramp.size(); ++i)
        ramp.samples[i] = static_cast<float>(i) / 8000.f;
    saveWav(dir / "ramp.wav", ramp, WavEncoding::Float32);
    const Waveform part = loadAudio(dir / "ramp.wav", {.offset_s = 0.25, .duration_s = 0.5});
    ASSERT_EQ(part.size(), 4000u);
    EXPECT_FLOAT_EQ(part.samples.front(), 0.25f);
    EXPECT_EQ(codeOf([&] { loadAudio(dir / "ramp.wav", {.offset_s = 2.0}); }), ErrorCode::InvalidArgument);
}

TEST(AudioFile, ReaderStreamsLongFilesInBlocks) {
    TempDir dir;
    const Waveform w = sine(48000, 5.0, 300.0);  // 240000 samples: several decode blocks
    saveWav(dir / "long.wav", w, WavEncoding::Float32);
    AudioFileReader reader(dir / "long.wav");
    EXPECT_EQ(reader.sampleRate(), 48000);
    std::vector<float> all;
    while (!reader.atEnd()) {
        const auto block = reader.read(12345);
        all.insert(all.end(), block.begin(), block.end());
    }
    EXPECT_EQ(all, w.samples);
    EXPECT_TRUE(reader.read(10).empty());
}

TEST(AudioFile, MissingFileIsFileNotFound) {
    const std::string msg = messageOf([] { loadAudio("/no/such/clip.wav"); });
    EXPECT_NE(msg.find("/no/such/clip.wav"), std::string::npos);
    EXPECT_EQ(codeOf([] { loadAudio("/no/such/clip.wav"); }), ErrorCode::FileNotFound);
}

TEST(AudioFile, EmptyFileAndFolderAreRejected) {
    TempDir dir;
    std::ofstream(dir / "empty.wav").close();
    EXPECT_EQ(codeOf([&] { loadAudio(dir / "empty.wav"); }), ErrorCode::BadFormat);
    EXPECT_EQ(codeOf([&] { loadAudio(dir.path()); }), ErrorCode::InvalidArgument);
}

TEST(AudioFile, ZeroLengthWavIsRejected) {
    TempDir dir;
    writeWithSndfile(dir / "zero.wav", {}, 1, 16000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    const std::string msg = messageOf([&] { loadAudio(dir / "zero.wav"); });
    EXPECT_NE(msg.find("no audio"), std::string::npos) << msg;
}

TEST(AudioFile, CorruptHeaderAndUnknownFormatAreRejected) {
    TempDir dir;
    std::ofstream(dir / "text.wav") << "this is not audio at all, just some words in a file\n";
    const ErrorCode code = codeOf([&] { loadAudio(dir / "text.wav"); });
    EXPECT_TRUE(code == ErrorCode::Unsupported || code == ErrorCode::BadFormat);
    // A RIFF header whose fmt chunk is garbage.
    saveWav(dir / "good.wav", sine(16000, 0.1));
    std::string bytes;
    {
        std::ifstream in(dir / "good.wav", std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    for (std::size_t i = 20; i < 36; ++i)
        bytes[i] = static_cast<char>(0xff);
    std::ofstream(dir / "corrupt.wav", std::ios::binary) << bytes;
    const ErrorCode corrupt = codeOf([&] { loadAudio(dir / "corrupt.wav"); });
    EXPECT_TRUE(corrupt == ErrorCode::BadFormat || corrupt == ErrorCode::Unsupported);
}

TEST(AudioFile, TruncatedFileIsReportedNotPadded) {
    TempDir dir;
    writeWithSndfile(dir / "full.flac", sine(16000, 2.0).samples, 1, 16000,
                     SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    std::string bytes;
    {
        std::ifstream in(dir / "full.flac", std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(dir / "cut.flac", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    const std::string msg = messageOf([&] { loadAudio(dir / "cut.flac"); });
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
    EXPECT_NE(msg.find("cut.flac"), std::string::npos) << msg;
}

TEST(AudioFile, NanSamplesAreRejected) {
    TempDir dir;
    std::vector<float> samples(1000, 0.1f);
    samples[500] = std::numeric_limits<float>::quiet_NaN();
    writeWithSndfile(dir / "nan.wav", samples, 1, 16000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const std::string msg = messageOf([&] { loadAudio(dir / "nan.wav"); });
    EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
    samples[500] = std::numeric_limits<float>::infinity();
    writeWithSndfile(dir / "inf.wav", samples, 1, 16000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    EXPECT_EQ(codeOf([&] { loadAudio(dir / "inf.wav"); }), ErrorCode::BadFormat);
}

TEST(AudioFile, AbsurdSampleRatesAreRejected) {
    TempDir dir;
    saveWav(dir / "ok.wav", sine(16000, 0.1));
    std::string bytes;
    {
        std::ifstream in(dir / "ok.wav", std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    for (std::uint32_t rate : {5u, 50000000u}) {
        std::string patched = bytes;
        for (int i = 0; i < 4; ++i)  // WAV: sample rate at byte 24, byte rate at 28 (little endian)
            patched[24 + i] = static_cast<char>((rate >> (8 * i)) & 0xff);
        const std::uint32_t byteRate = rate * 2;
        for (int i = 0; i < 4; ++i)
            patched[28 + i] = static_cast<char>((byteRate >> (8 * i)) & 0xff);
        std::ofstream(dir / "odd.wav", std::ios::binary | std::ios::trunc) << patched;
        EXPECT_EQ(codeOf([&] { loadAudio(dir / "odd.wav"); }), ErrorCode::BadFormat) << rate;
    }
    EXPECT_EQ(codeOf([&] { saveWav(dir / "bad.wav", Waveform{{0.f}, 10}); }), ErrorCode::InvalidArgument);
}

TEST(AudioFile, SaveIsAtomicAndKeepsTheOldFileOnFailure) {
    TempDir dir;
    saveWav(dir / "keep.wav", sine(16000, 0.2));
    const auto before = std::filesystem::file_size(dir / "keep.wav");
    EXPECT_THROW(saveWav(dir / "keep.wav", Waveform{{0.f}, 1}), Error);
    EXPECT_EQ(std::filesystem::file_size(dir / "keep.wav"), before);
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        EXPECT_EQ(entry.path().filename().string().rfind(".tmp-", 0), std::string::npos);
}
