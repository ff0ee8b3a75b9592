// Sub-commands of the `patchout` CLI. Each add*Command registers its options on the app and the
// callback that runs it; errors propagate as patchout::Error to main(), which prints them.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>

namespace patchout {
struct EmbedOptions;
}

namespace patchout::cli {

void addInfoCommand(CLI::App& app);
void addAudioCommands(CLI::App& app);  // features, synth, devices
void addDemoCommand(CLI::App& app);
void addDatasetCommands(CLI::App& app);  // dataset info, validate, synth-words
void addModelCommands(CLI::App& app);  // model presets, create, inspect, import, run
void addMetricsCommand(CLI::App& app);  // metrics (reports from predictions.csv)
void addEvalCommand(CLI::App& app);     // eval (a checkpoint on a dataset split)
void addTrainCommand(CLI::App& app);   // train (single process or data parallel)
void addClassifyCommand(CLI::App& app);  // classify files by windows
void addEmbedCommand(CLI::App& app);  // embeddings for the projector
void addSimilarCommand(CLI::App& app);  // nearest clips by embedding
void addProbeCommand(CLI::App& app);  // linear probe and k-NN

// embed.json in an embeddings folder: how its embeddings were made (checkpoint, pooling, block,
// windows, projection), so `patchout similar` embeds a query alike. Atomic.
void writeEmbedRecipe(const std::filesystem::path& dir, const std::filesystem::path& checkpoint,
                      const EmbedOptions& options, const std::string& projection);

}  // namespace patchout::cli
