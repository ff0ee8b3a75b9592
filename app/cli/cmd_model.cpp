// `patchout model ...`: the model files. presets lists the architectures, create writes a freshly
// initialised model, inspect describes any model file (ours or an official PyTorch checkpoint),
// import converts an official checkpoint safely into the project's format, run classifies audio.
#include "commands.h"

#include "patchout/audio_file.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/features.h"
#include "patchout/passt.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
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

struct CreateArgs {
    std::string preset = "passt-mini";
    std::string out;
    int numClasses = 0;
    std::string labels;
    std::uint64_t seed = 0;
};

struct InspectArgs {
    std::string path;
    bool json = false;
    bool all = false;
};

struct ImportArgs {
    std::string input;
    std::string out;
    ImportOptions options;
    std::string labels;
};

struct RunArgs {
    std::string model;
    std::vector<std::string> inputs;
    int top = 5;
};

void runCreate(const CreateArgs& a) {
    PaSSTOptions o = passtPreset(a.preset);
    const auto labels = splitLabels(a.labels);
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
        std::cout << "labels:";
        for (const auto& l : info.labels)
            std::cout << " " << l;
        std::cout << "\n";
    }
    for (const auto& [k, v] : info.metadata)
        std::cout << k << ": " << v << "\n";
    const std::size_t shown = a.all ? info.tensors.size() : std::min<std::size_t>(info.tensors.size(), 12);
    for (std::size_t i = 0; i < shown; ++i)
        std::cout << "  " << info.tensors[i].name << " " << info.tensors[i].dtype << " "
                  << info.tensors[i].shapeText() << "\n";
    if (shown < info.tensors.size())
        std::cout << "  ... " << info.tensors.size() - shown << " more (--all lists them)\n";
}

void runImport(const ImportArgs& a) {
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
    const auto labels = splitLabels(a.labels);
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
    std::cout << "wrote " << a.out << "\n";
}

void runRun(const RunArgs& a) {
    const ModelCheckpoint ckpt = loadModel(a.model);
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

}  // namespace

void addModelCommands(CLI::App& app) {
    auto* model = app.add_subcommand("model", "PaSST models: presets, create, inspect, import, run");
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
    create->add_option("--num_classes,--num-classes", ca.numClasses, "Classes (default: the preset's)");
    create->add_option("--labels", ca.labels, "Class names, comma-separated");
    create->add_option("--seed", ca.seed, "Initialisation seed")->capture_default_str();
    create->add_option("--out,-o", ca.out, "Output model file (.safetensors)")->required();
    create->callback([] { runCreate(ca); });

    static InspectArgs ia;
    auto* inspect = model->add_subcommand("inspect", "Describe a model file or a PyTorch checkpoint");
    inspect->add_option("path", ia.path, "Model file (.safetensors) or checkpoint (.pt, .ckpt)")->required();
    inspect->add_flag("--json", ia.json, "Print as JSON");
    inspect->add_flag("--all", ia.all, "List every tensor");
    inspect->callback([] { runInspect(ia); });

    static ImportArgs im;
    auto* imp = model->add_subcommand(
        "import", "Convert an official PaSST checkpoint (torch.save) into a model file, safely: "
                  "nothing in the checkpoint is run");
    imp->add_option("input", im.input, "PyTorch checkpoint (.pt, .ckpt)")->required();
    imp->add_option("--out,-o", im.out, "Output model file (.safetensors)")->required();
    imp->add_option("--copy", im.options.copy, "Copy in a training checkpoint: net or net_swa");
    imp->add_option("--num_heads,--num-heads", im.options.num_heads,
                    "Attention heads (default: embed_dim / 64)");
    imp->add_option("--n_mels,--n-mels", im.options.n_mels, "Mel bins the model takes")->capture_default_str();
    imp->add_option("--stride_f,--stride-f", im.options.stride_f, "Patch stride along frequency")
        ->capture_default_str();
    imp->add_option("--stride_t,--stride-t", im.options.stride_t, "Patch stride along time")
        ->capture_default_str();
    imp->add_option("--num_classes,--num-classes", im.options.num_classes,
                    "A new, freshly initialised head with this many classes (fine-tuning)");
    imp->add_option("--s_patchout_t", im.options.patchout.s_patchout_t, "Time columns dropped in training");
    imp->add_option("--s_patchout_f", im.options.patchout.s_patchout_f, "Frequency rows dropped in training");
    imp->add_option("--u_patchout", im.options.patchout.u_patchout, "Single patches dropped in training");
    imp->add_option("--labels", im.labels, "Class names, comma-separated");
    imp->callback([] { runImport(im); });

    static RunArgs ra;
    auto* run = model->add_subcommand("run", "Classify audio files with a model (PaSST log-mel front end)");
    run->add_option("model", ra.model, "Model file (.safetensors)")->required();
    run->add_option("inputs", ra.inputs, "Audio files")->required();
    run->add_option("--top", ra.top, "Classes shown per file")->capture_default_str();
    run->callback([] { runRun(ra); });
}

}  // namespace patchout::cli
