#include "patchout/audio_file.h"
#include "patchout/audio_source.h"
#include "patchout/error.h"
#include "patchout/resampler.h"
#include "patchout/ring_buffer.h"
#include "patchout/speech.h"
#include "test_support.h"

#include <thread>

using namespace patchout;

TEST(AudioSource, SynthesizedSineHasItsFrequencyAndAmplitude) {
    const Waveform w = synthesize({.kind = SignalKind::Sine, .sample_rate = 8000, .duration_s = 1.0,
                                   .frequency_hz = 1000, .amplitude = 0.25});
    ASSERT_EQ(w.size(), 8000u);
    EXPECT_FLOAT_EQ(w.samples[0], 0.f);
    EXPECT_NEAR(w.samples[2], 0.25f, 1e-6);  // quarter period of 1 kHz at 8 kHz
    int crossings = 0;
    for (std::size_t i = 1; i < w.size(); ++i)
        crossings += (w.samples[i - 1] < 0) != (w.samples[i] < 0);
    EXPECT_NEAR(crossings, 2000, 2);
}

TEST(AudioSource, ChirpSweepsAndNoiseIsSeeded) {
    const Waveform chirp = synthesize({.kind = SignalKind::Chirp, .sample_rate = 16000,
                                       .duration_s = 2.0, .frequency_hz = 100,
                                       .end_frequency_hz = 4000});
    auto crossingsIn = [&](std::size_t from, std::size_t to) {
        int c = 0;
        for (std::size_t i = from + 1; i < to; ++i)
            c += (chirp.samples[i - 1] < 0) != (chirp.samples[i] < 0);
        return c;
    };
    EXPECT_LT(crossingsIn(0, 1600), crossingsIn(30400, 32000));
    const SignalOptions noise{.kind = SignalKind::WhiteNoise, .duration_s = 0.1, .seed = 5};
    EXPECT_EQ(synthesize(noise).samples, synthesize(noise).samples);
    EXPECT_THROW(synthesize({.duration_s = 0}), Error);
    EXPECT_THROW(synthesize({.sample_rate = 10, .duration_s = 1}), Error);
}

TEST(AudioSource, SyntheticSourceStreamsTheSameSamples) {
    const SignalOptions o{.kind = SignalKind::Chirp, .sample_rate = 16000, .duration_s = 0.5};
    auto source = makeSyntheticSource(o);
    EXPECT_EQ(source->sampleRate(), 16000);
    EXPECT_FALSE(source->isLive());
    std::vector<float> all(100000);
    std::size_t n = 0;
    while (!source->finished())
        n += source->read(all.data() + n, 777);
    all.resize(n);
    EXPECT_EQ(all, synthesize(o).samples);
    auto endless = makeSyntheticSource({.duration_s = 0});
    std::vector<float> block(1000);
    EXPECT_EQ(endless->read(block.data(), block.size()), 1000u);
    EXPECT_FALSE(endless->finished());
}

TEST(AudioSource, FileAndNullSources) {
    test::TempDir dir;
    saveWav(dir / "tone_16k.wav", synthesize({.sample_rate = 16000, .duration_s = 0.25}));
    auto file = makeFileSource(dir / "tone_16k.wav", 32000);
    EXPECT_EQ(file->sampleRate(), 32000);
    EXPECT_EQ(file->name(), "tone_16k.wav");
    std::vector<float> buffer(20000);
    std::size_t n = 0;
    while (!file->finished())
        n += file->read(buffer.data() + n, 1000);
    EXPECT_NEAR(static_cast<double>(n), 8000.0, 2.0);
    EXPECT_THROW(makeFileSource(dir / "missing.wav", 32000), Error);
    auto null = makeNullSource(32000);
    EXPECT_TRUE(null->finished());
    EXPECT_EQ(null->read(buffer.data(), 10), 0u);
}

TEST(AudioSource, MissingMicrophoneIsAClearErrorNotACrash) {
    const auto devices = listInputDevices();  // never throws, even without an audio system
    EXPECT_FALSE(portAudioVersion().empty());
    if (!devices.empty())
        GTEST_SKIP() << "this machine has " << devices.size() << " input device(s)";
    try {
        makeMicrophoneSource();
        FAIL() << "expected Error(Device)";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Device);
        EXPECT_FALSE(std::string(e.what()).empty());
    }
    EXPECT_THROW(makeMicrophoneSource({.device = 999}), Error);
    EXPECT_THROW(makeMicrophoneSource({.sample_rate = 0}), Error);
}

TEST(RingBuffer, WrapsAroundAndCountsDrops) {
    SpscRingBuffer ring(8);
    EXPECT_EQ(ring.capacity(), 8u);
    const float a[6] = {1, 2, 3, 4, 5, 6};
    EXPECT_EQ(ring.push(a, 6), 6u);
    float out[8] = {};
    EXPECT_EQ(ring.pop(out, 4), 4u);
    EXPECT_EQ(out[3], 4.f);
    EXPECT_EQ(ring.push(a, 6), 6u);  // wraps
    EXPECT_EQ(ring.available(), 8u);
    EXPECT_EQ(ring.push(a, 3), 0u);
    EXPECT_EQ(ring.dropped(), 3u);
    EXPECT_EQ(ring.pop(out, 8), 8u);
    EXPECT_EQ((std::vector<float>(out, out + 8)), (std::vector<float>{5, 6, 1, 2, 3, 4, 5, 6}));
}

TEST(RingBuffer, ProducerAndConsumerThreadsKeepOrder) {
    SpscRingBuffer ring(1024);
    constexpr int total = 200000;
    std::thread producer([&] {
        float next = 0;
        while (next < total) {
            float block[64];
            int n = 0;
            for (; n < 64 && next + n < total; ++n)
                block[n] = next + static_cast<float>(n);
            const auto pushed = ring.push(block, static_cast<std::size_t>(n));
            next += static_cast<float>(pushed);
            if (pushed == 0)
                std::this_thread::yield();
        }
    });
    // push() drops what does not fit, so the producer above only advances by what was accepted.
    float expected = 0;
    bool ordered = true;
    while (expected < total) {
        float block[100];
        const auto n = ring.pop(block, 100);
        for (std::size_t i = 0; i < n; ++i)
            ordered &= block[i] == expected++;
        if (n == 0)
            std::this_thread::yield();
    }
    producer.join();
    EXPECT_TRUE(ordered);
}

TEST(Resampler, StreamingEqualsWholeAndLengthsScale) {
    const Waveform w = synthesize({.kind = SignalKind::WhiteNoise, .sample_rate = 22050,
                                   .duration_s = 1.0, .amplitude = 0.1, .seed = 1});
    const Waveform whole = resample(w, 32000);
    EXPECT_EQ(whole.sample_rate, 32000);
    EXPECT_NEAR(static_cast<double>(whole.size()), 32000.0, 2.0);
    Resampler r(22050, 32000);
    std::vector<float> pieces;
    for (std::size_t pos = 0; pos < w.size(); pos += 1000)
        r.process(w.samples.data() + pos, std::min<std::size_t>(1000, w.size() - pos), pieces);
    r.finish(pieces);
    ASSERT_EQ(pieces.size(), whole.size());
    EXPECT_LE(test::maxAbsDiff(pieces, whole.samples).max_abs, 1e-6);
    EXPECT_EQ(resample(w, 22050).samples, w.samples);
    EXPECT_THROW(Resampler(0, 16000), Error);
}

TEST(Resampler, KeepsAToneAndRemovesAliases) {
    // 1 kHz survives 48k -> 16k; 12 kHz (above the new Nyquist) is filtered out, not aliased.
    auto rms = [](const std::vector<float>& v) {
        double s = 0;
        for (std::size_t i = 1000; i + 1000 < v.size(); ++i)
            s += v[i] * v[i];
        return std::sqrt(s / static_cast<double>(v.size() - 2000));
    };
    const Waveform low = synthesize({.sample_rate = 48000, .duration_s = 1, .frequency_hz = 1000});
    const Waveform high = synthesize({.sample_rate = 48000, .duration_s = 1, .frequency_hz = 12000});
    EXPECT_NEAR(rms(resample(low, 16000).samples), 0.5 / std::sqrt(2.0), 0.01);
    EXPECT_LT(rms(resample(high, 16000).samples), 1e-3);
}

TEST(Speech, EspeakSpeaksWordsWithDifferentVoices) {
    const Waveform seven = synthesizeSpeech("seven");
    EXPECT_EQ(seven.sample_rate, 22050);
    EXPECT_GT(seven.durationSeconds(), 0.2);
    EXPECT_LT(seven.durationSeconds(), 2.0);
    double energy = 0;
    for (float s : seven.samples)
        energy += s * s;
    EXPECT_GT(energy, 1.0);
    const Waveform high = synthesizeSpeech("seven", {.voice = "en", .pitch = 90});
    EXPECT_NE(high.samples, seven.samples);
    const Waveform slow = synthesizeSpeech("seven", {.words_per_minute = 90});
    EXPECT_GT(slow.size(), seven.size());
    EXPECT_EQ(synthesizeSpeech("seven").samples, seven.samples);  // deterministic, in any order
    EXPECT_THROW(synthesizeSpeech(""), Error);
    EXPECT_THROW(synthesizeSpeech("seven", {.pitch = 120}), Error);
    EXPECT_THROW(synthesizeSpeech("seven", {.voice = "no-such-voice-xyz"}), Error);
    EXPECT_FALSE(listSpeechVoices("en").empty());
    EXPECT_FALSE(espeakVersion().empty());
}

// The text reaches espeak-ng on its standard input and the voice must be one espeak-ng lists:
// no shell ever sees either, so shell syntax in them is just words or an unknown voice (#20).
TEST(Speech, ShellSyntaxInTextOrVoiceRunsNothing) {
    test::TempDir dir;
    const auto marker = dir.path() / "ran";
    const std::string touch = "touch " + marker.string();
    const Waveform said = synthesizeSpeech("$(" + touch + "); `" + touch + "`; " + touch + " && echo");
    EXPECT_GT(said.durationSeconds(), 0.5);
    EXPECT_THROW(synthesizeSpeech("seven", {.voice = "en; " + touch}), Error);
    EXPECT_FALSE(std::filesystem::exists(marker));
}
