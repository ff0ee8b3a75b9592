// `patchout model ...`: the model files. presets lists the architectures, create writes a freshly
// initialised model, info (alias inspect) describes any model file (ours or an official PyTorch
// checkpoint) or a preset, import converts an official checkpoint safely into the project's format,
// run classifies audio.
#include "commands.h"

#include "patchout/audio_file.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/features.h"
#include "patchout/passt.h"
#include "patchout/run_jobs.h"
#include "patchout/system_info.h"
#include "patchout/text.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <iostream>
#include <numeric>
#include <sstream>

namespace patchout::cli {
namespace {

std::string thousands(std::int64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

std::string describe(const PaSSTOptions& o) {
    std::ostringstream s;
    s << o.embed_dim << " wide, " << o.depth << " blocks, " << o.num_heads << " heads, patch "
      << o.patch_size << " stride " << o.stride_f << "x" << o.stride_t << ", " << o.n_mels << " mels x "
      << o.input_frames << " frames (" << o.freqPositions() << "x" << o.timePositions()
      << " positions), " << o.num_classes << " classes" << (o.distilled ? ", distilled" : "");
    if (o.patchout.s_patchout_t || o.patchout.s_patchout_f || o.patchout.u_patchout)
        s << ", patchout t" << o.patchout.s_patchout_t << " f" << o.patchout.s_patchout_f << " u"
          << o.patchout.u_patchout;
    return s.str();
}

std::vector<std::string> splitLabels(const std::string& text) {
    std::vector<std::string> labels;
    if (text.empty())
        return labels;
    std::stringstream in(text);
    std::string label;
    while (std::getline(in, label, ','))
        labels.push_back(label);
    return labels;
}

// Labels from --labels: a CSV file (one name per line, or AudioSet's class_labels_indices.csv
// `index,mid,display_name` with a header and quoted names) or, when no such file exists, a
// comma-separated list.
std::vector<std::string> readLabels(const std::string& arg) {
    if (arg.empty() || !std::filesystem::is_regular_file(arg))
        return splitLabels(arg);
    return readClassNames(arg);
}

// Parameter count per part of the network, from official tensor names.
std::vector<std::pair<std::string, std::int64_t>> partCounts(const std::vector<TensorInfo>& tensors) {
    std::vector<std::pair<std::string, std::int64_t>> parts = {
        {"patch embedding", 0}, {"tokens and positions", 0}, {"blocks", 0}, {"final norm", 0},
        {"head", 0}, {"other", 0}};
    auto starts = [](const std::string& s, const char* p) { return s.rfind(p, 0) == 0; };
    for (const auto& t : tensors) {
        std::size_t part = 5;
        if (starts(t.name, "patch_embed.")) part = 0;
        else if (t.name == "cls_token" || t.name == "dist_token" || t.name.find("pos_embed") != std::string::npos) part = 1;
        else if (starts(t.name, "blocks.")) part = 2;
        else if (starts(t.name, "norm.")) part = 3;
        else if (starts(t.name, "head.") || starts(t.name, "head_dist.")) part = 4;
        parts[part].second += t.numel();
    }
    if (parts.back().second == 0)
        parts.pop_back();
    return parts;
}

void printParts(const std::vector<TensorInfo>& tensors) {
    std::int64_t total = 0;
    for (const auto& [name, n] : partCounts(tensors)) {
        std::cout << "  " << std::left << std::setw(22) << name << std::right << std::setw(14) << thousands(n) << "\n";
        total += n;
    }
    std::cout << "  " << std::left << std::setw(22) << "total" << std::right << std::setw(14) << thousands(total) << "\n";
}

struct CreateArgs {
    std::string preset = "passt-mini";
    std::string out;
    int numClasses = 0;
    std::string labels;
    std::uint64_t seed = 0;
};

struct InspectArgs {
    std::string path;
    std::string preset;
    bool json = false;
    bool all = false;
};

struct ImportArgs {
    std::string input;
    std::string out;
    ImportOptions options;
    std::string labels;
    std::string preset;
};

struct RunArgs {
    std::string model;
    std::vector<std::string> inputs;
    int top = 5;
};

void runCreate(const CreateArgs& a) {
    PaSSTOptions o = passtPreset(a.preset);
    const auto labels = readLabels(a.labels);
    if (a.numClasses > 0)
        o.num_classes = a.numClasses;
    else if (!labels.empty())
        o.num_classes = static_cast<int>(labels.size());
    PaSSTModel model(o, a.seed);
    saveModel(a.out, model, labels, {{"created_from", a.preset}, {"seed", std::to_string(a.seed)}});
    std::cout << "wrote " << a.out << ": " << a.preset << ", " << describe(o) << ", "
              << thousands(model.parameterCount()) << " parameters\n";
}

void runInspect(const InspectArgs& a) {
    if (a.path.empty() == a.preset.empty())
        throw Error(ErrorCode::InvalidArgument, "give a model file or --preset NAME (not both)");
    if (!a.preset.empty()) {
        const auto o = passtPreset(a.preset);
        const PaSSTModel model(o);
        if (a.json) {
            nlohmann::ordered_json j;
            j["preset"] = a.preset;
            j["passt_options"] = nlohmann::json::parse(passtOptionsToJson(o));
            j["parameters"] = model.parameterCount();
            for (const auto& [name, n] : partCounts(model.parameters()))
                j["parts"][name] = n;
            std::cout << j.dump(2) << "\n";
            return;
        }
        std::cout << a.preset << ": " << describe(o) << "\n"
                  << "positional encoding: " << positionalEncodingName(o.positional_encoding) << "\n"
                  << "parameters:\n";
        printParts(model.parameters());
        return;
    }
    const CheckpointInfo info = inspectCheckpoint(a.path);
    std::int64_t total = 0;
    for (const auto& t : info.tensors)
        total += t.numel();
    const bool official = info.format == CheckpointFormat::TorchZip;
    if (a.json) {
        nlohmann::ordered_json j;
        j["format"] = official ? "torch-zip" : "patchout";
        j["parameters"] = total;
        if (info.options)
            j["passt_options"] = nlohmann::json::parse(passtOptionsToJson(*info.options));
        for (const auto& [name, n] : partCounts(info.tensors))
            j["parts"][name] = n;
        if (official) {
            j["wrapper"] = info.wrapper;
            j["copies"] = info.copies;
            j["ignored_globals"] = info.ignored_globals;
        } else {
            j["labels"] = info.labels;
            j["metadata"] = info.metadata;
        }
        auto& tensors = j["tensors"] = nlohmann::json::array();
        for (const auto& t : info.tensors)
            tensors.push_back({{"name", t.name}, {"dtype", t.dtype}, {"shape", t.shape}});
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::cout << a.path << ": " << (official ? "PyTorch checkpoint (torch.save zip)" : "Patchout model")
              << ", " << info.tensors.size() << " tensors, " << thousands(total) << " values\n";
    if (official) {
        std::cout << "weights: " << (info.wrapper.empty() ? "plain state_dict" : "under '" + info.wrapper + "'")
                  << "\n";
        std::string copies;
        for (const auto& c : info.copies) {
            copies += copies.empty() ? "" : ", ";
            copies += c.empty() ? std::string("<plain>") : c;
        }
        std::cout << "PaSST copies: " << (copies.empty() ? "none" : copies) << "\n";
        if (!info.ignored_globals.empty()) {
            std::cout << "not interpreted (never run):";
            for (const auto& g : info.ignored_globals)
                std::cout << " " << g;
            std::cout << "\n";
        }
    }
    if (info.options)
        std::cout << "architecture: " << describe(*info.options)
                  << (official ? "\n  (heads, strides and n_mels are not stored in the file: defaults shown)" : "")
                  << "\n";
    else
        std::cout << "architecture: not a PaSST with the default strides\n";
    if (!info.labels.empty()) {
        // Names may hold spaces and commas (AudioSet's do): one index and name per entry.
        // The first 30 unless --all: 10,000 classes on one line help nobody.
        const std::size_t listed = a.all ? info.labels.size() : std::min<std::size_t>(info.labels.size(), 30);
        std::cout << "labels (" << info.labels.size() << "):";
        for (std::size_t i = 0; i < listed; ++i)
            std::cout << (i ? "; " : " ") << i << " " << info.labels[i];
        if (listed < info.labels.size())
            std::cout << "; ... " << info.labels.size() - listed << " more (--all lists them)";
        std::cout << "\n";
    }
    for (const auto& [k, v] : info.metadata)
        std::cout << k << ": " << v << "\n";
    std::cout << "parameters:\n";
    printParts(info.tensors);
    const std::size_t shown = a.all ? info.tensors.size() : std::min<std::size_t>(info.tensors.size(), 12);
    for (std::size_t i = 0; i < shown; ++i)
        std::cout << "  " << info.tensors[i].name << " " << info.tensors[i].dtype << " "
                  << info.tensors[i].shapeText() << "\n";
    if (shown < info.tensors.size())
        std::cout << "  ... " << info.tensors.size() - shown << " more (--all lists them)\n";
}

void runImport(ImportArgs a) {
    if (!a.preset.empty()) {
        // The preset supplies what the weights cannot tell: heads, mel bins, strides, patchout.
        const auto o = passtPreset(a.preset);
        if (a.options.num_heads == 0)
            a.options.num_heads = o.num_heads;
        a.options.n_mels = o.n_mels;
        a.options.stride_f = o.stride_f;
        a.options.stride_t = o.stride_t;
        if (!a.options.patchout.active())
            a.options.patchout = o.patchout;
    }
    const auto labels = readLabels(a.labels);
    // A progress line only on a terminal: logs and pipes get the summary alone.
    JobControl job([tty = ::isatty(STDERR_FILENO) == 1](const Progress& p) {
        if (!tty)
            return;
        std::cerr << "\rimporting " << p.step << "/" << p.total << std::flush;
        if (p.step == p.total)
            std::cerr << "\n";
    });
    const ImportedModel imported = importCheckpoint(a.input, a.options, &job);
    const auto& r = imported.report;
    saveModel(a.out, imported.model, labels, {{"imported_from", a.input}, {"imported_copy", r.copy}});
    std::cout << "imported " << r.tensors << " tensors" << (r.copy.empty() ? "" : " of copy '" + r.copy + "'")
              << " from " << a.input << "\n"
              << "architecture: " << describe(imported.model.options()) << ", "
              << thousands(imported.model.parameterCount()) << " parameters\n";
    if (!r.reinitialized.empty())
        std::cout << "new head (" << r.reinitialized.size() << " tensors initialised fresh)\n";
    if (!r.skipped.empty())
        std::cout << "not imported: " << r.skipped.size() << " tensors (e.g. " << r.skipped.front() << ")\n";
    if (!r.converted.empty())
        std::cout << "converted to float32: " << r.converted.size() << " tensors\n";
    if (!r.ignored_globals.empty()) {
        std::cout << "not interpreted (never run):";
        for (const auto& g : r.ignored_globals)
            std::cout << " " << g;
        std::cout << "\n";
    }
    if (!labels.empty())
        std::cout << labels.size() << " labels (" << labels.front() << ", ...)\n";
    std::cout << "wrote " << a.out << "\n";
}

void runRun(const RunArgs& a) {
    ModelCheckpoint ckpt = loadModel(a.model);
    // A command-line run classifies the first input_frames of longer files, and says so below.
    ckpt.model.setCutLongInputs(true);
    const auto& o = ckpt.model.options();
    const FeatureOptions preset = featurePreset("passt-32k");
    if (o.n_mels != preset.n_mels)
        throw Error(ErrorCode::Model, "the model takes " + std::to_string(o.n_mels) +
                                          " mel bins; the passt-32k front end gives " +
                                          std::to_string(preset.n_mels),
                    a.model);
    FeatureExtractor extractor(preset);
    for (const auto& input : a.inputs) {
        const Features f = extractor.compute(loadAudio(input, {.target_rate = preset.sample_rate}));
        if (f.n_frames < o.patch_size)
            throw Error(ErrorCode::InvalidArgument, "too short: the model needs at least " +
                                                        std::to_string(o.patch_size) + " frames",
                        input);
        const ModelOutput out = ckpt.model.forward({f});
        std::vector<int> order(static_cast<std::size_t>(out.num_classes));
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int x, int y) { return out.logits[x] > out.logits[y]; });
        const int used = std::min(f.n_frames, o.timePositions() * o.stride_t + o.patch_size - o.stride_t);
        std::cout << input << " (" << f.n_frames << " frames" << (used < f.n_frames ? ", first " + std::to_string(used) + " used" : "")
                  << "):\n";
        for (int i = 0; i < std::min(a.top, out.num_classes); ++i) {
            const int c = order[static_cast<std::size_t>(i)];
            const double p = 1.0 / (1.0 + std::exp(-out.logits[static_cast<std::size_t>(c)]));
            std::cout << "  " << std::setw(4) << c << "  " << std::fixed << std::setprecision(3) << p
                      << "  " << (ckpt.labels.empty() ? "" : ckpt.labels[static_cast<std::size_t>(c)]) << "\n";
        }
    }
}

struct SpeedArgs {
    std::string model;
    SpeedOptions options;
    InferOptions infer;
};

void runSpeed(const SpeedArgs& a) {
    InferOptions infer = a.infer;
    infer.workers = 1;  // one forward pass at a time, with the configured threads
    Classifier classifier = Classifier::fromCheckpoint(a.model, infer);
    const SpeedMeasurement m = measureSpeed(classifier, a.options);
    const SystemInfo info = systemInfo();
    std::printf("%s: one %.2f s window, batch 1, %s: median %.1f ms, p90 %.1f ms over %d runs "
                "(%.1fx real time; torch %d thread(s), %s)\n",
                a.model.c_str(), m.window_s, infer.bf16 ? "bf16" : "fp32", m.median_ms, m.p90_ms, m.runs,
                m.realTimeFactor(), info.torch_threads, info.blas.name.c_str());
}

}  // namespace

void addModelCommands(CLI::App& app) {
    auto* model = app.add_subcommand("model", "PaSST models: presets, create, info, import, run, speed");
    model->require_subcommand(1);

    auto* presets = model->add_subcommand("presets", "List the model presets");
    presets->callback([] {
        for (const auto& name : passtPresetNames()) {
            const auto o = passtPreset(name);
            std::cout << name << ": " << describe(o) << ", "
                      << thousands(PaSSTModel(o).parameterCount()) << " parameters\n";
        }
    });

    static CreateArgs ca;
    auto* create = model->add_subcommand("create", "Write a freshly initialised model");
    create->add_option("--preset", ca.preset, "Model preset")
        ->capture_default_str()
        ->check(CLI::IsMember(passtPresetNames()));
    create->add_option("--num_classes", ca.numClasses, "Classes (default: the preset's)");
    create->add_option("--labels", ca.labels, "Class names: a CSV file or a comma-separated list");
    create->add_option("--seed", ca.seed, "Initialisation seed")->capture_default_str();
    create->add_option("--out,-o", ca.out, "Output model file (.safetensors)")->required();
    create->callback([] { runCreate(ca); });

    // `info` is the documented name; `inspect` stays as an alias for scripts that use it.
    static InspectArgs ia;
    for (const char* name : {"info", "inspect"}) {
        auto* inspect = model->add_subcommand(
            name, "Describe a model file, a PyTorch checkpoint or a preset: architecture, parameters "
                  "per part, labels");
        inspect->add_option("path", ia.path, "Model file (.safetensors) or checkpoint (.pt, .ckpt)");
        inspect->add_option("--preset", ia.preset, "Describe a preset instead of a file")
            ->check(CLI::IsMember(passtPresetNames()));
        inspect->add_flag("--json", ia.json, "Print as JSON");
        inspect->add_flag("--all", ia.all, "List every tensor and every label");
        inspect->callback([] { runInspect(ia); });
    }

    static ImportArgs im;
    auto* imp = model->add_subcommand(
        "import", "Convert an official PaSST checkpoint (torch.save) into a model file, safely: "
                  "nothing in the checkpoint is run");
    imp->add_option("input", im.input, "PyTorch checkpoint (.pt, .ckpt)")->required();
    imp->add_option("--out,-o", im.out, "Output model file (.safetensors)")->required();
    imp->add_option("--copy", im.options.copy, "Copy in a training checkpoint: net or net_swa");
    imp->add_option("--num_heads", im.options.num_heads,
                    "Attention heads (default: embed_dim / 64)");
    imp->add_option("--n_mels", im.options.n_mels, "Mel bins the model takes")->capture_default_str();
    imp->add_option("--stride_f", im.options.stride_f, "Patch stride along frequency")
        ->capture_default_str();
    imp->add_option("--stride_t", im.options.stride_t, "Patch stride along time")
        ->capture_default_str();
    imp->add_option("--num_classes", im.options.num_classes,
                    "A new, freshly initialised head with this many classes (fine-tuning)");
    imp->add_option("--s_patchout_t", im.options.patchout.s_patchout_t, "Time columns dropped in training");
    imp->add_option("--s_patchout_f", im.options.patchout.s_patchout_f, "Frequency rows dropped in training");
    imp->add_option("--u_patchout", im.options.patchout.u_patchout, "Single patches dropped in training");
    imp->add_option("--preset", im.preset,
                    "Architecture preset giving heads, n_mels, strides and patchout (e.g. passt-s)")
        ->check(CLI::IsMember(passtPresetNames()));
    imp->add_option("--input_frames", im.options.target_input_frames,
                    "Fine-tune on another input length: interpolate the time positions to it");
    imp->add_option("--labels", im.labels,
                    "Class names: a CSV file (one per line, or AudioSet's class_labels_indices.csv) "
                    "or a comma-separated list");
    imp->callback([] { runImport(im); });

    static SpeedArgs sa;
    auto* speed = model->add_subcommand(
        "speed", "Time the model's forward pass on one window (batch 1), as the workbench's Model view does");
    speed->add_option("model", sa.model, "Model file (.safetensors)")->required()->check(CLI::ExistingFile);
    speed->add_option("--seconds", sa.options.seconds, "Measure for about this long")->capture_default_str();
    speed->add_option("--max_runs", sa.options.max_runs, "At most this many passes")->capture_default_str();
    speed->add_flag("--bf16", sa.infer.bf16, "bfloat16 autocast (fast with AVX-512 BF16)");
    speed->callback([] { runSpeed(sa); });

    static RunArgs ra;
    auto* run = model->add_subcommand("run", "Classify audio files with a model (PaSST log-mel front end)");
    run->add_option("model", ra.model, "Model file (.safetensors)")->required();
    run->add_option("inputs", ra.inputs, "Audio files")->required();
    run->add_option("--top", ra.top, "Classes shown per file")->capture_default_str();
    run->callback([] { runRun(ra); });
}

}  // namespace patchout::cli
