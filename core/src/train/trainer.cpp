#include "patchout/trainer.h"

#include "model/bf16_autocast.h"
#include "model/passt_module.h"
#include "patchout/baseline.h"
#include "patchout/batch_loader.h"
#include "patchout/checkpoint.h"
#include "patchout/classifier.h"
#include "patchout/error.h"
#include "patchout/evaluate.h"
#include "patchout/feature_cache.h"
#include "patchout/files.h"
#include "patchout/report.h"
#include "patchout/run_folder.h"
#include "patchout/system_info.h"
#include "train/augment.h"
#include "train/distributed.h"
#include "train/optimizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numbers>
#include <numeric>
#include <optional>
#include <random>
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

// ---- model -----------------------------------------------------------------------------------

bool isHeadParameter(const std::string& name) {
    return name.rfind("head.1.", 0) == 0 || name.rfind("head_dist.", 0) == 0;
}

PaSSTModel buildStartModel(const TrainOptions& o, const Dataset& dataset);

// The model train() starts from (buildStartModel), with the parameter sharing asked for: a model
// that shares otherwise is converted, each shared tensor the mean of its group (ALBERT from an
// unshared start).
PaSSTModel buildModel(const TrainOptions& o, const Dataset& dataset) {
    PaSSTModel model = buildStartModel(o, dataset);
    if (o.sharing.empty())
        return model;
    const ParameterSharing sharing = parameterSharingFromName(o.sharing);
    const PaSSTOptions& po = model.options();
    if (sharing == po.sharing && (sharing == ParameterSharing::None || o.sharing_group == po.sharing_group))
        return model;
    return withParameterSharing(model, sharing, o.sharing_group);
}

PaSSTModel buildStartModel(const TrainOptions& o, const Dataset& dataset) {
    const int classes = static_cast<int>(dataset.classes.size());
    if (o.init_checkpoint.empty()) {
        PaSSTOptions po = passtPreset(o.preset);
        po.num_classes = classes;
        po.drop_path_rate = o.drop_path_rate;
        if (o.override_patchout)
            po.patchout = o.patchout;
        if (!o.sharing.empty()) {  // from scratch: shared from the start
            po.sharing = parameterSharingFromName(o.sharing);
            po.sharing_group = o.sharing_group;
        }
        if (!o.positional_encoding.empty())
            po.positional_encoding = positionalEncodingFromName(o.positional_encoding);
        if (o.depth > 0)
            po.depth = o.depth;
        return PaSSTModel(po, o.seed);
    }
    if (o.depth > 0)
        throw Error(ErrorCode::InvalidArgument,
                    "depth applies to a model trained from a preset; drop a model file's top blocks with patchout prune "
                    "--keep_blocks",
                    o.init_checkpoint.string());
    if (!o.positional_encoding.empty())
        throw Error(ErrorCode::InvalidArgument,
                    "positional_encoding applies to a model trained from a preset; a model file keeps its own",
                    o.init_checkpoint.string());
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
    const auto source = ck.model.module()->named_parameters();  // every name, shared ones too
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

std::unique_ptr<torch::optim::AdamW> makeOptimizer(PaSSTImpl& m, const TrainOptions& o,
                                                    std::vector<torch::Tensor>& trainable) {
    // A shared tensor is updated once: uniqueParameters() names it once.
    return makeAdamW(m.uniqueParameters(), {o.lr, o.weight_decay, o.beta1, o.beta2, o.eps}, trainable);
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

fs::path statePath(const fs::path& run) { return RunPaths(run).state(); }

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
        // Onto the model's device: a state saved on a GPU resumes on the CPU and the reverse.
        archive.load_from(file.string(), model.cls_token.device());
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
                    "cannot resume from the training state: " + exceptionMessage(e),
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
    for (const fs::path& dir : {run, RunPaths(run).checkpoints()}) {
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
    std::map<std::string, std::string> meta = {{"epoch", std::to_string(epoch)},
                                               {"step", std::to_string(step)},
                                               {"trainer", "patchout train"},
                                               {"task", bce ? "multi-label" : "single-label"}};
    if (v.examples > 0) {  // none without validation clips
        std::ostringstream acc, loss;
        acc << v.accuracy;
        loss << v.loss;
        meta["validation_accuracy"] = acc.str();
        meta["validation_loss"] = loss.str();
    }
    return meta;
}

// FNV-1a 64 over the float32 bytes of every parameter in state_dict order.
std::uint64_t weightsDigest(PaSSTImpl& net) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const auto& p : net.uniqueParameterTensors()) {
        const torch::Tensor t = p.detach().contiguous();
        const auto* bytes = static_cast<const unsigned char*>(t.data_ptr());
        for (std::size_t i = 0; i < static_cast<std::size_t>(t.numel()) * sizeof(float); ++i)
            h = (h ^ bytes[i]) * 0x100000001b3ULL;
    }
    return h;
}

}  // namespace

// ---- public ------------------------------------------------------------------------------------

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
                               const std::vector<std::size_t>& indices, const std::string& feature_preset,
                               const fs::path& cache_dir, int batch_size, const JobControl* job,
                               std::vector<FileError>* skipped) {
    if (indices.empty())
        return {};
    InferOptions io = evaluationInferOptions();
    io.feature_preset = feature_preset;
    io.cache_dir = cache_dir;
    io.batch_size = batch_size;
    io.device = computeDeviceName(model.device());  // scored where it is, never moved
    const bool wasTraining = model.training();
    struct Restore {  // the caller's mode, also when scoring throws
        const PaSSTModel& model;
        bool training;
        ~Restore() { const_cast<PaSSTModel&>(model).setTraining(training); }
    } restore{model, wasTraining};
    // The Classifier takes a handle on the same weights (and sets eval mode on them).
    Classifier classifier(model.sharedWeights(), dataset.classes,
                          dataset.multi_label ? ScoreActivation::Sigmoid : ScoreActivation::Softmax, io);
    return scorePredictions(predictDataset(classifier, dataset, indices, false, job, skipped));
}

ClassificationScore scorePredictions(const Predictions& p) {
    ClassificationScore score;
    double lossSum = 0;
    std::size_t correct = 0;
    const std::size_t classes = p.scores.n_classes;
    auto clamped = [](double v) { return std::clamp(v, 1e-7, 1.0 - 1e-7); };
    for (std::size_t i = 0; i < p.size(); ++i) {
        const std::vector<int>& labels = p.labels.at(i);
        if (labels.empty())
            continue;
        const auto row = p.scores.row(i);
        const auto top = static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
        correct += std::find(labels.begin(), labels.end(), top) != labels.end();
        if (p.multi_label) {
            double clip = 0;
            for (std::size_t c = 0; c < classes; ++c) {
                const bool positive = std::find(labels.begin(), labels.end(), static_cast<int>(c)) != labels.end();
                clip -= std::log(positive ? clamped(row[c]) : 1.0 - clamped(row[c]));
            }
            lossSum += clip / static_cast<double>(classes);
        } else {
            lossSum -= std::log(clamped(row[static_cast<std::size_t>(labels.front())]));
        }
        ++score.examples;
    }
    if (score.examples > 0) {
        score.loss = lossSum / static_cast<double>(score.examples);
        score.accuracy = static_cast<double>(correct) / static_cast<double>(score.examples);
    }
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
        throw Error(ErrorCode::BadFormat, "unreadable training state: " + exceptionMessage(e),
                    file.string());
    }
}

namespace {

// One call of train(): the data (extra_train joined), the model and its optimiser (resumed from the
// saved state), the batch loader and the run folder's files. train() reads as the outline; each
// step of it is one method here.
class TrainingRun {
public:
    TrainingRun(const Dataset& given, const DatasetSplit& givenSplit, const TrainOptions& o,
                const fs::path& run, const JobControl* job);

    int firstEpoch() const { return m_state.epoch; }
    // Trains the batches of `epoch` not done yet. False when max_steps stopped the run inside the
    // epoch (its state saved). A cancelled job saves the state and throws Error(Cancelled).
    bool trainEpoch(int epoch);
    // End of an epoch: rank 0 scores the validation clips, logs the epoch, writes last (and best)
    // and the state; progress reports it. Honours a cancel that came meanwhile (Error(Cancelled)).
    void endEpoch(int epoch);
    bool maxStepsReached() const { return m_o.max_steps > 0 && m_step >= m_o.max_steps; }
    // The result of a run stopped by max_steps after `epochsDone` epochs.
    TrainResult stopped(int epochsDone);
    // Clips left out so far: by the training loader, and by validation and test scoring (each once).
    std::vector<FileError> skippedClips() const;
    // Those (also into RUN/errors.csv) and the cache's unwritten entries into m_result.
    void noteSkips();
    // The result of the whole run: the test clips scored with the last model.
    TrainResult finish();

private:
    PaSSTImpl& net() { return *m_model->module(); }
    void prepareData(const Dataset& given, const DatasetSplit& givenSplit);
    bool checkResumable() const;  // whether a state is there to resume
    void buildModelAndOptimiser(bool resume);
    void writeConfig();
    void makeLoader();
    // One optimiser step over `groupSize` batches (gradient accumulation), averaged across ranks.
    void trainStep(std::int64_t groupSize);
    void reportStep(int epoch);
    void saveStateAt(int epoch, std::int64_t batch);
    // The classical floor on the test clips, from the features training cached (RUN/baseline). A
    // floor that cannot be fitted (one class in training, ...) is noted, never fails the run.
    void scoreFloor();

    const TrainOptions& m_o;
    const RunPaths m_paths;
    const JobControl* m_job;
    const Clock::time_point m_t0 = Clock::now();
    Dataset m_joined;           // given + extra_train (empty without)
    DatasetSplit m_joinedSplit;  // the split trained on: validation carved, extra_train joined
    const Dataset* m_dataset = nullptr;
    const DatasetSplit* m_split = nullptr;
    bool m_isRoot = true;
    bool m_bce = false;
    bool m_bf16 = false;  // mixed-precision steps (TrainOptions::precision)
    std::unique_ptr<Communicator> m_comm;
    std::optional<PaSSTModel> m_model;
    FeatureOptions m_features;
    int m_frames = 0;
    std::vector<torch::Tensor> m_trainable;
    std::unique_ptr<torch::optim::AdamW> m_optimizer;
    bool m_onGpu = false;  // the model and the steps on CUDA (TrainOptions::device)
    SavedState m_state;
    std::optional<FeatureCache> m_cache;
    std::optional<MetricsLog> m_metrics;
    std::optional<BatchLoader> m_loader;
    std::vector<FileError> m_evalSkipped;  // validation and test clips scoring could not decode
    std::int64_t m_batchesPerEpoch = 0, m_stepsPerEpoch = 0, m_totalSteps = 0, m_warmup = 0;
    TrainResult m_result;
    std::int64_t m_step = 0, m_firstStep = 0;
    double m_lr = 0;
    double m_logLoss = 0, m_epochLoss = 0;  // summed over examples since the last log / epoch start
    std::int64_t m_logExamples = 0, m_epochExamples = 0, m_examplesThisCall = 0;
    Clock::time_point m_logT0 = Clock::now(), m_epochT0 = Clock::now();
};

TrainingRun::TrainingRun(const Dataset& given, const DatasetSplit& givenSplit, const TrainOptions& o,
                         const fs::path& run, const JobControl* job)
    : m_o(o), m_paths(run), m_job(job) {
    prepareData(given, givenSplit);
    if (m_dataset->classes.empty())
        throw Error(ErrorCode::Dataset, "the dataset has no classes", m_dataset->root.string());
    if (m_split->train.empty())
        throw Error(ErrorCode::Dataset, "the split has no training clips", m_dataset->root.string());
    m_isRoot = o.rank == 0;
    m_bce = o.loss == "bce" || (o.loss == "auto" && m_dataset->multi_label);
    m_bf16 = resolvePrecision(o.precision) == "bf16";
    if (o.world_size > 1)
        m_comm = std::make_unique<Communicator>(
            CommunicatorOptions{o.world_size, o.rank, o.master_addr, o.master_port, o.timeout_s});
    const bool resume = checkResumable();
    buildModelAndOptimiser(resume);

    fs::create_directories(m_paths.checkpoints());
    m_cache.emplace(o.cache_dir.empty() ? m_paths.cache() : o.cache_dir, m_features);
    m_metrics.emplace(m_paths.metrics(), m_isRoot);
    if (m_isRoot) {
        if (resume) {
            pruneMetrics(m_paths.metrics(), m_state.step);
            removeStaleTemporaries(m_paths.dir);
        }
        writeConfig();
    }
    makeLoader();

    m_result.run_dir = m_paths.dir;
    m_result.last_checkpoint = m_paths.lastModel();
    m_result.best_checkpoint = m_paths.bestModel();
    m_result.best_epoch = m_state.best_epoch;
    m_result.best_validation_accuracy = std::max(0.0, m_state.best_accuracy);
    m_step = m_firstStep = m_state.step;
    m_lr = learningRateAt(o, m_step, m_totalSteps, m_warmup);
}

// Validation clips carved from the training clips when the split has none (validation_fraction),
// then options.extra_train's clips joined to training only (copies; the caller's stay).
void TrainingRun::prepareData(const Dataset& given, const DatasetSplit& givenSplit) {
    m_dataset = &given;
    m_joinedSplit = carveValidation(given, givenSplit, {.fraction = m_o.validation_fraction, .seed = m_o.seed});
    m_split = &m_joinedSplit;
    m_result.validation_clips = m_joinedSplit.validation.size();
    m_result.validation_note = m_joinedSplit.validation_note;
    if (m_o.extra_train.empty())
        return;
    m_joined = given;
    for (const fs::path& extra : m_o.extra_train) {
        const std::vector<std::size_t> added =
            appendTrainingClips(m_joined, readDataset(extra, {.skip_bad_rows = m_o.skip_bad_rows}));
        m_joinedSplit.train.insert(m_joinedSplit.train.end(), added.begin(), added.end());
    }
    m_dataset = &m_joined;
}

bool TrainingRun::checkResumable() const {
    const bool hasState = fs::exists(m_paths.state());
    if (hasState && !m_o.resume)
        throw Error(ErrorCode::InvalidArgument,
                    "the run folder already holds a training state: resume it or choose another "
                    "folder",
                    m_paths.dir.string());
    if (hasState && fs::is_regular_file(m_paths.config())) {
        // The saved weights and moments only fit the options they were made with.
        const std::vector<std::string> differ = resumeContradictions(readRunOptions(m_paths.dir), m_o);
        if (!differ.empty()) {
            std::string message = "cannot resume with other options than the run's (config.json): ";
            for (std::size_t i = 0; i < differ.size(); ++i)
                message += (i ? "; " : "") + differ[i];
            throw Error(ErrorCode::InvalidArgument, message, m_paths.dir.string());
        }
    }
    return hasState;
}

void TrainingRun::buildModelAndOptimiser(bool resume) {
    // Patchout, dropout and stochastic depth draw from LibTorch's global generator: seeding it
    // per step (trainStep) makes them replayable; this seeds the model initialisation.
    torch::manual_seed(m_o.seed);
    m_model.emplace(buildModel(m_o, *m_dataset));
    freezeBlocks(net(), m_o.freeze_blocks);
    // Data parallel stays on the CPU: auto means the CPU there, cuda is refused.
    const ComputeDevice device =
        m_o.world_size > 1 && m_o.device == "auto" ? ComputeDevice::Cpu : resolveComputeDevice(m_o.device);
    if (device == ComputeDevice::Cuda && m_o.world_size > 1)
        throw Error(ErrorCode::Unsupported,
                    "data-parallel training (--nproc) runs on the CPU (Gloo between processes): use --device cpu, "
                    "or one process on the GPU",
                    m_paths.dir.string());
    m_model->setDevice(device);  // before the optimiser: its state is made where the weights are
    m_onGpu = device == ComputeDevice::Cuda;
    m_features = featurePreset(m_o.feature_preset);
    if (m_features.numBins() != m_model->options().n_mels)
        throw Error(ErrorCode::Model,
                    "feature preset " + m_o.feature_preset + " gives " +
                        std::to_string(m_features.numBins()) + " bins, the model takes " +
                        std::to_string(m_model->options().n_mels),
                    m_paths.dir.string());
    m_frames = m_o.frames > 0 ? m_o.frames : m_model->options().input_frames;
    m_optimizer = makeOptimizer(net(), m_o, m_trainable);
    if (resume)
        m_state = loadState(m_paths.dir, net(), *m_optimizer);
    if (m_comm) {
        // Every rank starts from rank 0's weights, whatever each one loaded or drew.
        std::vector<torch::Tensor> all = net().uniqueParameterTensors();
        m_comm->broadcastFromRoot(all);
    }
}

void TrainingRun::writeConfig() {
    const std::int64_t trainable =
        std::accumulate(m_trainable.begin(), m_trainable.end(), std::int64_t{0},
                        [](std::int64_t n, const torch::Tensor& t) { return n + t.numel(); });
    const json config = {{"options", json::parse(trainOptionsToJson(m_o))},
                         {"dataset", {{"root", fs::absolute(m_dataset->root).string()},
                                      {"format", datasetFormatName(m_dataset->format)},
                                      {"classes", m_dataset->classes},
                                      {"multi_label", m_dataset->multi_label}}},
                         {"split", {{"name", m_split->name},
                                    {"train", m_split->train.size()},
                                    {"validation", m_split->validation.size()},
                                    {"test", m_split->test.size()},
                                    {"validation_note", m_split->validation_note}}},
                         {"model", json::parse(passtOptionsToJson(m_model->options()))},
                         {"features", m_o.feature_preset},
                         {"frames", m_frames},
                         {"loss", m_bce ? "bce" : "ce"},
                         {"parameters", m_model->parameterCount()},
                         {"trainable_parameters", trainable}};
    writeTextAtomically(m_paths.config(), config.dump(2) + "\n");
}

void TrainingRun::makeLoader() {
    BatchLoaderOptions lo;
    lo.batch_size = m_o.batch_size;
    lo.frames = m_frames;
    lo.shuffle = true;
    lo.random_crop = true;
    lo.balanced = m_o.balanced;
    lo.shard_index = m_o.rank;
    lo.shard_count = m_o.world_size;
    lo.seed = m_o.seed;
    lo.waveform_mixup_alpha = m_o.augment.waveform_mixup_alpha;
    lo.waveform_mixup_prob = m_o.augment.waveform_mixup_prob;
    lo.max_skipped_share = m_o.max_bad_clips;
    m_loader.emplace(*m_dataset, m_split->train, *m_cache, lo);
    // Ranks must take the same number of steps: the shortest shard decides.
    m_batchesPerEpoch = m_o.world_size > 1
                            ? static_cast<std::int64_t>(m_split->train.size() / m_o.world_size) / m_o.batch_size
                            : static_cast<std::int64_t>(m_loader->batchesPerEpoch());
    if (m_batchesPerEpoch < 1)
        throw Error(ErrorCode::Dataset,
                    "too few training clips for one batch of " + std::to_string(m_o.batch_size) +
                        " per process",
                    m_dataset->root.string());
    m_stepsPerEpoch = (m_batchesPerEpoch + m_o.accumulate_steps - 1) / m_o.accumulate_steps;
    m_totalSteps = m_stepsPerEpoch * m_o.epochs;
    m_warmup = m_o.warmup_steps < 0 ? m_stepsPerEpoch : m_o.warmup_steps;
}

void TrainingRun::saveStateAt(int epoch, std::int64_t batch) {
    if (!m_isRoot)
        return;
    SavedState s = m_state;
    s.epoch = epoch;
    s.batch = batch;
    s.step = m_step;
    saveState(m_paths.dir, net(), *m_optimizer, s, m_o);
}

bool TrainingRun::trainEpoch(int epoch) {
    m_epochT0 = Clock::now();
    const std::int64_t skip = epoch == m_state.epoch ? m_state.batch : 0;
    m_loader->startEpoch(epoch);
    net().train();
    m_epochLoss = 0;
    m_epochExamples = 0;
    std::int64_t batchIndex = 0;
    while (batchIndex < m_batchesPerEpoch) {
        const std::int64_t groupSize = std::min<std::int64_t>(m_o.accumulate_steps, m_batchesPerEpoch - batchIndex);
        if (batchIndex < skip) {
            // Batches done before the resume: the loader still yields them (its order depends on
            // the epoch only), they are just not trained on again.
            for (std::int64_t k = 0; k < groupSize; ++k)
                if (!m_loader->next())
                    throw Error(ErrorCode::Internal, "the loader ended early", m_paths.dir.string());
            batchIndex += groupSize;
            continue;
        }
        trainStep(groupSize);
        batchIndex += groupSize;
        reportStep(epoch);

        const bool epochEnds = batchIndex >= m_batchesPerEpoch;
        if (epochEnds)
            break;  // endEpoch saves it
        const bool cancelled = m_job && m_job->cancelled();
        if (cancelled || maxStepsReached() ||
            (m_o.checkpoint_every_steps > 0 && m_step % m_o.checkpoint_every_steps == 0))
            saveStateAt(epoch, batchIndex);
        if (cancelled)
            throw Error(ErrorCode::Cancelled,
                        "training cancelled; resume continues at step " + std::to_string(m_step),
                        m_paths.dir.string());
        if (maxStepsReached())
            return false;
    }
    return true;
}

void TrainingRun::trainStep(std::int64_t groupSize) {
    for (std::int64_t k = 0; k < groupSize; ++k) {
        std::optional<Batch> b = m_loader->next();
        if (!b)
            throw Error(ErrorCode::Internal, "the loader ended early", m_paths.dir.string());
        const std::uint64_t microSeed =
            mixSeed(mixSeed(m_o.seed, static_cast<std::uint64_t>(m_step)), static_cast<std::uint64_t>(k));
        torch::manual_seed(microSeed);
        std::mt19937_64 rng(microSeed);
        torch::Tensor x = batchTensor(b->features, b->size, b->n_bins, b->frames);
        torch::Tensor y = batchTensor(b->targets, b->size, b->n_classes);
        augment(x, y, m_o.augment, m_features, rng);
        if (m_onGpu) {  // read and augmented on the CPU, stepped on the GPU
            x = x.to(torch::kCUDA);
            y = y.to(torch::kCUDA);
        }
        torch::Tensor logits;
        {
            Bf16Autocast autocast(m_bf16, m_onGpu);  // the loss, and the optimiser, stay fp32
            logits = net().forward(x.unsqueeze(1)).first;
        }
        const torch::Tensor loss = lossOf(logits.to(torch::kFloat32), y, m_bce);
        (loss / static_cast<double>(groupSize)).backward();
        const double l = loss.item<double>();
        if (!std::isfinite(l))
            throw Error(ErrorCode::Model, "the loss became " + std::to_string(l) + " (lower lr or check the data)",
                        m_paths.dir.string());
        m_logLoss += l * b->size;
        m_epochLoss += l * b->size;
        m_logExamples += b->size;
        m_epochExamples += b->size;
        m_examplesThisCall += b->size;
    }
    if (m_comm) {
        std::vector<torch::Tensor> grads;
        // Which parameters get gradients is the same on every rank (same graph); the unused ones
        // (head_dist) stay without, as in one process.
        for (auto& p : m_trainable)
            if (p.grad().defined())
                grads.push_back(p.mutable_grad());
        m_comm->allReduceMean(grads);
    }
    if (m_o.clip_grad_norm > 0)
        torch::nn::utils::clip_grad_norm_(m_trainable, m_o.clip_grad_norm);
    m_lr = learningRateAt(m_o, m_step, m_totalSteps, m_warmup);
    for (auto& group : m_optimizer->param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(m_lr);
    m_optimizer->step();
    m_optimizer->zero_grad();
    ++m_step;
}

void TrainingRun::reportStep(int epoch) {
    const double meanLoss = m_logLoss / static_cast<double>(std::max<std::int64_t>(m_logExamples, 1));
    if (m_job) {
        const double elapsed = secondsSince(m_t0);
        const double perStep = elapsed / static_cast<double>(m_step - m_firstStep);
        Progress p;
        p.step = m_step;
        p.total = m_totalSteps;
        p.message = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(m_o.epochs);
        p.metrics = {{metric::kLoss, meanLoss},
                     {metric::kLearningRate, m_lr},
                     {metric::kExamplesPerSecond, m_examplesThisCall * m_o.world_size / std::max(elapsed, 1e-9)},
                     {metric::kEtaSeconds, perStep * static_cast<double>(m_totalSteps - m_step)},
                     {metric::kEpoch, static_cast<double>(epoch + 1)}};
        m_job->report(p);
    }
    if (m_o.log_every_steps > 0 && m_step % m_o.log_every_steps == 0) {
        m_metrics->write({{"type", "step"},
                          {"epoch", epoch + 1},
                          {"step", m_step},
                          {"loss", meanLoss},
                          {"lr", m_lr},
                          {"examples_per_s", m_logExamples * m_o.world_size / std::max(secondsSince(m_logT0), 1e-9)}});
        m_logLoss = 0;
        m_logExamples = 0;
        m_logT0 = Clock::now();
    }
}

void TrainingRun::endEpoch(int epoch) {
    EpochRecord record;
    record.epoch = epoch + 1;
    record.step = m_step;
    record.lr = m_lr;
    record.train_loss = m_epochLoss / static_cast<double>(std::max<std::int64_t>(m_epochExamples, 1));
    // A run folder deleted or moved while training: stop, rather than write checkpoints into a
    // folder recreated without its config and log (the atomic writers make missing folders).
    if (m_isRoot && !fs::is_regular_file(m_paths.config()))
        throw Error(ErrorCode::Io, "the run folder was deleted or moved while training (no config.json); stopped",
                    m_paths.dir.string());
    if (m_isRoot) {  // the other ranks wait at the next collective
        // Not cancellable: a stop during validation would lose the whole epoch (for the first one,
        // the run); it is honoured once the epoch is saved, below.
        // The test clips never choose: without validation clips the best is the last epoch.
        const bool validated = !m_split->validation.empty();
        if (validated)
            record.validation = scoreModel(*m_model, *m_dataset, m_split->validation, m_o.feature_preset,
                                           m_cache->dir(), m_o.eval_batch_size, nullptr, &m_evalSkipped);
        net().train();
        record.seconds = secondsSince(m_epochT0);
        json line = {{"type", "epoch"},
                     {"epoch", epoch + 1},
                     {"step", m_step},
                     {"train_loss", record.train_loss},
                     {"lr", m_lr},
                     {"seconds", record.seconds}};
        if (validated)
            line["validation"] = scoreJson(record.validation);
        line["skipped_clips"] = skippedClips().size();
        noteSkips();
        m_metrics->write(line);
        const auto meta = checkpointMetadata(epoch + 1, m_step, record.validation, m_bce);
        saveModel(m_paths.lastModel(), *m_model, m_dataset->classes, meta);
        const bool better = !validated || record.validation.accuracy > m_state.best_accuracy ||
                            (record.validation.accuracy == m_state.best_accuracy &&
                             record.validation.loss < m_state.best_loss);
        if (better || !fs::exists(m_paths.bestModel())) {
            m_state.best_accuracy = record.validation.accuracy;
            m_state.best_loss = record.validation.loss;
            m_state.best_epoch = epoch + 1;
            saveModel(m_paths.bestModel(), *m_model, m_dataset->classes, meta);
        }
    } else {
        record.seconds = secondsSince(m_epochT0);
    }
    m_result.best_epoch = m_state.best_epoch;
    m_result.best_validation_accuracy = std::max(0.0, m_state.best_accuracy);
    m_result.epochs.push_back(record);
    saveStateAt(epoch + 1, 0);
    m_result.epochs_done = epoch + 1;
    if (m_job) {
        Progress p;
        p.event = ProgressEvent::EpochEnd;
        p.step = m_step;
        p.total = m_totalSteps;
        p.message = "epoch " + std::to_string(epoch + 1) + " done";
        p.metrics = {{metric::kTrainLoss, record.train_loss}, {metric::kEpoch, static_cast<double>(epoch + 1)}};
        if (record.validation.examples > 0) {
            p.metrics[metric::kValidationLoss] = record.validation.loss;
            p.metrics[metric::kValidationAccuracy] = record.validation.accuracy;
        }
        m_job->report(p);
    }
    if (m_job && m_job->cancelled())
        throw Error(ErrorCode::Cancelled, "training cancelled after epoch " + std::to_string(epoch + 1),
                    m_paths.dir.string());
}

std::vector<FileError> TrainingRun::skippedClips() const {
    std::vector<FileError> all = m_loader ? m_loader->skipped() : std::vector<FileError>{};
    for (const FileError& e : m_evalSkipped)
        if (std::none_of(all.begin(), all.end(), [&](const FileError& f) { return f.path == e.path; }))
            all.push_back(e);
    return all;
}

void TrainingRun::noteSkips() {
    m_result.skipped_clips = skippedClips();
    if (m_isRoot && !m_result.skipped_clips.empty())
        writeFileErrors(m_paths.dir / "errors.csv", m_result.skipped_clips);
    const FeatureCacheStats cache = m_cache->stats();
    m_result.cache_unwritten = cache.unwritten;
    m_result.cache_unwritten_error = cache.unwritten_error;
}

TrainResult TrainingRun::stopped(int epochsDone) {
    noteSkips();
    m_result.weights_digest = weightsDigest(net());
    m_result.steps = m_step;
    m_result.epochs_done = epochsDone;
    m_result.seconds = secondsSince(m_t0);
    return m_result;
}

void TrainingRun::scoreFloor() {
    BaselineOptions bo;
    bo.feature_preset = m_o.feature_preset;
    bo.cache_dir = m_cache->dir();
    try {
        const BaselineResult floor = runBaseline(*m_dataset, *m_split, "test", m_paths.baseline(), bo, m_job);
        m_result.floor.examples = floor.report.n_clips;
        m_result.floor.accuracy = floor.report.multi_label ? floor.report.top1_accuracy : floor.report.accuracy;
        m_result.floor.loss = floor.report.log_loss;
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Cancelled)
            throw;
        m_result.floor_note = e.message();
    }
}

TrainResult TrainingRun::finish() {
    if (m_comm)
        m_comm->barrier();
    m_result.steps = m_step;
    m_result.epochs_done = m_o.epochs;  // also when a finished run is resumed
    m_result.finished = true;
    m_result.weights_digest = weightsDigest(net());
    const bool scoreTest = m_isRoot && !m_split->test.empty();
    if (scoreTest)
        m_result.test = scoreModel(*m_model, *m_dataset, m_split->test, m_o.feature_preset, m_cache->dir(),
                                   m_o.eval_batch_size, m_job, &m_evalSkipped);
    if (scoreTest && m_o.baseline)
        scoreFloor();
    noteSkips();
    m_result.seconds = secondsSince(m_t0);
    if (scoreTest) {
        json line = {{"type", "test"}, {"step", m_step}, {"test", scoreJson(m_result.test)},
                     {"skipped_clips", m_result.skipped_clips.size()}};
        if (m_result.floor.examples > 0)
            line["floor"] = scoreJson(m_result.floor);
        else if (!m_result.floor_note.empty())
            line["floor_note"] = m_result.floor_note;
        m_metrics->write(line);
    }
    return m_result;
}

}  // namespace

TrainResult train(const Dataset& dataset, const DatasetSplit& split, const TrainOptions& o,
                  const fs::path& run, const JobControl* job) {
    o.validate();
    const PrecisionThreads threads(resolvePrecision(o.precision) == "bf16");
    TrainingRun r(dataset, split, o, run, job);  // data, model, optimiser, resumed state, config.json
    for (int epoch = r.firstEpoch(); epoch < o.epochs; ++epoch) {
        if (!r.trainEpoch(epoch))
            return r.stopped(epoch);  // max_steps inside the epoch: resumable from its state
        r.endEpoch(epoch);
        if (r.maxStepsReached() && epoch + 1 < o.epochs)
            return r.stopped(epoch + 1);
    }
    return r.finish();
}

}  // namespace patchout
