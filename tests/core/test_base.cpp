#include "patchout/error.h"
#include "patchout/file_errors.h"
#include "patchout/files.h"
#include "patchout/job.h"
#include "patchout/system_info.h"
#include "data_support.h"
#include "test_support.h"

#include <algorithm>
#include <fstream>

using namespace patchout;

TEST(Error, CarriesCodeMessageAndContext) {
    const Error e(ErrorCode::BadFormat, "truncated", "clip.wav");
    EXPECT_EQ(e.code(), ErrorCode::BadFormat);
    EXPECT_EQ(e.message(), "truncated");
    EXPECT_EQ(e.context(), "clip.wav");
    EXPECT_STREQ(e.what(), "clip.wav: truncated");
    EXPECT_STREQ(Error(ErrorCode::Io, "disk full").what(), "disk full");
    EXPECT_STREQ(errorCodeName(ErrorCode::Device), "audio device");
}

TEST(JobControl, AnOutsideStopFlagCancelsToo) {
    std::atomic<bool> stop{false};
    JobControl job([](const Progress&) {}, stop);
    EXPECT_FALSE(job.cancelled());
    EXPECT_NO_THROW(job.throwIfCancelled());
    stop.store(true);
    EXPECT_TRUE(job.cancelled());
    EXPECT_THROW(job.throwIfCancelled(), Error);
}

TEST(JobControl, ReportsProgressAndCancels) {
    std::vector<std::int64_t> steps;
    JobControl job([&](const Progress& p) { steps.push_back(p.step); });
    job.report({.step = 1, .total = 2});
    job.report({.step = 2, .total = 2, .message = "done", .metrics = {{"loss", 0.5}}});
    EXPECT_EQ(steps, (std::vector<std::int64_t>{1, 2}));
    EXPECT_NO_THROW(job.throwIfCancelled());
    job.cancel();
    EXPECT_TRUE(job.cancelled());
    try {
        job.throwIfCancelled();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Cancelled);
    }
    JobControl silent;
    EXPECT_NO_THROW(silent.report({}));
}

TEST(Files, AtomicWriteReplacesWholeOrNothing) {
    test::TempDir dir;
    const auto path = dir / "sub" / "report.json";
    writeTextAtomically(path, "{\"good\": true}");
    EXPECT_THROW(writeFileAtomically(path, [](std::ostream& out) {
                     out << "{\"half\": ";
                     throw std::runtime_error("disk full");
                 }),
                 Error);
    EXPECT_EQ(readTextFile(path), "{\"good\": true}");
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(path.parent_path()))
        ++files;
    EXPECT_EQ(files, 1u);  // no temporary file left behind
}

TEST(Files, ReadTextFileNamesAMissingFile) {
    test::TempDir dir;
    writeTextAtomically(dir / "a.txt", std::string("line\0binary\n", 12));
    EXPECT_EQ(readTextFile(dir / "a.txt"), std::string("line\0binary\n", 12));
    try {
        readTextFile(dir / "missing.txt");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::FileNotFound);
        EXPECT_NE(std::string(e.what()).find("missing.txt"), std::string::npos) << e.what();
    }
}

TEST(Files, FullDiskIsAnIoErrorNamingTheFile) {
    if (!std::filesystem::exists("/dev/full"))
        GTEST_SKIP() << "/dev/full absent";
    // Writing through /dev/full fails like a full disk does.
    try {
        writePathAtomically("/tmp/patchout-never-created.bin", [](const std::filesystem::path&) {
            std::ofstream out("/dev/full");
            out << std::string(1 << 16, 'x');
            out.flush();
            if (!out)
                throw Error(ErrorCode::Io, "write failed (disk full?)");
        });
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find("patchout-never-created.bin"), std::string::npos);
    }
    EXPECT_FALSE(std::filesystem::exists("/tmp/patchout-never-created.bin"));
}

TEST(Files, UnwritableFolderIsAnError) {
    EXPECT_THROW(writeTextAtomically("/proc/patchout/x.txt", "x"), Error);
}

TEST(SystemInfo, Bf16ScopesMoveTheBlasCoresToTorchAndBack) {
    configureThreads({.torch_threads = 1, .blas_threads = 2});
    {
        const PrecisionThreads fp32(false);
        EXPECT_EQ(currentThreads().torch_threads, 1);
        EXPECT_EQ(currentThreads().blas_threads, 2);
    }
    {
        const PrecisionThreads bf16(true);
        EXPECT_EQ(currentThreads().torch_threads, 2);
        EXPECT_EQ(currentThreads().blas_threads, 1);
    }
    EXPECT_EQ(currentThreads().torch_threads, 1);
    EXPECT_EQ(currentThreads().blas_threads, 2);
}

TEST(SystemInfo, ResolvesTheDevicePreference) {
    const CudaStatus cuda = cudaStatus();
    EXPECT_EQ(resolveComputeDevice("cpu"), ComputeDevice::Cpu);
    EXPECT_EQ(resolveComputeDevice("auto"), cuda.usable() ? ComputeDevice::Cuda : ComputeDevice::Cpu);
    if (cuda.usable()) {
        EXPECT_EQ(resolveComputeDevice("cuda"), ComputeDevice::Cuda);
    } else {
        try {
            resolveComputeDevice("cuda");
            ADD_FAILURE() << "cuda without CUDA must be refused";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::Unsupported);
            EXPECT_NE(e.message().find(cuda.describe()), std::string::npos) << e.message();  // says why
        }
    }
    EXPECT_THROW(resolveComputeDevice("gpu"), Error);
    EXPECT_STREQ(computeDeviceName(ComputeDevice::Cuda), "cuda");
    // Debian's LibTorch has no CUDA: `patchout info` says so.
    EXPECT_EQ(CudaStatus{}.describe(), "not in this LibTorch build (CPU only)");
    EXPECT_EQ((CudaStatus{.built = true, .devices = 0}).describe(), "built, but no GPU is visible");
    EXPECT_EQ((CudaStatus{.built = true, .devices = 2}).describe(), "2 GPU(s)");
    const auto lines = describe(systemInfo());
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(),
                            [&](const std::string& l) { return l == "CUDA: " + cuda.describe(); }));
}

TEST(SystemInfo, FindsOpenBlasAndSetsThreads) {
    const BlasInfo blas = detectBlas();
    EXPECT_FALSE(blas.library.empty());
    EXPECT_EQ(blas.name, "OpenBLAS") << "LibTorch is on " << blas.library
                                     << ": run packaging/install-deps.sh";
    EXPECT_FALSE(blas.slow);
    configureThreads({.torch_threads = 1, .blas_threads = 2});
    const SystemInfo info = systemInfo();
    EXPECT_EQ(info.torch_threads, 1);
    EXPECT_EQ(info.blas.threads, 2);
    EXPECT_FALSE(info.torch_version.empty());
    EXPECT_FALSE(info.fftw_version.empty());
    EXPECT_GT(info.cpu.logical_cores, 0);
    const auto lines = describe(info);
    EXPECT_NE(lines.front().find("WARNING"), 0u);  // no warning on OpenBLAS
    bool mentionsBlas = false;
    for (const auto& l : lines)
        mentionsBlas |= l.rfind("BLAS: OpenBLAS", 0) == 0;
    EXPECT_TRUE(mentionsBlas);
    SystemInfo slow = info;
    slow.blas.slow = true;
    EXPECT_EQ(describe(slow).front().rfind("WARNING", 0), 0u);
    const CpuFeatures cpu = detectCpuFeatures();
    EXPECT_EQ(cpu.avx512f, info.cpu.avx512f);
    EXPECT_FALSE(info.blas.kernels.empty());  // openblas_get_corename()
    // The programs (and this test binary) re-execute with better kernels when OpenBLAS fell back
    // to generic ones, so what runs now is never worse than what the CPU allows -- unless the
    // user chose the kernels (OPENBLAS_CORETYPE set before the re-execution marked it as ours).
    const bool userChoseKernels = std::getenv("OPENBLAS_CORETYPE") != nullptr &&
                                  std::getenv("PATCHOUT_BLAS_KERNELS_DETECTED") == nullptr;
    if (std::getenv("PATCHOUT_KEEP_BLAS_KERNELS") == nullptr && !userChoseKernels) {
        EXPECT_EQ(betterOpenBlasKernels(cpu, info.blas.kernels), "") << info.blas.kernels;
    }
}

TEST(SystemInfo, ChoosesOpenBlasKernelsTheCpuCanRun) {
    CpuFeatures sse;
    CpuFeatures avx2;
    avx2.avx2 = avx2.fma = true;
    CpuFeatures avx512 = avx2;
    avx512.avx512f = avx512.avx512_skylake = true;
    CpuFeatures avx512f_only = avx2;  // Knights Landing: AVX-512F without BW/DQ/VL
    avx512f_only.avx512f = true;
    // Generic fallback on an AVX-512 server CPU (OpenBLAS 0.3.21 on Emerald Rapids): SkylakeX.
    EXPECT_EQ(betterOpenBlasKernels(avx512, "Prescott"), "SkylakeX");
    EXPECT_EQ(betterOpenBlasKernels(avx512, "Haswell"), "SkylakeX");
    EXPECT_EQ(betterOpenBlasKernels(avx512f_only, "Prescott"), "Haswell");
    EXPECT_EQ(betterOpenBlasKernels(avx2, "Nehalem"), "Haswell");
    // Never a kernel set the CPU cannot run, never a downgrade, nothing without OpenBLAS.
    EXPECT_EQ(betterOpenBlasKernels(sse, "Prescott"), "");
    EXPECT_EQ(betterOpenBlasKernels(avx2, "Haswell"), "");
    EXPECT_EQ(betterOpenBlasKernels(avx2, "Zen"), "");
    EXPECT_EQ(betterOpenBlasKernels(avx2, "SkylakeX"), "");
    EXPECT_EQ(betterOpenBlasKernels(avx512, "COOPERLAKE"), "");
    EXPECT_EQ(betterOpenBlasKernels(avx512, ""), "");
}

TEST(FileErrors, RoundTripBesideTheResults) {
    test::TempDir dir;
    EXPECT_EQ(errorsFileFor(dir / "out" / "results.csv"), dir / "out" / "errors.csv");
    const std::vector<FileError> errors = {{dir / "a, b.wav", "cannot decode audio: \"x\""}, {"c.wav", "file is empty"}};
    writeFileErrors(dir / "errors.csv", errors);
    const std::vector<FileError> back = readFileErrors(dir / "errors.csv");
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[0].path, errors[0].path);
    EXPECT_EQ(back[0].reason, errors[0].reason);
    EXPECT_EQ(back[1].reason, "file is empty");
    writeFileErrors(dir / "errors.csv", {});  // a clean rerun leaves the header alone
    EXPECT_TRUE(readFileErrors(dir / "errors.csv").empty());
    test::writeText(dir / "bad.csv", "file,why\nx,y\n");
    EXPECT_THROW(readFileErrors(dir / "bad.csv"), Error);
    test::writeText(dir / "bad2.csv", "path,reason\nx,y,z\n");
    EXPECT_THROW(readFileErrors(dir / "bad2.csv"), Error);
}
