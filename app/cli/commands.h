// Sub-commands of the `patchout` CLI. Each add*Command registers its options on the app and the
// callback that runs it; errors propagate as patchout::Error to main(), which prints them.
#pragma once

#include <CLI/CLI.hpp>

namespace patchout {
struct TrainResult;
}

#include <filesystem>
#include <string>

namespace patchout::cli {

void addInfoCommand(CLI::App& app);
void addAudioCommands(CLI::App& app);  // features, synth, devices
void addDemoCommand(CLI::App& app);
void addDatasetCommands(CLI::App& app);  // dataset info, validate, synth-words
void addModelCommands(CLI::App& app);  // model presets, create, info, import, run, speed
void addMetricsCommand(CLI::App& app);  // metrics (reports from predictions.csv)
void addEvalCommand(CLI::App& app);     // eval (a checkpoint on a dataset split)
void addTrainCommand(CLI::App& app);   // train (single process or data parallel)
void addClassifyCommand(CLI::App& app);  // classify files by windows
void addEmbedCommand(CLI::App& app);  // embeddings for the projector
void addSimilarCommand(CLI::App& app);  // nearest clips by embedding
void addProbeCommand(CLI::App& app);  // linear probe and k-NN
void addBaselineCommand(CLI::App& app);  // the classical floor on a dataset split
void addPretrainCommand(CLI::App& app);  // self-supervised pretraining on unlabelled audio
void addProfileCommand(CLI::App& app);  // parameters, MACs, time and memory per part
void addPruneCommand(CLI::App& app);  // attention-head pruning with fine-tuning
void addExplainCommand(CLI::App& app);  // what the model looked at: occlusion by patchout, rollout
void addRunsCommand(CLI::App& app);  // runs side by side

// --device of the commands that run a model (classify, eval, embed): sets `device` to "auto"
// and registers the option (cpu, cuda or auto; `patchout info` says whether CUDA is there).
void addDeviceOption(CLI::App* command, std::string& device);

// After training: the floor on the same test clips beside the model's accuracy (train, demo).
void printFloor(const TrainResult& result);

}  // namespace patchout::cli
