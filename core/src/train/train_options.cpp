// TrainOptions: checks, the JSON form (config files, config.json) and what a resumed run takes
// from its config.json, all generated from the field table visitTrainOptions (trainer.h).
#include "patchout/error.h"
#include "patchout/system_info.h"
#include "patchout/trainer.h"

#include <nlohmann/json.hpp>

#include <set>

namespace fs = std::filesystem;

namespace patchout {
namespace {

using json = nlohmann::ordered_json;

[[noreturn]] void bad(const std::string& message) {
    throw Error(ErrorCode::InvalidArgument, message, "TrainOptions");
}

// ---- options as JSON -------------------------------------------------------------------------

// A field's value as JSON and back (paths as strings).
template <class T>
json fieldJson(const T& value) {
    if constexpr (std::is_same_v<T, fs::path>)
        return value.string();
    else if constexpr (std::is_same_v<T, std::vector<fs::path>>)
        return std::vector<std::string>(value.begin(), value.end());
    else
        return value;
}

template <class T>
void readField(const json& j, T& value) {
    if constexpr (std::is_same_v<T, fs::path>)
        value = j.get<std::string>();
    else if constexpr (std::is_same_v<T, std::vector<fs::path>>) {
        const auto paths = j.get<std::vector<std::string>>();
        value.assign(paths.begin(), paths.end());
    } else
        value = j.get<T>();
}

std::string fieldName(const char* group, const char* name) {
    return *group != '\0' ? std::string(group) + "." + name : std::string(name);
}

json optionsJson(const TrainOptions& o) {
    json j = json::object();
    visitTrainOptions(o, [&](const char* group, const char* name, const auto& value, const char*, ResumeRule) {
        (*group != '\0' ? j[group][name] : j[name]) = fieldJson(value);
    });
    return j;
}

}  // namespace

void AugmentOptions::validate() const {
    if (!(mixup_alpha >= 0))
        bad("augment.mixup_alpha must be >= 0");
    if (!(mixup_prob >= 0 && mixup_prob <= 1))
        bad("augment.mixup_prob must be in [0, 1]");
    if (roll_frames < 0)
        bad("augment.roll_frames must be >= 0");
    if (!(gain_db >= 0))
        bad("augment.gain_db must be >= 0");
    if (time_masks < 0 || time_mask_frames < 0)
        bad("augment.time_masks and time_mask_frames must be >= 0");
    if (freq_masks < 0 || freq_mask_bins < 0)
        bad("augment.freq_masks and freq_mask_bins must be >= 0");
    if (freq_shift_bins < 0)
        bad("augment.freq_shift_bins must be >= 0");
    if (!(waveform_mixup_alpha >= 0))
        bad("augment.waveform_mixup_alpha must be >= 0");
    if (!(waveform_mixup_prob >= 0 && waveform_mixup_prob <= 1))
        bad("augment.waveform_mixup_prob must be in [0, 1]");
}

std::string resolvePrecision(const std::string& precision) {
    if (precision == "fp32" || precision == "bf16")
        return precision;
    if (precision == "auto")
        return detectCpuFeatures().avx512_bf16 ? "bf16" : "fp32";
    throw Error(ErrorCode::InvalidArgument, "precision must be fp32, bf16 or auto, not '" + precision + "'");
}

void TrainOptions::validate() const {
    if (epochs < 1)
        bad("epochs must be >= 1");
    if (!sharing.empty()) {
        try {
            parameterSharingFromName(sharing);
        } catch (const Error&) {
            bad("sharing must be none, all, attention or mlp (or empty: the model's), not '" + sharing + "'");
        }
        if (sharing != "none" && sharing_group < 2)
            bad("sharing_group must be >= 2");
    }
    if (!positional_encoding.empty()) {
        try {
            positionalEncodingFromName(positional_encoding);
        } catch (const Error&) {
            bad("positional_encoding must be learned, sinusoidal or none (or empty: the preset's), not '" +
                positional_encoding + "'");
        }
    }
    if (depth < 0)
        bad("depth must not be negative");
    if (precision != "fp32" && precision != "bf16" && precision != "auto")
        bad("precision must be fp32, bf16 or auto, not '" + precision + "'");
    if (device != "cpu" && device != "cuda" && device != "auto")
        bad("device must be cpu, cuda or auto, not '" + device + "'");
    if (batch_size < 1)
        bad("batch_size must be >= 1");
    if (accumulate_steps < 1)
        bad("accumulate_steps must be >= 1");
    if (!(lr > 0))
        bad("lr must be > 0");
    if (!(weight_decay >= 0))
        bad("weight_decay must be >= 0");
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1))
        bad("beta1 and beta2 must be in [0, 1)");
    if (!(eps > 0))
        bad("eps must be > 0");
    if (warmup_steps < -1)
        bad("warmup_steps must be >= 0 (or -1 for one epoch)");
    if (schedule != "cosine" && schedule != "linear" && schedule != "constant")
        bad("schedule must be cosine, linear or constant (not '" + schedule + "')");
    if (!(min_lr >= 0 && min_lr <= lr))
        bad("min_lr must be in [0, lr]");
    if (!(clip_grad_norm >= 0))
        bad("clip_grad_norm must be >= 0");
    if (!(max_bad_clips >= 0 && max_bad_clips <= 1))
        bad("max_bad_clips must be in [0, 1]");
    if (loss != "auto" && loss != "ce" && loss != "bce")
        bad("loss must be auto, ce or bce (not '" + loss + "')");
    if (frames < 0)
        bad("frames must be >= 0");
    if (!(validation_fraction >= 0 && validation_fraction < 1))
        bad("validation_fraction must be in [0, 1)");
    if (freeze_blocks < 0)
        bad("freeze_blocks must be >= 0");
    if (num_heads < 0)
        bad("num_heads must be >= 0");
    if (!(drop_path_rate >= 0 && drop_path_rate < 1))
        bad("drop_path_rate must be in [0, 1)");
    if (patchout.s_patchout_t < 0 || patchout.s_patchout_f < 0 || patchout.u_patchout < 0)
        bad("patchout counts must be >= 0");
    if (log_every_steps < 0 || checkpoint_every_steps < 0 || max_steps < 0)
        bad("log_every_steps, checkpoint_every_steps and max_steps must be >= 0");
    if (eval_batch_size < 0)
        bad("eval_batch_size must be >= 0 (0: as eval chooses)");
    if (world_size < 1 || rank < 0 || rank >= world_size)
        bad("rank must be in 0..world_size-1");
    if (master_port < 1 || master_port > 65535)
        bad("master_port must be in 1..65535");
    if (timeout_s < 1)
        bad("timeout_s must be >= 1");
    augment.validate();
}

std::string trainOptionsToJson(const TrainOptions& options) { return optionsJson(options).dump(2); }

TrainOptions trainOptionsFromJson(const std::string& text, const TrainOptions& base) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw Error(ErrorCode::BadFormat, std::string("not valid JSON: ") + e.what(), "train config");
    }
    if (!j.is_object())
        throw Error(ErrorCode::BadFormat, "expected a JSON object", "train config");
    TrainOptions o = base;
    std::set<std::string> known;
    visitTrainOptions(o, [&](const char* group, const char* name, auto& value, const char*, ResumeRule) {
        known.insert(group);
        known.insert(fieldName(group, name));
        const json* parent = &j;
        if (*group != '\0') {
            if (!j.contains(group))
                return;
            parent = &j.at(group);
            if (!parent->is_object())
                throw Error(ErrorCode::BadFormat, std::string("field '") + group + "' must be an object",
                            "train config");
        }
        if (!parent->contains(name))
            return;
        try {
            readField(parent->at(name), value);
        } catch (const json::exception& e) {
            throw Error(ErrorCode::BadFormat,
                        "field '" + fieldName(group, name) + "' has the wrong type: " + e.what(),
                        "train config");
        }
    });
    for (const auto& [key, value] : j.items()) {
        if (!known.count(key) || key.empty())
            throw Error(ErrorCode::BadFormat, "unknown field '" + key + "'", "train config");
        if (value.is_object())
            for (const auto& item : value.items())
                if (!known.count(key + "." + item.key()))
                    throw Error(ErrorCode::BadFormat, "unknown field '" + key + "." + item.key() + "'",
                                "train config");
    }
    return o;
}

std::vector<std::string> resumeContradictions(const TrainOptions& saved, const TrainOptions& given) {
    const json a = optionsJson(saved), b = optionsJson(given);
    std::vector<std::string> found;
    visitTrainOptions(saved, [&](const char* group, const char* name, const auto&, const char*, ResumeRule rule) {
        if (rule != ResumeRule::Fixed)
            return;
        const json& x = *group != '\0' ? a.at(group).at(name) : a.at(name);
        const json& y = *group != '\0' ? b.at(group).at(name) : b.at(name);
        if (x != y)
            found.push_back(fieldName(group, name) + ": the run has " + x.dump() + ", this call " + y.dump());
    });
    return found;
}

TrainOptions resumeTrainOptions(const TrainOptions& saved, const TrainOptions& given,
                                const std::vector<std::string>& explicitly) {
    const std::set<std::string> named(explicitly.begin(), explicitly.end());
    TrainOptions o = saved;
    o.max_steps = TrainOptions{}.max_steps;  // PerCall fields start from their defaults
    o.rank = TrainOptions{}.rank;
    o.resume = true;
    std::vector<std::string> contradictions;
    visitTrainOptions(given, [&](const char* group, const char* name, const auto& value, const char*, ResumeRule rule) {
        const std::string full = fieldName(group, name);
        if (!named.count(full) && !named.count(name))
            return;
        if (rule == ResumeRule::Fixed) {
            const json x = [&] {
                const json s = optionsJson(saved);
                return *group != '\0' ? s.at(group).at(name) : s.at(name);
            }();
            if (x != fieldJson(value))
                contradictions.push_back(full + ": the run has " + x.dump() + ", this call asks for " +
                                         fieldJson(value).dump());
            return;
        }
        json patch = json::object();
        (*group != '\0' ? patch[group][name] : patch[name]) = fieldJson(value);
        o = trainOptionsFromJson(patch.dump(), o);
    });
    if (!contradictions.empty()) {
        std::string message = "the options contradict the run's config.json (resume takes them from there; "
                              "leave them out or start a new run): ";
        for (std::size_t i = 0; i < contradictions.size(); ++i)
            message += (i ? "; " : "") + contradictions[i];
        throw Error(ErrorCode::InvalidArgument, message);
    }
    o.resume = true;
    return o;
}

}  // namespace patchout
