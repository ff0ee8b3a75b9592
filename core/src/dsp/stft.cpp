#include "patchout/stft.h"

#include "patchout/error.h"

#include <fftw3.h>

#include <cmath>
#include <map>
#include <mutex>
#include <numbers>

namespace patchout {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

// FFTW's planner is not thread-safe; execution of a finished plan on new arrays is. Plans are
// made once per size under this lock and live for the whole process.
fftwf_plan sharedPlan(int n_fft) {
    static std::mutex mutex;
    static std::map<int, fftwf_plan> plans;
    std::lock_guard lock(mutex);
    auto it = plans.find(n_fft);
    if (it != plans.end())
        return it->second;
    float* in = fftwf_alloc_real(static_cast<std::size_t>(n_fft));
    fftwf_complex* out = fftwf_alloc_complex(static_cast<std::size_t>(n_fft / 2 + 1));
    fftwf_plan plan = fftwf_plan_dft_r2c_1d(n_fft, in, out, FFTW_MEASURE);
    fftwf_free(in);
    fftwf_free(out);
    if (plan == nullptr)
        throw Error(ErrorCode::Internal, "FFTW could not plan an FFT of size " + std::to_string(n_fft));
    plans.emplace(n_fft, plan);
    return plan;
}

template <typename T>
struct FftwDeleter {
    void operator()(T* p) const noexcept { fftwf_free(p); }
};

}  // namespace

std::vector<float> makeWindow(WindowKind kind, int length) {
    if (length < 1)
        throw Error(ErrorCode::InvalidArgument, "window length must be >= 1");
    std::vector<float> w(static_cast<std::size_t>(length));
    const double periodicN = length;
    const double symmetricN = length > 1 ? length - 1 : 1;
    for (int n = 0; n < length; ++n) {
        double v = 1.0;
        switch (kind) {
        case WindowKind::HannPeriodic: v = 0.5 - 0.5 * std::cos(kTwoPi * n / periodicN); break;
        case WindowKind::HannSymmetric: v = 0.5 - 0.5 * std::cos(kTwoPi * n / symmetricN); break;
        case WindowKind::Hamming: v = 0.54 - 0.46 * std::cos(kTwoPi * n / periodicN); break;
        case WindowKind::Povey:
            v = std::pow(0.5 - 0.5 * std::cos(kTwoPi * n / symmetricN), 0.85);
            break;
        case WindowKind::Rectangular: v = 1.0; break;
        }
        w[static_cast<std::size_t>(n)] = static_cast<float>(v);
    }
    return w;
}

WindowKind windowKindFromName(const std::string& name) {
    if (name == "hann" || name == "hann-periodic") return WindowKind::HannPeriodic;
    if (name == "hann-symmetric") return WindowKind::HannSymmetric;
    if (name == "hamming") return WindowKind::Hamming;
    if (name == "povey") return WindowKind::Povey;
    if (name == "rectangular" || name == "boxcar") return WindowKind::Rectangular;
    throw Error(ErrorCode::InvalidArgument,
                "unknown window '" + name +
                    "' (hann-periodic, hann-symmetric, hamming, povey, rectangular)");
}

std::string windowKindName(WindowKind kind) {
    switch (kind) {
    case WindowKind::HannPeriodic: return "hann-periodic";
    case WindowKind::HannSymmetric: return "hann-symmetric";
    case WindowKind::Hamming: return "hamming";
    case WindowKind::Povey: return "povey";
    case WindowKind::Rectangular: return "rectangular";
    }
    return "?";
}

struct Stft::Impl {
    StftOptions options;
    std::vector<float> window;  // n_fft long, the win_length window centred in zeros
    fftwf_plan plan = nullptr;
    std::unique_ptr<float, FftwDeleter<float>> in;
    std::unique_ptr<fftwf_complex, FftwDeleter<fftwf_complex>> out;
};

Stft::Stft(const StftOptions& options) : m_impl(std::make_unique<Impl>()) {
    auto& d = *m_impl;
    d.options = options;
    auto& o = d.options;
    if (o.n_fft < 2 || o.n_fft > (1 << 20))
        throw Error(ErrorCode::InvalidArgument, "n_fft must be in 2..1048576");
    if (o.win_length == 0)
        o.win_length = o.n_fft;
    if (o.hop_length == 0)
        o.hop_length = std::max(1, o.win_length / 4);
    if (o.win_length < 1 || o.win_length > o.n_fft)
        throw Error(ErrorCode::InvalidArgument, "win_length must be in 1..n_fft");
    if (o.hop_length < 1)
        throw Error(ErrorCode::InvalidArgument, "hop_length must be >= 1");
    if (o.power != 1.0 && o.power != 2.0)
        throw Error(ErrorCode::InvalidArgument, "power must be 1 (magnitude) or 2 (power)");
    d.window.assign(static_cast<std::size_t>(o.n_fft), 0.f);
    const auto w = makeWindow(o.window, o.win_length);
    std::copy(w.begin(), w.end(), d.window.begin() + (o.n_fft - o.win_length) / 2);
    d.plan = sharedPlan(o.n_fft);
    d.in.reset(fftwf_alloc_real(static_cast<std::size_t>(o.n_fft)));
    d.out.reset(fftwf_alloc_complex(static_cast<std::size_t>(o.n_fft / 2 + 1)));
}

Stft::~Stft() = default;
Stft::Stft(Stft&&) noexcept = default;
Stft& Stft::operator=(Stft&&) noexcept = default;

const StftOptions& Stft::options() const noexcept { return m_impl->options; }
int Stft::numBins() const noexcept { return m_impl->options.n_fft / 2 + 1; }

int Stft::numFrames(std::size_t length) const noexcept {
    const auto& o = m_impl->options;
    if (o.center)
        return 1 + static_cast<int>(length / static_cast<std::size_t>(o.hop_length));
    if (length < static_cast<std::size_t>(o.n_fft))
        return 0;
    return 1 + static_cast<int>((length - static_cast<std::size_t>(o.n_fft)) /
                                static_cast<std::size_t>(o.hop_length));
}

void Stft::frame(const float* frame, float* out) {
    auto& d = *m_impl;
    const int n = d.options.n_fft;
    float* in = d.in.get();
    for (int i = 0; i < n; ++i)
        in[i] = frame[i] * d.window[static_cast<std::size_t>(i)];
    fftwf_execute_dft_r2c(d.plan, in, d.out.get());
    const fftwf_complex* c = d.out.get();
    const int bins = n / 2 + 1;
    if (d.options.power == 2.0) {
        for (int k = 0; k < bins; ++k)
            out[k] = c[k][0] * c[k][0] + c[k][1] * c[k][1];
    } else {
        for (int k = 0; k < bins; ++k)
            out[k] = std::sqrt(c[k][0] * c[k][0] + c[k][1] * c[k][1]);
    }
}

Spectrogram Stft::compute(const float* signal, std::size_t length) {
    const auto& o = m_impl->options;
    const std::size_t pad = o.center ? static_cast<std::size_t>(o.n_fft / 2) : 0;
    if (o.center && length <= pad)
        throw Error(ErrorCode::InvalidArgument,
                    "signal of " + std::to_string(length) + " samples is too short for centre "
                    "padding by " + std::to_string(pad));
    std::vector<float> padded(length + 2 * pad);
    std::copy_n(signal, length, padded.begin() + static_cast<std::ptrdiff_t>(pad));
    for (std::size_t i = 0; i < pad; ++i) {
        padded[pad - 1 - i] = signal[i + 1];               // reflect, edge not repeated
        padded[pad + length + i] = signal[length - 2 - i];
    }
    Spectrogram spec;
    spec.n_bins = numBins();
    spec.n_frames = numFrames(length);
    spec.data.resize(static_cast<std::size_t>(spec.n_bins) * spec.n_frames);
    for (int m = 0; m < spec.n_frames; ++m)
        frame(padded.data() + static_cast<std::size_t>(m) * o.hop_length,
              spec.data.data() + static_cast<std::size_t>(m) * spec.n_bins);
    return spec;
}

std::string fftwVersion() { return fftwf_version; }

}  // namespace patchout
