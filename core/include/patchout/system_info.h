// What this build runs on: library versions, the BLAS LibTorch really uses, thread settings and
// CPU features. `patchout info` and the About box print it; configureThreads() is called once at
// start-up by every program.
#pragma once

#include <string>
#include <vector>

namespace patchout {

struct BlasInfo {
    std::string name;     // "OpenBLAS", "reference BLAS", "unknown"
    std::string detail;   // e.g. OpenBLAS's config string, or the library path
    std::string library;  // resolved path of the libblas.so.3 in use
    bool slow = false;    // true for the reference (netlib) BLAS: ~40x slower matrix products
    int threads = 0;      // BLAS thread count, 0 when unknown
    std::string kernels;  // OpenBLAS's kernel set in use ("SkylakeX", "Haswell", "Prescott"...)
    std::string kernels_detected;  // what OpenBLAS chose itself when patchout overrode it
};

struct CpuFeatures {
    std::string model;
    bool avx2 = false;
    bool fma = false;
    bool avx512f = false;
    bool avx512_skylake = false;  // F + CD + BW + DQ + VL: what OpenBLAS's SkylakeX kernels use
    bool avx512_bf16 = false;
    bool amx_bf16 = false;
    int logical_cores = 0;
};

struct SystemInfo {
    std::string patchout_version;
    std::string torch_version;
    std::string torch_capability;  // ATen CPU capability in use (AVX2, AVX512, ...)
    std::string fftw_version;
    std::string sndfile_version;
    std::string soxr_version;
    std::string portaudio_version;
    std::string espeak_version;
    BlasInfo blas;
    CpuFeatures cpu;
    int torch_threads = 0;
    int torch_interop_threads = 0;
    std::string cuda;  // cudaStatus().describe()
};

BlasInfo detectBlas();
CpuFeatures detectCpuFeatures();
// Fills in everything (Qt's version is added by the app, which knows Qt).
SystemInfo systemInfo();
// Lines "key: value" for printing; the slow-BLAS warning comes first when it applies.
std::vector<std::string> describe(const SystemInfo& info);

// Where models run: the CPU, or a CUDA GPU. Debian's LibTorch is built without CUDA; a LibTorch
// with CUDA (docs/benchmarks.md, tools/gpu_check.sh) adds the GPU.
enum class ComputeDevice { Cpu, Cuda };
const char* computeDeviceName(ComputeDevice device);  // "cpu", "cuda"

struct CudaStatus {
    bool built = false;  // this LibTorch was built with CUDA
    int devices = 0;     // GPUs it sees
    bool usable() const noexcept { return built && devices > 0; }
    // "not in this LibTorch build (CPU only)", "built, but no GPU is visible", "2 GPU(s)".
    std::string describe() const;
};
CudaStatus cudaStatus();

// A --device preference: "cpu", "cuda", or "auto" (CUDA when usable, else the CPU).
// Error(Unsupported) for "cuda" where CUDA is not usable, saying why and what to use instead;
// Error(InvalidArgument) for another name.
ComputeDevice resolveComputeDevice(const std::string& preference);

struct ThreadOptions {
    int torch_threads = 1;  // torch intra-op pool (also oneDNN / bf16 products)
    int blas_threads = 0;   // OpenBLAS pool for fp32 products; 0 = number of cores
};
// Sets both pools explicitly: on 2 cores, torch 1 + OpenBLAS 2 measured fastest for fp32, and
// both at 2 oversubscribe. Safe to call more than once.
void configureThreads(const ThreadOptions& options = {});
// The settings in force now (blas_threads 0 when the BLAS cannot say).
ThreadOptions currentThreads();

// For the length of a scope, the threads a precision wants. bf16 products run in torch's pool
// (oneDNN), fp32 ones in OpenBLAS's: with `bf16` the BLAS pool's cores (all cores when it cannot
// say) move to torch's pool and OpenBLAS keeps one, so that the two never oversubscribe; fp32
// changes nothing. The settings before come back when the scope ends. Training with
// precision bf16 (train, pretrain) runs inside one.
class PrecisionThreads {
public:
    explicit PrecisionThreads(bool bf16);
    ~PrecisionThreads();
    PrecisionThreads(const PrecisionThreads&) = delete;
    PrecisionThreads& operator=(const PrecisionThreads&) = delete;

private:
    ThreadOptions m_before;
    bool m_moved = false;
};

// OpenBLAS picks its kernels once, when it loads, from the CPU model. Debian 12's OpenBLAS 0.3.21
// does not know recent Intel server CPUs (Sapphire/Emerald Rapids) and falls back to its generic
// SSE3 "Prescott" kernels: fp32 matrix products run ~5x slower than with its AVX-512 kernels.
// The kernel set patchout would choose instead, or "" when the current one is already as good as
// the CPU allows (or the BLAS is not OpenBLAS).
std::string betterOpenBlasKernels(const CpuFeatures& cpu, const std::string& current);
// Call first thing in main(): when betterOpenBlasKernels() names a kernel set, sets
// OPENBLAS_CORETYPE to it and re-executes the program (same arguments) so OpenBLAS loads with
// it. Does nothing when OPENBLAS_CORETYPE is already set (the user's choice wins) or
// PATCHOUT_KEEP_BLAS_KERNELS is set. Returns only when no re-execution happened.
void selectBlasKernels(char** argv);

}  // namespace patchout
