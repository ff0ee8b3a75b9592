// `patchout embed DIR... --checkpoint CKPT --out runs/NAME/embeddings`: scene embeddings of every
// audio file with the frozen encoder, written as tensors.tsv + metadata.tsv (the TensorBoard
// projector format; the label is the file's folder name) and embeddings.bin for fast reload, plus
// projection.tsv: a 2-D map of the rows (t-SNE up to 2,000 files, PCA above, or as asked).
#include "commands.h"
#include "output.h"
#include "progress_bar.h"

#include "patchout/classifier.h"
#include "patchout/embedder.h"
#include "patchout/error.h"
#include "patchout/run_jobs.h"

#include <iostream>

namespace patchout::cli {
namespace {

struct EmbedArgs {
    std::vector<std::string> inputs;
    std::string run;
    std::string checkpoint;
    std::string out;
    std::string pooling = "head";
    std::string projection = "auto";
    EmbedOptions options;
    bool strict = false;
};

void runEmbed(const EmbedArgs& a) {
    EmbedOptions options = a.options;
    options.pooling = poolingFromName(a.pooling);
    ProgressBar bar("embed", true);
    JobControl job([&](const Progress& p) { bar.update(p); });
    EmbedResult r;
    if (!a.run.empty()) {
        if (!a.inputs.empty() || !a.checkpoint.empty() || !a.out.empty())
            throw Error(ErrorCode::InvalidArgument,
                        "--run embeds the run's dataset with its model into RUN/embeddings: leave out "
                        "the inputs, --checkpoint and --out");
        r = embedRun(a.run, options, a.projection, &job, a.strict);
    } else {
        if (a.inputs.empty() || a.checkpoint.empty() || a.out.empty())
            throw Error(ErrorCode::InvalidArgument, "give --run RUN, or inputs with --checkpoint and --out");
        const auto files = collectAudioFiles({a.inputs.begin(), a.inputs.end()});
        if (files.empty())
            throw Error(ErrorCode::InvalidArgument, "no audio files found under the given paths");
        std::vector<std::string> labels;  // the file's folder name
        for (const auto& f : files)
            labels.push_back(f.parent_path().filename().string());
        r = embedFilesToFolder(a.checkpoint, files, {}, labels, a.out, options, a.projection, &job, a.strict);
    }
    bar.finish();
    const int code = reportSkipped(r.skipped, static_cast<std::size_t>(r.rows) + r.skipped.size(), r.out / "errors.csv");
    if (code == kExitNothingWorked)
        throw CLI::RuntimeError(code);
    std::cout << r.rows << " embeddings of dimension " << r.dim << " (" << poolingName(options.pooling)
              << ", " << r.projection << " map) written to " << r.out.string() << "\n";
    if (code != 0)
        throw CLI::RuntimeError(code);
}

}  // namespace

void addEmbedCommand(CLI::App& app) {
    static EmbedArgs a;
    auto* cmd = app.add_subcommand("embed", "Embeddings of audio files with the frozen encoder");
    cmd->footer(kSkippedFilesHelp);
    cmd->add_option("inputs", a.inputs, "Audio files or folders (searched recursively)");
    cmd->add_option("--run", a.run,
                    "A run folder: every clip of its dataset through its best model, into "
                    "RUN/embeddings (instead of inputs, --checkpoint and --out)")
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--checkpoint", a.checkpoint, "Model file (.safetensors)");
    cmd->add_option("--out", a.out, "Output folder (tensors.tsv, metadata.tsv, embeddings.bin, embed.json)");
    cmd->add_option("--pooling", a.pooling, "head (what the classifier reads), cls, dist, cls-dist or patch-mean")->capture_default_str();
    cmd->add_option("--block", a.options.block, "Block whose output is pooled (-1: final norm)")
        ->capture_default_str();
    cmd->add_option("--window_s", a.options.window_s, "Window length in seconds (0: the model's)");
    cmd->add_option("--hop_s", a.options.hop_s, "Hop between windows in seconds (0: the window)");
    addDeviceOption(cmd, a.options.device);
    cmd->add_option("--projection", a.projection,
                    "2-D map written to projection.tsv: auto (t-SNE up to 2,000 files, else PCA), "
                    "tsne, pca or none")
        ->capture_default_str();
    cmd->add_flag("--strict", a.strict, "Stop at the first file that cannot be decoded (exit code 1)");
    cmd->callback([] { runEmbed(a); });
}

}  // namespace patchout::cli
