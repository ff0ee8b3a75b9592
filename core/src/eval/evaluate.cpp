#include "patchout/evaluate.h"

#include "patchout/error.h"

#include <algorithm>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace patchout {
namespace {

std::string joinNames(const std::vector<std::string>& names, std::size_t limit = 12) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < limit; ++i)
        out += (i ? ", " : "") + names[i];
    if (names.size() > limit)
        out += ", ... (" + std::to_string(names.size() - limit) + " more)";
    return out;
}

}  // namespace

std::vector<int> matchLabels(const std::vector<std::string>& modelLabels,
                             const std::vector<std::string>& datasetClasses, bool allowSubset) {
    std::map<std::string, int> modelIndex;
    for (std::size_t i = 0; i < modelLabels.size(); ++i)
        modelIndex.emplace(modelLabels[i], static_cast<int>(i));
    if (modelIndex.size() != modelLabels.size())
        throw Error(ErrorCode::Model, "the model's labels are not unique");
    std::vector<std::string> onlyDataset, onlyModel;
    std::vector<int> mapping;
    for (const auto& c : datasetClasses) {
        const auto it = modelIndex.find(c);
        if (it == modelIndex.end())
            onlyDataset.push_back(c);
        else
            mapping.push_back(it->second);
    }
    const std::set<std::string> dataset(datasetClasses.begin(), datasetClasses.end());
    for (const auto& m : modelLabels)
        if (!dataset.count(m))
            onlyModel.push_back(m);
    if (onlyDataset.empty() && (onlyModel.empty() || allowSubset))
        return mapping;
    std::string message = "the model's labels differ from the dataset's classes";
    if (!onlyModel.empty())
        message += "; only in the model (" + std::to_string(onlyModel.size()) +
                   "): " + joinNames(onlyModel);
    if (!onlyDataset.empty())
        message += "; only in the dataset (" + std::to_string(onlyDataset.size()) +
                   "): " + joinNames(onlyDataset);
    if (onlyDataset.empty())
        message += " (every dataset class is one of the model's: ask to map labels by name to "
                   "evaluate on them)";
    throw Error(ErrorCode::Dataset, message);
}

std::vector<std::size_t> splitClips(const Dataset& dataset, const DatasetSplit& split,
                                    const std::string& which) {
    std::vector<std::size_t> out;
    if (which == "train")
        out = split.train;
    else if (which == "validation")
        out = split.validation;
    else if (which == "test")
        out = split.test;
    else if (which == "all")
        for (std::size_t i = 0; i < dataset.clips.size(); ++i)
            out.push_back(i);
    else
        throw Error(ErrorCode::InvalidArgument,
                    "unknown split '" + which + "' (train, validation, test or all)");
    if (out.empty())
        throw Error(ErrorCode::Dataset,
                    "the " + which + " split of this dataset has no clips: nothing to evaluate",
                    dataset.root.string());
    return out;
}

std::string describeClips(const DatasetSplit& split, const std::string& which) {
    if (which == "all")
        return "every clip of the dataset";
    return "the " + which + " clips of split " + split.name;
}

Predictions predictDataset(Classifier& classifier, const Dataset& dataset,
                           const std::vector<std::size_t>& indices, bool allowSubset,
                           const JobControl* job, std::vector<FileError>* skipped) {
    if (indices.empty())
        throw Error(ErrorCode::Dataset, "no clips to evaluate", dataset.root.string());
    std::vector<std::string> labels = classifier.labels();
    if (labels.empty())
        throw Error(ErrorCode::Model,
                    "the model has no class labels, so its classes cannot be matched to the "
                    "dataset's");
    const std::vector<int> mapping = matchLabels(labels, dataset.classes, allowSubset);
    std::vector<fs::path> files;
    files.reserve(indices.size());
    for (std::size_t i : indices) {
        if (i >= dataset.clips.size())
            throw Error(ErrorCode::InvalidArgument, "clip index out of range");
        files.push_back(dataset.root / dataset.clips[i].path);
    }
    const std::size_t before = skipped ? skipped->size() : 0;
    const std::vector<ClipResult> results = classifier.classifyFiles(files, job, skipped);
    // The clips that were scored, in order (classifyFiles leaves the skipped ones out).
    std::vector<std::size_t> scored;
    {
        std::set<fs::path> bad;
        for (std::size_t k = before; skipped && k < skipped->size(); ++k)
            bad.insert((*skipped)[k].path);
        for (std::size_t r = 0; r < indices.size(); ++r)
            if (!bad.count(files[r]))
                scored.push_back(indices[r]);
    }
    Predictions p;
    p.classes = std::move(labels);
    p.multi_label = dataset.multi_label;
    p.scores.n_samples = scored.size();
    p.scores.n_classes = p.classes.size();
    p.scores.values.resize(p.scores.n_samples * p.scores.n_classes);
    for (std::size_t r = 0; r < scored.size(); ++r) {
        const Clip& clip = dataset.clips[scored[r]];
        p.files.push_back(clip.path);
        std::vector<int> mapped;
        for (int l : clip.labels)
            mapped.push_back(mapping[static_cast<std::size_t>(l)]);
        std::sort(mapped.begin(), mapped.end());
        p.labels.push_back(std::move(mapped));
        const auto& s = results[r].scores;
        for (std::size_t c = 0; c < p.classes.size(); ++c)
            p.scores.values[r * p.scores.n_classes + c] = s[c];
    }
    return p;
}

}  // namespace patchout
