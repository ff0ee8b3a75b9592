// Reading a run folder (../shared/ARCHITECTURE.md): what the workbench shows when one is opened
// and what tools read back. `patchout train` writes config.json, metrics.jsonl and checkpoints/;
// `patchout eval --out RUN/eval` and `patchout embed --out RUN/embeddings` add the rest.
// Reading never changes the folder and works while a training is still writing it: a torn last
// line of metrics.jsonl (the writer was killed or is mid-write) is skipped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

struct TrainingCurves {
    struct Step {  // a "step" line, every log_every_steps optimiser steps
        int epoch = 0;
        std::int64_t step = 0;
        double loss = 0, lr = 0, examples_per_s = 0;
    };
    struct Epoch {  // an "epoch" line; validation values are NaN when the run had none
        int epoch = 0;
        std::int64_t step = 0;
        double train_loss = 0, lr = 0, seconds = 0;
        double validation_loss = 0, validation_accuracy = 0;
    };
    std::vector<Step> steps;
    std::vector<Epoch> epochs;
};

// Reads metrics.jsonl. Error(FileNotFound) when it is missing; Error(BadFormat) naming the line
// for a malformed line other than the last one.
TrainingCurves readTrainingCurves(const std::filesystem::path& metrics_jsonl);
TrainingCurves parseTrainingCurves(const std::string& text, const std::string& source = "metrics.jsonl");

struct RunFolder {
    std::filesystem::path dir;
    std::string preset;                 // model preset the run trained ("" when imported)
    std::string dataset;                // the dataset's root as training saw it
    std::vector<std::string> classes;   // the model's output order
    bool multi_label = false;
    int planned_epochs = 0;
    std::string split;                  // the split kind training used ("own", "group"; "" unknown)
    std::uint64_t seed = 0;             // the run's seed (its split and its augmentation)
    std::filesystem::path best_checkpoint, last_checkpoint;  // empty when not (yet) written
    std::filesystem::path eval_dir;        // RUN/eval when it holds predictions.csv
    std::filesystem::path embeddings_dir;  // RUN/embeddings when it holds tensors.tsv
    TrainingCurves curves;                 // empty when metrics.jsonl is missing
};

// A folder with config.json and metrics.jsonl or checkpoints/ (cheap: looks at names only).
bool isRunFolder(const std::filesystem::path& dir);
// Error(FileNotFound) for a missing folder, Error(Dataset) for a folder that is not a run
// (saying what is missing), Error(BadFormat) for an unreadable config.json or metrics.jsonl.
RunFolder readRunFolder(const std::filesystem::path& dir);

}  // namespace patchout
