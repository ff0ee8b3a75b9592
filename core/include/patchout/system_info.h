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
};

struct CpuFeatures {
    std::string model;
    bool avx2 = false;
    bool avx512f = false;
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
};

BlasInfo detectBlas();
CpuFeatures detectCpuFeatures();
// Fills in everything (Qt's version is added by the app, which knows Qt).
SystemInfo systemInfo();
// Lines "key: value" for printing; the slow-BLAS warning comes first when it applies.
std::vector<std::string> describe(const SystemInfo& info);

struct ThreadOptions {
    int torch_threads = 1;  // torch intra-op pool (also oneDNN / bf16 products)
    int blas_threads = 0;   // OpenBLAS pool for fp32 products; 0 = number of cores
};
// Sets both pools explicitly: on 2 cores, torch 1 + OpenBLAS 2 measured fastest for fp32, and
// both at 2 oversubscribe. Safe to call more than once.
void configureThreads(const ThreadOptions& options = {});

}  // namespace patchout
