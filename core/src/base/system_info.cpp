#include "patchout/system_info.h"

#include "patchout/audio_source.h"
#include "patchout/error.h"
#include "patchout/speech.h"
#include "patchout/stft.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <sndfile.h>
#include <soxr.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <ATen/Context.h>
#include <ATen/Version.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace patchout {
namespace {

template <typename Fn>
Fn lookup(const char* symbol) {
    return reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, symbol));
}

std::string resolvedLibraryOf(const char* symbol) {
    void* address = ::dlsym(RTLD_DEFAULT, symbol);
    Dl_info info{};
    if (address == nullptr || ::dladdr(address, &info) == 0 || info.dli_fname == nullptr)
        return {};
    char resolved[PATH_MAX];
    return ::realpath(info.dli_fname, resolved) ? std::string(resolved) : std::string(info.dli_fname);
}

std::string cpuinfoField(const std::string& field) {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field, 0) == 0) {
            auto colon = line.find(':');
            if (colon != std::string::npos)
                return line.substr(colon + 2);
        }
    }
    return {};
}

constexpr const char* kDetectedKernelsVariable = "PATCHOUT_BLAS_KERNELS_DETECTED";

// OpenBLAS x86-64 kernel sets by the widest vector code they use (names as in
// OPENBLAS_CORETYPE and openblas_get_corename(), compared case-insensitively).
int kernelRank(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "skylakex" || name == "cooperlake" || name == "sapphirerapids") return 3;
    if (name == "haswell" || name == "zen") return 2;
    if (name == "sandybridge") return 1;
    return 0;  // Prescott, Core2, Penryn, Nehalem, Atom, ...: SSE only
}

}  // namespace

BlasInfo detectBlas() {
    BlasInfo blas;
    blas.library = resolvedLibraryOf("sgemm_");
    if (auto config = lookup<char* (*)()>("openblas_get_config")) {
        blas.name = "OpenBLAS";
        blas.detail = config();
        if (auto threads = lookup<int (*)()>("openblas_get_num_threads"))
            blas.threads = threads();
        if (auto core = lookup<char* (*)()>("openblas_get_corename"))
            blas.kernels = core();
        if (const char* detected = std::getenv(kDetectedKernelsVariable))
            blas.kernels_detected = detected;
    } else if (blas.library.find("mkl") != std::string::npos) {
        blas.name = "MKL";
    } else if (blas.library.find("blis") != std::string::npos) {
        blas.name = "BLIS";
    } else if (blas.library.find("atlas") != std::string::npos) {
        blas.name = "ATLAS";
    } else if (!blas.library.empty()) {
        blas.name = "reference BLAS";
        blas.slow = true;
    } else {
        blas.name = "unknown";
    }
    return blas;
}

CpuFeatures detectCpuFeatures() {
    CpuFeatures cpu;
    cpu.model = cpuinfoField("model name");
    std::istringstream flags(" " + cpuinfoField("flags") + " ");
    std::string flag;
    int avx512 = 0;
    while (flags >> flag) {
        cpu.avx2 |= flag == "avx2";
        cpu.fma |= flag == "fma";
        cpu.avx512f |= flag == "avx512f";
        avx512 += flag == "avx512f" || flag == "avx512cd" || flag == "avx512bw" ||
                  flag == "avx512dq" || flag == "avx512vl";
        cpu.avx512_bf16 |= flag == "avx512_bf16";
        cpu.amx_bf16 |= flag == "amx_bf16";
    }
    cpu.avx512_skylake = avx512 == 5;
    cpu.logical_cores = static_cast<int>(std::thread::hardware_concurrency());
    return cpu;
}

SystemInfo systemInfo() {
    SystemInfo info;
    info.patchout_version = PATCHOUT_VERSION;
    info.torch_version = TORCH_VERSION;
    const std::string config = at::show_config();
    const std::string key = "CPU capability usage: ";
    if (auto pos = config.find(key); pos != std::string::npos)
        info.torch_capability = config.substr(pos + key.size(),
                                              config.find('\n', pos) - pos - key.size());
    info.cuda = cudaStatus().describe();
    info.fftw_version = fftwVersion();
    info.sndfile_version = sf_version_string();
    info.soxr_version = soxr_version();
    info.portaudio_version = portAudioVersion();
    info.espeak_version = espeakVersion();
    info.blas = detectBlas();
    info.cpu = detectCpuFeatures();
    info.torch_threads = at::get_num_threads();
    info.torch_interop_threads = at::get_num_interop_threads();
    return info;
}

const char* computeDeviceName(ComputeDevice device) { return device == ComputeDevice::Cuda ? "cuda" : "cpu"; }

std::string CudaStatus::describe() const {
    if (!built)
        return "not in this LibTorch build (CPU only)";
    if (devices == 0)
        return "built, but no GPU is visible";
    return std::to_string(devices) + " GPU(s)";
}

CudaStatus cudaStatus() {
    CudaStatus s;
    s.built = at::hasCUDA();
    s.devices = s.built ? static_cast<int>(torch::cuda::device_count()) : 0;
    return s;
}

ComputeDevice resolveComputeDevice(const std::string& preference) {
    const CudaStatus cuda = cudaStatus();
    if (preference == "cpu")
        return ComputeDevice::Cpu;
    if (preference == "auto")
        return cuda.usable() ? ComputeDevice::Cuda : ComputeDevice::Cpu;
    if (preference == "cuda") {
        if (!cuda.usable())
            throw Error(ErrorCode::Unsupported,
                        "--device cuda: CUDA is " + cuda.describe() +
                            "; use --device cpu or auto, or build against a LibTorch with CUDA "
                            "(docs/benchmarks.md, tools/gpu_check.sh)");
        return ComputeDevice::Cuda;
    }
    throw Error(ErrorCode::InvalidArgument, "device must be cpu, cuda or auto, not \"" + preference + "\"");
}

std::vector<std::string> describe(const SystemInfo& info) {
    std::vector<std::string> lines;
    if (info.blas.slow)
        lines.push_back("WARNING: LibTorch runs on the reference BLAS (" + info.blas.library +
                        "): matrix products are ~40x slower. Install OpenBLAS "
                        "(packaging/install-deps.sh) or select it with update-alternatives "
                        "--config libblas.so.3-x86_64-linux-gnu.");
    auto yes = [](bool b) { return b ? std::string("yes") : std::string("no"); };
    lines.push_back("patchout: " + info.patchout_version);
    lines.push_back("LibTorch: " + info.torch_version + " (CPU capability " +
                    info.torch_capability + ")");
    lines.push_back("BLAS: " + info.blas.name +
                    (info.blas.detail.empty() ? "" : " (" + info.blas.detail + ")"));
    if (!info.blas.kernels.empty())
        lines.push_back("BLAS kernels: " + info.blas.kernels +
                        (info.blas.kernels_detected.empty()
                             ? ""
                             : " (chosen by patchout; OpenBLAS detected " +
                                   info.blas.kernels_detected + ")"));
    lines.push_back("BLAS library: " + (info.blas.library.empty() ? "?" : info.blas.library));
    lines.push_back("threads: torch intra-op " + std::to_string(info.torch_threads) +
                    ", inter-op " + std::to_string(info.torch_interop_threads) + ", BLAS " +
                    std::to_string(info.blas.threads));
    lines.push_back("CPU: " + info.cpu.model + ", " + std::to_string(info.cpu.logical_cores) +
                    " logical cores");
    lines.push_back("CPU features: AVX2 " + yes(info.cpu.avx2) + ", AVX-512 " +
                    yes(info.cpu.avx512f) + ", AVX-512 BF16 " + yes(info.cpu.avx512_bf16) +
                    ", AMX BF16 " + yes(info.cpu.amx_bf16));
    if (!info.cuda.empty())
        lines.push_back("CUDA: " + info.cuda);
    lines.push_back("FFTW: " + info.fftw_version);
    lines.push_back("libsndfile: " + info.sndfile_version);
    lines.push_back("libsoxr: " + info.soxr_version);
    lines.push_back("PortAudio: " + info.portaudio_version);
    lines.push_back("espeak-ng: " + info.espeak_version);
    return lines;
}

void configureThreads(const ThreadOptions& options) {
    at::set_num_threads(std::max(1, options.torch_threads));
    int blasThreads = options.blas_threads > 0
                          ? options.blas_threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    if (auto setThreads = lookup<void (*)(int)>("openblas_set_num_threads"))
        setThreads(blasThreads);
}

ThreadOptions currentThreads() {
    ThreadOptions o;
    o.torch_threads = at::get_num_threads();
    o.blas_threads = 0;
    if (auto threads = lookup<int (*)()>("openblas_get_num_threads"))
        o.blas_threads = threads();
    return o;
}

PrecisionThreads::PrecisionThreads(bool bf16) : m_before(currentThreads()), m_moved(bf16) {
    if (!bf16)
        return;
    const int cores = m_before.blas_threads > 0 ? m_before.blas_threads : detectCpuFeatures().logical_cores;
    configureThreads({.torch_threads = std::max({m_before.torch_threads, cores, 1}), .blas_threads = 1});
}

PrecisionThreads::~PrecisionThreads() {
    if (m_moved)
        configureThreads(m_before);
}

std::string betterOpenBlasKernels(const CpuFeatures& cpu, const std::string& current) {
    if (current.empty())
        return {};
    const std::string best = cpu.avx512_skylake        ? "SkylakeX"
                             : cpu.avx2 && cpu.fma     ? "Haswell"
                                                       : "";
    return !best.empty() && kernelRank(best) > kernelRank(current) ? best : std::string();
}

void selectBlasKernels(char** argv) {
    if (argv == nullptr || argv[0] == nullptr || std::getenv("OPENBLAS_CORETYPE") != nullptr ||
        std::getenv("PATCHOUT_KEEP_BLAS_KERNELS") != nullptr)
        return;
    const BlasInfo blas = detectBlas();
    const std::string better = betterOpenBlasKernels(detectCpuFeatures(), blas.kernels);
    if (better.empty())
        return;
    ::setenv("OPENBLAS_CORETYPE", better.c_str(), 1);
    ::setenv(kDetectedKernelsVariable, blas.kernels.c_str(), 1);
    ::execv("/proc/self/exe", argv);
    // exec failed (no /proc?): carry on with the kernels we have.
    ::unsetenv("OPENBLAS_CORETYPE");
    ::unsetenv(kDetectedKernelsVariable);
}

}  // namespace patchout
