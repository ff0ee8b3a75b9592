// Patchout's point is the cost of training: dropping 40 time columns and 4 frequency rows of
// PaSST-S's 12 x 99 patch grid on 10 s clips leaves 472 of 1,188 patches. This times training
// steps (forward + backward of a multi-label loss) without patchout (the baseline) and with the
// preset's patchout, and prints both and their ratio. Each setting runs in its own process and
// measures two memories: "activations", the peak resident memory of the timed steps less what was
// resident after the warm-up step (weights, gradients and what the allocator keeps are already
// there, so this is what one step adds: PyTorch's anchor), and "step memory", the peak over all
// steps less what was resident before the first one (activations and gradients). Both children run
// with glibc's mmap threshold fixed at 128 KiB (MALLOC_MMAP_THRESHOLD_; --memory default leaves
// glibc's own), so that every tensor larger than that is its own mapping, given back when freed, and
// resident memory follows the live tensors. With glibc's sliding threshold, freed blocks stay
// resident and are reused; what one step then adds, and what the heap keeps, depend on the order of
// frees, and the two sides' figures cannot be compared. The fixed threshold costs some time
// (the mappings are zeroed anew), the same on both sides.
// --precision bf16 (or both) times the same steps with mixed precision as `train --precision bf16`
// runs them: the forward pass under bf16 autocast, loss and weights fp32, torch's pool on every core
// and OpenBLAS on one (bf16 products run in torch's pool).
// --passt DIR (the authors' repository, kkoutini/PaSST) runs the same steps with their PyTorch
// model in a python3 with torch (--python), same sizes, threads and measures, side by side.
//   bench_patchout [--preset passt-s] [--batch 1] [--steps 2] [--threads 1] [--precision fp32|bf16|both]
//                  [--passt DIR] [--python /usr/bin/python3] [--memory exact|default]
#include "bench_args.h"
#include "pytorch_side.h"
#include "model/bf16_autocast.h"
#include "model/passt_module.h"
#include "patchout/passt.h"
#include "patchout/system_info.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

// A field of /proc/self/status in kB: "VmRSS:" (resident now) or "VmHWM:" (its peak).
long statusKb(const char* field = "VmRSS:") {
    std::ifstream status("/proc/self/status");
    std::string key;
    long kb = 0;
    while (status >> key) {
        if (key == field) {
            status >> kb;
            break;
        }
        status.ignore(1 << 12, '\n');
    }
    return kb;
}

// Starts the peak (VmHWM) again from what is resident now (Linux >= 4.0) and returns that.
long resetPeak() {
    std::ofstream("/proc/self/clear_refs") << "5";
    return statusKb();
}

// What one setting's process prints on its one line, in this order.
struct SettingResult {
    double seconds = 0;     // median step
    long long tokens = 0;   // sequence length in the blocks
    long before_kb = 0;     // resident before the first step
    long first_peak_kb = 0; // peak up to the end of the warm-up step
    long steady_kb = 0;     // resident after the warm-up step
    long steady_peak_kb = 0;  // peak of the timed steps

    double activationsMib() const { return (steady_peak_kb - steady_kb) / 1024.0; }
    double stepMemoryMib() const { return (std::max(first_peak_kb, steady_peak_kb) - before_kb) / 1024.0; }
    double peakMib() const { return std::max(first_peak_kb, steady_peak_kb) / 1024.0; }
};

// Runs one setting's process and reads the SettingResult line it prints.
SettingResult runSetting(const std::vector<std::string>& args, const std::vector<std::string>& env,
                         const std::string& what) {
    const std::string text = patchout::bench::runCapture(args, env, what);
    SettingResult r;
    if (std::sscanf(text.c_str(), "%lf %lld %ld %ld %ld %ld", &r.seconds, &r.tokens, &r.before_kb, &r.first_peak_kb,
                    &r.steady_kb, &r.steady_peak_kb) != 6)
        throw std::runtime_error("the " + what + " run printed no result");
    return r;
}

double medianStepSeconds(patchout::PaSST& model, const torch::Tensor& x, const torch::Tensor& target,
                         int steps, bool bf16, SettingResult& r) {
    std::vector<double> seconds;
    for (int i = 0; i <= steps; ++i) {  // step 0 warms up the allocator and BLAS, and makes the gradients
        model->zero_grad();
        const auto start = std::chrono::steady_clock::now();
        r.tokens = model->tokens(x).size(1);
        torch::Tensor logits;
        {
            patchout::Bf16Autocast autocast(bf16);
            logits = model->forward(x).first;
        }
        auto loss = torch::binary_cross_entropy_with_logits(logits.to(torch::kFloat32), target);
        loss.backward();
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (i > 0) {
            seconds.push_back(took.count());
        } else {
            r.first_peak_kb = statusKb("VmHWM:");
            r.steady_kb = resetPeak();
        }
    }
    r.steady_peak_kb = statusKb("VmHWM:");
    std::sort(seconds.begin(), seconds.end());
    return seconds[seconds.size() / 2];
}

}  // namespace

constexpr const char* kUsage =
    "bench_patchout [--preset passt-s] [--batch 1] [--steps 2] [--threads 1] [--precision fp32|bf16|both]\n"
    "               [--passt DIR] [--python /usr/bin/python3] [--memory exact|default]\n"
    "Training steps of a preset without patchout and with its patchout, each in its own process: time per\n"
    "step, their ratio, and each setting's memory: activations (the peak of the timed steps less what was\n"
    "resident after the warm-up step: what one step adds, PyTorch's anchor) and step memory (the peak less\n"
    "what was resident before the first step: activations and gradients).\n"
    "--precision bf16: mixed precision as train --precision bf16 (torch on every core, OpenBLAS on one);\n"
    "both: fp32 and bf16 side by side with the bf16 speed-up. fp32 runs torch --threads + OpenBLAS all cores.\n"
    "--passt DIR: the authors' repository (kkoutini/PaSST, its models/passt.py); the same steps with their\n"
    "PyTorch model (autocast for bf16, same threads) in --python, a python3 with torch, beside ours.\n"
    "--memory exact (default): glibc's mmap threshold fixed at 128 KiB in both, so that resident memory follows\n"
    "the live tensors (steps get slower, alike); default: glibc's own, which keeps freed blocks resident.\n";

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    patchout::bench::checkArgs(argc, argv, kUsage, {"--preset", "--batch", "--steps", "--threads", "--mode", "--precision",
                                                    "--child_precision", "--passt", "--python", "--memory"});
    std::string preset = "passt-s", mode, precision = "fp32", childPrecision = "fp32", passtDir, python,
                memory = "exact";
    int batch = 1, steps = 2, threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--preset")) preset = argv[i + 1];
        else if (!std::strcmp(argv[i], "--batch")) batch = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--steps")) steps = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--threads")) threads = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--mode")) mode = argv[i + 1];
        else if (!std::strcmp(argv[i], "--precision")) precision = argv[i + 1];
        else if (!std::strcmp(argv[i], "--child_precision")) childPrecision = argv[i + 1];
        else if (!std::strcmp(argv[i], "--passt")) passtDir = argv[i + 1];
        else if (!std::strcmp(argv[i], "--python")) python = argv[i + 1];
        else if (!std::strcmp(argv[i], "--memory")) memory = argv[i + 1];
    }
    try {
        const auto options = patchout::passtPreset(preset);
        const int cores = patchout::detectCpuFeatures().logical_cores;
        if (!mode.empty()) {  // child: one setting
            const bool bf16 = childPrecision == "bf16";
            patchout::configureThreads(bf16 ? patchout::ThreadOptions{.torch_threads = cores, .blas_threads = 1}
                                            : patchout::ThreadOptions{.torch_threads = threads, .blas_threads = 0});
            patchout::PaSSTModel model(options, 1);
            model.setTraining(true);
            torch::manual_seed(0);
            const auto x = torch::randn({batch, options.in_chans, options.n_mels, options.input_frames});
            auto target = torch::zeros({batch, options.num_classes});
            target.select(1, 0).fill_(1.0);
            model.setPatchout(mode == "patchout" ? options.patchout : patchout::PatchoutOptions{});
            SettingResult r;
            r.before_kb = statusKb();
            r.seconds = medianStepSeconds(model.module(), x, target, steps, bf16, r);
            std::printf("%.6f %lld %ld %ld %ld %ld\n", r.seconds, r.tokens, r.before_kb, r.first_peak_kb, r.steady_kb,
                        r.steady_peak_kb);
            return 0;
        }
        if (precision != "fp32" && precision != "bf16" && precision != "both")
            throw std::runtime_error("--precision must be fp32, bf16 or both");
        if (memory != "exact" && memory != "default")
            throw std::runtime_error("--memory must be exact or default");
        std::vector<std::string> mallocEnv;
        if (memory == "exact")
            mallocEnv.emplace_back("MALLOC_MMAP_THRESHOLD_=131072");
        std::optional<patchout::bench::PyTorchPaSST> theirs;
        if (!passtDir.empty())
            theirs.emplace(passtDir, python, options);
        std::printf("%s, batch %d x %d frames, median of %d training steps (forward + backward); fp32: torch %d + "
                    "OpenBLAS all cores, bf16: torch all cores + OpenBLAS 1; glibc mmap threshold %s\n",
                    preset.c_str(), batch, options.input_frames, steps, threads,
                    memory == "exact" ? "128 KiB (memory follows live tensors)" : "glibc's own");
        std::printf("%-36s %9s %7s %12s %12s %10s\n", "", "s/step", "tokens", "activations", "step memory", "peak");
        auto print = [](const std::string& name, const SettingResult& r) {
            std::printf("%-36s %9.3f %7lld %8.1f MiB %8.1f MiB %6.0f MiB\n", name.c_str(), r.seconds, r.tokens,
                        r.activationsMib(), r.stepMemoryMib(), r.peakMib());
        };
        auto ratio = [](const std::string& name, const SettingResult& a, const SettingResult& b) {
            std::printf("%-36s %8.2fx %7s %11.2fx %11.2fx\n", name.c_str(), a.seconds / b.seconds, "",
                        a.activationsMib() / std::max(0.1, b.activationsMib()),
                        a.stepMemoryMib() / std::max(0.1, b.stepMemoryMib()));
        };
        const auto& po = options.patchout;
        const std::string patchName = "patchout t" + std::to_string(po.s_patchout_t) + " f" +
                                      std::to_string(po.s_patchout_f) + " u" + std::to_string(po.u_patchout);
        std::vector<std::string> precisions;
        if (precision != "bf16")
            precisions.push_back("fp32");
        if (precision != "fp32")
            precisions.push_back("bf16");
        std::vector<std::pair<SettingResult, SettingResult>> results;
        for (const std::string& p : precisions) {
            SettingResult ours[2], reference[2];  // baseline, patchout
            for (int k = 0; k < 2; ++k) {
                const std::string m = k == 0 ? "baseline" : "patchout";
                std::vector<std::string> args(argv, argv + argc);
                args[0] = "/proc/self/exe";
                args.insert(args.end(), {"--mode", m, "--child_precision", p});
                ours[k] = runSetting(args, mallocEnv, m + " " + p);
                if (!theirs)
                    continue;
                auto env = mallocEnv;
                env.push_back("OPENBLAS_NUM_THREADS=" + std::to_string(p == "bf16" ? 1 : cores));
                reference[k] = runSetting(theirs->args("step", p, batch, steps, p == "bf16" ? cores : threads,
                                                       k == 0 ? patchout::PatchoutOptions{} : po),
                                          env, "PyTorch " + m + " " + p);
            }
            const SettingResult &base = ours[0], &patched = ours[1];
            print(p + " baseline (no patchout)", base);
            if (theirs)
                print(p + " baseline, PyTorch", reference[0]);
            print(p + " " + patchName, patched);
            if (theirs)
                print(p + " " + patchName + ", PyTorch", reference[1]);
            ratio(p + " ratio baseline / patchout", base, patched);
            if (theirs) {
                ratio(p + " ratio baseline / patchout, PyTorch", reference[0], reference[1]);
                ratio(p + " ratio ours / PyTorch, baseline", base, reference[0]);
                ratio(p + " ratio ours / PyTorch, patchout", patched, reference[1]);
            }
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
