#include "patchout/audio_source.h"
#include "patchout/error.h"
#include "patchout/features.h"
#include "test_support.h"

#include <numeric>
#include <random>

using namespace patchout;
using patchout::test::maxAbsDiff;
using patchout::test::readF32;

namespace {

Waveform fixtureWave(int row) {
    const auto all = readF32(test::fixturesDir() / "wave.f32");  // [2, 32000]
    Waveform w;
    w.sample_rate = 32000;
    w.samples.assign(all.begin() + row * 32000, all.begin() + (row + 1) * 32000);
    return w;
}

}  // namespace

TEST(Features, PasstPresetMatchesReferenceMel) {
    PATCHOUT_REQUIRE_FIXTURES();
    const auto ref = readF32(test::fixturesDir() / "mel.f32");  // [2, 128, 100]
    FeatureExtractor extractor(featurePreset("passt-32k"));
    for (int row = 0; row < 2; ++row) {
        const Features f = extractor.compute(fixtureWave(row));
        ASSERT_EQ(f.n_bins, 128);
        ASSERT_EQ(f.n_frames, 100);
        const auto mine = f.binMajor();
        const auto d = maxAbsDiff(mine.data(), ref.data() + row * 128 * 100, mine.size());
        EXPECT_LE(d.max_abs, 1e-3) << "row " << row << " mel " << d.index / 100 << " frame "
                                   << d.index % 100;
    }
}

TEST(Features, PasstPowerSpectrumMatchesReference) {
    PATCHOUT_REQUIRE_FIXTURES();
    const auto ref = readF32(test::fixturesDir() / "power_spec.f32");  // [2, 513, 100]
    const auto pre = readF32(test::fixturesDir() / "preemph.f32");     // [2, 31999]
    Stft stft({.n_fft = 1024, .win_length = 800, .hop_length = 320,
               .window = WindowKind::HannSymmetric, .center = true, .power = 2.0});
    for (int row = 0; row < 2; ++row) {
        const Spectrogram s = stft.compute(pre.data() + row * 31999, 31999);
        ASSERT_EQ(s.n_bins, 513);
        ASSERT_EQ(s.n_frames, 100);
        double refMax = 0, maxDiff = 0;
        for (int k = 0; k < 513; ++k)
            for (int t = 0; t < 100; ++t) {
                const double r = ref[static_cast<std::size_t>(row) * 513 * 100 + k * 100 + t];
                refMax = std::max(refMax, r);
                maxDiff = std::max(maxDiff, std::abs(r - s.at(k, t)));
            }
        EXPECT_LE(maxDiff, 1e-5 * refMax) << "row " << row;
    }
}

TEST(Features, PasstFilterbankMatchesReference) {
    PATCHOUT_REQUIRE_FIXTURES();
    const auto ref = readF32(test::fixturesDir() / "mel_basis.f32");  // [128, 513]
    MelFilterbank fb({.n_mels = 128, .n_fft = 1024, .sample_rate = 32000, .f_min = 0,
                      .f_max = 15000, .scale = MelScale::Kaldi});
    EXPECT_LE(maxAbsDiff(fb.dense(), ref).max_abs, 1e-4);
}

TEST(Features, StreamingInRandomPiecesEqualsBatch) {
    const Waveform wave = synthesize({.kind = SignalKind::Chirp, .sample_rate = 32000,
                                      .duration_s = 1.37, .frequency_hz = 50, .end_frequency_hz = 14000});
    for (const auto& preset : featurePresetNames()) {
        const Features batch = FeatureExtractor(featurePreset(preset)).compute(wave);
        StreamingFeatureExtractor stream(featurePreset(preset));
        std::mt19937 rng(7);
        Features streamed = stream.emptyFeatures();
        std::size_t pos = 0;
        while (pos < wave.size()) {
            const std::size_t n = std::min<std::size_t>(wave.size() - pos, rng() % 700 + 1);
            streamed.append(stream.push(wave.samples.data() + pos, n));
            pos += n;
        }
        streamed.append(stream.finish());
        ASSERT_EQ(streamed.n_frames, batch.n_frames) << preset;
        EXPECT_EQ(streamed.data, batch.data) << preset;  // identical, not merely close
    }
}

TEST(Features, FrameCountFollowsTorchStft) {
    // 1 + (L - 1) // hop frames for PaSST (pre-emphasis drops one sample), 1 + L // hop otherwise.
    for (std::size_t length : {321u, 640u, 641u, 32000u, 32001u}) {
        Waveform w{std::vector<float>(length, 0.1f), 32000};
        EXPECT_EQ(FeatureExtractor(featurePreset("passt-32k")).compute(w).n_frames,
                  static_cast<int>(1 + (length - 1) / 320)) << length;
        EXPECT_EQ(FeatureExtractor(featurePreset("mel-db-32k")).compute(w).n_frames,
                  static_cast<int>(1 + length / 320)) << length;
    }
}

TEST(Features, VeryShortSignalIsZeroExtendedNotRejected) {
    Waveform w{std::vector<float>(10, 0.5f), 32000};
    const Features f = FeatureExtractor(featurePreset("passt-32k")).compute(w);
    EXPECT_EQ(f.n_frames, 1 + 512 / 320);
    for (float v : f.data)
        EXPECT_TRUE(std::isfinite(v));
}

TEST(Features, ResamplesOtherRatesFirst) {
    const Waveform at16k = synthesize({.kind = SignalKind::Sine, .sample_rate = 16000,
                                       .duration_s = 1.0, .frequency_hz = 1000});
    const Features f = FeatureExtractor(featurePreset("linear-db-32k")).compute(at16k);
    EXPECT_EQ(f.n_frames, 1 + 32000 / 320);
    // The brightest bin of a middle frame is the 1 kHz bin (1000 / 31.25 = 32).
    int best = 0;
    for (int b = 0; b < f.n_bins; ++b)
        if (f.at(b, 50) > f.at(best, 50))
            best = b;
    EXPECT_EQ(best, 32);
}

TEST(Features, EmptyWaveformIsAnError) {
    FeatureExtractor extractor(featurePreset("passt-32k"));
    EXPECT_THROW(extractor.compute(Waveform{{}, 32000}), Error);
    EXPECT_THROW(extractor.compute(Waveform{{0.f, 1.f}, 0}), Error);
}

TEST(Features, BatchEqualsOneByOne) {
    std::vector<Waveform> waves;
    for (double f : {300.0, 3000.0})
        waves.push_back(synthesize({.kind = SignalKind::Sine, .duration_s = 0.5, .frequency_hz = f}));
    FeatureExtractor extractor(featurePreset("passt-32k"));
    const auto batch = extractor.computeBatch(waves);
    ASSERT_EQ(batch.size(), 2u);
    for (std::size_t i = 0; i < waves.size(); ++i)
        EXPECT_EQ(batch[i].data, extractor.compute(waves[i]).data);
}

TEST(Features, MetadataDescribesBinsAndUnits) {
    const Features f = FeatureExtractor(featurePreset("passt-32k"))
                           .compute(synthesize({.duration_s = 0.2}));
    EXPECT_DOUBLE_EQ(f.frame_rate, 100.0);
    ASSERT_EQ(f.bin_frequencies.size(), 128u);
    EXPECT_TRUE(std::is_sorted(f.bin_frequencies.begin(), f.bin_frequencies.end()));
    EXPECT_LT(f.bin_frequencies.back(), 15000.0);
    EXPECT_NEAR(f.db_per_unit, 5 * 10 / std::log(10.0), 1e-9);
    const Features db = FeatureExtractor(featurePreset("mel-db-32k")).compute(synthesize({.duration_s = 0.2}));
    EXPECT_DOUBLE_EQ(db.db_per_unit, 1.0);
}

TEST(Features, ValidationNamesTheBadField) {
    FeatureOptions o = featurePreset("passt-32k");
    o.win_length = 2048;
    try {
        o.validate();
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("win_length"), std::string::npos);
    }
    EXPECT_THROW(featurePreset("no-such-preset"), Error);
}

TEST(Features, AppendAndBinMajor) {
    Features a;
    a.n_bins = 2;
    a.n_frames = 1;
    a.data = {1, 2};
    Features b = a;
    b.data = {3, 4};
    a.append(b);
    EXPECT_EQ(a.n_frames, 2);
    EXPECT_EQ(a.binMajor(), (std::vector<float>{1, 3, 2, 4}));
    Features c;
    c.n_bins = 3;
    c.n_frames = 1;
    c.data = {0, 0, 0};
    EXPECT_THROW(a.append(c), Error);
}
