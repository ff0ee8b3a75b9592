// metrics.jsonl, the training log a run writes line by line (docs/training.md), read back for the
// Train view, `patchout runs` and run comparisons. Apart from run_folder.cpp, which needs the
// training options, so the fuzz target fuzz_metrics_jsonl links this reader alone.
#include "patchout/run_folder.h"

#include "patchout/error.h"
#include "patchout/files.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <sstream>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace patchout {
namespace {

double number(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : std::numeric_limits<double>::quiet_NaN();
}

// A field of the wrong type reads as absent (a number as a type, a string as an epoch): the log
// is still shown, as it is with fields a later version adds (found by fuzz_metrics_jsonl).
std::string stringField(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

template <typename Int>
Int integerField(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<Int>() : Int{};
}

}  // namespace

const TrainingCurves::Epoch* TrainingCurves::bestEpoch() const {
    const Epoch* best = nullptr;
    for (const Epoch& e : epochs)
        if (std::isfinite(e.validation_accuracy) && (best == nullptr || e.validation_accuracy > best->validation_accuracy))
            best = &e;
    return best;
}

TrainingCurves parseTrainingCurves(const std::string& text, const std::string& source) {
    TrainingCurves curves;
    std::istringstream in(text);
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        json j;
        try {
            j = json::parse(line);
        } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999
            if (in.peek() == std::char_traits<char>::eof())
                break;  // a torn last line: the writer was stopped (or is writing it now)
            throw Error(ErrorCode::BadFormat, std::string("not a JSON line: ") + e.what(),
                        source + ":" + std::to_string(lineNo));
        }
        if (!j.is_object())
            throw Error(ErrorCode::BadFormat, "not a JSON object", source + ":" + std::to_string(lineNo));
        const std::string type = stringField(j, "type");
        if (type == "step") {
            curves.steps.push_back({.epoch = integerField<int>(j, "epoch"),
                                    .step = integerField<std::int64_t>(j, "step"),
                                    .loss = number(j, "loss"),
                                    .lr = number(j, "lr"),
                                    .examples_per_s = number(j, "examples_per_s")});
        } else if (type == "epoch") {
            TrainingCurves::Epoch e{.epoch = integerField<int>(j, "epoch"),
                                    .step = integerField<std::int64_t>(j, "step"),
                                    .train_loss = number(j, "train_loss"),
                                    .lr = number(j, "lr"),
                                    .seconds = number(j, "seconds")};
            const auto validation = j.find("validation");
            const json none = json::object();
            const json& v = validation != j.end() && validation->is_object() ? *validation : none;
            e.validation_loss = number(v, "loss");
            e.validation_accuracy = number(v, "accuracy");
            curves.epochs.push_back(e);
        }  // other types (notes of later versions) are skipped
    }
    return curves;
}

TrainingCurves readTrainingCurves(const fs::path& metrics_jsonl) {
    return parseTrainingCurves(readTextFile(metrics_jsonl), metrics_jsonl.string());
}

}  // namespace patchout
