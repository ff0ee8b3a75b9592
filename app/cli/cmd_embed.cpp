// `patchout embed DIR... --checkpoint CKPT --out runs/NAME/embeddings`: scene embeddings of every
// audio file with the frozen encoder, written as tensors.tsv + metadata.tsv (the TensorBoard
// projector format; the label is the file's folder name) and embeddings.bin for fast reload, plus
// projection.tsv: a 2-D map of the rows (t-SNE up to 2,000 files, PCA above, or as asked).
#include "commands.h"
#include "progress_bar.h"

#include "patchout/classifier.h"
#include "patchout/embedder.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/similarity.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace patchout::cli {
namespace {

struct EmbedArgs {
    std::vector<std::string> inputs;
    std::string checkpoint;
    std::string out;
    std::string pooling = "head";
    std::string projection = "auto";
    EmbedOptions options;
};

void runEmbed(const EmbedArgs& a) {
    EmbedOptions options = a.options;
    options.pooling = poolingFromName(a.pooling);
    if (a.projection != "auto" && a.projection != "tsne" && a.projection != "pca" && a.projection != "none")
        throw Error(ErrorCode::InvalidArgument,  // a misspelt method fails before the embedding work
                    "unknown projection '" + a.projection + "' (auto, tsne, pca, none)");
    Embedder embedder = Embedder::fromCheckpoint(a.checkpoint, options);
    const auto files = collectAudioFiles({a.inputs.begin(), a.inputs.end()});
    if (files.empty())
        throw Error(ErrorCode::InvalidArgument, "no audio files found under the given paths");
    ProgressBar bar("embed", true);
    JobControl job([&](const Progress& p) { bar.update(p); });
    const EmbeddingMatrix m = embedder.embedFiles(files, &job);
    bar.finish();
    std::vector<std::string> names, labels;
    for (const auto& f : files) {
        names.push_back(f.string());
        labels.push_back(f.parent_path().filename().string());
    }
    // The similarity index, the map and the recipe travel with the embeddings, so `patchout
    // similar` can embed a query the same way.
    const std::string projection = writeEmbeddingFolder(a.out, m, names, labels, a.projection);
    writeEmbedRecipe(a.out, a.checkpoint, options, projection);
    std::cout << m.rows << " embeddings of dimension " << m.dim << " (" << poolingName(options.pooling)
              << ") written to " << a.out << "\n";
}

}  // namespace

void writeEmbedRecipe(const std::filesystem::path& dir, const std::filesystem::path& checkpoint,
                      const EmbedOptions& options, const std::string& projection) {
    const nlohmann::json recipe = {{"checkpoint", std::filesystem::absolute(checkpoint).string()},
                                   {"pooling", poolingName(options.pooling)},
                                   {"block", options.block},
                                   {"window_s", options.window_s},
                                   {"hop_s", options.hop_s},
                                   {"projection", projection}};
    writeTextAtomically(dir / "embed.json", recipe.dump(1) + "\n");
}

void addEmbedCommand(CLI::App& app) {
    static EmbedArgs a;
    auto* cmd = app.add_subcommand("embed", "Embeddings of audio files with the frozen encoder");
    cmd->add_option("inputs", a.inputs, "Audio files or folders (searched recursively)")->required();
    cmd->add_option("--checkpoint", a.checkpoint, "Model file (.safetensors)")->required();
    cmd->add_option("--out", a.out, "Output folder (tensors.tsv, metadata.tsv, embeddings.bin)")
        ->required();
    cmd->add_option("--pooling", a.pooling, "head (what the classifier reads), cls, dist, cls-dist or patch-mean")->capture_default_str();
    cmd->add_option("--block", a.options.block, "Block whose output is pooled (-1: final norm)")
        ->capture_default_str();
    cmd->add_option("--window-s", a.options.window_s, "Window length in seconds (0: the model's)");
    cmd->add_option("--hop-s", a.options.hop_s, "Hop between windows in seconds (0: the window)");
    cmd->add_option("--projection", a.projection,
                    "2-D map written to projection.tsv: auto (t-SNE up to 2,000 files, else PCA), "
                    "tsne, pca or none")
        ->capture_default_str();
    cmd->callback([] { runEmbed(a); });
}

}  // namespace patchout::cli
