// Splits of a Dataset into train / validation / test index lists.
#include "data/portable_random.h"
#include "patchout/dataset.h"
#include "patchout/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
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

namespace {

// The class a clip counts for when strata are kept: its first (lowest) label; -1 for none.
int stratum(const Clip& c) { return c.labels.empty() ? -1 : c.labels.front(); }

}  // namespace

DatasetSplit carveValidation(const Dataset& dataset, const DatasetSplit& split,
                             const ValidationCarveOptions& options) {
    if (!(options.fraction >= 0 && options.fraction < 1))
        throw Error(ErrorCode::InvalidArgument, "validation_fraction must be in [0, 1)");
    DatasetSplit out = split;
    if (!split.validation.empty() || options.fraction == 0 || split.train.empty())
        return out;
    // Validation mirrors how the test clips relate to training: units dealt whole are the clips'
    // groups when every training clip has one, there are at least two, and no test clip shares a
    // group with training (held-out speakers); when the test split hears the training groups
    // (FSDD's standard split: other takes of the same speakers), single clips.
    const bool grouped = std::all_of(split.train.begin(), split.train.end(), [&](std::size_t i) {
        return !dataset.clips[i].group.empty();
    });
    std::map<std::string, std::vector<std::size_t>> byGroup;
    for (std::size_t i : split.train)
        byGroup[grouped ? dataset.clips[i].group : std::to_string(i)].push_back(i);
    const bool testSharesGroups = grouped && std::any_of(split.test.begin(), split.test.end(), [&](std::size_t i) {
        return byGroup.count(dataset.clips[i].group) > 0;
    });
    const bool wholeGroups = grouped && byGroup.size() >= 2 && !testSharesGroups;
    std::vector<std::vector<std::size_t>> units;
    if (wholeGroups) {
        for (auto& [name, clips] : byGroup)
            units.push_back(std::move(clips));
    } else {
        for (std::size_t i : split.train)
            units.push_back({i});
    }
    std::mt19937_64 rng(data::mixSeed(options.seed, 0x7a1d));
    data::portableShuffle(units, rng);

    // Per class: how many training clips, how many validation ones it should give (at least one
    // while one stays for training), how many it gave.
    std::map<int, std::size_t> total, need, taken;
    for (std::size_t i : split.train)
        ++total[stratum(dataset.clips[i])];
    for (const auto& [c, n] : total)
        need[c] = n < 2 ? 0
                        : std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(options.fraction * n)), 1, n - 1);
    std::vector<bool> toValidation(dataset.clips.size(), false);
    for (const auto& unit : units) {
        std::map<int, std::size_t> count;
        for (std::size_t i : unit)
            ++count[stratum(dataset.clips[i])];
        // Taken when it fills more of what is missing than it overshoots, and never a class's last
        // training clips.
        std::size_t fills = 0, overshoots = 0;
        bool emptiesAClass = false;
        for (const auto& [c, n] : count) {
            const std::size_t missing = need[c] - std::min(need[c], taken[c]);
            fills += std::min(n, missing);
            overshoots += n - std::min(n, missing);
            emptiesAClass = emptiesAClass || taken[c] + n >= total[c];
        }
        if (fills == 0 || overshoots >= fills || emptiesAClass)
            continue;
        for (const auto& [c, n] : count)
            taken[c] += n;
        for (std::size_t i : unit)
            toValidation[i] = true;
    }
    // A class without validation clips would be chosen for blind: no validation at all then.
    std::vector<std::string> tooSmall;
    for (const auto& [c, n] : total)
        if (taken[c] == 0)
            tooSmall.push_back(c >= 0 ? dataset.classes.at(static_cast<std::size_t>(c)) : "(no label)");
    if (!tooSmall.empty()) {
        std::string names;
        for (const auto& n : tooSmall)
            names += (names.empty() ? "'" : ", '") + n + "'";
        out.validation_note = "no validation split: class" + std::string(tooSmall.size() > 1 ? "es " : " ") +
                              names + " cannot spare validation clips" +
                              (wholeGroups ? " with its groups kept whole" : "") +
                              "; the best checkpoint is the last epoch's";
        return out;
    }
    out.train.clear();
    for (std::size_t i : split.train)
        (toValidation[i] ? out.validation : out.train).push_back(i);
    char share[32];
    std::snprintf(share, sizeof share, "%.0f%%", 100.0 * options.fraction);
    out.validation_note = "validation carved from train: " + std::string(share) +
                          " asked, stratified by class" +
                          (wholeGroups ? ", " + std::to_string(byGroup.size()) + " groups kept whole" : "") +
                          ", seed " + std::to_string(options.seed);
    return out;
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
