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
#include "model/bf16_autocast.h"
#include "model/passt_module.h"
#include "patchout/passt.h"
#include "patchout/system_info.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

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

// The authors' PaSST (models/passt.py of their repository, which imports ba3l and timm only for
// training scripts and downloads: stubbed) timing the same steps, printing SettingResult's line.
const char* kPyTorchScript = R"PY(
import resource, sys, time, types
passt_dir, mode, precision = sys.argv[1], sys.argv[2], sys.argv[3]
n_mels, frames, patch, stride_f, stride_t, embed, depth, heads, classes, batch, steps, threads, pt, pf, pu, distilled = map(int, sys.argv[4:20])
mlp_ratio = float(sys.argv[20])
class Ingredient:
    def __init__(self, *a, **k): pass
    def add_config(self, *a, **k): pass
    def command(self, f=None, **k): return f if f else (lambda g: g)
for name in ["ba3l", "ba3l.ingredients", "ba3l.ingredients.ingredient", "timm", "timm.models", "timm.models._hub"]:
    sys.modules[name] = types.ModuleType(name)
sys.modules["ba3l.ingredients.ingredient"].Ingredient = Ingredient
sys.modules["timm.models._hub"].download_cached_file = None
sys.path.insert(0, passt_dir)
import torch
torch.set_num_threads(threads)
from models import passt
passt.first_RUN = False
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])
kw = dict(s_patchout_t=pt, s_patchout_f=pf, u_patchout=pu) if mode == "patchout" else {}
model = passt.PaSST(img_size=(n_mels, frames), patch_size=patch, stride=(stride_f, stride_t), embed_dim=embed,
                    depth=depth, num_heads=heads, mlp_ratio=mlp_ratio, distilled=bool(distilled),
                    num_classes=classes, **kw)
model.train()
torch.manual_seed(0)
x = torch.randn(batch, 1, n_mels, frames)
target = torch.zeros(batch, classes)
target[:, 0] = 1
before = status("VmRSS:")
seconds, tokens = [], [0]
model.blocks[0].register_forward_hook(lambda m, i, o: tokens.__setitem__(0, o.shape[1]))
for i in range(steps + 1):
    model.zero_grad()
    start = time.perf_counter()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
        logits = model(x)[0]
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), target)
    loss.backward()
    took = time.perf_counter() - start
    if i == 0:
        first_peak = status("VmHWM:")
        open("/proc/self/clear_refs", "w").write("5")
        steady = status("VmRSS:")
    else:
        seconds.append(took)
seconds.sort()
print("%.6f %d %d %d %d %d" % (seconds[len(seconds) // 2], tokens[0], before, first_peak, steady, status("VmHWM:")))
)PY";

// Runs `args` with `env` added to this environment and reads the SettingResult line it prints.
SettingResult runChild(const std::vector<std::string>& args, const std::vector<std::string>& env,
                       const std::string& what) {
    std::vector<std::string> args_ = args, envs(env);
    for (char** e = environ; *e; ++e)
        envs.emplace_back(*e);  // the first of a name wins (getenv reads in order)
    std::vector<char*> cargs, cenv;
    for (auto& a : args_)
        cargs.push_back(a.data());
    cargs.push_back(nullptr);
    for (auto& e : envs)
        cenv.push_back(e.data());
    cenv.push_back(nullptr);
    int out[2];
    if (::pipe(out) != 0)
        throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, cargs[0], &actions, nullptr, cargs.data(), cenv.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
        ::close(out[0]);
        throw std::runtime_error("cannot start " + args[0]);
    }
    std::string text;
    char buffer[256];
    for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    SettingResult r;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        std::sscanf(text.c_str(), "%lf %lld %ld %ld %ld %ld", &r.seconds, &r.tokens, &r.before_kb,
                    &r.first_peak_kb, &r.steady_kb, &r.steady_peak_kb) != 6)
        throw std::runtime_error("the " + what + " run failed");
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

// The python3 to run the authors' model with: `asked`, else /usr/bin/python3, else python3 on PATH,
// the first that imports torch; empty when none does.
std::string findPython(const std::string& asked) {
    std::vector<std::string> candidates;
    if (!asked.empty())
        candidates.push_back(asked);
    candidates.insert(candidates.end(), {"/usr/bin/python3", "python3"});
    for (const auto& py : candidates)
        if (std::system(("'" + py + "' -c 'import torch' >/dev/null 2>&1").c_str()) == 0)
            return py;
    return {};
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
        std::string py, script;
        if (!passtDir.empty()) {
            if (!std::filesystem::exists(std::filesystem::path(passtDir) / "models" / "passt.py"))
                throw std::runtime_error("--passt " + passtDir + " has no models/passt.py (the authors' repository)");
            if (options.positional_encoding != patchout::PositionalEncoding::Learned || options.in_chans != 1 ||
                options.head_pooling != patchout::HeadPooling::Tokens || !options.block_heads.empty() ||
                options.sharing != patchout::ParameterSharing::None || options.patchout.per_sample)
                throw std::runtime_error("the authors' model has no " + preset + "'s options");
            py = findPython(python);
            if (py.empty())
                throw std::runtime_error("no python3 with torch found (--python)");
            script = (std::filesystem::temp_directory_path() / ("patchout-bench-patchout-" + std::to_string(::getpid()) + ".py")).string();
            std::ofstream(script) << kPyTorchScript;
        }
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
            SettingResult ours[2], theirs[2];  // baseline, patchout
            for (int k = 0; k < 2; ++k) {
                const std::string m = k == 0 ? "baseline" : "patchout";
                std::vector<std::string> args(argv, argv + argc);
                args[0] = "/proc/self/exe";
                args.insert(args.end(), {"--mode", m, "--child_precision", p});
                ours[k] = runChild(args, mallocEnv, m + " " + p);
                if (py.empty())
                    continue;
                std::vector<std::string> pargs{py, "-W", "ignore", script, passtDir, m, p};
                for (int v : {options.n_mels, options.input_frames, options.patch_size, options.stride_f,
                              options.stride_t, options.embed_dim, options.depth, options.num_heads,
                              options.num_classes, batch, steps, p == "bf16" ? cores : threads, po.s_patchout_t,
                              po.s_patchout_f, po.u_patchout, options.distilled ? 1 : 0})
                    pargs.push_back(std::to_string(v));
                pargs.push_back(std::to_string(options.mlp_ratio));
                auto env = mallocEnv;
                env.push_back("OPENBLAS_NUM_THREADS=" + std::to_string(p == "bf16" ? 1 : cores));
                theirs[k] = runChild(pargs, env, "PyTorch " + m + " " + p);
            }
            const SettingResult &base = ours[0], &patched = ours[1];
            print(p + " baseline (no patchout)", base);
            if (!py.empty())
                print(p + " baseline, PyTorch", theirs[0]);
            print(p + " " + patchName, patched);
            if (!py.empty())
                print(p + " " + patchName + ", PyTorch", theirs[1]);
            ratio(p + " ratio baseline / patchout", base, patched);
            if (!py.empty()) {
                ratio(p + " ratio baseline / patchout, PyTorch", theirs[0], theirs[1]);
                ratio(p + " ratio ours / PyTorch, baseline", base, theirs[0]);
                ratio(p + " ratio ours / PyTorch, patchout", patched, theirs[1]);
            }
            std::fflush(stdout);
            results.emplace_back(base, patched);
        }
        if (!script.empty())
            std::filesystem::remove(script);
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
