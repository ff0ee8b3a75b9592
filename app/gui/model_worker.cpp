#include "model_worker.h"

#include "audio_worker.h"

#include "patchout/checkpoint.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/heads.h"
#include "patchout/run_folder.h"
#include "patchout/run_jobs.h"
#include "patchout/system_info.h"
#include "patchout/thresholds.h"
#include "patchout/trainer.h"

#include <QFileInfo>

#include <algorithm>
#include <cmath>

namespace patchout::ui {

ModelWorker::ModelWorker(QObject* parent) : QObject(parent) {
    qRegisterMetaType<ClipResult>();
    qRegisterMetaType<ModelCard>();
    qRegisterMetaType<SpeedResult>();
    qRegisterMetaType<ClassBarsState>();
}

ModelWorker::~ModelWorker() = default;

LiveOptions ModelWorker::liveOptions(double modelSeconds) {
    LiveOptions o;
    o.window_s = std::min(1.0, modelSeconds);
    o.hop_s = 0.25;
    return o;
}

InferOptions ModelWorker::timelineOptions(double modelSeconds) {
    InferOptions o;
    o.window_s = modelSeconds;
    o.hop_s = modelSeconds / 4;
    o.batch_size = 16;
    o.top_k = 3;
    // The last, shorter window is filled with silence, as training and the reference pad clips.
    o.pad_with_silence = true;
    return o;
}

void ModelWorker::setComputeDevice(const QString& device) { m_device = device.toStdString(); }

void ModelWorker::loadModel(const QString& path) {
    try {
        ModelCheckpoint ckpt = patchout::loadModel(path.toStdString());
        // Every handle below shares these weights, so each says the same device.
        ckpt.model.setDevice(resolveComputeDevice(m_device));
        const std::string device = computeDeviceName(ckpt.model.device());
        const PaSSTOptions& o = ckpt.model.options();
        const FeatureOptions features = featurePreset("passt-32k");
        const double frameRate = static_cast<double>(features.sample_rate) / features.hop_length;
        const double seconds = o.input_frames / frameRate;
        const ScoreActivation activation = activationFromMetadata(ckpt.metadata);

        ModelCard card;
        card.path = path;
        card.options = o;
        for (const std::string& label : ckpt.labels)
            card.labels << QString::fromStdString(label);
        card.activation = QString::fromLatin1(activationName(activation));
        card.parameters = ckpt.model.parameters();
        card.parameter_count = ckpt.model.parameterCount();
        for (const auto& [key, value] : ckpt.metadata)
            card.metadata.emplace_back(QString::fromStdString(key), QString::fromStdString(value));
        card.frame_rate = frameRate;
        card.cost = forwardCost(o, o.input_frames);
        int kept = -1;
        if (o.patchout.active()) {
            const PatchoutMask mask = drawPatchoutMask(o.patchout, o.freqPatches(),
                                                       std::min(o.timePatches(o.input_frames), o.timePositions()), 0);
            kept = mask.keptCount();
        }
        card.training_cost = forwardCost(o, o.input_frames, kept);

        PaSSTModel profiled = ckpt.model.sharedWeights();
        // One model in memory for both: the live classifier shares the file classifier's weights.
        LiveOptions lo = liveOptions(seconds);
        lo.device = device;
        lo.precision = "auto";  // the faster of fp32 and bf16 here, timed once now
        // A multi-label model decides with its run's thresholds (Evaluate's, saved into the run).
        if (activation == ScoreActivation::Sigmoid) {
            const DecisionThresholds thresholds = thresholdsForModel(path.toStdString());
            lo.threshold = thresholds.global;
            lo.class_thresholds = thresholds.forLabels(ckpt.labels);
        }
        auto live = std::make_unique<LiveClassifier>(ckpt.model.sharedWeights(), ckpt.labels, activation, lo);
        card.live_precision = live->precision();
        InferOptions timeline = timelineOptions(seconds);
        timeline.device = device;
        auto classifier = std::make_unique<Classifier>(std::move(ckpt.model), ckpt.labels, activation, timeline);
        {
            const std::lock_guard lock(m_feedMutex);
            m_pending.clear();
            m_liveRate = live->sampleRate();
        }
        m_classifier = std::move(classifier);
        m_live = std::move(live);
        m_model.emplace(std::move(profiled));
        m_modelPath = path;
        m_labels = card.labels;
        Q_EMIT modelLoaded(path, card);
    } catch (const std::exception& e) {
        Q_EMIT failed(tr("Cannot use %1: %2").arg(path, describeError(e, path)));
    }
}

void ModelWorker::feed(const float* samples, std::size_t count, int rate) {
    {
        const std::lock_guard lock(m_feedMutex);
        if (m_liveRate == 0 || rate != m_liveRate || count == 0)
            return;
        m_pending.insert(m_pending.end(), samples, samples + count);
        m_arrived = std::chrono::steady_clock::now();
    }
    // One queued call at a time: what arrives meanwhile waits in m_pending and is taken whole.
    if (!m_processQueued.exchange(true))
        QMetaObject::invokeMethod(this, &ModelWorker::processLive, Qt::QueuedConnection);
}

void ModelWorker::processLive() {
    m_processQueued.store(false);
    std::vector<float> samples;
    std::chrono::steady_clock::time_point arrived;
    {
        const std::lock_guard lock(m_feedMutex);
        samples.swap(m_pending);
        arrived = m_arrived;
    }
    if (!m_live)
        return;
    if (m_resetLive.exchange(false))
        m_live->reset();
    if (samples.empty())
        return;
    try {
        if (const auto update = m_live->pushLatest(samples.data(), samples.size(), arrived)) {
            const auto label = [this](int cls) { return QString::fromStdString(m_live->label(cls)); };
            Q_EMIT classified(ClassBarsState::fromUpdate(*update, label, m_live->options().threshold));
        }
    } catch (const std::exception& e) {
        Q_EMIT failed(tr("Live classification stopped: %1").arg(describeError(e)));
        const std::lock_guard lock(m_feedMutex);
        m_liveRate = 0;
        m_live.reset();
    }
}

void ModelWorker::classifyFile(const QString& path) {
    m_cancel.store(false);
    if (!m_classifier) {
        Q_EMIT failed(tr("Load a model before classifying %1").arg(path));
        Q_EMIT jobFinished(false);
        return;
    }
    const QString name = QFileInfo(m_modelPath).fileName();
    const JobControl job(
        [this, path, name](const Progress& p) {
            Q_EMIT progress(p.step, p.total, tr("Classifying %1 with %2").arg(QFileInfo(path).fileName(), name));
        },
        m_cancel);
    try {
        std::vector<ClipResult> results = m_classifier->classifyFiles({std::filesystem::path(path.toStdString())}, &job);
        if (results.empty())
            throw Error(ErrorCode::BadFormat, "no audio", path.toStdString());
        Q_EMIT timelineReady(path, results.front(), m_labels);
        Q_EMIT jobFinished(false);
    } catch (const std::exception& e) {
        if (job.cancelled()) {
            Q_EMIT jobFinished(true);
            return;
        }
        Q_EMIT failed(tr("Cannot classify %1: %2").arg(path, describeError(e, path)));
        Q_EMIT jobFinished(false);
    }
}

void ModelWorker::measureSpeed() {
    m_cancel.store(false);
    if (!m_classifier) {
        Q_EMIT speedFailed(tr("Load a model before measuring its speed"));
        return;
    }
    try {
        const JobControl job({}, m_cancel);
        const SpeedMeasurement m = patchout::measureSpeed(*m_classifier, {}, &job);
        SpeedResult r;
        r.window_s = m.window_s;
        r.runs = m.runs;
        r.median_ms = m.median_ms;
        r.p90_ms = m.p90_ms;
        const SystemInfo info = systemInfo();
        r.threads = info.torch_threads;
        if (m_model && m_model->device() == ComputeDevice::Cuda)
            r.device = tr("the GPU (CUDA)");
        r.blas = QString::fromStdString(info.blas.name);
        if (!info.blas.kernels.empty())
            r.blas += QStringLiteral(" (%1)").arg(QString::fromStdString(info.blas.kernels));
        if (info.blas.threads > 0)
            r.blas += tr(", %n thread(s)", nullptr, info.blas.threads);
        Q_EMIT speedMeasured(r);
    } catch (const Error& e) {
        Q_EMIT speedFailed(e.code() == ErrorCode::Cancelled ? tr("Cancelled")
                                                            : tr("Cannot measure the model's speed: %1").arg(describeError(e)));
    } catch (const std::exception& e) {
        Q_EMIT speedFailed(tr("Cannot measure the model's speed: %1").arg(describeError(e)));
    }
}

void ModelWorker::measureHeadImportance() {
    m_cancel.store(false);
    if (!m_model) {
        Q_EMIT importanceFailed(tr("Load a model before measuring its heads"));
        return;
    }
    try {
        const RunPaths run = RunPaths::ofCheckpoint(m_modelPath.toStdString());
        if (run.empty())
            throw Error(ErrorCode::InvalidArgument,
                        "the model is not in a run folder: open it from the run it was trained in, whose "
                        "training clips the importance is measured on");
        const RunFolder folder = readRunFolder(run.dir);
        const TrainOptions o = readRunOptions(run.dir);
        const Dataset dataset = readRunDataset(folder);
        const DatasetSplit split = checkpointSplit(dataset, m_modelPath.toStdString());  // as the run trained
        HeadImportanceOptions io;
        io.feature_preset = o.feature_preset;
        io.cache_dir = o.cache_dir.empty() ? run.cache() : o.cache_dir;
        io.batch_size = o.batch_size;
        const JobControl job([this](const Progress& p) { Q_EMIT progress(p.step, p.total, tr("Head importance")); },
                             m_cancel);
        const HeadScores importance = headImportance(*m_model, dataset, split.train, io, &job);
        try {
            storeHeadImportance(m_modelPath.toStdString(), importance);  // shown again when reopened
        } catch (const std::exception&) {
            // a read-only file or one this program did not write: shown, not stored
        }
        Q_EMIT importanceMeasured(importance);
    } catch (const Error& e) {
        Q_EMIT importanceFailed(e.code() == ErrorCode::Cancelled
                                    ? tr("Cancelled")
                                    : tr("Cannot measure the heads' importance: %1").arg(describeError(e)));
    } catch (const std::exception& e) {
        Q_EMIT importanceFailed(tr("Cannot measure the heads' importance: %1").arg(describeError(e)));
    }
}

void ModelWorker::profileModel() {
    m_cancel.store(false);
    if (!m_model) {
        Q_EMIT profileFailed(tr("Load a model before profiling it"));
        return;
    }
    try {
        const JobControl job({}, m_cancel);
        Q_EMIT profiled(patchout::profileModel(*m_model, {}, &job));
    } catch (const Error& e) {
        Q_EMIT profileFailed(e.code() == ErrorCode::Cancelled ? tr("Cancelled")
                                                              : tr("Cannot profile the model: %1").arg(describeError(e)));
    } catch (const std::exception& e) {
        Q_EMIT profileFailed(tr("Cannot profile the model: %1").arg(describeError(e)));
    }
}

}  // namespace patchout::ui
