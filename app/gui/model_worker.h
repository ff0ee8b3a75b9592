// ModelWorker runs the workbench's model on a thread of its own, so that neither the audio thread
// nor the GUI ever waits for a forward pass. It classifies the live stream the AudioWorker feeds it
// (only the newest window when the model cannot keep up: the bars never fall behind the sound),
// classifies a file into a timeline of windows (a job with progress and cancel), describes the
// loaded model for the Model view and measures its speed. Create it, moveToThread() a QThread, and
// call its slots through queued connections. Thread-safety: feed(), resetLive() and cancelJob()
// may be called from any thread; everything else runs on the worker's thread.
#pragma once

#include "patchout/classifier.h"
#include "patchout/live_classifier.h"
#include "patchout/ui/class_bars.h"
#include "patchout/ui/model_view.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace patchout::ui {

class ModelWorker : public QObject {
    Q_OBJECT
public:
    explicit ModelWorker(QObject* parent = nullptr);
    ~ModelWorker() override;

    // Any thread (the audio thread): samples of the live stream at `rate`; ignored without a model
    // or at another rate than the model's.
    void feed(const float* samples, std::size_t count, int rate);
    // Any thread: the next samples start a new stream (no window or smoothing carried over).
    void resetLive() noexcept { m_resetLive.store(true); }
    // Any thread: stops a running classifyFile() or measureSpeed() at its next batch.
    void cancelJob() noexcept { m_cancel.store(true); }

    // The live classifier's analysis: 1 s windows (or the model's length if shorter) every 250 ms.
    static LiveOptions liveOptions(double modelSeconds);
    // A file's timeline: windows of the model's length, four per window length.
    static InferOptions timelineOptions(double modelSeconds);

public Q_SLOTS:
    // Where the next loadModel() puts the model: "auto", "cpu" or "cuda" (the workbench's
    // preference; the CLI's --device). A model already loaded stays where it is until loaded again.
    void setComputeDevice(const QString& device);
    // Loads a checkpoint (saveModel file) for live classification and file timelines, on the
    // preferred device; on failure (CUDA asked for and absent included) the previous model stays.
    void loadModel(const QString& path);
    // Classifies `path` by windows with the loaded model (timelineReady, or failed).
    void classifyFile(const QString& path);
    // Times forward passes of one window of noise (batch 1) for about two seconds (core
    // measureSpeed, as `patchout model speed` does).
    void measureSpeed();
    // Profiles the loaded model part by part (core profileModel, as `patchout profile` does).
    void profileModel();
    // The heads' importance (core headImportance) on the training clips of the run the loaded
    // model was saved in (its split, validation carved as training carved it).
    void measureHeadImportance();

Q_SIGNALS:
    void modelLoaded(const QString& path, const patchout::ui::ModelCard& card);
    void classified(const patchout::ui::ClassBarsState& state);
    void timelineReady(const QString& path, const patchout::ClipResult& result, const QStringList& labels);
    void speedMeasured(const patchout::ui::SpeedResult& result);
    void speedFailed(const QString& message);
    void profiled(const patchout::ModelProfile& profile);
    void profileFailed(const QString& message);
    void importanceMeasured(const patchout::HeadScores& importance);
    void importanceFailed(const QString& message);
    void progress(qint64 step, qint64 total, const QString& message);
    void jobFinished(bool cancelled);
    void failed(const QString& message);

private:
    void processLive();

    std::unique_ptr<LiveClassifier> m_live;
    std::unique_ptr<Classifier> m_classifier;  // the same model, for files and timing
    std::optional<PaSSTModel> m_model;         // and a third handle on it, for the profile
    QString m_modelPath;
    std::string m_device = "auto";  // setComputeDevice
    QStringList m_labels;

    std::mutex m_feedMutex;  // guards the three below
    std::vector<float> m_pending;
    std::chrono::steady_clock::time_point m_arrived{};
    int m_liveRate = 0;  // the model's rate, 0 without a model
    std::atomic<bool> m_processQueued{false};
    std::atomic<bool> m_resetLive{false};
    std::atomic<bool> m_cancel{false};
};

}  // namespace patchout::ui

Q_DECLARE_METATYPE(patchout::ClipResult)
