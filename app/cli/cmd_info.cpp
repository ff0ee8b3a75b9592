#include "commands.h"

#include "patchout/system_info.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace patchout::cli {

void addInfoCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand("info", "Versions, the BLAS LibTorch runs on, threads, CPU features");
    static bool json = false;
    cmd->add_flag("--json", json, "Print as JSON");
    cmd->callback([] {
        const SystemInfo info = systemInfo();
        if (json) {
            const CudaStatus cuda = cudaStatus();
            nlohmann::json j = {
                {"patchout", info.patchout_version}, {"libtorch", info.torch_version},
                {"torch_cpu_capability", info.torch_capability},
                {"fftw", info.fftw_version}, {"libsndfile", info.sndfile_version},
                {"libsoxr", info.soxr_version}, {"portaudio", info.portaudio_version},
                {"espeak_ng", info.espeak_version},
                {"blas", {{"name", info.blas.name}, {"detail", info.blas.detail},
                          {"library", info.blas.library}, {"slow", info.blas.slow},
                          {"threads", info.blas.threads}}},
                {"threads", {{"torch", info.torch_threads}, {"interop", info.torch_interop_threads}}},
                {"cpu", {{"model", info.cpu.model}, {"cores", info.cpu.logical_cores},
                         {"avx2", info.cpu.avx2}, {"avx512f", info.cpu.avx512f},
                         {"avx512_bf16", info.cpu.avx512_bf16}, {"amx_bf16", info.cpu.amx_bf16}}},
                {"cuda", {{"built", cuda.built}, {"devices", cuda.devices}, {"status", info.cuda}}}};
            std::cout << j.dump(2) << "\n";
            return;
        }
        for (const auto& line : describe(info))
            std::cout << line << "\n";
        if (info.blas.slow)
            std::cerr << "\n*** " << describe(info).front() << " ***\n";
    });
}

void addDeviceOption(CLI::App* command, std::string& device) {
    device = "auto";
    command
        ->add_option("--device", device,
                     "Where the model runs: cpu, cuda (an error where CUDA is not usable) or auto (a CUDA "
                     "GPU when this LibTorch has one and sees it, else the CPU; `patchout info` says)")
        ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
        ->capture_default_str();
}

}  // namespace patchout::cli
