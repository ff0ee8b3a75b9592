// The classical floor beside every model: per-bin statistics of a clip's log-mel (mean, standard
// deviation and maximum of each mel bin over time, and the same of its first difference over time),
// standardised, then a multinomial logistic regression with an L2 penalty and balanced class
// weights, fitted with L-BFGS (LibTorch) on the split's training clips. It scores clips like
// `patchout eval` does (predictions.csv + report), so a model's report can sit beside it with a
// paired bootstrap interval and McNemar's test. Seconds on 2 cores for a few thousand clips; the
// same objective as scikit-learn's LogisticRegression(C, class_weight="balanced") (multi-label
// sets: one binary regression per class). Thread-safety: one call at a time per thread.
#pragma once

#include "patchout/dataset.h"
#include "patchout/features.h"
#include "patchout/job.h"
#include "patchout/report.h"

#include <filesystem>
#include <string>
#include <vector>

namespace patchout {

struct BaselineOptions {
    std::string feature_preset = "passt-32k";  // featurePreset()
    double c = 1.0;              // inverse strength of the L2 penalty, scikit-learn's C
    bool balanced = true;        // class weights n / (classes * n_c), scikit-learn's "balanced"
    int max_iterations = 500;    // L-BFGS iterations
    std::filesystem::path cache_dir{};  // feature cache (empty: none)
};

// 6 x n_bins values: per bin the mean, standard deviation and maximum over time, then the same of
// the frame-to-frame difference (zeros for a single frame).
std::vector<float> clipStatistics(const Features& features);

struct LogisticRegression {
    int dim = 0, classes = 0;
    bool multi_label = false;         // one sigmoid per class instead of one softmax
    std::vector<float> mean, scale;   // standardisation of each input dimension
    std::vector<float> weights;       // classes x dim, on standardised inputs
    std::vector<float> bias;          // classes
    int iterations = 0;               // L-BFGS iterations used

    // Probabilities, rows x classes (softmax, or sigmoid per class when multi_label).
    std::vector<double> predict(const std::vector<float>& x, std::int64_t rows) const;
};

// Fits on `rows` rows of `x` (row-major, rows x dim). `labels`: the class indices of each row
// (exactly one unless multiLabel). Error(InvalidArgument) for inconsistent sizes or fewer than two
// classes present.
LogisticRegression fitLogisticRegression(const std::vector<float>& x, std::int64_t rows, int dim,
                                         const std::vector<std::vector<int>>& labels, int classes,
                                         bool multiLabel, const BaselineOptions& options = {});

struct BaselineResult {
    Predictions predictions;  // of the scored clips, in the dataset's class order
    EvaluationReport report;
    std::size_t train_clips = 0;
    double seconds = 0;       // features, fit and scoring
    int iterations = 0;
};

// Fits the floor on the split's training clips and scores the clips `which` ("test",
// "validation", "all"); writes predictions.csv and the report into `out` (created). Progress in
// clips; cancellable between clips.
BaselineResult runBaseline(const Dataset& dataset, const DatasetSplit& split, const std::string& which,
                           const std::filesystem::path& out, const BaselineOptions& options = {},
                           const JobControl* job = nullptr);

}  // namespace patchout
