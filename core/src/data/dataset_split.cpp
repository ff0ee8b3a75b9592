// Splits of a Dataset into train / validation / test index lists.
#include "data/portable_random.h"
#include "patchout/dataset.h"
#include "patchout/error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace patchout {

DatasetSplit splitByDataset(const Dataset& dataset, const OwnSplitOptions& options) {
    DatasetSplit split;
    split.name = "own";
    int maxFold = 0;
    for (const auto& c : dataset.clips)
        maxFold = std::max(maxFold, c.fold);
    const int testFold = options.test_fold > 0 ? options.test_fold : maxFold;
    if (options.validation_fold > 0 && options.validation_fold == testFold)
        throw Error(ErrorCode::InvalidArgument, "the validation fold and the test fold are both " +
                                                    std::to_string(testFold));
    for (std::size_t i = 0; i < dataset.clips.size(); ++i) {
        const Clip& c = dataset.clips[i];
        if (c.fold > 0) {
            if (c.fold == testFold)
                split.test.push_back(i);
            else if (c.fold == options.validation_fold)
                split.validation.push_back(i);
            else
                split.train.push_back(i);
        } else if (c.split == kSplitTrain) {
            split.train.push_back(i);
        } else if (c.split == kSplitValidation) {
            split.validation.push_back(i);
        } else if (c.split == kSplitTest) {
            split.test.push_back(i);
        } else {
            throw Error(ErrorCode::Dataset,
                        "clip " + c.path + " has neither a split nor a fold: split by group instead",
                        c.source);
        }
    }
    if (testFold > 0 && split.test.empty())
        throw Error(ErrorCode::InvalidArgument,
                    "no clip is in test fold " + std::to_string(testFold) + " (folds 1.." +
                        std::to_string(maxFold) + ")");
    return split;
}

namespace {

void requireGroups(const Dataset& dataset, std::size_t atLeast) {
    for (const auto& c : dataset.clips)
        if (c.group.empty())
            throw Error(ErrorCode::Dataset,
                        "clip " + c.path + " has no speaker/group, so it cannot be split by group",
                        c.source);
    if (dataset.groups().size() < atLeast)
        throw Error(ErrorCode::Dataset, "splitting by group needs at least " +
                                            std::to_string(atLeast) + " groups, the dataset has " +
                                            std::to_string(dataset.groups().size()),
                    dataset.root.string());
}

}  // namespace

DatasetSplit splitByGroup(const Dataset& dataset, const GroupSplitOptions& options) {
    if (!(options.test_fraction > 0 && options.validation_fraction >= 0 &&
          options.test_fraction + options.validation_fraction < 1))
        throw Error(ErrorCode::InvalidArgument,
                    "test_fraction must be > 0, validation_fraction >= 0 and their sum < 1");
    requireGroups(dataset, options.validation_fraction > 0 ? 3 : 2);
    std::vector<std::string> groups = dataset.groups();
    std::mt19937_64 rng(data::mixSeed(options.seed, 0x5e11));
    data::portableShuffle(groups, rng);
    const auto n = groups.size();
    auto count = [n](double fraction, std::size_t atLeast) {
        return std::max<std::size_t>(atLeast, static_cast<std::size_t>(std::lround(fraction * n)));
    };
    std::size_t nTest = count(options.test_fraction, 1);
    std::size_t nVal = options.validation_fraction > 0 ? count(options.validation_fraction, 1) : 0;
    // Keep at least one group for training.
    while (nTest + nVal >= n && nVal > 0)
        --nVal;
    while (nTest + nVal >= n && nTest > 1)
        --nTest;
    std::map<std::string, int> side;  // 0 train, 1 validation, 2 test
    for (std::size_t i = 0; i < n; ++i)
        side[groups[i]] = i < nTest ? 2 : (i < nTest + nVal ? 1 : 0);
    DatasetSplit split;
    split.name = "group";
    for (std::size_t i = 0; i < dataset.clips.size(); ++i) {
        const int s = side.at(dataset.clips[i].group);
        (s == 2 ? split.test : s == 1 ? split.validation : split.train).push_back(i);
    }
    return split;
}

std::vector<DatasetSplit> leaveOneGroupOut(const Dataset& dataset) {
    requireGroups(dataset, 2);
    std::vector<DatasetSplit> splits;
    for (const auto& g : dataset.groups()) {
        DatasetSplit split;
        split.name = "held-out " + g;
        for (std::size_t i = 0; i < dataset.clips.size(); ++i)
            (dataset.clips[i].group == g ? split.test : split.train).push_back(i);
        splits.push_back(std::move(split));
    }
    return splits;
}

std::vector<std::size_t> appendTrainingClips(Dataset& into, const Dataset& extra) {
    std::vector<int> classOf(extra.classes.size(), -1);
    for (std::size_t c = 0; c < extra.classes.size(); ++c)
        classOf[c] = into.classIndex(extra.classes[c]);
    std::vector<std::size_t> added;
    added.reserve(extra.clips.size());
    std::filesystem::path root = extra.root;
    if (root.filename().empty())  // "dir/"
        root = root.parent_path();
    const std::string prefix = root.filename().string() + "/";
    std::vector<Clip> clips;
    for (const Clip& c : extra.clips) {
        Clip joined = c;
        joined.labels.clear();
        for (int label : c.labels) {  // a class no clip carries may be unknown
            const int mapped = classOf.at(static_cast<std::size_t>(label));
            if (mapped < 0)
                throw Error(ErrorCode::Dataset,
                            "class '" + extra.classes[static_cast<std::size_t>(label)] +
                                "' of the added training data is not a class of " +
                                into.root.string(),
                            extra.root.string());
            joined.labels.push_back(mapped);
        }
        std::sort(joined.labels.begin(), joined.labels.end());
        joined.path = std::filesystem::absolute(extra.clipPath(c)).generic_string();
        joined.split = kSplitTrain;
        joined.fold = 0;
        joined.group = c.group.empty() ? std::string() : prefix + c.group;
        clips.push_back(std::move(joined));
    }
    // Nothing changes in `into` until every clip mapped.
    for (Clip& c : clips) {
        added.push_back(into.clips.size());
        into.clips.push_back(std::move(c));
    }
    into.multi_label = into.multi_label || extra.multi_label;
    return added;
}

}  // namespace patchout
