// `patchout explain FILE --checkpoint M [--class C] [--method occlusion-time|...|rollout]
// [--start_s S] --out map.png|map.csv`: what the model looked at in one window of a recording, for
// one class (core explain.h): the picture is the window's log-mel with the map over it; the
// terminal gets the class, its score and where the map is strongest in seconds or hertz.
#include "commands.h"

#include "patchout/audio_file.h"
#include "patchout/checkpoint.h"
#include "patchout/classifier.h"
#include "patchout/error.h"
#include "patchout/explain.h"
#include "patchout/features.h"
#include "patchout/image.h"
#include "patchout/run_folder.h"
#include "patchout/trainer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct ExplainArgs {
    std::string file, checkpoint, out, method = "occlusion-time", target, feature_preset;
    double start_s = 0;
};

// Frames [start, start + count) of `f`, clipped to what it has.
Features framesOf(const Features& f, int start, int count) {
    Features w = f;
    const int end = std::min(f.n_frames, start + count);
    w.n_frames = std::max(0, end - start);
    w.data.assign(f.data.begin() + static_cast<std::ptrdiff_t>(start) * f.n_bins,
                  f.data.begin() + static_cast<std::ptrdiff_t>(start + w.n_frames) * f.n_bins);
    return w;
}

void runExplain(const ExplainArgs& a) {
    ModelCheckpoint ckpt = loadModel(a.checkpoint);
    const PaSSTOptions& po = ckpt.model.options();
    // The run's front end when the model belongs to one, as classify and eval take it.
    std::string preset = a.feature_preset;
    if (preset.empty()) {
        const RunPaths run = RunPaths::ofCheckpoint(a.checkpoint);
        preset = run.empty() ? "passt-32k" : readRunOptions(run.dir).feature_preset;
    }
    const FeatureOptions features = featurePreset(preset);
    if (features.numBins() != po.n_mels)
        throw Error(ErrorCode::Model, "the model takes " + std::to_string(po.n_mels) + " mel bins; " + preset +
                                          " gives " + std::to_string(features.numBins()), a.checkpoint);
    FeatureExtractor extractor(features);
    const Features all = extractor.compute(loadAudio(a.file, {.target_rate = features.sample_rate}));
    const int start = static_cast<int>(std::lround(a.start_s * all.frame_rate));
    if (start < 0 || start >= all.n_frames)
        throw Error(ErrorCode::InvalidArgument, "--start_s lies outside the recording (" +
                                                    std::to_string(all.durationSeconds()) + " s)", a.file);
    const Features window = framesOf(all, start, po.input_frames);

    ExplainOptions o;
    o.method = explainMethodFromName(a.method);
    o.softmax = activationFromMetadata(ckpt.metadata) == ScoreActivation::Softmax;
    if (!a.target.empty()) {
        const auto named = std::find(ckpt.labels.begin(), ckpt.labels.end(), a.target);
        if (named != ckpt.labels.end())
            o.target_class = static_cast<int>(named - ckpt.labels.begin());
        else if (std::all_of(a.target.begin(), a.target.end(), ::isdigit))
            o.target_class = std::stoi(a.target);
        else
            throw Error(ErrorCode::InvalidArgument, "no class '" + a.target + "' in the model", a.checkpoint);
    }
    const ExplanationMap map = explain(ckpt.model, window, o);
    const std::string label = map.target_class < static_cast<int>(ckpt.labels.size())
                                  ? ckpt.labels[static_cast<std::size_t>(map.target_class)]
                                  : "class " + std::to_string(map.target_class);
    std::printf("%s, %.2f-%.2f s: %s scores %.3f; %s map of %d frequency x %d time patches\n", a.file.c_str(),
                start / all.frame_rate, (start + window.n_frames) / all.frame_rate, label.c_str(), map.score,
                explainMethodName(map.method).c_str(), map.freq_patches, map.time_patches);
    // Where it is strongest: the time columns in seconds and the frequency rows in hertz.
    auto strongest = [](const std::vector<float>& sums, int n) {
        std::vector<int> order(sums.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int x, int y) { return sums[x] > sums[y]; });
        order.resize(std::min<std::size_t>(order.size(), static_cast<std::size_t>(n)));
        return order;
    };
    const std::vector<float> columns = map.columnSums(), rows = map.rowSums();
    std::printf("strongest in time:");
    for (int t : strongest(columns, 3))
        std::printf("  %.2f-%.2f s (%.3f)", (start + t * map.stride_t) / all.frame_rate,
                    (start + t * map.stride_t + map.patch_size) / all.frame_rate, columns[static_cast<std::size_t>(t)]);
    std::printf("\nstrongest in frequency:");
    for (int f : strongest(rows, 3)) {
        const int lo = f * map.stride_f, hi = std::min(window.n_bins, lo + map.patch_size) - 1;
        std::printf("  %.0f-%.0f Hz (%.3f)", window.bin_frequencies[static_cast<std::size_t>(lo)],
                    window.bin_frequencies[static_cast<std::size_t>(hi)], rows[static_cast<std::size_t>(f)]);
    }
    std::printf("\n");
    const std::string ext = fs::path(a.out).extension().string();
    if (ext == ".png")
        writePng(a.out, renderExplanation(window, map));
    else if (ext == ".csv")
        writeExplanationCsv(a.out, map, label);
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
    cmd->callback([] { runExplain(a); });
}

}  // namespace patchout::cli
