// Short-time Fourier transform on FFTW, with torch.stft's conventions: a window shorter than n_fft
// is zero-padded centred, `center` reflect-pads the signal by n_fft/2 (edge sample not repeated),
// no 1/N scaling, one-sided spectrum of n_fft/2 + 1 bins.
// Thread-safety: FFTW plans are created once per size under a lock and shared; an Stft object
// owns its scratch buffers, so use one object per thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace patchout {

enum class WindowKind { HannPeriodic, HannSymmetric, Hamming, Povey, Rectangular };

// Window of `length` samples (torch.hann_window(periodic=...), torch.hamming_window, kaldi povey).
std::vector<float> makeWindow(WindowKind kind, int length);
WindowKind windowKindFromName(const std::string& name);
std::string windowKindName(WindowKind kind);

struct StftOptions {
    int n_fft = 1024;
    int win_length = 0;  // 0 = n_fft
    int hop_length = 0;  // 0 = win_length / 4
    WindowKind window = WindowKind::HannPeriodic;
    bool center = true;  // reflect padding by n_fft / 2 on both sides
    double power = 2.0;  // 2: re^2 + im^2, 1: magnitude
};

// Spectrogram storage: frame-major, data[frame * n_bins + bin]; frames are appended in time.
struct Spectrogram {
    int n_bins = 0;
    int n_frames = 0;
    std::vector<float> data;
    float at(int bin, int frame) const { return data[static_cast<std::size_t>(frame) * n_bins + bin]; }
};

class Stft {
public:
    explicit Stft(const StftOptions& options);
    ~Stft();
    Stft(Stft&&) noexcept;
    Stft& operator=(Stft&&) noexcept;

    const StftOptions& options() const noexcept;
    int numBins() const noexcept;
    // Frames a signal of `length` samples yields (with centre padding: 1 + length / hop).
    int numFrames(std::size_t length) const noexcept;

    // Power (or magnitude) spectrogram of a whole signal. Centre padding needs length > n_fft / 2.
    Spectrogram compute(const float* signal, std::size_t length);
    // One frame: `frame` holds exactly n_fft samples (already padded); writes numBins() values.
    void frame(const float* frame, float* out);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

std::string fftwVersion();

}  // namespace patchout
