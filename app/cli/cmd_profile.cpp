// `patchout profile CKPT | --preset P`: where the model spends parameters, operations, time and
// memory (core profiler.h), as a table per kind of part (sorted by time), optionally every part,
// and as JSON. The Model view shows the same profile.
#include "commands.h"
#include "progress_bar.h"

#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/profiler.h"
#include "patchout/system_info.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct ProfileArgs {
    std::string model, preset, json, device;
    int num_heads = 0;
    bool parts = false;
    bool quiet = false;
    ProfileOptions options;
};

PaSSTModel modelOf(const ProfileArgs& a) {
    if (a.model.empty() == a.preset.empty())
        throw Error(ErrorCode::InvalidArgument, "give a model file or --preset, not both");
    if (!a.preset.empty())
        return PaSSTModel(passtPreset(a.preset));
    if (inspectCheckpoint(a.model).format == CheckpointFormat::TorchZip) {
        ImportOptions io;
        io.num_heads = a.num_heads;
        return std::move(importCheckpoint(a.model, io).model);
    }
    return std::move(loadModel(a.model).model);
}

std::string mebibytes(std::int64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
    return text;
}

std::string formatMs(double ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", ms);
    return text;
}

void printRow(const PartProfile& p, const ModelProfile& whole, bool backward) {
    const double share = whole.partsForwardMs() > 0 ? 100 * p.forward_ms / whole.partsForwardMs() : 0;
    std::printf("%-24s %12lld %10.3g %10.3f %5.1f%%", p.name.c_str(), static_cast<long long>(p.parameters), p.macs,
                p.forward_ms, share);
    if (backward)
        std::printf(" %12.3f", p.forward_backward_ms);
    std::printf(" %12s\n", mebibytes(p.activation_bytes).c_str());
}

void runProfile(const ProfileArgs& a) {
    PaSSTModel model = modelOf(a);
    model.setDevice(resolveComputeDevice(a.device));
    ProgressBar bar("profile", !a.quiet);
    JobControl job([&](const Progress& p) { bar.update(p); });
    const ModelProfile p = profileModel(model, a.options, &job);
    bar.finish();
    if (!a.json.empty()) {
        if (a.json == "-") {
            std::cout << profileToJson(p) << "\n";
            return;
        }
        writeTextAtomically(a.json, profileToJson(p) + "\n");
    }
    const SystemInfo info = systemInfo();
    std::printf("%s: %d x %d patches, %d tokens in the blocks; batch %d, %d frames, %s on %s; torch %d thread(s), "
                "%s %d; median of %d runs\n",
                a.model.empty() ? a.preset.c_str() : a.model.c_str(), p.model.freqPatches(),
                p.patches / std::max(1, p.model.freqPatches()), p.tokens, p.options.batch, p.frames,
                p.options.bf16 ? "bf16 autocast" : "fp32", computeDeviceName(model.device()), info.torch_threads, info.blas.name.c_str(), info.blas.threads,
                p.options.repeats);
    const bool backward = p.options.backward;
    std::printf("%-24s %12s %10s %10s %6s%s %12s\n", "part", "parameters", "MACs", "forward ms", "share",
                backward ? "  fwd+bwd ms" : "", "activations");
    std::vector<PartProfile> kinds = p.byKind();
    std::stable_sort(kinds.begin(), kinds.end(),
                     [](const PartProfile& x, const PartProfile& y) { return x.forward_ms > y.forward_ms; });
    for (const PartProfile& k : kinds)
        printRow(k, p, backward);
    PartProfile total;
    total.name = "total of the parts";
    total.parameters = p.parameters();
    total.macs = p.macs();
    total.forward_ms = p.partsForwardMs();
    total.forward_backward_ms = p.partsForwardBackwardMs();
    total.activation_bytes = p.activationBytes();
    printRow(total, p, backward);
    std::printf("whole model, one pass: forward %.3f ms (reference path), %.3f ms as inference runs it (fused "
                "blocks)%s\n",
                p.forward_ms, p.inference_ms,
                backward ? (", forward + backward " + formatMs(p.forward_backward_ms) + " ms").c_str() : "");
    if (p.measured_activation_bytes > 0)
        std::printf("activation memory of a training forward, measured: %s (counted from the shapes: %s)\n",
                    mebibytes(p.measured_activation_bytes).c_str(), mebibytes(p.activationBytes()).c_str());
    else if (backward)
        std::printf("activation memory of a training forward, counted from the shapes: %s (not measured: %s)\n",
                    mebibytes(p.activationBytes()).c_str(),
                    model.device() == ComputeDevice::Cuda
                        ? "the model is on the GPU, whose memory the host's allocator does not see"
                        : "the allocator of this build keeps no statistics, as under AddressSanitizer");
    if (a.parts) {
        std::printf("\nevery part, in forward order:\n");
        for (const PartProfile& part : p.parts)
            printRow(part, p, backward);
    }
}

}  // namespace

void addProfileCommand(CLI::App& app) {
    static ProfileArgs a;
    auto* cmd = app.add_subcommand(
        "profile", "Where a model spends parameters, multiply-accumulates, time and activation memory, per part "
                   "(measured on this machine)");
    cmd->add_option("model", a.model, "Model file (.safetensors, or an official PaSST .pt checkpoint)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--preset", a.preset, "A model preset instead of a file (passt-s, passt-mini, ...)");
    cmd->add_option("--num_heads", a.num_heads, "Heads of an official checkpoint (0: width/64)");
    ProfileOptions& o = a.options;
    cmd->add_option("--frames", o.frames, "Input frames (0: the model's)")->capture_default_str();
    cmd->add_option("--batch", o.batch, "Examples per pass")->capture_default_str();
    cmd->add_option("--patchout_t", o.patchout.s_patchout_t, "Patchout: time columns dropped")->capture_default_str();
    cmd->add_option("--patchout_f", o.patchout.s_patchout_f, "Patchout: frequency rows dropped")->capture_default_str();
    cmd->add_option("--patchout_u", o.patchout.u_patchout, "Patchout: single patches dropped")->capture_default_str();
    cmd->add_flag("--bf16", o.bf16, "bfloat16 autocast (oneDNN; AMX where the CPU has it)");
    cmd->add_flag("--backward,!--no_backward", o.backward, "Also time forward + backward (--no_backward: the forward pass only)");
    cmd->add_option("--repeats", o.repeats, "Timed runs per measurement (the median is shown)")->capture_default_str();
    cmd->add_flag("--parts", a.parts, "Also list every part (each block's norms, projections, scores, MLP)");
    cmd->add_option("--json", a.json, "Write the profile as JSON to this file (- : standard output only)");
    cmd->add_flag("--quiet", a.quiet, "No progress bar");
    addDeviceOption(cmd, a.device);
    cmd->callback([] { runProfile(a); });
}

}  // namespace patchout::cli
