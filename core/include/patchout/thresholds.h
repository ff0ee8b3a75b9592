// Decision thresholds of a multi-label model: a class is present when its score reaches its
// threshold. Chosen in the Evaluate view (a slider per class and a global one, with live
// precision, recall and F1 and the operating point on the PR curve), saved into the run
// (RUN/thresholds.json) and used by `classify` (the "present" rows) and live classification.
// Choose them on validation clips: thresholds tuned on the test split make its scores optimistic.
#pragma once

#include "patchout/report.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace patchout {

struct DecisionThresholds {
    double global = 0.5;
    std::map<std::string, double> per_class{};  // by class name; the others take `global`

    double of(const std::string& label) const;
    std::vector<double> forLabels(const std::vector<std::string>& labels) const;
};

// Error(FileNotFound) for a missing file, Error(BadFormat) naming the file for anything but
// {"global": x, "per_class": {"name": x, ...}} with every x in [0, 1].
DecisionThresholds readDecisionThresholds(const std::filesystem::path& file);
// Atomically; Error(InvalidArgument) for a value outside [0, 1].
void writeDecisionThresholds(const std::filesystem::path& file, const DecisionThresholds& thresholds);
// What goes with a model file: its run's thresholds.json when the model lies in a run folder that
// has one, else the global 0.5.
DecisionThresholds thresholdsForModel(const std::filesystem::path& checkpoint);

// One class of multi-label predictions at one threshold.
struct OperatingPoint {
    double threshold = 0.5;
    std::int64_t tp = 0, fp = 0, fn = 0;
    double precision = 0, recall = 0, f1 = 0;  // 0 where undefined (no positives predicted or present)
};
// Error(InvalidArgument) for a class out of range.
OperatingPoint operatingPoint(const Predictions& predictions, int cls, double threshold);
// Every class at its own threshold, counts summed (micro average).
OperatingPoint microOperatingPoint(const Predictions& predictions, const std::vector<double>& thresholds);


}  // namespace patchout
