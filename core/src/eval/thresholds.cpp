#include "patchout/thresholds.h"

#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/run_folder.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace patchout {
namespace fs = std::filesystem;

double DecisionThresholds::of(const std::string& label) const {
    const auto it = per_class.find(label);
    return it == per_class.end() ? global : it->second;
}

std::vector<double> DecisionThresholds::forLabels(const std::vector<std::string>& labels) const {
    std::vector<double> out;
    out.reserve(labels.size());
    for (const std::string& l : labels)
        out.push_back(of(l));
    return out;
}

namespace {

bool valid(double v) { return v >= 0 && v <= 1; }

void finish(OperatingPoint& p) {
    p.precision = p.tp + p.fp > 0 ? static_cast<double>(p.tp) / static_cast<double>(p.tp + p.fp) : 0.0;
    p.recall = p.tp + p.fn > 0 ? static_cast<double>(p.tp) / static_cast<double>(p.tp + p.fn) : 0.0;
    p.f1 = 2 * p.tp + p.fp + p.fn > 0 ? 2.0 * static_cast<double>(p.tp) / static_cast<double>(2 * p.tp + p.fp + p.fn)
                                      : 0.0;
}

void count(const Predictions& p, int cls, double threshold, OperatingPoint& into) {
    for (std::size_t i = 0; i < p.size(); ++i) {
        const bool present = p.hasLabel(i, cls);
        const bool said = p.scores.at(i, static_cast<std::size_t>(cls)) >= threshold;
        into.tp += present && said;
        into.fp += !present && said;
        into.fn += present && !said;
    }
}

}  // namespace

DecisionThresholds readDecisionThresholds(const fs::path& file) {
    if (!fs::is_regular_file(file))
        throw Error(ErrorCode::FileNotFound, "no thresholds file", file.string());
    const nlohmann::json j = nlohmann::json::parse(readTextFile(file), nullptr, /*allow_exceptions=*/false);
    auto bad = [&](const std::string& why) { return Error(ErrorCode::BadFormat, "thresholds: " + why, file.string()); };
    if (!j.is_object())
        throw bad("not a JSON object");
    DecisionThresholds t;
    if (j.contains("global")) {
        if (!j["global"].is_number() || !valid(j["global"].get<double>()))
            throw bad("\"global\" must be a number in [0, 1]");
        t.global = j["global"].get<double>();
    }
    if (j.contains("per_class")) {
        if (!j["per_class"].is_object())
            throw bad("\"per_class\" must map class names to numbers");
        for (const auto& [name, v] : j["per_class"].items()) {
            if (!v.is_number() || !valid(v.get<double>()))
                throw bad("the threshold of '" + name + "' must be a number in [0, 1]");
            t.per_class[name] = v.get<double>();
        }
    }
    return t;
}

void writeDecisionThresholds(const fs::path& file, const DecisionThresholds& t) {
    if (!valid(t.global))
        throw Error(ErrorCode::InvalidArgument, "a threshold must be in [0, 1]", file.string());
    nlohmann::ordered_json j;
    j["global"] = t.global;
    j["per_class"] = nlohmann::ordered_json::object();
    for (const auto& [name, v] : t.per_class) {
        if (!valid(v))
            throw Error(ErrorCode::InvalidArgument, "the threshold of '" + name + "' must be in [0, 1]", file.string());
        j["per_class"][name] = v;
    }
    writeTextAtomically(file, j.dump(1) + "\n");
}

DecisionThresholds thresholdsForModel(const fs::path& checkpoint) {
    const RunPaths run = RunPaths::ofCheckpoint(checkpoint);
    if (run.empty() || !fs::is_regular_file(run.thresholds()))
        return {};
    return readDecisionThresholds(run.thresholds());
}

OperatingPoint operatingPoint(const Predictions& p, int cls, double threshold) {
    if (cls < 0 || cls >= static_cast<int>(p.classes.size()))
        throw Error(ErrorCode::InvalidArgument, "class " + std::to_string(cls) + " is outside " +
                                                    std::to_string(p.classes.size()) + " classes");
    OperatingPoint o;
    o.threshold = threshold;
    count(p, cls, threshold, o);
    finish(o);
    return o;
}

OperatingPoint microOperatingPoint(const Predictions& p, const std::vector<double>& thresholds) {
    p.checkThresholds(thresholds);
    OperatingPoint o;
    o.threshold = thresholds.empty() ? 0.5 : thresholds.front();
    for (int c = 0; c < static_cast<int>(thresholds.size()); ++c)
        count(p, c, thresholds[static_cast<std::size_t>(c)], o);
    finish(o);
    return o;
}

}  // namespace patchout
