#include "patchout/mel_filterbank.h"

#include "patchout/error.h"

#include <algorithm>
#include <cmath>

namespace patchout {
namespace {

// Slaney's auditory-toolbox scale: linear below 1 kHz, logarithmic above.
constexpr double kSlaneyFSp = 200.0 / 3.0;
constexpr double kSlaneyMinLogHz = 1000.0;
constexpr double kSlaneyMinLogMel = kSlaneyMinLogHz / kSlaneyFSp;
const double kSlaneyLogStep = std::log(6.4) / 27.0;

}  // namespace

MelScale melScaleFromName(const std::string& name) {
    if (name == "kaldi") return MelScale::Kaldi;
    if (name == "htk") return MelScale::Htk;
    if (name == "slaney") return MelScale::Slaney;
    throw Error(ErrorCode::InvalidArgument, "unknown mel scale '" + name + "' (kaldi, htk, slaney)");
}

std::string melScaleName(MelScale scale) {
    switch (scale) {
    case MelScale::Kaldi: return "kaldi";
    case MelScale::Htk: return "htk";
    case MelScale::Slaney: return "slaney";
    }
    return "?";
}

double hzToMel(double hz, MelScale scale) {
    switch (scale) {
    case MelScale::Kaldi: return 1127.0 * std::log1p(hz / 700.0);
    case MelScale::Htk: return 2595.0 * std::log10(1.0 + hz / 700.0);
    case MelScale::Slaney:
        return hz < kSlaneyMinLogHz ? hz / kSlaneyFSp
                                    : kSlaneyMinLogMel + std::log(hz / kSlaneyMinLogHz) / kSlaneyLogStep;
    }
    return 0.0;
}

double melToHz(double mel, MelScale scale) {
    switch (scale) {
    case MelScale::Kaldi: return 700.0 * std::expm1(mel / 1127.0);
    case MelScale::Htk: return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
    case MelScale::Slaney:
        return mel < kSlaneyMinLogMel ? mel * kSlaneyFSp
                                      : kSlaneyMinLogHz * std::exp(kSlaneyLogStep * (mel - kSlaneyMinLogMel));
    }
    return 0.0;
}

MelFilterbank::MelFilterbank(const MelOptions& options) : m_options(options) {
    auto& o = m_options;
    const double nyquist = o.sample_rate / 2.0;
    if (o.n_mels < 1 || o.n_fft < 2 || o.sample_rate <= 0)
        throw Error(ErrorCode::InvalidArgument, "mel filterbank: n_mels, n_fft, sample_rate must be positive");
    double fMax = o.f_max <= 0 ? nyquist + o.f_max : o.f_max;
    if (o.f_min < 0 || fMax <= o.f_min || fMax > nyquist + 1e-9)
        throw Error(ErrorCode::InvalidArgument,
                    "mel filterbank: need 0 <= f_min < f_max <= sample_rate/2 (got f_min " +
                        std::to_string(o.f_min) + ", f_max " + std::to_string(fMax) + ")");
    if (o.scale == MelScale::Kaldi && o.norm != MelNorm::None)
        throw Error(ErrorCode::InvalidArgument, "Kaldi filterbanks have no area normalisation");

    const int bins = numBins();
    const double melMin = hzToMel(o.f_min, o.scale);
    const double melMax = hzToMel(fMax, o.scale);
    const double delta = (melMax - melMin) / (o.n_mels + 1);
    std::vector<double> weights(static_cast<std::size_t>(bins));
    m_filters.resize(static_cast<std::size_t>(o.n_mels));
    m_centers.resize(static_cast<std::size_t>(o.n_mels));

    for (int m = 0; m < o.n_mels; ++m) {
        const double leftMel = melMin + m * delta;
        const double centerMel = melMin + (m + 1) * delta;
        const double rightMel = melMin + (m + 2) * delta;
        m_centers[static_cast<std::size_t>(m)] = melToHz(centerMel, o.scale);
        if (o.scale == MelScale::Kaldi) {
            // Kaldi: triangles in the mel domain over bins 0..n_fft/2-1; the Nyquist bin stays 0.
            const double binWidth = static_cast<double>(o.sample_rate) / o.n_fft;
            for (int k = 0; k < bins; ++k) {
                const double mel = hzToMel(k * binWidth, o.scale);
                const double up = (mel - leftMel) / (centerMel - leftMel);
                const double down = (rightMel - mel) / (rightMel - centerMel);
                weights[static_cast<std::size_t>(k)] = k == bins - 1 ? 0.0 : std::max(0.0, std::min(up, down));
            }
        } else {
            // torchaudio.functional.melscale_fbanks: triangles in Hz between mel-spaced points,
            // over bin frequencies linspace(0, sample_rate // 2, n_fft/2 + 1).
            const double fLeft = melToHz(leftMel, o.scale);
            const double fCenter = melToHz(centerMel, o.scale);
            const double fRight = melToHz(rightMel, o.scale);
            const double top = static_cast<double>(o.sample_rate / 2);
            const double enorm = o.norm == MelNorm::Slaney ? 2.0 / (fRight - fLeft) : 1.0;
            for (int k = 0; k < bins; ++k) {
                const double f = bins > 1 ? top * k / (bins - 1) : 0.0;
                const double up = (f - fLeft) / (fCenter - fLeft);
                const double down = (fRight - f) / (fRight - fCenter);
                weights[static_cast<std::size_t>(k)] = std::max(0.0, std::min(up, down)) * enorm;
            }
        }
        auto first = std::find_if(weights.begin(), weights.end(), [](double w) { return w > 0; });
        auto last = std::find_if(weights.rbegin(), weights.rend(), [](double w) { return w > 0; }).base();
        Filter& filter = m_filters[static_cast<std::size_t>(m)];
        filter.first_bin = static_cast<int>(first - weights.begin());
        if (first < last)
            filter.weights.assign(first, last);
    }
    o.f_max = fMax;
}

std::vector<float> MelFilterbank::dense() const {
    const int bins = numBins();
    std::vector<float> out(static_cast<std::size_t>(numMels()) * bins, 0.f);
    for (int m = 0; m < numMels(); ++m) {
        const Filter& f = m_filters[static_cast<std::size_t>(m)];
        std::copy(f.weights.begin(), f.weights.end(),
                  out.begin() + static_cast<std::ptrdiff_t>(m) * bins + f.first_bin);
    }
    return out;
}

void MelFilterbank::apply(const float* spectrum, float* mel) const {
    for (std::size_t m = 0; m < m_filters.size(); ++m) {
        const Filter& f = m_filters[m];
        const float* s = spectrum + f.first_bin;
        float sum = 0.f;
        for (std::size_t k = 0; k < f.weights.size(); ++k)
            sum += f.weights[k] * s[k];
        mel[m] = sum;
    }
}

}  // namespace patchout
