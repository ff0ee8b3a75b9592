// Evaluation of a model on a labelled dataset: the Classifier scores every clip of a split (clip
// level: the mean or max over its windows), the dataset's labels are matched to the model's by
// name, and the result is the Predictions that computeReport / writeReport (report.h) turn into
// an eval/ folder. evaluateCheckpoint (run_jobs.h, behind `patchout eval`) is this plus writeReport.
#pragma once

#include "patchout/classifier.h"
#include "patchout/dataset.h"
#include "patchout/file_errors.h"
#include "patchout/job.h"
#include "patchout/report.h"

#include <string>
#include <vector>

namespace patchout {

// For each dataset class, the index of the model class of the same name. The model's labels and
// the dataset's classes must be the same set (in any order); when they differ it is an
// Error(Dataset) listing the labels only the model has and those only the dataset has. With
// `allowSubset`, a dataset whose classes are all among the model's is accepted too (the model's
// other classes stay as score columns nobody is labelled with).
std::vector<int> matchLabels(const std::vector<std::string>& modelLabels,
                             const std::vector<std::string>& datasetClasses, bool allowSubset);

// The clip indices of `split` named `which`: "train", "validation", "test" or "all" (every clip
// of the dataset). Anything else is an Error(InvalidArgument); an empty result is an
// Error(Dataset) naming the split, never an empty report.
std::vector<std::size_t> splitClips(const Dataset& dataset, const DatasetSplit& split,
                                    const std::string& which);
// How a report names those clips: "the test clips of split own", "every clip of the dataset".
std::string describeClips(const DatasetSplit& split, const std::string& which);

// Scores the clips `indices` of `dataset` with `classifier` and returns them as Predictions in the
// model's class order: `files` are the clips' dataset-relative paths, labels mapped by
// matchLabels(allowSubset). Progress and cancellation as Classifier::classifyFiles. With
// `skipped`, clips that cannot be decoded are left out (and listed there); without it, the first
// one throws.
Predictions predictDataset(Classifier& classifier, const Dataset& dataset,
                           const std::vector<std::size_t>& indices, bool allowSubset = false,
                           const JobControl* job = nullptr, std::vector<FileError>* skipped = nullptr);

}  // namespace patchout
