// AudioWorker does the workbench's audio work off the GUI thread: it streams a live or synthetic
// AudioSource through a StreamingFeatureExtractor and sends Features blocks and levels with queued
// signals, hands the samples to the ModelWorker (live classification on its own thread), records
// the live input to WAV, and loads files (decode + features) as a job with progress and cancel.
// Create it, moveToThread() a QThread, and call its slots through queued connections or
// QMetaObject::invokeMethod. Thread-safety: only cancelJob() may be called directly from another
// thread.
#pragma once

#include "patchout/audio_source.h"
#include "patchout/features.h"
#include "patchout/resampler.h"
#include "patchout/waveform.h"
#include "patchout/ui/listen_view.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <optional>

class QTimer;

namespace patchout::ui {

class ModelWorker;

class AudioWorker : public QObject {
    Q_OBJECT
public:
    explicit AudioWorker(QObject* parent = nullptr);
    ~AudioWorker() override;

    // Streams `source` (already created) with the feature preset; live sources are read as samples
    // arrive, the others at real-time pace; another sample rate than the features' is resampled
    // (libsoxr). Emits streamStarted, then featuresReady and levels. Recordings are at the
    // features' rate. A microphone that refuses 32 kHz is opened at its own rate.
    void startSource(std::unique_ptr<AudioSource> source, const QString& preset);
    bool streaming() const noexcept { return m_source != nullptr; }
    bool recording() const noexcept { return !m_recordPath.isEmpty(); }
    // Where the stream's samples (at the features' rate) go for live classification; the model
    // worker must outlive the streams (the app stops them first). nullptr: nowhere.
    void setModelWorker(ModelWorker* model) noexcept { m_model = model; }
    // Any thread: asks a running loadFile() job to stop at its next block.
    void cancelJob() noexcept { m_cancel.store(true); }

    // How often the stream is polled; each poll delivers what arrived (>= 30 updates a second).
    static constexpr int kPollMs = 15;
    // A recording is saved and ends here rather than filling the memory (32 kHz mono float).
    static constexpr double kMaxRecordSeconds = 3600.0;

public Q_SLOTS:
    void startStream(const patchout::ui::SourceChoice& source, const QString& preset);
    void stopStream();
    void startRecording(const QString& path);
    void stopRecording();
    // Decodes `path` at 32 kHz (or reuses the last decoded file) and computes `preset` features.
    void loadFile(const QString& path, const QString& preset);

Q_SIGNALS:
    void streamStarted(const QString& sourceName, const patchout::Features& metadata);
    void featuresReady(const patchout::Features& frames);
    void levels(double rms, double peak);
    void streamStopped();
    void recordingStarted(const QString& path);
    void recordingSaved(const QString& path, double seconds);
    void fileLoaded(const QString& path, const patchout::Waveform& wave,
                    const patchout::Features& features);
    void progress(qint64 step, qint64 total, const QString& message);
    void jobFinished(bool cancelled);
    void failed(const QString& message);

private:
    void poll();
    void finishStream();

    std::unique_ptr<AudioSource> m_source;
    std::optional<StreamingFeatureExtractor> m_extractor;
    std::optional<Resampler> m_resampler;  // when the source's rate differs from the features'
    QTimer* m_timer = nullptr;
    QElapsedTimer m_clock;
    std::int64_t m_delivered = 0;  // samples read from a paced source
    std::vector<float> m_buffer;
    std::vector<float> m_resampled;
    QString m_recordPath;
    Waveform m_recorded;
    QString m_loadedPath;
    Waveform m_loaded;
    std::atomic<bool> m_cancel{false};
    ModelWorker* m_model = nullptr;
};

// The message shown for a failure of the audio work. `subject` is what the surrounding sentence
// already names (a file path): a patchout::Error about it is not told twice.
QString describeError(const std::exception& error, const QString& subject = {});

}  // namespace patchout::ui

Q_DECLARE_METATYPE(patchout::Waveform)
