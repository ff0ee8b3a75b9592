// Runs side by side: which runs a set of folders holds, the settings in which they differ, and
// their curves together as one CSV or one SVG picture. What the Train view's "Runs side by side"
// tab and `patchout runs` show. Reads only; nothing here needs Qt or LibTorch.
#pragma once

#include "patchout/run_folder.h"

#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

// Each path is a run folder (isRunFolder), or a folder whose sub-folders (one level down, in name
// order) include runs: all of those. Error(FileNotFound) for a missing path, Error(Dataset) for a
// folder that neither is nor holds a run. A run named twice is listed once.
std::vector<std::filesystem::path> findRuns(const std::vector<std::filesystem::path>& paths);

// A setting of config.json whose value differs between the runs.
struct OptionDifference {
    std::string name;                 // "lr", "augment.mixup_alpha", "dataset.root", "split.name"
    std::vector<std::string> values;  // one per run, as config.json has it ("" when it lacks it)
};
// The settings (the options, flattened with dots, then the dataset's root and the split's name) in
// which the runs differ, in config.json's order. Error(FileNotFound) or Error(BadFormat) naming a
// config.json that is missing or does not parse.
std::vector<OptionDifference> differingOptions(const std::vector<std::filesystem::path>& runs);

// A run's name in a comparison: its folder's name ("" folders named by their parent).
std::string runLabel(const RunFolder& run);

// Every run's curves in one CSV (atomically): run, type ("step" or "epoch"), epoch, step, loss,
// lr, examples_per_s, train_loss, validation_loss, validation_accuracy, seconds; a value a line
// type does not have is empty.
void writeRunCurvesCsv(const std::filesystem::path& path, const std::vector<RunFolder>& runs);

// The same as a picture (SVG, atomically): four panels (training loss, learning rate and
// examples per second against the step, validation accuracy against the epoch), one colour per
// run (runColour), with a legend.
void writeRunCurvesSvg(const std::filesystem::path& path, const std::vector<RunFolder>& runs);

// The colour of the i-th run in every comparison ("#1f77b4"...; ten, then again).
std::string runColour(std::size_t i);

}  // namespace patchout
