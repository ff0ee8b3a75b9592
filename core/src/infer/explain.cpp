#include "patchout/explain.h"

#include "model/passt_module.h"
#include "patchout/audio_file.h"
#include "patchout/batch_loader.h"
#include "patchout/checkpoint.h"
#include "patchout/classifier.h"
#include "patchout/colour_map.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/run_folder.h"
#include "patchout/system_info.h"
#include "patchout/trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace fs = std::filesystem;

namespace patchout {
namespace {

[[noreturn]] void bad(const std::string& message) { throw Error(ErrorCode::InvalidArgument, message); }

struct Restore {  // the model's mode as it was, also when explain() throws
    PaSSTImpl& net;
    bool training;
    ~Restore() { net.train(training); }
};

// Scores of every class from logits [B, C].
torch::Tensor scoresOf(const torch::Tensor& logits, bool softmax) {
    return softmax ? logits.softmax(1) : logits.sigmoid();
}

// Logits of x [B, 1, n_mels, T] with the patch cells of per-sample mask `mask` kept: the model's own
// patchout, applied to every copy differently.
torch::Tensor logitsWithMask(PaSSTImpl& net, const torch::Tensor& x, const PatchoutMask& mask) {
    torch::Tensor tokens = net.tokens(x, &mask, nullptr);
    for (auto& block : net.block_list)
        tokens = block->forward(tokens);
    return net.head->forward(net.pool(net.norm->forward(tokens)));
}

}  // namespace

ExplainMethod explainMethodFromName(const std::string& name) {
    for (ExplainMethod m : {ExplainMethod::OcclusionTime, ExplainMethod::OcclusionFrequency, ExplainMethod::OcclusionPatch,
                            ExplainMethod::Rollout})
        if (explainMethodName(m) == name)
            return m;
    bad("unknown explanation method '" + name + "' (occlusion-time, occlusion-frequency, occlusion-patch, rollout)");
}

std::string explainMethodName(ExplainMethod method) {
    switch (method) {
    case ExplainMethod::OcclusionTime: return "occlusion-time";
    case ExplainMethod::OcclusionFrequency: return "occlusion-frequency";
    case ExplainMethod::OcclusionPatch: return "occlusion-patch";
    case ExplainMethod::Rollout: return "rollout";
    }
    return "occlusion-time";
}

namespace {

// Sums of a map's values per row (frequency) or per column (time).
std::vector<float> sumsAlong(const ExplanationMap& map, bool rows) {
    std::vector<float> sums(static_cast<std::size_t>(rows ? map.freq_patches : map.time_patches), 0.0f);
    for (int f = 0; f < map.freq_patches; ++f)
        for (int t = 0; t < map.time_patches; ++t)
            sums[static_cast<std::size_t>(rows ? f : t)] += map.at(f, t);
    return sums;
}

}  // namespace

std::vector<float> ExplanationMap::rowSums() const { return sumsAlong(*this, true); }
std::vector<float> ExplanationMap::columnSums() const { return sumsAlong(*this, false); }

ExplanationMap explain(const PaSSTModel& model, const Features& window, const ExplainOptions& o) {
    PaSSTModel handle = model.sharedWeights();
    PaSSTImpl& net = *handle.module();
    const PaSSTOptions& po = net.options();
    if (window.n_bins != po.n_mels)
        bad("the window has " + std::to_string(window.n_bins) + " bins, the model takes " + std::to_string(po.n_mels));
    if (window.n_frames < po.patch_size)
        bad("the window has " + std::to_string(window.n_frames) + " frames, fewer than one patch (" +
            std::to_string(po.patch_size) + ")");
    if (window.n_frames > po.input_frames)
        bad("the window has " + std::to_string(window.n_frames) + " frames, more than the model's " +
            std::to_string(po.input_frames) + ": explain one window at a time");
    if (o.batch_size < 1)
        bad("batch_size must be at least 1");
    const Restore restore{net, net.is_training()};
    net.eval();
    torch::NoGradGuard noGrad;

    const std::vector<float> binMajor = window.binMajor();
    const torch::Tensor x =
        torch::from_blob(const_cast<float*>(binMajor.data()), {1, 1, window.n_bins, window.n_frames}, torch::kFloat32)
            .to(net.device(), /*non_blocking=*/false, /*copy=*/true);
    const torch::Tensor logits = net.forward(x).first;
    const torch::Tensor base = scoresOf(logits, o.softmax)[0];
    ExplanationMap map;
    map.method = o.method;
    map.target_class = o.target_class >= 0 ? o.target_class : static_cast<int>(base.argmax().item<std::int64_t>());
    if (map.target_class >= po.num_classes)
        bad("class " + std::to_string(map.target_class) + " is beyond the model's " + std::to_string(po.num_classes));
    map.score = base[map.target_class].item<float>();
    map.freq_patches = po.freqPatches();
    map.time_patches = std::min(po.timePatches(window.n_frames), po.timePositions());
    map.patch_size = po.patch_size;
    map.stride_f = po.stride_f;
    map.stride_t = po.stride_t;
    const int F = map.freq_patches, T = map.time_patches;
    map.values.assign(static_cast<std::size_t>(F) * T, 0.0f);

    if (o.method == ExplainMethod::Rollout) {
        std::vector<torch::Tensor> attention;
        const torch::Tensor encoded = net.encode(x, nullptr, &attention);
        const int prefix = po.distilled ? 2 : 1;
        const std::int64_t n = encoded.size(1);
        if (n != prefix + static_cast<std::int64_t>(F) * T)
            bad("rollout needs every patch in the sequence (the model drops patches at inference)");
        torch::Tensor rollout = torch::eye(n);
        for (const torch::Tensor& a : attention) {
            torch::Tensor mixed = a[0].to(torch::kCPU, torch::kFloat32).mean(0) + torch::eye(n);  // the residual path
            mixed = mixed / mixed.sum(1, true);
            rollout = torch::matmul(mixed, rollout);
        }
        // What the head reads: the class (and distillation) token rows, or the patch rows' mean.
        const torch::Tensor read = po.head_pooling == HeadPooling::Tokens ? rollout.slice(0, 0, prefix).mean(0)
                                                                          : rollout.slice(0, prefix).mean(0);
        torch::Tensor patches = read.slice(0, prefix).contiguous();
        patches = patches / patches.sum().clamp_min(1e-12);
        std::copy(patches.data_ptr<float>(), patches.data_ptr<float>() + patches.numel(), map.values.begin());
        return map;
    }

    // Occlusion: one copy of the window per unit left out, each with its own patchout mask.
    std::vector<std::vector<int>> units;  // the flat cells each copy leaves out
    if (o.method == ExplainMethod::OcclusionTime) {
        if (T < 2)
            bad("the window has one time column: nothing is left when it is dropped");
        for (int t = 0; t < T; ++t) {
            units.emplace_back();
            for (int f = 0; f < F; ++f)
                units.back().push_back(f * T + t);
        }
    } else if (o.method == ExplainMethod::OcclusionFrequency) {
        if (F < 2)
            bad("the model has one frequency row: nothing is left when it is dropped");
        for (int f = 0; f < F; ++f) {
            units.emplace_back();
            for (int t = 0; t < T; ++t)
                units.back().push_back(f * T + t);
        }
    } else {
        if (F * T < 2)
            bad("the window has one patch: nothing is left when it is dropped");
        for (int c = 0; c < F * T; ++c)
            units.push_back({c});
    }
    for (std::size_t start = 0; start < units.size(); start += static_cast<std::size_t>(o.batch_size)) {
        const std::size_t end = std::min(units.size(), start + static_cast<std::size_t>(o.batch_size));
        PatchoutMask mask;
        mask.freq_patches = F;
        mask.time_patches = T;
        mask.per_sample = true;
        for (std::size_t u = start; u < end; ++u) {
            std::vector<std::int64_t> kept;
            for (int c = 0; c < F * T; ++c)
                if (std::find(units[u].begin(), units[u].end(), c) == units[u].end())
                    kept.push_back(c);
            mask.kept.push_back(std::move(kept));
        }
        const auto b = static_cast<std::int64_t>(end - start);
        const torch::Tensor scores =
            scoresOf(logitsWithMask(net, x.expand({b, -1, -1, -1}).contiguous(), mask), o.softmax).to(torch::kCPU);
        for (std::size_t u = start; u < end; ++u) {
            const float drop = map.score - scores[static_cast<std::int64_t>(u - start)][map.target_class].item<float>();
            for (int c : units[u])
                map.values[static_cast<std::size_t>(c)] = drop;
        }
    }
    return map;
}

RgbImage renderExplanation(const Features& window, const ExplanationMap& map) {
    ColourMapParams grey;
    grey.map = ColourMap::Grey;
    RgbImage image = renderFeaturesRgb(window, grey);
    // Each feature cell takes the mean value of the patches covering it.
    std::vector<float> sum(static_cast<std::size_t>(window.n_bins) * window.n_frames, 0.0f);
    std::vector<int> count(sum.size(), 0);
    for (int f = 0; f < map.freq_patches; ++f)
        for (int t = 0; t < map.time_patches; ++t)
            for (int b = f * map.stride_f; b < std::min(window.n_bins, f * map.stride_f + map.patch_size); ++b)
                for (int k = t * map.stride_t; k < std::min(window.n_frames, t * map.stride_t + map.patch_size); ++k) {
                    const auto i = static_cast<std::size_t>(b) * window.n_frames + k;
                    sum[i] += map.at(f, t);
                    ++count[i];
                }
    float top = 0;
    for (std::size_t i = 0; i < sum.size(); ++i)
        if (count[i] > 0)
            top = std::max(top, sum[i] / static_cast<float>(count[i]));
    for (int b = 0; b < window.n_bins && top > 0; ++b)
        for (int k = 0; k < window.n_frames; ++k) {
            const auto i = static_cast<std::size_t>(b) * window.n_frames + k;
            if (count[i] == 0)
                continue;
            const double v = std::clamp(static_cast<double>(sum[i] / static_cast<float>(count[i]) / top), 0.0, 1.0);
            const int y = window.n_bins - 1 - b;
            const std::uint32_t under = image.rgb(k, y), over = colourRgb(ColourMap::Magma, 0.35 + 0.65 * v);
            const double a = v < 0.1 ? 0.0 : 0.75 * (v - 0.1) / 0.9;  // the weakest tenth stays plain
            auto mix = [&](int shift) {
                const double c = (1 - a) * ((under >> shift) & 0xff) + a * ((over >> shift) & 0xff);
                return static_cast<std::uint32_t>(std::lround(c)) << shift;
            };
            image.setRgb(k, y, mix(16) | mix(8) | mix(0));
        }
    return scaleNearest(image, std::max(1, 1024 / std::max(1, window.n_frames)), 3);
}

void writeExplanationCsv(const fs::path& path, const ExplanationMap& map, const std::string& label) {
    std::ostringstream out;
    out << "# " << explainMethodName(map.method) << ", class " << map.target_class
        << (label.empty() ? "" : " (" + label + ")") << ", score " << map.score << "\n";
    out << "f,t,value\n";
    for (int f = 0; f < map.freq_patches; ++f)
        for (int t = 0; t < map.time_patches; ++t)
            out << f << ',' << t << ',' << map.at(f, t) << '\n';
    writeTextAtomically(path, out.str());
}

namespace {

// A model file and one window of a recording, as explainFile and patchoutRobustness take them.
struct FileWindow {
    ModelCheckpoint ckpt;
    Features window;
    int start = 0;  // frames
    int audio_frames = 0;  // frames of the recording in the window (fewer than window.n_frames when padded)
    double frame_rate = 100;
    bool softmax = false;
};

FileWindow loadWindow(const fs::path& file, const fs::path& checkpoint, std::string preset, double start_s,
                      bool padWithSilence, const std::string& device) {
    FileWindow w{.ckpt = loadModel(checkpoint)};
    w.ckpt.model.setDevice(resolveComputeDevice(device));
    const PaSSTOptions& po = w.ckpt.model.options();
    // The run's front end when the model belongs to one, as classify and eval take it.
    if (preset.empty()) {
        const RunPaths run = RunPaths::ofCheckpoint(checkpoint);
        preset = run.empty() ? "passt-32k" : readRunOptions(run.dir).feature_preset;
    }
    const FeatureOptions features = featurePreset(preset);
    if (features.numBins() != po.n_mels)
        throw Error(ErrorCode::Model, "the model takes " + std::to_string(po.n_mels) + " mel bins; " + preset +
                                          " gives " + std::to_string(features.numBins()),
                    checkpoint.string());
    FeatureExtractor extractor(features);
    const Features all = extractor.compute(loadAudio(file, {.target_rate = features.sample_rate}));
    w.start = static_cast<int>(std::lround(start_s * all.frame_rate));
    w.frame_rate = all.frame_rate;
    if (w.start < 0 || w.start >= all.n_frames)
        throw Error(ErrorCode::InvalidArgument,
                    "the window's start lies outside the recording (" + std::to_string(all.durationSeconds()) + " s)",
                    file.string());
    w.window = all;  // frames [start, start + input_frames), clipped to the recording
    w.window.n_frames = std::min(all.n_frames - w.start, po.input_frames);
    w.window.data.assign(all.data.begin() + static_cast<std::ptrdiff_t>(w.start) * all.n_bins,
                         all.data.begin() + static_cast<std::ptrdiff_t>(w.start + w.window.n_frames) * all.n_bins);
    w.audio_frames = w.window.n_frames;
    if (padWithSilence && w.window.n_frames < po.input_frames) {  // as training pads and eval scores
        w.window.n_frames = po.input_frames;
        w.window.data.resize(static_cast<std::size_t>(w.window.n_frames) * all.n_bins, silenceValue(features));
    }
    w.softmax = activationFromMetadata(w.ckpt.metadata) == ScoreActivation::Softmax;
    return w;
}

std::string labelOf(const ModelCheckpoint& ckpt, int c) {
    return c >= 0 && c < static_cast<int>(ckpt.labels.size()) ? ckpt.labels[static_cast<std::size_t>(c)]
                                                               : "class " + std::to_string(c);
}

}  // namespace

FileExplanation explainFile(const fs::path& file, const fs::path& checkpoint, const ExplainFileOptions& options) {
    const FileWindow w =
        loadWindow(file, checkpoint, options.feature_preset, options.start_s, options.pad_with_silence,
                   options.device);
    const ModelCheckpoint& ckpt = w.ckpt;
    const int start = w.start;
    FileExplanation out;
    out.window = w.window;
    out.start_s = start / w.frame_rate;
    out.end_s = (start + out.window.n_frames) / w.frame_rate;
    out.audio_end_s = (start + w.audio_frames) / w.frame_rate;
    ExplainOptions o;
    o.method = options.method;
    o.softmax = w.softmax;
    if (!options.target_class.empty()) {
        const auto named = std::find(ckpt.labels.begin(), ckpt.labels.end(), options.target_class);
        if (named != ckpt.labels.end())
            o.target_class = static_cast<int>(named - ckpt.labels.begin());
        else if (std::all_of(options.target_class.begin(), options.target_class.end(), ::isdigit) &&
                 options.target_class.size() < 9)
            o.target_class = std::stoi(options.target_class);
        else
            throw Error(ErrorCode::InvalidArgument, "no class '" + options.target_class + "' in the model",
                        checkpoint.string());
    }
    out.map = explain(ckpt.model, out.window, o);
    out.label = labelOf(ckpt, out.map.target_class);
    // The three strongest columns and rows, as shares of the map's (positive) sum.
    auto strongest = [](const std::vector<float>& sums) {
        std::vector<int> order(sums.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int x, int y) {
            return sums[static_cast<std::size_t>(x)] > sums[static_cast<std::size_t>(y)];
        });
        order.resize(std::min<std::size_t>(order.size(), 3));
        return order;
    };
    double total = 0;
    for (float v : out.map.values)
        total += std::max(0.0f, v);
    const double scale = total > 0 ? 1.0 / total : 0.0;
    const std::vector<float> columns = out.map.columnSums(), rows = out.map.rowSums();
    for (int t : strongest(columns))
        out.strongest_times.push_back({(start + t * out.map.stride_t) / w.frame_rate,
                                       (start + t * out.map.stride_t + out.map.patch_size) / w.frame_rate,
                                       columns[static_cast<std::size_t>(t)] * scale});
    for (int f : strongest(rows)) {
        const int lo = f * out.map.stride_f, hi = std::min(out.window.n_bins, lo + out.map.patch_size) - 1;
        out.strongest_bands.push_back({out.window.bin_frequencies[static_cast<std::size_t>(lo)],
                                       out.window.bin_frequencies[static_cast<std::size_t>(hi)],
                                       rows[static_cast<std::size_t>(f)] * scale});
    }
    return out;
}

PatchoutRobustness patchoutRobustness(const fs::path& file, const fs::path& checkpoint,
                                      const PatchoutRobustnessOptions& options) {
    if (options.masks < 1)
        bad("masks must be at least 1");
    for (double share : options.drop_shares)
        if (!(share >= 0 && share < 1))
            bad("a share of patches left out must be in [0, 1)");
    const FileWindow w = loadWindow(file, checkpoint, options.feature_preset, options.start_s, false, options.device);
    PaSSTModel handle = w.ckpt.model.sharedWeights();
    PaSSTImpl& net = *handle.module();
    const PaSSTOptions& po = net.options();
    if (w.window.n_frames < po.patch_size)
        bad("the window is shorter than one patch");
    const Restore restore{net, net.is_training()};
    net.eval();
    torch::NoGradGuard noGrad;
    const std::vector<float> binMajor = w.window.binMajor();
    const torch::Tensor x =
        torch::from_blob(const_cast<float*>(binMajor.data()), {1, 1, w.window.n_bins, w.window.n_frames}, torch::kFloat32)
            .to(net.device(), /*non_blocking=*/false, /*copy=*/true);
    const int F = po.freqPatches(), T = std::min(po.timePatches(w.window.n_frames), po.timePositions());
    const torch::Tensor full = scoresOf(net.forward(x).first, w.softmax)[0];
    PatchoutRobustness out;
    out.top_class = static_cast<int>(full.argmax().item<std::int64_t>());
    out.full_score = full[out.top_class].item<float>();
    out.label = labelOf(w.ckpt, out.top_class);
    out.patches = F * T;
    out.start_s = w.start / w.frame_rate;
    out.end_s = (w.start + w.window.n_frames) / w.frame_rate;
    for (std::size_t k = 0; k < options.drop_shares.size(); ++k) {
        PatchoutOptions p;
        p.u_patchout = std::min(F * T - 1, static_cast<int>(std::lround(options.drop_shares[k] * F * T)));
        p.per_sample = true;
        const PatchoutMask mask = drawPatchoutMask(p, F, T, options.seed + 7919 * k, options.masks);
        const torch::Tensor scores =
            scoresOf(logitsWithMask(net, x.expand({options.masks, -1, -1, -1}).contiguous(), mask), w.softmax);
        const torch::Tensor top = scores.argmax(1);
        const torch::Tensor mine = scores.select(1, out.top_class);
        out.points.push_back({.drop_share = options.drop_shares[k],
                              .kept_patches = F * T - p.u_patchout,
                              .same_top_share = top.eq(out.top_class).to(torch::kFloat64).mean().item<double>(),
                              .mean_score = mine.to(torch::kFloat64).mean().item<double>(),
                              .min_score = mine.min().item<double>(),
                              .max_score = mine.max().item<double>()});
    }
    const PatchoutMask& shown = options.shown_mask;
    if (shown.masks() > 0 && shown.freq_patches == F && shown.time_patches == T) {
        PatchoutMask one = shown;
        one.kept.resize(1);
        const torch::Tensor scores = scoresOf(logitsWithMask(net, x, one), w.softmax)[0];
        out.shown_scored = true;
        out.shown_kept = one.keptCount(0);
        out.shown_label = labelOf(w.ckpt, static_cast<int>(scores.argmax().item<std::int64_t>()));
        out.shown_score = scores[out.top_class].item<float>();
    }
    return out;
}

}  // namespace patchout
