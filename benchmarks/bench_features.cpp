// bench_features: PaSST log-mel of 10-s clips at 32 kHz on one thread, our FFTW front end vs the
// same computation through LibTorch (torch::stft + matmul with the same filterbank), side by side
// in one run. Targets: >= 2x faster than the LibTorch path, >= 1000x real time.
// Usage: bench_features [clips=20] [repeats=3]
#include "bench_args.h"
#include "patchout/audio_source.h"
#include "patchout/features.h"
#include "patchout/mel_filterbank.h"
#include "patchout/system_info.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace patchout;

namespace {

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

torch::Tensor torchLogMel(const Waveform& w, const torch::Tensor& basis, const torch::Tensor& window) {
    torch::InferenceMode guard;
    auto x = torch::from_blob(const_cast<float*>(w.samples.data()),
                              {static_cast<long>(w.size())}, torch::kFloat32);
    auto y = x.slice(0, 1) - 0.97 * x.slice(0, 0, -1);  // PaSST's pre-emphasis
    // center=True of torch.stft: reflect padding by n_fft / 2, then frames of the padded signal.
    auto padded = torch::reflection_pad1d(y.view({1, 1, -1}), {512, 512}).view({-1});
    auto spec = torch::stft(padded, 1024, 320, 800, window, /*normalized=*/false,
                            /*onesided=*/true, /*return_complex=*/true);
    auto power = spec.abs().pow(2);
    return (torch::log(torch::matmul(basis, power) + 1e-5) + 4.5) / 5.0;
}

}  // namespace

constexpr const char* kUsage =
    "bench_features [CLIPS=20] [REPEATS=3]\n"
    "PaSST log-mel of 10 s clips at 32 kHz on one thread: the FFTW front end against the same computation\n"
    "through LibTorch (torch::stft + matmul), side by side. Targets: >= 2x the LibTorch path, >= 1000x real time.\n";

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    patchout::bench::checkArgs(argc, argv, kUsage);
    const int clips = argc > 1 ? std::atoi(argv[1]) : 20;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
    configureThreads({.torch_threads = 1, .blas_threads = 1});
    std::vector<Waveform> waves;
    for (int i = 0; i < clips; ++i)
        waves.push_back(synthesize({.kind = SignalKind::WhiteNoise, .sample_rate = 32000,
                                    .duration_s = 10.0, .amplitude = 0.1,
                                    .seed = static_cast<std::uint64_t>(i)}));
    const FeatureOptions preset = featurePreset("passt-32k");
    FeatureExtractor ours(preset);
    const auto dense = MelFilterbank({preset.n_mels, preset.n_fft, preset.sample_rate, preset.f_min,
                                      preset.f_max, preset.mel_scale, preset.mel_norm})
                           .dense();
    const auto basis = torch::from_blob(const_cast<float*>(dense.data()), {128, 513}).clone();
    const auto window = torch::hann_window(800, /*periodic=*/false);

    // Warm-up (FFTW plans, allocator) and agreement check.
    const Features f = ours.compute(waves[0]);
    const auto t = torchLogMel(waves[0], basis, window);
    const auto mine = torch::from_blob(const_cast<float*>(f.data.data()), {f.n_frames, f.n_bins}).t();
    const double maxDiff = (mine - t).abs().max().item<double>();

    double bestOurs = 1e9, bestTorch = 1e9;
    for (int r = 0; r < repeats; ++r) {
        auto start = std::chrono::steady_clock::now();
        for (const auto& w : waves)
            ours.compute(w);
        bestOurs = std::min(bestOurs, seconds(start));
        start = std::chrono::steady_clock::now();
        for (const auto& w : waves)
            torchLogMel(w, basis, window);
        bestTorch = std::min(bestTorch, seconds(start));
    }
    const double audio = clips * 10.0;
    std::printf("bench_features: %d clips x 10 s at 32 kHz, passt-32k log-mel (128 x 1000), 1 thread, "
                "best of %d\n", clips, repeats);
    std::printf("  LibTorch path (stft + matmul): %8.2f ms per clip  (%7.0fx real time)\n",
                1000 * bestTorch / clips, audio / bestTorch);
    std::printf("  patchout front end (FFTW)    : %8.2f ms per clip  (%7.0fx real time)\n",
                1000 * bestOurs / clips, audio / bestOurs);
    std::printf("  speed-up vs LibTorch: %.2fx (target >= 2x); max |difference| %.2e\n",
                bestTorch / bestOurs, maxDiff);
    return 0;
}
