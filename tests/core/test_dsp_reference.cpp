// Mel filterbanks, windows and the STFT against torchaudio / torch values
// (tests/reference/make_dsp_reference.py -> tests/reference/dsp_reference.json).
#include "patchout/error.h"
#include "patchout/mel_filterbank.h"
#include "patchout/stft.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <fstream>

using namespace patchout;

namespace {

const nlohmann::json& reference() {
    static const nlohmann::json j = [] {
        std::ifstream in(std::string(PATCHOUT_TESTS_DIR) + "/reference/dsp_reference.json");
        return nlohmann::json::parse(in);
    }();
    return j;
}

}  // namespace

TEST(MelFilterbank, MatchesTorchaudioInEveryConvention) {
    const auto& cases = reference()["filterbanks"];
    ASSERT_GE(cases.size(), 8u);
    for (const auto& c : cases) {
        MelOptions o;
        o.n_mels = c["n_mels"];
        o.n_fft = c["n_fft"];
        o.sample_rate = c["sample_rate"];
        o.f_min = c["f_min"];
        o.f_max = c["f_max"];
        o.scale = melScaleFromName(c["scale"]);
        o.norm = c["norm"] == "slaney" ? MelNorm::Slaney : MelNorm::None;
        const auto expected = c["weights"].get<std::vector<float>>();
        const auto d = test::maxAbsDiff(MelFilterbank(o).dense(), expected);
        // torchaudio computes in float32; the relative scale of Slaney-normalised weights is ~1e-3.
        EXPECT_LE(d.max_abs, 2e-5 * (o.norm == MelNorm::Slaney ? 1e-2 : 1.0) + 1e-6)
            << c["scale"] << "/" << c["norm"] << " n_fft " << o.n_fft << " at " << d.index;
    }
}

TEST(MelFilterbank, ScalesInvertAndAreMonotonic) {
    for (MelScale s : {MelScale::Kaldi, MelScale::Htk, MelScale::Slaney}) {
        double previous = -1;
        for (double hz : {0.0, 10.0, 700.0, 999.0, 1000.0, 1001.0, 8000.0, 24000.0}) {
            const double mel = hzToMel(hz, s);
            EXPECT_NEAR(melToHz(mel, s), hz, 1e-9 * std::max(1.0, hz)) << melScaleName(s);
            EXPECT_GT(mel, previous);
            previous = mel;
        }
    }
    EXPECT_NEAR(hzToMel(1000, MelScale::Slaney), 15.0, 1e-12);
    EXPECT_NEAR(hzToMel(700, MelScale::Htk), 2595.0 * std::log10(2.0), 1e-9);
    EXPECT_NEAR(hzToMel(700, MelScale::Kaldi), 1127.0 * std::log(2.0), 1e-9);
}

TEST(MelFilterbank, ApplyEqualsDenseProduct) {
    MelFilterbank fb({.n_mels = 40, .n_fft = 512, .sample_rate = 16000, .f_min = 0, .f_max = 0,
                      .scale = MelScale::Slaney, .norm = MelNorm::Slaney});
    std::vector<float> spectrum(257);
    for (std::size_t k = 0; k < spectrum.size(); ++k)
        spectrum[k] = static_cast<float>(std::sin(0.1 * k) + 1.5);
    std::vector<float> mel(40);
    fb.apply(spectrum.data(), mel.data());
    const auto dense = fb.dense();
    for (int m = 0; m < 40; ++m) {
        double sum = 0;
        for (int k = 0; k < 257; ++k)
            sum += dense[static_cast<std::size_t>(m) * 257 + k] * spectrum[static_cast<std::size_t>(k)];
        EXPECT_NEAR(mel[static_cast<std::size_t>(m)], sum, 1e-5 * std::abs(sum));
    }
    EXPECT_EQ(fb.centerFrequencies().size(), 40u);
    EXPECT_EQ(fb.numBins(), 257);
}

TEST(MelFilterbank, RejectsImpossibleRanges) {
    EXPECT_THROW(MelFilterbank({.n_mels = 10, .n_fft = 512, .sample_rate = 16000, .f_min = 5000,
                                .f_max = 4000}), Error);
    EXPECT_THROW(MelFilterbank({.n_mels = 10, .n_fft = 512, .sample_rate = 16000, .f_min = 0,
                                .f_max = 9000}), Error);
    EXPECT_THROW(MelFilterbank({.n_mels = 0}), Error);
    EXPECT_THROW(MelFilterbank({.scale = MelScale::Kaldi, .norm = MelNorm::Slaney}), Error);
    EXPECT_THROW(melScaleFromName("bark"), Error);
}

TEST(Stft, WindowsMatchTorch) {
    for (const auto& [name, values] : reference()["windows"].items()) {
        const auto w = makeWindow(windowKindFromName(name), 16);
        EXPECT_LE(test::maxAbsDiff(w, values.get<std::vector<float>>()).max_abs, 1e-6) << name;
        EXPECT_EQ(windowKindName(windowKindFromName(name)), name);
    }
    EXPECT_EQ(makeWindow(WindowKind::Rectangular, 4), (std::vector<float>{1, 1, 1, 1}));
    EXPECT_THROW(windowKindFromName("kaiser"), Error);
    EXPECT_THROW(makeWindow(WindowKind::HannPeriodic, 0), Error);
}

TEST(Stft, PowerSpectrumMatchesTorchStft) {
    const auto& c = reference()["stft"];
    const auto signal = c["signal"].get<std::vector<float>>();
    Stft stft({.n_fft = c["n_fft"], .win_length = c["win_length"], .hop_length = c["hop_length"],
               .window = windowKindFromName(c["window"]), .center = true, .power = 2.0});
    const Spectrogram s = stft.compute(signal.data(), signal.size());
    ASSERT_EQ(s.n_frames, c["n_frames"].get<int>());
    ASSERT_EQ(s.n_bins, 33);
    const auto expected = c["power"].get<std::vector<float>>();  // frame-major [frames x bins]
    EXPECT_LE(test::maxAbsDiff(s.data, expected).max_abs, 2e-4);
}

TEST(Stft, MagnitudeIsSqrtOfPowerAndSinePeaksInItsBin) {
    std::vector<float> x(4000);
    for (std::size_t n = 0; n < x.size(); ++n)
        x[n] = static_cast<float>(std::sin(2 * 3.14159265358979 * 1000.0 * n / 16000.0));
    Stft power({.n_fft = 256, .hop_length = 128, .power = 2.0});
    Stft magnitude({.n_fft = 256, .hop_length = 128, .power = 1.0});
    const auto p = power.compute(x.data(), x.size());
    const auto m = magnitude.compute(x.data(), x.size());
    EXPECT_EQ(p.n_frames, power.numFrames(x.size()));
    EXPECT_EQ(p.n_frames, 1 + 4000 / 128);
    int best = 0;
    for (int k = 0; k < p.n_bins; ++k) {
        EXPECT_NEAR(m.at(k, 10) * m.at(k, 10), p.at(k, 10), 1e-3 * std::max(1.0f, p.at(k, 10)));
        if (p.at(k, 10) > p.at(best, 10))
            best = k;
    }
    EXPECT_EQ(best, 16);  // 1000 Hz / (16000 / 256)
}

TEST(Stft, UncenteredFramesAndBadOptions) {
    Stft stft({.n_fft = 64, .hop_length = 16, .center = false});
    EXPECT_EQ(stft.numFrames(63), 0);
    EXPECT_EQ(stft.numFrames(64), 1);
    EXPECT_EQ(stft.numFrames(100), 3);
    EXPECT_EQ(stft.options().win_length, 64);
    std::vector<float> shortSignal(10, 1.f);
    Stft centred({.n_fft = 64});
    EXPECT_THROW(centred.compute(shortSignal.data(), shortSignal.size()), Error);
    EXPECT_THROW(Stft({.n_fft = 64, .win_length = 128}), Error);
    EXPECT_THROW(Stft({.n_fft = 64, .power = 3.0}), Error);
    EXPECT_FALSE(fftwVersion().empty());
}
