#include "run_job_worker.h"

#include "audio_worker.h"

#include "patchout/error.h"
#include "patchout/run_jobs.h"

#include <QFileInfo>

namespace patchout::ui {

template <class Job>
void RunJobWorker::runJob(Kind kind, const QString& what, Job&& job) {
    m_cancel.store(false);
    const JobControl control([this, what](const Progress& p) { Q_EMIT progress(p.step, p.total, what); },
                             m_cancel);
    try {
        job(control);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Cancelled) {
            Q_EMIT cancelled(kind);
            return;
        }
        Q_EMIT failed(kind, describeError(e));
    } catch (const std::exception& e) {
        Q_EMIT failed(kind, describeError(e));
    }
}

// A job's summary, with the files it could not decode named after it (where they are listed).
QString RunJobWorker::skippedNote(const std::vector<FileError>& skipped, const std::filesystem::path& errors,
                                  const QString& summary) {
    if (skipped.empty())
        return summary;
    return summary + tr("; %1 skipped, first %2 (%3), all listed in %4")
                         .arg(skipped.size())
                         .arg(QString::fromStdString(skipped.front().path.filename().string()),
                              QString::fromStdString(skipped.front().reason), QString::fromStdString(errors.string()));
}

void RunJobWorker::evaluate(const QString& runDir, const QString& split) {
    const QString name = QFileInfo(runDir).fileName();
    runJob(Kind::Evaluate, tr("Evaluating %1 on its %2 clips").arg(name, split), [&](const JobControl& job) {
        EvaluateOptions options;
        options.split = split.toStdString();
        options.infer.device = m_device;
        const EvaluateResult r = evaluateRun(runDir.toStdString(), options, &job);
        const QString summary =
            skippedNote(r.skipped, r.out / "errors.csv",
            r.report.multi_label
                ? tr("%1 evaluated on %2 %3 clips: mAP %4").arg(name).arg(r.report.n_clips).arg(split).arg(
                      r.report.ranking.mean_average_precision, 0, 'f', 3)
                : tr("%1 evaluated on %2 %3 clips: accuracy %4%, macro F1 %5")
                      .arg(name)
                      .arg(r.report.n_clips)
                      .arg(split)
                      .arg(100 * r.report.accuracy, 0, 'f', 1)
                      .arg(r.report.classification.macro.f1, 0, 'f', 3));
        Q_EMIT finished(Kind::Evaluate, runDir, QString::fromStdString(r.out.string()), summary);
    });
}

void RunJobWorker::embed(const QString& runDir, const QString& projection) {
    const QString name = QFileInfo(runDir).fileName();
    runJob(Kind::Embed, tr("Embedding the clips of %1").arg(name), [&](const JobControl& job) {
        EmbedOptions options;
        options.device = m_device;
        const EmbedResult r = embedRun(runDir.toStdString(), options, projection.toStdString(), &job);
        if (r.rows == 0)
            throw Error(ErrorCode::BadFormat, tr("no clip could be decoded (%1 listed in %2)")
                                                  .arg(r.skipped.size())
                                                  .arg(QString::fromStdString((r.out / "errors.csv").string()))
                                                  .toStdString());
        const QString summary = skippedNote(r.skipped, r.out / "errors.csv",
                                            tr("%1: %2 clips embedded (%3 dimensions, %4 map)")
                                                .arg(name)
                                                .arg(r.rows)
                                                .arg(r.dim)
                                                .arg(QString::fromStdString(r.projection)));
        Q_EMIT finished(Kind::Embed, runDir, QString::fromStdString(r.out.string()), summary);
    });
}

}  // namespace patchout::ui
