// `patchout explain FILE --checkpoint M [--class C] [--method occlusion-time|...|rollout]
// [--start_s S] --out map.png|map.csv`: what the model looked at in one window of a recording, for
// one class (core explain.h): the picture is the window's log-mel with the map over it; the
// terminal gets the class, its score and where the map is strongest in seconds or hertz.
#include "commands.h"

#include "patchout/error.h"
#include "patchout/explain.h"
#include "patchout/image.h"

#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct ExplainArgs {
    std::string file, checkpoint, out, method = "occlusion-time", target, feature_preset, padding = "silence", device;
    double start_s = 0;
};

void runExplain(const ExplainArgs& a) {
    const FileExplanation e = explainFile(a.file, a.checkpoint,
                                          {.method = explainMethodFromName(a.method),
                                           .start_s = a.start_s,
                                           .target_class = a.target,
                                           .feature_preset = a.feature_preset,
                                           .pad_with_silence = a.padding == "silence",
                                           .device = a.device});
    std::printf("%s, %.2f-%.2f s: %s scores %.3f; %s map of %d frequency x %d time patches\n", a.file.c_str(),
                e.start_s, e.end_s, e.label.c_str(), e.map.score, explainMethodName(e.map.method).c_str(),
                e.map.freq_patches, e.map.time_patches);
    if (e.audio_end_s < e.end_s)
        std::printf("the recording ends at %.2f s: the window is filled with silence after it, as eval scores it\n",
                    e.audio_end_s);
    // Where it is strongest, as shares of the map: the time columns in seconds, the rows in hertz.
    std::printf("strongest in time:");
    for (const auto& r : e.strongest_times)
        std::printf("  %.2f-%.2f s (%.0f%%)%s", r.from, r.to, 100 * r.value,
                    r.from >= e.audio_end_s ? " [silence]" : "");
    std::printf("\nstrongest in frequency:");
    for (const auto& r : e.strongest_bands)
        std::printf("  %.0f-%.0f Hz (%.0f%%)", r.from, r.to, 100 * r.value);
    std::printf("\n");
    const std::string ext = fs::path(a.out).extension().string();
    if (ext == ".png")
        writePng(a.out, renderExplanation(e.window, e.map));
    else if (ext == ".csv")
        writeExplanationCsv(a.out, e.map, e.label);
    else
        throw Error(ErrorCode::InvalidArgument, "--out must end in .png or .csv", a.out);
    std::printf("wrote %s\n", a.out.c_str());
}

}  // namespace

void addExplainCommand(CLI::App& app) {
    static ExplainArgs a;
    auto* cmd = app.add_subcommand(
        "explain", "What the model looked at in one window, for one class: occlusion by patchout (the score's drop "
                   "when a time column, frequency row or patch is left out) or attention rollout, as a picture or CSV");
    cmd->add_option("file", a.file, "Audio file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--checkpoint", a.checkpoint, "Model file (.safetensors)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--out,-o", a.out, "map.png (the log-mel with the map over it) or map.csv (f,t,value)")->required();
    cmd->add_option("--method", a.method, "occlusion-time, occlusion-frequency, occlusion-patch or rollout")
        ->capture_default_str();
    cmd->add_option("--class", a.target, "Class name or index (default: the window's best)");
    cmd->add_option("--start_s", a.start_s, "Start of the window in the recording (seconds)")->capture_default_str();
    cmd->add_option("--feature_preset", a.feature_preset, "Front end (default: the model's run's, else passt-32k)");
    cmd->add_option("--padding", a.padding,
                    "A window shorter than the model's input: silence (filled with it, as eval scores clips) or "
                    "mask (read at its length)")
        ->check(CLI::IsMember({"silence", "mask"}))
        ->capture_default_str();
    addDeviceOption(cmd, a.device);
    cmd->callback([] { runExplain(a); });
}

}  // namespace patchout::cli
