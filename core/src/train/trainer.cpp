#include "patchout/trainer.h"

#include "model/passt_module.h"
#include "patchout/batch_loader.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/feature_cache.h"
#include "patchout/files.h"
#include "train/augment.h"
#include "train/distributed.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numbers>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace patchout {
namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr int kStateVersion = 1;

[[noreturn]] void bad(const std::string& message) {
    throw Error(ErrorCode::InvalidArgument, message, "TrainOptions");
}

// SplitMix64: derives independent seeds for (run seed, step, micro-batch) so that every random
// choice of a step can be replayed from the step number alone; resume needs no generator state.
std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b) {
    std::uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// ---- options as JSON -------------------------------------------------------------------------

class JsonReader {
public:
    JsonReader(const json& j, std::string where) : m_j(j), m_where(std::move(where)) {
        if (!m_j.is_object())
            throw Error(ErrorCode::BadFormat, "expected a JSON object", m_where);
    }
    template <class T>
    void field(const char* key, T& value) {
        m_known.insert(key);
        if (!m_j.contains(key))
            return;
        try {
            if constexpr (std::is_same_v<T, fs::path>)
                value = m_j.at(key).template get<std::string>();
            else if constexpr (std::is_same_v<T, std::vector<fs::path>>) {
                const auto paths = m_j.at(key).template get<std::vector<std::string>>();
                value.assign(paths.begin(), paths.end());
            }
            else
                value = m_j.at(key).template get<T>();
        } catch (const json::exception& e) {
            throw Error(ErrorCode::BadFormat,
                        std::string("field '") + key + "' has the wrong type: " + e.what(), m_where);
        }
    }
    const json* object(const char* key) {
        m_known.insert(key);
        return m_j.contains(key) ? &m_j.at(key) : nullptr;
    }
    void finish() const {
        for (const auto& [key, value] : m_j.items())
            if (!m_known.count(key))
                throw Error(ErrorCode::BadFormat, "unknown field '" + key + "'", m_where);
    }

private:
    const json& m_j;
    std::string m_where;
    std::set<std::string> m_known;
};

json augmentJson(const AugmentOptions& a) {
    return {{"mixup_alpha", a.mixup_alpha},       {"mixup_prob", a.mixup_prob},
            {"roll_frames", a.roll_frames},       {"gain_db", a.gain_db},
            {"time_masks", a.time_masks},         {"time_mask_frames", a.time_mask_frames},
            {"freq_masks", a.freq_masks},         {"freq_mask_bins", a.freq_mask_bins},
            {"freq_shift_bins", a.freq_shift_bins},
            {"waveform_mixup_alpha", a.waveform_mixup_alpha},
            {"waveform_mixup_prob", a.waveform_mixup_prob}};
}

std::vector<std::string> pathStrings(const std::vector<fs::path>& paths) {
    return {paths.begin(), paths.end()};
}

json optionsJson(const TrainOptions& o) {
    return {{"preset", o.preset},
            {"init_checkpoint", o.init_checkpoint.string()},
            {"num_heads", o.num_heads},
            {"freeze_blocks", o.freeze_blocks},
            {"override_patchout", o.override_patchout},
            {"patchout",
             {{"s_patchout_t", o.patchout.s_patchout_t},
              {"s_patchout_f", o.patchout.s_patchout_f},
              {"u_patchout", o.patchout.u_patchout}}},
            {"drop_path_rate", o.drop_path_rate},
            {"feature_preset", o.feature_preset},
            {"epochs", o.epochs},
            {"batch_size", o.batch_size},
            {"accumulate_steps", o.accumulate_steps},
            {"lr", o.lr},
            {"weight_decay", o.weight_decay},
            {"beta1", o.beta1},
            {"beta2", o.beta2},
            {"eps", o.eps},
            {"warmup_steps", o.warmup_steps},
            {"schedule", o.schedule},
            {"min_lr", o.min_lr},
            {"clip_grad_norm", o.clip_grad_norm},
            {"loss", o.loss},
            {"balanced", o.balanced},
            {"frames", o.frames},
            {"extra_train", pathStrings(o.extra_train)},
            {"augment", augmentJson(o.augment)},
            {"seed", o.seed},
            {"cache_dir", o.cache_dir.string()},
            {"log_every_steps", o.log_every_steps},
            {"checkpoint_every_steps", o.checkpoint_every_steps},
            {"resume", o.resume},
            {"max_steps", o.max_steps},
            {"eval_batch_size", o.eval_batch_size},
            {"world_size", o.world_size},
            {"rank", o.rank},
            {"master_addr", o.master_addr},
            {"master_port", o.master_port},
            {"timeout_s", o.timeout_s}};
}

// ---- model -----------------------------------------------------------------------------------

bool isHeadParameter(const std::string& name) {
    return name.rfind("head.1.", 0) == 0 || name.rfind("head_dist.", 0) == 0;
}

PaSSTModel buildModel(const TrainOptions& o, const Dataset& dataset) {
    const int classes = static_cast<int>(dataset.classes.size());
    if (o.init_checkpoint.empty()) {
        PaSSTOptions po = passtPreset(o.preset);
        po.num_classes = classes;
        po.drop_path_rate = o.drop_path_rate;
        if (o.override_patchout)
            po.patchout = o.patchout;
        return PaSSTModel(po, o.seed);
    }
    const CheckpointInfo info = inspectCheckpoint(o.init_checkpoint);
    if (info.format == CheckpointFormat::TorchZip) {
        ImportOptions io;
        io.num_heads = o.num_heads;
        io.num_classes = classes;
        io.seed = o.seed;
        if (o.override_patchout)
            io.patchout = o.patchout;
        PaSSTModel model = std::move(importCheckpoint(o.init_checkpoint, io).model);
        if (model.options().num_classes != classes)
            throw Error(ErrorCode::Model, "the imported model has the wrong number of classes",
                        o.init_checkpoint.string());
        return model;
    }
    ModelCheckpoint ck = loadModel(o.init_checkpoint);
    PaSSTOptions po = ck.model.options();
    if (o.override_patchout)
        po.patchout = o.patchout;
    if (po.num_classes == classes && ck.labels == dataset.classes) {
        ck.model.setPatchout(po.patchout);
        return std::move(ck.model);
    }
    // Another task: the body is kept, the classifier starts fresh for the dataset's classes.
    po.num_classes = classes;
    PaSSTModel model(po, o.seed);
    torch::NoGradGuard noGrad;
    const auto source = ck.model.module()->named_parameters();
    for (auto& item : model.module()->named_parameters()) {
        if (isHeadParameter(item.key()))
            continue;
        const torch::Tensor* from = source.find(item.key());
        if (from == nullptr || !from->sizes().equals(item.value().sizes()))
            throw Error(ErrorCode::Model, "checkpoint lacks " + item.key() + " with the model's shape",
                        o.init_checkpoint.string());
        item.value().copy_(*from);
    }
    return model;
}

// Freezing keeps the input side (patch embedding, positions, tokens) and the first k blocks.
void freezeBlocks(PaSSTImpl& m, int k) {
    if (k <= 0)
        return;
    if (k > static_cast<int>(m.block_list.size()))
        bad("freeze_blocks is larger than the model's depth " + std::to_string(m.block_list.size()));
    for (auto& p : m.patch_embed->parameters())
        p.set_requires_grad(false);
    for (auto* t : {&m.cls_token, &m.dist_token, &m.new_pos_embed, &m.freq_new_pos_embed,
                    &m.time_new_pos_embed})
        if (t->defined())
            t->set_requires_grad(false);
    for (int i = 0; i < k; ++i)
        for (auto& p : m.block_list[static_cast<std::size_t>(i)]->parameters())
            p.set_requires_grad(false);
}

bool decays(const std::string& name, const torch::Tensor& p) {
    if (p.dim() < 2)
        return false;  // biases and LayerNorm gains
    return name.find("pos_embed") == std::string::npos && name.find("_token") == std::string::npos;
}

std::unique_ptr<torch::optim::AdamW> makeOptimizer(PaSSTImpl& m, const TrainOptions& o,
                                                    std::vector<torch::Tensor>& trainable) {
    std::vector<torch::Tensor> withDecay, without;
    for (auto& item : m.named_parameters()) {
        if (!item.value().requires_grad())
            continue;
        trainable.push_back(item.value());
        (decays(item.key(), item.value()) ? withDecay : without).push_back(item.value());
    }
    auto options = [&](double wd) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).eps(o.eps).weight_decay(wd));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(withDecay, options(o.weight_decay));
    groups.emplace_back(without, options(0.0));
    return std::make_unique<torch::optim::AdamW>(std::move(groups),
                                                 torch::optim::AdamWOptions(o.lr));
}

// ---- losses ----------------------------------------------------------------------------------

torch::Tensor lossOf(const torch::Tensor& logits, const torch::Tensor& targets, bool bce) {
    if (bce)
        return torch::binary_cross_entropy_with_logits(logits, targets);
    // Soft targets (mixup) make this the general cross-entropy; rows sum to one.
    const torch::Tensor t = targets / targets.sum(1, true).clamp_min(1e-12);
    return -(t * torch::log_softmax(logits, 1)).sum(1).mean();
}

torch::Tensor batchTensor(std::vector<float>& data, std::int64_t b, std::int64_t d1,
                          std::int64_t d2 = -1) {
    std::vector<std::int64_t> shape{b, d1};
    if (d2 >= 0)
        shape.push_back(d2);
    return torch::from_blob(data.data(), shape, torch::kFloat32).clone();
}

// ---- run folder --------------------------------------------------------------------------------

struct SavedState {
    int epoch = 0;
    std::int64_t batch = 0;
    std::int64_t step = 0;
    int best_epoch = 0;
    double best_accuracy = -1;
    double best_loss = 0;
};

fs::path statePath(const fs::path& run) { return run / "checkpoints" / "state.pt"; }

void saveState(const fs::path& run, PaSSTImpl& model, torch::optim::AdamW& optimizer,
               const SavedState& s, const TrainOptions& o) {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive weights;
    model.save(weights);
    archive.write("model", weights);
    torch::serialize::OutputArchive moments;
    optimizer.save(moments);
    archive.write("optimizer", moments);
    archive.write("counters", torch::tensor({std::int64_t{kStateVersion}, std::int64_t{s.epoch},
                                             s.batch, s.step, std::int64_t{s.best_epoch},
                                             static_cast<std::int64_t>(o.seed)},
                                            torch::kLong));
    archive.write("best", torch::tensor({s.best_accuracy, s.best_loss}, torch::kDouble));
    writePathAtomically(statePath(run), [&](const fs::path& tmp) { archive.save_to(tmp.string()); });
}

SavedState readCounters(torch::serialize::InputArchive& archive, const fs::path& file) {
    torch::Tensor counters, best;
    archive.read("counters", counters);
    archive.read("best", best);
    if (counters.numel() != 6 || best.numel() != 2 || counters[0].item<std::int64_t>() != kStateVersion)
        throw Error(ErrorCode::BadFormat, "not a training state of this version", file.string());
    SavedState s;
    s.epoch = static_cast<int>(counters[1].item<std::int64_t>());
    s.batch = counters[2].item<std::int64_t>();
    s.step = counters[3].item<std::int64_t>();
    s.best_epoch = static_cast<int>(counters[4].item<std::int64_t>());
    s.best_accuracy = best[0].item<double>();
    s.best_loss = best[1].item<double>();
    return s;
}

SavedState loadState(const fs::path& run, PaSSTImpl& model, torch::optim::AdamW& optimizer) {
    const fs::path file = statePath(run);
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string());
        SavedState s = readCounters(archive, file);
        torch::serialize::InputArchive weights;
        archive.read("model", weights);
        model.load(weights);
        torch::serialize::InputArchive moments;
        archive.read("optimizer", moments);
        optimizer.load(moments);
        return s;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(ErrorCode::BadFormat,
                    std::string("cannot resume from the training state: ") + e.what(),
                    file.string());
    }
}

// Keeps the metrics lines up to the resumed step (a killed run may have logged further, and may
// have been killed in the middle of a line).
void pruneMetrics(const fs::path& file, std::int64_t upToStep) {
    std::ifstream in(file);
    if (!in)
        return;
    std::string kept, line;
    while (std::getline(in, line)) {
        try {
            const json j = json::parse(line);
            if (j.contains("step") && j["step"].get<std::int64_t>() <= upToStep)
                kept += line + "\n";
        } catch (const json::exception&) {
            // a torn last line from a killed process: dropped
        }
    }
    in.close();
    writeTextAtomically(file, kept);
}

// A process killed while writing leaves the temporary file of writeFileAtomically behind (the
// real file is intact): the resumed run clears them away.
void removeStaleTemporaries(const fs::path& run) {
    for (const fs::path& dir : {run, run / "checkpoints"}) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec))
            if (entry.path().filename().string().rfind(".tmp-", 0) == 0)
                fs::remove(entry.path(), ec);
    }
}

class MetricsLog {
public:
    explicit MetricsLog(fs::path file, bool enabled) : m_file(std::move(file)), m_enabled(enabled) {}
    void write(const json& j) {
        if (!m_enabled)
            return;
        std::ofstream out(m_file, std::ios::app);
        out << j.dump() << "\n";
        out.flush();
        if (!out)
            throw Error(ErrorCode::Io, "cannot append to the metrics log", m_file.string());
    }

private:
    fs::path m_file;
    bool m_enabled;
};

json scoreJson(const ClassificationScore& s) {
    return {{"examples", s.examples}, {"loss", s.loss}, {"accuracy", s.accuracy}};
}

// "task" tells inference how the model was trained: softmax scores for cross-entropy, sigmoid
// for binary cross-entropy (classifier.h, activationFromMetadata).
std::map<std::string, std::string> checkpointMetadata(int epoch, std::int64_t step,
                                                      const ClassificationScore& v, bool bce) {
    std::ostringstream acc, loss;
    acc << v.accuracy;
    loss << v.loss;
    return {{"epoch", std::to_string(epoch)},
            {"step", std::to_string(step)},
            {"validation_accuracy", acc.str()},
            {"validation_loss", loss.str()},
            {"trainer", "patchout train"},
            {"task", bce ? "multi-label" : "single-label"}};
}

// FNV-1a 64 over the float32 bytes of every parameter in state_dict order.
std::uint64_t weightsDigest(PaSSTImpl& net) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const auto& p : net.parameters()) {
        const torch::Tensor t = p.detach().contiguous();
        const auto* bytes = static_cast<const unsigned char*>(t.data_ptr());
        for (std::size_t i = 0; i < static_cast<std::size_t>(t.numel()) * sizeof(float); ++i)
            h = (h ^ bytes[i]) * 0x100000001b3ULL;
    }
    return h;
}

}  // namespace

// ---- public ------------------------------------------------------------------------------------

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

void TrainOptions::validate() const {
    if (epochs < 1)
        bad("epochs must be >= 1");
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
    if (loss != "auto" && loss != "ce" && loss != "bce")
        bad("loss must be auto, ce or bce (not '" + loss + "')");
    if (frames < 0)
        bad("frames must be >= 0");
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
    if (eval_batch_size < 1)
        bad("eval_batch_size must be >= 1");
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
    TrainOptions o = base;
    JsonReader r(j, "train config");
    r.field("preset", o.preset);
    r.field("init_checkpoint", o.init_checkpoint);
    r.field("num_heads", o.num_heads);
    r.field("freeze_blocks", o.freeze_blocks);
    r.field("override_patchout", o.override_patchout);
    if (const json* p = r.object("patchout")) {
        JsonReader pr(*p, "train config: patchout");
        pr.field("s_patchout_t", o.patchout.s_patchout_t);
        pr.field("s_patchout_f", o.patchout.s_patchout_f);
        pr.field("u_patchout", o.patchout.u_patchout);
        pr.finish();
    }
    r.field("drop_path_rate", o.drop_path_rate);
    r.field("feature_preset", o.feature_preset);
    r.field("epochs", o.epochs);
    r.field("batch_size", o.batch_size);
    r.field("accumulate_steps", o.accumulate_steps);
    r.field("lr", o.lr);
    r.field("weight_decay", o.weight_decay);
    r.field("beta1", o.beta1);
    r.field("beta2", o.beta2);
    r.field("eps", o.eps);
    r.field("warmup_steps", o.warmup_steps);
    r.field("schedule", o.schedule);
    r.field("min_lr", o.min_lr);
    r.field("clip_grad_norm", o.clip_grad_norm);
    r.field("loss", o.loss);
    r.field("balanced", o.balanced);
    r.field("frames", o.frames);
    r.field("extra_train", o.extra_train);
    if (const json* a = r.object("augment")) {
        JsonReader ar(*a, "train config: augment");
        ar.field("mixup_alpha", o.augment.mixup_alpha);
        ar.field("mixup_prob", o.augment.mixup_prob);
        ar.field("roll_frames", o.augment.roll_frames);
        ar.field("gain_db", o.augment.gain_db);
        ar.field("time_masks", o.augment.time_masks);
        ar.field("time_mask_frames", o.augment.time_mask_frames);
        ar.field("freq_masks", o.augment.freq_masks);
        ar.field("freq_mask_bins", o.augment.freq_mask_bins);
        ar.field("freq_shift_bins", o.augment.freq_shift_bins);
        ar.field("waveform_mixup_alpha", o.augment.waveform_mixup_alpha);
        ar.field("waveform_mixup_prob", o.augment.waveform_mixup_prob);
        ar.finish();
    }
    r.field("seed", o.seed);
    r.field("cache_dir", o.cache_dir);
    r.field("log_every_steps", o.log_every_steps);
    r.field("checkpoint_every_steps", o.checkpoint_every_steps);
    r.field("resume", o.resume);
    r.field("max_steps", o.max_steps);
    r.field("eval_batch_size", o.eval_batch_size);
    r.field("world_size", o.world_size);
    r.field("rank", o.rank);
    r.field("master_addr", o.master_addr);
    r.field("master_port", o.master_port);
    r.field("timeout_s", o.timeout_s);
    r.finish();
    return o;
}

DatasetSplit trainSplit(const Dataset& dataset, const std::string& kind, std::uint64_t seed) {
    if (kind == "auto")
        return defaultTrainSplit(dataset, seed);
    if (kind == "own")
        return splitByDataset(dataset);
    if (kind == "group")
        return splitByGroup(dataset, {.test_fraction = 0.2, .validation_fraction = 0.1, .seed = seed});
    bad("split must be auto, own or group (not '" + kind + "')");
}

DatasetSplit defaultTrainSplit(const Dataset& dataset, std::uint64_t seed) {
    const bool own = std::all_of(dataset.clips.begin(), dataset.clips.end(),
                                 [](const Clip& c) { return !c.split.empty() || c.fold > 0; });
    if (own && !dataset.clips.empty())
        return splitByDataset(dataset);
    const bool grouped = std::all_of(dataset.clips.begin(), dataset.clips.end(),
                                     [](const Clip& c) { return !c.group.empty(); });
    if (grouped && dataset.groups().size() >= 3)
        return trainSplit(dataset, "group", seed);
    throw Error(ErrorCode::Dataset,
                "the dataset has no split of its own and no speakers/groups to split by; give "
                "clips a split column or a group",
                dataset.root.string());
}

double learningRateAt(const TrainOptions& o, std::int64_t step, std::int64_t total,
                      std::int64_t warmup) {
    if (warmup > 0 && step < warmup)
        return o.lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
    if (o.schedule == "constant")
        return o.lr;
    const std::int64_t span = std::max<std::int64_t>(1, total - warmup);
    const double progress =
        std::clamp(static_cast<double>(step - std::max<std::int64_t>(warmup, 0)) / span, 0.0, 1.0);
    const double factor = o.schedule == "linear" ? 1.0 - progress
                                                 : 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
    return o.min_lr + (o.lr - o.min_lr) * factor;
}

ClassificationScore scoreModel(const PaSSTModel& model, const Dataset& dataset,
                               const std::vector<std::size_t>& indices, FeatureCache& cache,
                               int frames, int batch_size, const JobControl* job) {
    ClassificationScore score;
    if (indices.empty())
        return score;
    if (cache.options().numBins() != model.options().n_mels)
        throw Error(ErrorCode::Model,
                    "the features have " + std::to_string(cache.options().numBins()) +
                        " bins, the model takes " + std::to_string(model.options().n_mels),
                    cache.dir().string());
    if (static_cast<int>(dataset.classes.size()) != model.options().num_classes)
        throw Error(ErrorCode::Model,
                    "the model has " + std::to_string(model.options().num_classes) +
                        " classes, the dataset " + std::to_string(dataset.classes.size()),
                    dataset.root.string());
    BatchLoaderOptions lo;
    lo.batch_size = batch_size;
    lo.frames = frames > 0 ? frames : model.options().input_frames;
    lo.shuffle = false;
    lo.random_crop = false;
    BatchLoader loader(dataset, indices, cache, lo);
    // The module is shared with the caller's model; eval mode only for the duration.
    auto& module = const_cast<PaSSTModel&>(model).module();
    const bool wasTraining = module->is_training();
    module->eval();
    torch::NoGradGuard noGrad;
    double lossSum = 0;
    std::size_t correct = 0;
    loader.startEpoch(0);
    while (auto b = loader.next()) {
        if (job)
            job->throwIfCancelled();
        const torch::Tensor x = batchTensor(b->features, b->size, b->n_bins, b->frames).unsqueeze(1);
        const torch::Tensor y = batchTensor(b->targets, b->size, b->n_classes);
        const torch::Tensor logits = module->forward(x).first;
        lossSum += lossOf(logits, y, dataset.multi_label).item<double>() * b->size;
        const torch::Tensor top = logits.argmax(1);
        for (int i = 0; i < b->size; ++i)
            correct += y[i][top[i].item<std::int64_t>()].item<float>() > 0.5f;
        score.examples += static_cast<std::size_t>(b->size);
    }
    if (wasTraining)
        module->train();
    score.loss = lossSum / static_cast<double>(score.examples);
    score.accuracy = static_cast<double>(correct) / static_cast<double>(score.examples);
    return score;
}

RunState readRunState(const fs::path& run) {
    const fs::path file = statePath(run);
    if (!fs::exists(file))
        return {};
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string());
        const SavedState s = readCounters(archive, file);
        return {s.epoch, s.batch, s.step};
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(ErrorCode::BadFormat, std::string("unreadable training state: ") + e.what(),
                    file.string());
    }
}

TrainResult train(const Dataset& given, const DatasetSplit& givenSplit, const TrainOptions& o,
                  const fs::path& run, const JobControl* job) {
    o.validate();
    const auto t0 = Clock::now();
    // options.extra_train: their clips join the training split (a copy; the caller's stay).
    Dataset joined;
    DatasetSplit joinedSplit;
    if (!o.extra_train.empty()) {
        joined = given;
        joinedSplit = givenSplit;
        for (const fs::path& extra : o.extra_train) {
            const std::vector<std::size_t> added = appendTrainingClips(joined, readDataset(extra));
            joinedSplit.train.insert(joinedSplit.train.end(), added.begin(), added.end());
        }
    }
    const Dataset& dataset = o.extra_train.empty() ? given : joined;
    const DatasetSplit& split = o.extra_train.empty() ? givenSplit : joinedSplit;
    if (dataset.classes.empty())
        throw Error(ErrorCode::Dataset, "the dataset has no classes", dataset.root.string());
    if (split.train.empty())
        throw Error(ErrorCode::Dataset, "the split has no training clips", dataset.root.string());
    const bool isRoot = o.rank == 0;
    const bool bce = o.loss == "bce" || (o.loss == "auto" && dataset.multi_label);
    const std::vector<std::size_t>& validation = split.validation.empty() ? split.test : split.validation;

    std::unique_ptr<Communicator> comm;
    if (o.world_size > 1)
        comm = std::make_unique<Communicator>(CommunicatorOptions{
            o.world_size, o.rank, o.master_addr, o.master_port, o.timeout_s});

    const bool hasState = fs::exists(statePath(run));
    if (hasState && !o.resume)
        throw Error(ErrorCode::InvalidArgument,
                    "the run folder already holds a training state: resume it or choose another "
                    "folder",
                    run.string());

    // Patchout, dropout and stochastic depth draw from LibTorch's global generator: seeding it
    // per step (below) makes them replayable; this seeds the model initialisation.
    torch::manual_seed(o.seed);
    PaSSTModel model = buildModel(o, dataset);
    PaSSTImpl& net = *model.module();
    freezeBlocks(net, o.freeze_blocks);
    const FeatureOptions features = featurePreset(o.feature_preset);
    if (features.numBins() != model.options().n_mels)
        throw Error(ErrorCode::Model,
                    "feature preset " + o.feature_preset + " gives " +
                        std::to_string(features.numBins()) + " bins, the model takes " +
                        std::to_string(model.options().n_mels),
                    run.string());
    const int frames = o.frames > 0 ? o.frames : model.options().input_frames;
    std::vector<torch::Tensor> trainable;
    auto optimizer = makeOptimizer(net, o, trainable);

    SavedState state;
    if (hasState)
        state = loadState(run, net, *optimizer);
    if (comm) {
        // Every rank starts from rank 0's weights, whatever each one loaded or drew.
        std::vector<torch::Tensor> all;
        for (auto& p : net.parameters())
            all.push_back(p);
        comm->broadcastFromRoot(all);
    }

    fs::create_directories(run / "checkpoints");
    const fs::path cacheDir = o.cache_dir.empty() ? run / "cache" : o.cache_dir;
    FeatureCache cache(cacheDir, features);
    MetricsLog metrics(run / "metrics.jsonl", isRoot);
    if (isRoot) {
        if (hasState) {
            pruneMetrics(run / "metrics.jsonl", state.step);
            removeStaleTemporaries(run);
        }
        json config = {{"options", optionsJson(o)},
                       {"dataset", {{"root", fs::absolute(dataset.root).string()},
                                    {"format", datasetFormatName(dataset.format)},
                                    {"classes", dataset.classes},
                                    {"multi_label", dataset.multi_label}}},
                       {"split", {{"name", split.name},
                                  {"train", split.train.size()},
                                  {"validation", split.validation.size()},
                                  {"test", split.test.size()}}},
                       {"model", json::parse(passtOptionsToJson(model.options()))},
                       {"features", o.feature_preset},
                       {"frames", frames},
                       {"loss", bce ? "bce" : "ce"},
                       {"parameters", model.parameterCount()},
                       {"trainable_parameters",
                        std::accumulate(trainable.begin(), trainable.end(), std::int64_t{0},
                                        [](std::int64_t n, const torch::Tensor& t) { return n + t.numel(); })}};
        writeTextAtomically(run / "config.json", config.dump(2) + "\n");
    }

    BatchLoaderOptions lo;
    lo.batch_size = o.batch_size;
    lo.frames = frames;
    lo.shuffle = true;
    lo.random_crop = true;
    lo.balanced = o.balanced;
    lo.shard_index = o.rank;
    lo.shard_count = o.world_size;
    lo.seed = o.seed;
    lo.waveform_mixup_alpha = o.augment.waveform_mixup_alpha;
    lo.waveform_mixup_prob = o.augment.waveform_mixup_prob;
    BatchLoader loader(dataset, split.train, cache, lo);
    // Ranks must take the same number of steps: the shortest shard decides.
    const std::int64_t batchesPerEpoch =
        o.world_size > 1 ? static_cast<std::int64_t>(split.train.size() / o.world_size) / o.batch_size
                         : static_cast<std::int64_t>(loader.batchesPerEpoch());
    if (batchesPerEpoch < 1)
        throw Error(ErrorCode::Dataset,
                    "too few training clips for one batch of " + std::to_string(o.batch_size) +
                        " per process",
                    dataset.root.string());
    const std::int64_t stepsPerEpoch = (batchesPerEpoch + o.accumulate_steps - 1) / o.accumulate_steps;
    const std::int64_t totalSteps = stepsPerEpoch * o.epochs;
    const std::int64_t warmup = o.warmup_steps < 0 ? stepsPerEpoch : o.warmup_steps;

    TrainResult result;
    result.run_dir = run;
    result.last_checkpoint = run / "checkpoints" / "last.safetensors";
    result.best_checkpoint = run / "checkpoints" / "best.safetensors";
    result.best_epoch = state.best_epoch;
    result.best_validation_accuracy = std::max(0.0, state.best_accuracy);
    std::int64_t step = state.step;
    const std::int64_t firstStep = step;
    double logLoss = 0, epochLoss = 0;
    std::int64_t logExamples = 0, epochExamples = 0, examplesThisCall = 0;
    auto logT0 = Clock::now();
    double lr = learningRateAt(o, step, totalSteps, warmup);

    auto saveAt = [&](int epoch, std::int64_t batch) {
        if (!isRoot)
            return;
        SavedState s = state;
        s.epoch = epoch;
        s.batch = batch;
        s.step = step;
        saveState(run, net, *optimizer, s, o);
    };

    for (int epoch = state.epoch; epoch < o.epochs; ++epoch) {
        const auto epochT0 = Clock::now();
        const std::int64_t skip = epoch == state.epoch ? state.batch : 0;
        loader.startEpoch(epoch);
        net.train();
        epochLoss = 0;
        epochExamples = 0;
        std::int64_t batchIndex = 0;
        while (batchIndex < batchesPerEpoch) {
            const std::int64_t groupStart = batchIndex;
            const std::int64_t groupSize =
                std::min<std::int64_t>(o.accumulate_steps, batchesPerEpoch - groupStart);
            if (groupStart < skip) {
                // Batches done before the resume: the loader still yields them (its order depends
                // on the epoch only), they are just not trained on again.
                for (std::int64_t k = 0; k < groupSize; ++k)
                    if (!loader.next())
                        throw Error(ErrorCode::Internal, "the loader ended early", run.string());
                batchIndex += groupSize;
                continue;
            }
            for (std::int64_t k = 0; k < groupSize; ++k, ++batchIndex) {
                std::optional<Batch> b = loader.next();
                if (!b)
                    throw Error(ErrorCode::Internal, "the loader ended early", run.string());
                const std::uint64_t microSeed = mixSeed(mixSeed(o.seed, static_cast<std::uint64_t>(step)),
                                                        static_cast<std::uint64_t>(k));
                torch::manual_seed(microSeed);
                std::mt19937_64 rng(microSeed);
                torch::Tensor x = batchTensor(b->features, b->size, b->n_bins, b->frames);
                torch::Tensor y = batchTensor(b->targets, b->size, b->n_classes);
                augment(x, y, o.augment, features, rng);
                const torch::Tensor logits = net.forward(x.unsqueeze(1)).first;
                const torch::Tensor loss = lossOf(logits, y, bce);
                (loss / static_cast<double>(groupSize)).backward();
                const double l = loss.item<double>();
                if (!std::isfinite(l))
                    throw Error(ErrorCode::Model,
                                "the loss became " + std::to_string(l) +
                                    " (lower lr or check the data)",
                                run.string());
                logLoss += l * b->size;
                epochLoss += l * b->size;
                logExamples += b->size;
                epochExamples += b->size;
                examplesThisCall += b->size;
            }
            if (comm) {
                std::vector<torch::Tensor> grads;
                // Which parameters get gradients is the same on every rank (same graph); the
                // unused ones (head_dist) stay without, as in one process.
                for (auto& p : trainable)
                    if (p.grad().defined())
                        grads.push_back(p.mutable_grad());
                comm->allReduceMean(grads);
            }
            if (o.clip_grad_norm > 0)
                torch::nn::utils::clip_grad_norm_(trainable, o.clip_grad_norm);
            lr = learningRateAt(o, step, totalSteps, warmup);
            for (auto& group : optimizer->param_groups())
                static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
            optimizer->step();
            optimizer->zero_grad();
            ++step;

            const double elapsed = secondsSince(t0);
            const double perStep = elapsed / static_cast<double>(step - firstStep);
            const double throughput = examplesThisCall * o.world_size / std::max(elapsed, 1e-9);
            if (job) {
                Progress p;
                p.step = step;
                p.total = totalSteps;
                p.message = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs);
                p.metrics = {{"loss", logLoss / std::max<std::int64_t>(logExamples, 1)},
                             {"lr", lr},
                             {"examples_per_s", throughput},
                             {"eta_s", perStep * static_cast<double>(totalSteps - step)},
                             {"epoch", static_cast<double>(epoch + 1)}};
                job->report(p);
            }
            if (o.log_every_steps > 0 && step % o.log_every_steps == 0) {
                metrics.write({{"type", "step"},
                               {"epoch", epoch + 1},
                               {"step", step},
                               {"loss", logLoss / std::max<std::int64_t>(logExamples, 1)},
                               {"lr", lr},
                               {"examples_per_s", logExamples * o.world_size /
                                                      std::max(secondsSince(logT0), 1e-9)}});
                logLoss = 0;
                logExamples = 0;
                logT0 = Clock::now();
            }
            const bool epochEnds = batchIndex >= batchesPerEpoch;
            const bool cancelled = job && job->cancelled();
            const bool stop = o.max_steps > 0 && step >= o.max_steps;
            if (!epochEnds && (cancelled || stop ||
                               (o.checkpoint_every_steps > 0 && step % o.checkpoint_every_steps == 0)))
                saveAt(epoch, batchIndex);
            if (!epochEnds && cancelled)
                throw Error(ErrorCode::Cancelled, "training cancelled; resume continues at step " +
                                                      std::to_string(step),
                            run.string());
            if (!epochEnds && stop) {
                result.weights_digest = weightsDigest(net);
                result.steps = step;
                result.epochs_done = epoch;
                result.seconds = secondsSince(t0);
                return result;
            }
        }

        // End of epoch: rank 0 scores, logs and saves; the others wait at the next collective.
        EpochRecord record;
        record.epoch = epoch + 1;
        record.step = step;
        record.lr = lr;
        record.train_loss = epochLoss / std::max<std::int64_t>(epochExamples, 1);
        if (isRoot) {
            // Not cancellable: a stop during validation would lose the whole epoch (for the first
            // one, the run); it is honoured once the epoch is saved, below.
            record.validation = scoreModel(model, dataset, validation, cache, frames,
                                           o.eval_batch_size, nullptr);
            net.train();
            record.seconds = secondsSince(epochT0);
            metrics.write({{"type", "epoch"},
                           {"epoch", epoch + 1},
                           {"step", step},
                           {"train_loss", record.train_loss},
                           {"lr", lr},
                           {"validation", scoreJson(record.validation)},
                           {"seconds", record.seconds}});
            const auto meta = checkpointMetadata(epoch + 1, step, record.validation, bce);
            saveModel(result.last_checkpoint, model, dataset.classes, meta);
            const bool better =
                record.validation.accuracy > state.best_accuracy ||
                (record.validation.accuracy == state.best_accuracy && record.validation.loss < state.best_loss);
            if (better || !fs::exists(result.best_checkpoint)) {
                state.best_accuracy = record.validation.accuracy;
                state.best_loss = record.validation.loss;
                state.best_epoch = epoch + 1;
                saveModel(result.best_checkpoint, model, dataset.classes, meta);
            }
        } else {
            record.seconds = secondsSince(epochT0);
        }
        result.best_epoch = state.best_epoch;
        result.best_validation_accuracy = std::max(0.0, state.best_accuracy);
        result.epochs.push_back(record);
        saveAt(epoch + 1, 0);
        result.epochs_done = epoch + 1;
        if (job) {
            Progress p;
            p.step = step;
            p.total = totalSteps;
            p.message = "epoch " + std::to_string(epoch + 1) + " done";
            p.metrics = {{"train_loss", record.train_loss},
                         {"val_loss", record.validation.loss},
                         {"val_accuracy", record.validation.accuracy},
                         {"epoch", static_cast<double>(epoch + 1)}};
            job->report(p);
        }
        const bool stop = o.max_steps > 0 && step >= o.max_steps;
        if (job && job->cancelled())
            throw Error(ErrorCode::Cancelled,
                        "training cancelled after epoch " + std::to_string(epoch + 1), run.string());
        if (stop && epoch + 1 < o.epochs) {
            result.weights_digest = weightsDigest(net);
            result.steps = step;
            result.seconds = secondsSince(t0);
            return result;
        }
    }
    if (comm)
        comm->barrier();
    result.steps = step;
    result.finished = true;
    result.weights_digest = weightsDigest(net);
    if (isRoot && !split.test.empty())
        result.test = scoreModel(model, dataset, split.test, cache, frames, o.eval_batch_size, job);
    result.seconds = secondsSince(t0);
    if (isRoot && !split.test.empty())
        metrics.write({{"type", "test"}, {"step", step}, {"test", scoreJson(result.test)}});
    return result;
}

}  // namespace patchout
