// Batch inference throughput: the naive path (each file loaded whole, each window run alone
// through PaSSTModel::forward, fp32, LibTorch's default threads, no cache) against the Classifier
// engine (streamed files, windows of many files batched with masks, InferenceMode, configured
// threads), on synthetic files of mixed length. Prints both times, their ratio, the largest fp32
// score difference, then the engine in bf16 with its deviation from fp32.
//   bench_inference [--files 500] [--preset passt-s] [--min-s 0.5] [--max-s 30] [--batch 32]
//                   [--hop-s 0] [--bf16 1]
#include "patchout/audio_file.h"
#include "patchout/audio_source.h"
#include "patchout/classifier.h"
#include "patchout/features.h"
#include "patchout/passt.h"
#include "patchout/system_info.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace patchout;

namespace {

double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::vector<ClipResult> naive(const PaSSTModel& model, const std::vector<fs::path>& files, int window,
                              int hop) {
    std::vector<ClipResult> results;
    FeatureExtractor extractor(featurePreset("passt-32k"));
    for (const auto& file : files) {
        const Features f = extractor.compute(loadAudio(file, {.target_rate = 32000}));
        ClipResult clip;
        clip.name = file.string();
        for (const auto& span : windowSpans(f.n_frames, window, hop, model.options().patch_size)) {
            Features w = f;
            w.n_frames = std::max(span.valid, model.options().patch_size);
            w.data.assign(static_cast<std::size_t>(w.n_frames) * f.n_bins, 0.0f);
            std::copy(f.data.begin() + span.start * f.n_bins,
                      f.data.begin() + (span.start + span.valid) * f.n_bins, w.data.begin());
            const auto out = model.forward({w});
            WindowResult r;
            for (float l : out.logits)
                r.scores.push_back(1.0f / (1.0f + std::exp(-l)));
            clip.windows.push_back(std::move(r));
        }
        results.push_back(std::move(clip));
    }
    return results;
}

}  // namespace

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    int files = 500, batch = 32, bf16 = 1;
    std::string preset = "passt-s";
    double minS = 0.5, maxS = 30.0, hopS = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--files")) files = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--preset")) preset = argv[i + 1];
        else if (!std::strcmp(argv[i], "--min-s")) minS = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--max-s")) maxS = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--batch")) batch = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--hop-s")) hopS = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--bf16")) bf16 = std::atoi(argv[i + 1]);
    }
    try {
        const fs::path dir = fs::temp_directory_path() / ("bench_inference-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> length(minS, maxS);
        std::vector<fs::path> paths;
        double audio = 0;
        for (int i = 0; i < files; ++i) {
            SignalOptions o;
            o.kind = static_cast<SignalKind>(i % 3);
            o.duration_s = length(rng);
            o.frequency_hz = 200.0 + 37.0 * (i % 50);
            o.seed = static_cast<std::uint64_t>(i);
            audio += o.duration_s;
            paths.push_back(dir / ("clip" + std::to_string(i) + ".wav"));
            saveWav(paths.back(), synthesize(o));
        }
        const auto options = passtPreset(preset);
        std::printf("bench_inference: %d files of %.1f-%.1f s (%.0f s of audio), preset %s, batch %d\n",
                    files, minS, maxS, audio, preset.c_str(), batch);
        const auto cpu = detectCpuFeatures();
        std::printf("cpu: %s, %d logical cores, avx512_bf16 %s\n", cpu.model.c_str(), cpu.logical_cores,
                    cpu.avx512_bf16 ? "yes" : "no");

        // Naive first, with LibTorch's default thread settings.
        PaSSTModel model(options, 1);
        const int window = options.input_frames;
        const int hop = hopS > 0 ? static_cast<int>(std::lround(hopS * 100.0)) : window;
        auto t0 = std::chrono::steady_clock::now();
        const auto reference = naive(model, paths, window, hop);
        const double naiveS = since(t0);

        configureThreads();
        Classifier engine(PaSSTModel(options, 1), {}, ScoreActivation::Sigmoid,
                          {.hop_s = hopS, .batch_size = batch});
        t0 = std::chrono::steady_clock::now();
        const auto fast = engine.classifyFiles(paths);
        const double engineS = since(t0);
        const auto fp32 = comparePrecision(reference, fast);
        const auto st = engine.stats();
        std::printf("naive  (1 window at a time, fp32, default threads): %.2f s\n", naiveS);
        std::printf("engine (batched %lld windows in %lld batches, %lld masked, fp32): %.2f s "
                    "(model %.2f s, features %.2f s)\n",
                    static_cast<long long>(st.windows), static_cast<long long>(st.batches),
                    static_cast<long long>(st.padded_windows), engineS, st.model_seconds,
                    st.feature_seconds);
        std::printf("speed-up fp32: %.2fx; max |score diff| vs naive %.2e, top-1 agreement %.4f\n",
                    naiveS / engineS, fp32.max_score_diff, fp32.top1_agreement);
        if (bf16) {
            Classifier half(PaSSTModel(options, 1), {}, ScoreActivation::Sigmoid,
                            {.hop_s = hopS, .batch_size = batch, .bf16 = true});
            t0 = std::chrono::steady_clock::now();
            const auto low = half.classifyFiles(paths);
            const double bf16S = since(t0);
            const auto dev = comparePrecision(fast, low);
            std::printf("engine bf16 autocast: %.2f s, speed-up vs naive %.2fx, vs engine fp32 %.2fx; "
                        "deviation from fp32: top-1 agreement %.4f, max |score diff| %.4f\n",
                        bf16S, naiveS / bf16S, engineS / bf16S, dev.top1_agreement, dev.max_score_diff);
        }
        fs::remove_all(dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_inference: %s\n", e.what());
        return 1;
    }
    return 0;
}
