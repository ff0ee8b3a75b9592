// Patchout's point is the cost of training: dropping 40 time columns and 4 frequency rows of
// PaSST-S's 12 x 99 patch grid on 10 s clips leaves 472 of 1,188 patches. This times training
// steps (forward + backward of a multi-label loss) without patchout (the baseline) and with the
// preset's patchout, and prints both and their ratio. Each setting runs in its own process, so its
// peak memory (ru_maxrss) less the memory held before the first step is that setting's activation
// (and gradient) memory. --precision bf16 (or both) times the same steps with mixed precision as
// `train --precision bf16` runs them: the forward pass under bf16 autocast, loss and weights fp32,
// torch's pool on every core and OpenBLAS on one (bf16 products run in torch's pool).
//   bench_patchout [--preset passt-s] [--batch 1] [--steps 2] [--threads 1] [--precision fp32|bf16|both]
#include "bench_args.h"
#include "model/bf16_autocast.h"
#include "model/passt_module.h"
#include "patchout/passt.h"
#include "patchout/system_info.h"

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <fstream>
#include <vector>

extern char** environ;

namespace {

long residentKb() {
    std::ifstream status("/proc/self/status");
    std::string key;
    long kb = 0;
    while (status >> key) {
        if (key == "VmRSS:") {
            status >> kb;
            break;
        }
        status.ignore(1 << 12, '\n');
    }
    return kb;
}

struct SettingResult {
    double seconds = 0;
    long long tokens = 0;
    long before_kb = 0;
    long peak_kb = 0;
};

// Runs this program again for one setting and reads its line "seconds tokens before_kb" and its
// peak resident memory.
SettingResult runSetting(char** argv, int argc, const char* mode, const std::string& precision) {
    std::vector<std::string> args(argv, argv + argc);
    args.push_back("--mode");
    args.push_back(mode);
    args.push_back("--child_precision");
    args.push_back(precision);
    std::vector<char*> cargs;
    for (auto& a : args)
        cargs.push_back(a.data());
    cargs.push_back(nullptr);
    int out[2];
    if (::pipe(out) != 0)
        throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, cargs.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0)
        throw std::runtime_error("cannot start a child process");
    std::string text;
    char buffer[256];
    for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    ::close(out[0]);
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    SettingResult r;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        std::sscanf(text.c_str(), "%lf %lld %ld", &r.seconds, &r.tokens, &r.before_kb) != 3)
        throw std::runtime_error(std::string("the ") + mode + " run failed");
    r.peak_kb = usage.ru_maxrss;
    return r;
}

double medianStepSeconds(patchout::PaSST& model, const torch::Tensor& x, const torch::Tensor& target,
                         int steps, bool bf16, std::int64_t& tokens) {
    std::vector<double> seconds;
    for (int i = 0; i <= steps; ++i) {  // step 0 warms up the allocator and BLAS
        model->zero_grad();
        const auto start = std::chrono::steady_clock::now();
        tokens = model->tokens(x).size(1);
        torch::Tensor logits;
        {
            patchout::Bf16Autocast autocast(bf16);
            logits = model->forward(x).first;
        }
        auto loss = torch::binary_cross_entropy_with_logits(logits.to(torch::kFloat32), target);
        loss.backward();
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (i > 0)
            seconds.push_back(took.count());
    }
    std::sort(seconds.begin(), seconds.end());
    return seconds[seconds.size() / 2];
}

}  // namespace

constexpr const char* kUsage =
    "bench_patchout [--preset passt-s] [--batch 1] [--steps 2] [--threads 1] [--precision fp32|bf16|both]\n"
    "Training steps of a preset without patchout and with its patchout, each in its own process: time per\n"
    "step, their ratio, and each setting's activation memory (peak RSS less what was held before).\n"
    "--precision bf16: mixed precision as train --precision bf16 (torch on every core, OpenBLAS on one);\n"
    "both: fp32 and bf16 side by side with the bf16 speed-up. fp32 runs torch --threads + OpenBLAS all cores.\n";

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    patchout::bench::checkArgs(argc, argv, kUsage, {"--preset", "--batch", "--steps", "--threads", "--mode", "--precision", "--child_precision"});
    std::string preset = "passt-s", mode, precision = "fp32", childPrecision = "fp32";
    int batch = 1, steps = 2, threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--preset")) preset = argv[i + 1];
        else if (!std::strcmp(argv[i], "--batch")) batch = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--steps")) steps = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--threads")) threads = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--mode")) mode = argv[i + 1];
        else if (!std::strcmp(argv[i], "--precision")) precision = argv[i + 1];
        else if (!std::strcmp(argv[i], "--child_precision")) childPrecision = argv[i + 1];
    }
    try {
        const auto options = patchout::passtPreset(preset);
        if (!mode.empty()) {  // child: one setting
            const bool bf16 = childPrecision == "bf16";
            const int cores = patchout::detectCpuFeatures().logical_cores;
            patchout::configureThreads(bf16 ? patchout::ThreadOptions{.torch_threads = cores, .blas_threads = 1}
                                            : patchout::ThreadOptions{.torch_threads = threads, .blas_threads = 0});
            patchout::PaSSTModel model(options, 1);
            model.setTraining(true);
            torch::manual_seed(0);
            const auto x = torch::randn({batch, options.in_chans, options.n_mels, options.input_frames});
            auto target = torch::zeros({batch, options.num_classes});
            target.select(1, 0).fill_(1.0);
            model.setPatchout(mode == "patchout" ? options.patchout : patchout::PatchoutOptions{});
            const long before = residentKb();
            std::int64_t tokens = 0;
            const double seconds = medianStepSeconds(model.module(), x, target, steps, bf16, tokens);
            std::printf("%.6f %lld %ld\n", seconds, static_cast<long long>(tokens), before);
            return 0;
        }
        if (precision != "fp32" && precision != "bf16" && precision != "both")
            throw std::runtime_error("--precision must be fp32, bf16 or both");
        std::printf("%s, batch %d x %d frames, median of %d training steps (forward + backward); fp32: torch %d + "
                    "OpenBLAS all cores, bf16: torch all cores + OpenBLAS 1\n",
                    preset.c_str(), batch, options.input_frames, steps, threads);
        auto mib = [](long kb) { return kb / 1024.0; };
        std::vector<std::string> precisions;
        if (precision != "bf16")
            precisions.push_back("fp32");
        if (precision != "fp32")
            precisions.push_back("bf16");
        std::vector<std::pair<SettingResult, SettingResult>> results;
        for (const std::string& p : precisions) {
            const SettingResult base = runSetting(argv, argc, "baseline", p);
            const SettingResult patched = runSetting(argv, argc, "patchout", p);
            std::printf("%s baseline (no patchout): %8.3f s/step, %lld tokens, activations %7.1f MiB "
                        "(peak %7.1f MiB)\n", p.c_str(), base.seconds, base.tokens,
                        mib(base.peak_kb - base.before_kb), mib(base.peak_kb));
            std::printf("%s patchout t%d f%d u%d:     %8.3f s/step, %lld tokens, activations %7.1f MiB "
                        "(peak %7.1f MiB)\n", p.c_str(), options.patchout.s_patchout_t, options.patchout.s_patchout_f,
                        options.patchout.u_patchout, patched.seconds, patched.tokens,
                        mib(patched.peak_kb - patched.before_kb), mib(patched.peak_kb));
            std::printf("%s ratio baseline / patchout: %6.2fx time, %5.2fx activation memory\n", p.c_str(),
                        base.seconds / patched.seconds,
                        static_cast<double>(base.peak_kb - base.before_kb) /
                            std::max(1L, patched.peak_kb - patched.before_kb));
            std::fflush(stdout);
            results.emplace_back(base, patched);
        }
        if (results.size() == 2)
            std::printf("bf16 speed-up over fp32: %.2fx without patchout, %.2fx with patchout\n",
                        results[0].first.seconds / results[1].first.seconds,
                        results[0].second.seconds / results[1].second.seconds);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_patchout: %s\n", e.what());
        return 1;
    }
    return 0;
}
