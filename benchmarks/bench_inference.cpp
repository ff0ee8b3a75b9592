// Batch inference throughput: the naive path (each file loaded whole, each window run alone
// through PaSSTModel::forward, fp32, LibTorch's defaults: its default threads and the OpenBLAS
// kernels OpenBLAS picks itself, no cache) against the Classifier engine (streamed files, windows
// of many files batched by length with masks, InferenceMode, configured threads, the OpenBLAS
// kernels selectBlasKernels() picks), on synthetic files of mixed length. The naive path runs in
// a child process started without patchout's kernel choice (OpenBLAS's kernels are fixed per
// process); with --same-kernels 1 it runs again in this process, so the ratio without the kernel
// choice is printed too. Prints the times, ratios, the largest fp32 score difference, then the
// engine in bf16 with its deviation from fp32. --passt DIR (the authors' repository) then runs their
// PyTorch model on as many windows as the engine classified, one at a time (batch 1, eval, no
// gradients; fp32 on torch 1 + OpenBLAS all cores, bf16 autocast on torch all cores + OpenBLAS 1,
// the threads patchout's fp32 and bf16 paths use), model only (features not included: the
// comparison favours PyTorch), and prints windows per second of both and their ratio.
//   bench_inference [--files 500] [--preset passt-s] [--min-s 0.5] [--max-s 30] [--batch 0]
//                   [--hop-s 0] [--bf16 1] [--same-kernels 1] [--threads 1] [--blas-threads 0] [--workers 0]
//                   [--passt DIR] [--python /usr/bin/python3]
// (--threads / --blas-threads: the engine's torch and OpenBLAS pools; configureThreads();
// --workers: forward passes at once, 0 = one per core, InferOptions::workers)
#include "bench_args.h"
#include "pytorch_side.h"
#include "patchout/audio_file.h"
#include "patchout/audio_source.h"
#include "patchout/classifier.h"
#include "patchout/features.h"
#include "patchout/passt.h"
#include "patchout/system_info.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
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

// Scores of every window of every clip, as the naive child writes them for the parent.
void writeScores(const fs::path& path, double seconds, const std::string& kernels,
                 const std::vector<ClipResult>& clips) {
    std::ofstream out(path, std::ios::binary);
    out.precision(9);
    out << seconds << ' ' << kernels << ' ' << clips.size() << '\n';
    for (const auto& c : clips) {
        out << c.windows.size() << '\n';
        for (const auto& w : c.windows) {
            out << w.scores.size();
            for (float v : w.scores)
                out << ' ' << v;
            out << '\n';
        }
    }
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

std::vector<ClipResult> readScores(const fs::path& path, double& seconds, std::string& kernels) {
    std::ifstream in(path);
    std::size_t clips = 0;
    in >> seconds >> kernels >> clips;
    std::vector<ClipResult> out(clips);
    for (auto& c : out) {
        std::size_t windows = 0;
        in >> windows;
        c.windows.resize(windows);
        for (auto& w : c.windows) {
            std::size_t n = 0;
            in >> n;
            w.scores.resize(n);
            for (auto& v : w.scores)
                in >> v;
        }
    }
    if (!in)
        throw std::runtime_error("naive run: cannot read " + path.string());
    return out;
}

// Runs this program as the naive child: the environment without patchout's OpenBLAS kernel
// choice, so OpenBLAS picks its kernels as it does for any LibTorch program.
void runNaiveChild(char** argv, const fs::path& dataDir, const fs::path& scores) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string v = *e;
        if (v.rfind("OPENBLAS_CORETYPE=", 0) != 0 && v.rfind("PATCHOUT_BLAS_KERNELS_DETECTED=", 0) != 0)
            env.push_back(v);
    }
    env.emplace_back("PATCHOUT_KEEP_BLAS_KERNELS=1");
    std::vector<std::string> args;
    for (char** a = argv; *a != nullptr; ++a)
        args.emplace_back(*a);
    args.insert(args.end(), {"--naive-data", dataDir.string(), "--naive-scores", scores.string()});
    auto pointers = [](std::vector<std::string>& v) {
        std::vector<char*> p;
        for (auto& s : v)
            p.push_back(s.data());
        p.push_back(nullptr);
        return p;
    };
    auto envp = pointers(env);
    auto argp = pointers(args);
    std::fflush(stdout);
    pid_t pid = 0;
    if (::posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argp.data(), envp.data()) != 0)
        throw std::runtime_error("cannot start the naive child process");
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("the naive child process failed");
}

}  // namespace

constexpr const char* kUsage =
    "bench_inference [--files 500] [--preset passt-s] [--min-s 0.5] [--max-s 30] [--batch 0] [--hop-s 0]\n"
    "                [--bf16 1] [--same-kernels 1] [--threads 1] [--blas-threads 0] [--workers 0]\n"
    "                [--passt DIR] [--python /usr/bin/python3]\n"
    "Batch classification of synthetic files of mixed length: the naive path (each window alone, fp32,\n"
    "LibTorch's defaults, in a child process) against the Classifier engine, then the engine in bf16.\n"
    "Prints times, ratios, the largest score difference and the top-1 agreement. --threads / --blas-threads:\n"
    "the engine's torch and OpenBLAS pools; --workers: forward passes at once (0: one per core).\n"
    "--passt DIR: the authors' repository (kkoutini/PaSST); their PyTorch model then runs as many windows,\n"
    "one at a time, model only, fp32 (torch 1 + OpenBLAS all cores) and bf16 autocast (torch all cores +\n"
    "OpenBLAS 1), in --python (a python3 with torch): windows/s of both sides and the ratio. PaSST-S on\n"
    "10-s clips: --files 8 --min-s 10 --max-s 10.\n";

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    patchout::bench::checkArgs(argc, argv, kUsage, {"--files", "--preset", "--min-s", "--max-s", "--batch", "--hop-s", "--bf16", "--same-kernels", "--threads", "--blas-threads", "--workers", "--naive-data", "--naive-scores", "--passt", "--python"});
    int files = 500, batch = 0, bf16 = 1, sameKernels = 1, threads = 1, blasThreads = 0, workers = 0;
    std::string preset = "passt-s";
    fs::path naiveData, naiveScores;  // set in the naive child
    std::string passtDir, python;
    double minS = 0.5, maxS = 30.0, hopS = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--files")) files = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--preset")) preset = argv[i + 1];
        else if (!std::strcmp(argv[i], "--min-s")) minS = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--max-s")) maxS = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--batch")) batch = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--hop-s")) hopS = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--bf16")) bf16 = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--same-kernels")) sameKernels = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--blas-threads")) blasThreads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--workers")) workers = std::max(0, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--naive-data")) naiveData = argv[i + 1];
        else if (!std::strcmp(argv[i], "--naive-scores")) naiveScores = argv[i + 1];
        else if (!std::strcmp(argv[i], "--passt")) passtDir = argv[i + 1];
        else if (!std::strcmp(argv[i], "--python")) python = argv[i + 1];
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it comes: a time limit keeps what was measured
    try {
        if (!naiveScores.empty()) {  // the naive child: LibTorch's defaults, nothing configured
            std::vector<fs::path> paths;
            for (int i = 0; i < files; ++i)
                paths.push_back(naiveData / ("clip" + std::to_string(i) + ".wav"));
            const auto options = passtPreset(preset);
            const int window = options.input_frames;
            const int hop = hopS > 0 ? static_cast<int>(std::lround(hopS * 100.0)) : window;
            PaSSTModel model(options, 1);
            const auto t0 = std::chrono::steady_clock::now();
            const auto reference = naive(model, paths, window, hop);
            writeScores(naiveScores, since(t0), detectBlas().kernels, reference);
            return 0;
        }
        std::optional<bench::PyTorchPaSST> authors;  // checked before anything is timed
        if (!passtDir.empty())
            authors.emplace(passtDir, python, passtPreset(preset));
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
        std::printf("bench_inference: %d files of %.1f-%.1f s (%.0f s of audio), preset %s, batch %s\n",
                    files, minS, maxS, audio, preset.c_str(), batch > 0 ? std::to_string(batch).c_str() : "auto");
        const auto cpu = detectCpuFeatures();
        std::printf("cpu: %s, %d logical cores, avx512_bf16 %s\n", cpu.model.c_str(), cpu.logical_cores,
                    cpu.avx512_bf16 ? "yes" : "no");

        // Naive first, in a child process with LibTorch's defaults (threads and BLAS kernels).
        double naiveS = 0;
        std::string naiveKernels;
        runNaiveChild(argv, dir, dir / "naive-scores.txt");
        const auto reference = readScores(dir / "naive-scores.txt", naiveS, naiveKernels);
        // The same naive path here, on the OpenBLAS kernels this process runs (still LibTorch's
        // default threads: configureThreads() has not run yet).
        double naiveHereS = 0;
        std::vector<ClipResult> referenceHere;
        if (sameKernels) {
            PaSSTModel model(options, 1);
            const int window = options.input_frames;
            const int hop = hopS > 0 ? static_cast<int>(std::lround(hopS * 100.0)) : window;
            const auto t = std::chrono::steady_clock::now();
            referenceHere = naive(model, paths, window, hop);
            naiveHereS = since(t);
        }

        configureThreads({.torch_threads = threads, .blas_threads = blasThreads});
        Classifier engine(PaSSTModel(options, 1), {}, ScoreActivation::Sigmoid,
                          {.hop_s = hopS, .batch_size = batch, .workers = workers});
        auto t0 = std::chrono::steady_clock::now();
        const auto fast = engine.classifyFiles(paths);
        const double engineS = since(t0);
        const auto fp32 = comparePrecision(reference, fast);
        const auto st = engine.stats();
        const std::string kernels = detectBlas().kernels;
        std::printf("naive  (1 window at a time, fp32, default threads, OpenBLAS %s kernels): %.2f s\n",
                    naiveKernels.c_str(), naiveS);
        if (sameKernels)
            std::printf("naive  (the same, OpenBLAS %s kernels): %.2f s\n", kernels.c_str(), naiveHereS);
        std::printf("engine (batched %lld windows in %lld batches, %lld masked, fp32, %d forward "
                    "passes at once): %.2f s (model %.2f s, features %.2f s)\n",
                    static_cast<long long>(st.windows), static_cast<long long>(st.batches),
                    static_cast<long long>(st.padded_windows), st.workers, engineS, st.model_seconds,
                    st.feature_seconds);
        std::printf("speed-up fp32: %.2fx; max |score diff| vs naive %.2e, top-1 agreement %.4f\n",
                    naiveS / engineS, fp32.max_score_diff, fp32.top1_agreement);
        if (sameKernels) {
            const auto here = comparePrecision(referenceHere, fast);
            std::printf("speed-up fp32 on the same %s kernels: %.2fx; max |score diff| %.2e\n",
                        kernels.c_str(), naiveHereS / engineS, here.max_score_diff);
        }
        if (st.workers > 1) {
            // The same engine with one forward pass at a time on the configured pools.
            Classifier single(PaSSTModel(options, 1), {}, ScoreActivation::Sigmoid,
                              {.hop_s = hopS, .batch_size = batch, .workers = 1});
            t0 = std::chrono::steady_clock::now();
            const auto one = single.classifyFiles(paths);
            const double singleS = since(t0);
            std::printf("engine with one pass at a time (torch %d + OpenBLAS %d threads): %.2f s, "
                        "speed-up %.2fx; max |score diff| vs %d at once %.2e\n",
                        threads, currentThreads().blas_threads, singleS, naiveS / singleS, st.workers,
                        comparePrecision(one, fast).max_score_diff);
        }
        double bf16S = 0;
        if (bf16) {
            Classifier half(PaSSTModel(options, 1), {}, ScoreActivation::Sigmoid,
                            {.hop_s = hopS, .batch_size = batch, .workers = workers, .bf16 = true});
            t0 = std::chrono::steady_clock::now();
            const auto low = half.classifyFiles(paths);
            bf16S = since(t0);
            const auto dev = comparePrecision(fast, low);
            std::printf("engine bf16 autocast: %.2f s, speed-up vs naive %.2fx, vs engine fp32 %.2fx; "
                        "deviation from fp32: top-1 agreement %.4f, max |score diff| %.4f\n",
                        bf16S, naiveS / bf16S, engineS / bf16S, dev.top1_agreement, dev.max_score_diff);
        }
        if (authors) {
            // Their model on as many windows, one at a time, with the threads our fp32 and bf16
            // paths use; the engine's time includes decoding and features, theirs does not.
            const int cores = cpu.logical_cores;
            const auto windows = static_cast<int>(st.windows);
            std::printf("PyTorch (the authors' PaSST, %d windows of %d frames one at a time, model only):\n", windows,
                        options.input_frames);
            for (const std::string p : {"fp32", "bf16"}) {
                const double ours = p == "fp32" ? engineS : bf16S;
                if (ours <= 0)
                    continue;
                const std::string text = bench::runCapture(
                    authors->args("infer", p, 1, windows, p == "bf16" ? cores : 1, {}),
                    {"OPENBLAS_NUM_THREADS=" + std::to_string(p == "bf16" ? 1 : cores)}, "PyTorch " + p);
                const double theirs = std::atof(text.c_str());
                if (!(theirs > 0))
                    throw std::runtime_error("the PyTorch " + p + " run printed no time");
                std::printf("%s: PyTorch %.2f s (%.3f windows/s, torch %d + OpenBLAS %d), engine %.2f s (%.3f windows/s):"
                            " %.2fx\n",
                            p.c_str(), theirs, windows / theirs, p == "bf16" ? cores : 1, p == "bf16" ? 1 : cores, ours,
                            windows / ours, theirs / ours);
            }
        }
        fs::remove_all(dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_inference: %s\n", e.what());
        return 1;
    }
    return 0;
}
