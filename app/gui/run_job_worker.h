// The workbench's run jobs: Evaluate run… and Embed run… run core evaluateRun / embedRun (what
// `patchout eval --run` and `patchout embed --run` run) on a thread of their own, with progress
// and cancel, so the window stays responsive while a run's dataset is scored or embedded.
// Create it, moveToThread() a QThread, and call its slots through queued connections.
// Thread-safety: cancel() may be called from any thread; the slots run on the worker's thread.
#pragma once

#include "patchout/file_errors.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <string>

namespace patchout::ui {

class RunJobWorker : public QObject {
    Q_OBJECT
public:
    // A job's summary with the files it could not decode named after it (where they are listed):
    // the batch jobs' and training's.
    static QString skippedNote(const std::vector<patchout::FileError>& skipped, const std::filesystem::path& errors,
                               const QString& summary);

    enum class Kind { Evaluate, Embed };
    Q_ENUM(Kind)

    using QObject::QObject;

    // Any thread: the running job stops at its next batch; nothing half-written is left.
    void cancel() noexcept { m_cancel.store(true); }

public Q_SLOTS:
    // Where the next jobs run the model: "auto" (the default), "cpu" or "cuda".
    void setComputeDevice(const QString& device) { m_device = device.toStdString(); }
    // Scores the run's `split` clips (test, validation, train, all) with its best model into
    // RUN/eval.
    void evaluate(const QString& runDir, const QString& split);
    // Embeds every clip of the run's dataset with its best model into RUN/embeddings, with a 2-D
    // map made by `projection` (auto, tsne, pca, none).
    void embed(const QString& runDir, const QString& projection);

Q_SIGNALS:
    void progress(qint64 step, qint64 total, const QString& what);
    // `outDir` is RUN/eval or RUN/embeddings; `summary` one sentence for the status bar.
    void finished(patchout::ui::RunJobWorker::Kind kind, const QString& runDir,
                  const QString& outDir, const QString& summary);
    void cancelled(patchout::ui::RunJobWorker::Kind kind);
    void failed(patchout::ui::RunJobWorker::Kind kind, const QString& message);

private:
    template <class Job>
    void runJob(Kind kind, const QString& what, Job&& job);

    std::atomic<bool> m_cancel{false};
    std::string m_device = "auto";
};

}  // namespace patchout::ui
