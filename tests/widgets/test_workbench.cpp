// The workbench's audio worker and main window: streaming a synthetic source at real-time pace,
// recording the live input to a valid WAV, loading files (good and bad) as jobs, the clear error
// for a missing microphone, the window opening a file and playing it without an output device, the
// model thread (live classification, file timelines, speed) and the window's timeline per file.
#include "qtest_registry.h"

#include "audio_player.h"
#include "audio_worker.h"
#include "explain_dialog.h"
#include "main_window.h"
#include "model_worker.h"
#include "train_worker.h"

#include "patchout/audio_file.h"
#include "patchout/audio_source.h"
#include "patchout/error.h"
#include "patchout/checkpoint.h"
#include "patchout/passt.h"
#include "patchout/recipes.h"
#include "patchout/report.h"
#include "patchout/run_jobs.h"
#include "patchout/system_info.h"
#include "patchout/trainer.h"
#include "patchout/embedding_folder.h"
#include "patchout/ui/embeddings_view.h"
#include "patchout/ui/evaluate_view.h"
#include "patchout/ui/patchout_view.h"
#include "patchout/ui/run_comparison_view.h"
#include "patchout/ui/class_bars.h"
#include "patchout/ui/listen_view.h"
#include "patchout/ui/model_view.h"
#include "patchout/ui/prediction_timeline.h"
#include "patchout/ui/spectrogram_view.h"
#include "patchout/ui/train_view.h"

#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileInfo>
#include <QImage>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QElapsedTimer>
#include <QFile>
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QScopeGuard>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSlider>
#include <QListWidget>
#include <QTableWidget>

#include <cmath>

using namespace patchout;
using namespace patchout::ui;

namespace {

SignalOptions sine1k(double seconds) {
    SignalOptions s;
    s.kind = SignalKind::Sine;
    s.frequency_hz = 1000.0;
    s.amplitude = 0.3;
    s.duration_s = seconds;
    return s;
}

QString writeSineWav(const QTemporaryDir& dir, double seconds) {
    const QString path = dir.filePath(QStringLiteral("sine_1000hz_%1s_32k.wav").arg(seconds));
    saveWav(path.toStdString(), synthesize(sine1k(seconds)));
    return path;
}

// Clicks `button` of the next modal message box as soon as it shows (NoButton: accepts it), and
// keeps its text in *text when given.
void answerNextMessageBox(QMessageBox::StandardButton button, QString* text = nullptr) {
    auto* poll = new QTimer;
    poll->setInterval(20);
    QObject::connect(poll, &QTimer::timeout, poll, [poll, button, text] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            poll->deleteLater();
            if (text != nullptr)
                *text = box->text();
            if (button == QMessageBox::NoButton)
                box->accept();
            else
                box->button(button)->click();
        }
    });
    poll->start();
}

QString epochLine(int epoch, double accuracy) {
    return QStringLiteral("{\"type\":\"step\",\"epoch\":%1,\"step\":%2,\"loss\":%3,\"lr\":0.001}\n"
                          "{\"type\":\"epoch\",\"epoch\":%1,\"step\":%2,\"train_loss\":%3,\"lr\":0.001,"
                          "\"validation\":{\"examples\":20,\"loss\":%3,\"accuracy\":%4},\"seconds\":2.5}\n")
        .arg(epoch)
        .arg(epoch * 10)
        .arg(2.0 / epoch)
        .arg(accuracy);
}

// A run folder as `patchout train` leaves it after `epochs` epochs, with a real best model.
void writeRunFolder(const QString& run, int epochs) {
    QDir().mkpath(run + QStringLiteral("/checkpoints"));
    QFile config(run + QStringLiteral("/config.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"options":{"preset":"passt-micro","epochs":10},"dataset":{"root":"/data","classes":["a","b"]}})");
    config.close();
    QFile metrics(run + QStringLiteral("/metrics.jsonl"));
    QVERIFY(metrics.open(QIODevice::WriteOnly));
    for (int e = 1; e <= epochs; ++e)
        metrics.write(epochLine(e, 0.4 + 0.1 * e).toUtf8());
    metrics.close();
    patchout::PaSSTOptions o = patchout::passtPreset("passt-micro");
    o.num_classes = 2;
    patchout::saveModel((run + QStringLiteral("/checkpoints/best.safetensors")).toStdString(),
                        patchout::PaSSTModel(o, 2), {"a", "b"}, {{"task", "single-label"}});
}

// A passt-micro model with ten classes w0..w9, single-label.
QString writeWordsModel(const QTemporaryDir& dir) {
    const QString model = dir.filePath(QStringLiteral("words.safetensors"));
    std::vector<std::string> labels;
    for (int i = 0; i < 10; ++i)
        labels.push_back("w" + std::to_string(i));
    saveModel(model.toStdString(), PaSSTModel(passtPreset("passt-micro"), 2), labels, {{"task", "single-label"}});
    return model;
}

// Three tones (300 Hz, 1.2 kHz, 4 kHz), `perClass` clips of 0.5 s each, every third one test: a
// CSV dataset a model learns in a few steps.
QString writeToneDataset(const QTemporaryDir& dir, int perClass = 6) {
    const QString root = dir.filePath(QStringLiteral("tones"));
    QDir().mkpath(root);
    QString csv = QStringLiteral("filename,label,split\n");
    const double base[] = {300.0, 1200.0, 4000.0};
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < perClass; ++i) {
            const QString name = QStringLiteral("k%1_%2.wav").arg(c).arg(i);
            SignalOptions s = sine1k(0.5);
            s.frequency_hz = base[c] * (1.0 + 0.01 * i);
            saveWav((root + QLatin1Char('/') + name).toStdString(), synthesize(s));
            csv += QStringLiteral("%1,tone%2,%3\n").arg(name).arg(c).arg(i % 3 == 2 ? QStringLiteral("test") : QStringLiteral("train"));
        }
    QFile f(root + QStringLiteral("/labels.csv"));
    f.open(QIODevice::WriteOnly);
    f.write(csv.toUtf8());
    return root;
}

// A short passt-micro run on the tone dataset, into DIR/run: one epoch of batches of 4, every
// training clip used (no validation carved).
TrainRequest quickTonesRequest(const QTemporaryDir& dir) {
    TrainRequest request;
    request.dataset = writeToneDataset(dir);
    request.run_dir = dir.filePath(QStringLiteral("run"));
    request.options.preset = "passt-micro";
    request.options.epochs = 1;
    request.options.batch_size = 4;
    request.options.validation_fraction = 0;
    return request;
}

}  // namespace

class WorkbenchTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void streamsSyntheticAtRealTimePace() {
        AudioWorker worker;
        QSignalSpy started(&worker, &AudioWorker::streamStarted);
        QSignalSpy frames(&worker, &AudioWorker::featuresReady);
        QSignalSpy levels(&worker, &AudioWorker::levels);
        worker.startSource(makeSyntheticSource(syntheticSignal(SignalKind::Sine)), QStringLiteral("passt-32k"));
        QElapsedTimer clock;  // the worker's clock starts as startSource() returns
        clock.start();
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.at(0).at(1).value<Features>().n_bins, 128);
        QTest::qWait(500);
        const double elapsed = clock.elapsed() / 1000.0;
        worker.stopStream();
        int n = 0;
        for (const auto& args : frames)
            n += args.at(0).value<Features>().n_frames;
        // 100 frames a second, never ahead of the clock; a loaded machine may lag a little.
        QVERIFY2(n <= elapsed * 100 + 2, qPrintable(QStringLiteral("%1 frames in %2 s").arg(n).arg(elapsed)));
        QVERIFY2(n >= (elapsed - 0.2) * 100 - 5, qPrintable(QStringLiteral("%1 frames in %2 s").arg(n).arg(elapsed)));
        // Blocks arrive often enough for >= 30 drawn frames a second.
        QVERIFY2(frames.count() >= elapsed * 30 * 0.8, qPrintable(QString::number(frames.count())));
        QVERIFY(!levels.isEmpty());
        const double rms = levels.last().at(0).toDouble();
        QVERIFY2(std::abs(rms - 0.3 / std::sqrt(2.0)) < 0.02, qPrintable(QString::number(rms)));
        QVERIFY(!worker.streaming());
    }

    void recordingWritesValidWav() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("take.wav"));
        AudioWorker worker;
        QSignalSpy saved(&worker, &AudioWorker::recordingSaved);
        QSignalSpy failed(&worker, &AudioWorker::failed);
        worker.startRecording(path);  // nothing live yet: refused with a message
        QCOMPARE(failed.count(), 1);
        QVERIFY(!worker.recording());
        worker.startSource(makeSyntheticSource(syntheticSignal(SignalKind::Sine)), QStringLiteral("passt-32k"));
        worker.startRecording(path);
        QVERIFY(worker.recording());
        QTest::qWait(400);
        worker.stopRecording();
        QCOMPARE(saved.count(), 1);
        QCOMPARE(saved.at(0).at(0).toString(), path);
        const double seconds = saved.at(0).at(1).toDouble();
        QVERIFY2(seconds > 0.2 && seconds < 2.0, qPrintable(QString::number(seconds)));

        const AudioInfo info = probeAudio(path.toStdString());
        QCOMPARE(info.sample_rate, 32000);
        QCOMPARE(info.channels, 1);
        QCOMPARE(info.frames, static_cast<std::int64_t>(std::lround(seconds * 32000)));
        const Waveform wave = loadAudio(path.toStdString());
        float peak = 0;
        int crossings = 0;
        for (std::size_t i = 0; i < wave.size(); ++i) {
            peak = std::max(peak, std::abs(wave.samples[i]));
            if (i > 0 && (wave.samples[i - 1] < 0) != (wave.samples[i] < 0))
                ++crossings;
        }
        QVERIFY2(std::abs(peak - 0.3f) < 0.01f, qPrintable(QString::number(peak)));
        // A 1 kHz sine crosses zero 2000 times a second.
        QVERIFY2(std::abs(crossings - 2000.0 * seconds) < 4, qPrintable(QString::number(crossings)));
        // No temporary file is left beside it (saveWav writes atomically).
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
        worker.stopStream();
        QCOMPARE(failed.count(), 1);
    }

    void microphoneThatDisappearsKeepsTheRecording() {
        // A live source that fails mid-stream, as a USB microphone pulled out does: the worker
        // says so, stops the stream, and the recording keeps what arrived before (#20).
        class Unplugged : public AudioSource {
        public:
            std::string name() const override { return "USB microphone"; }
            int sampleRate() const override { return 32000; }
            bool isLive() const override { return true; }
            std::size_t read(float* out, std::size_t maxSamples) override {
                if (++m_reads > 4)
                    throw Error(ErrorCode::Device, "the audio device was disconnected");
                const std::size_t n = std::min<std::size_t>(maxSamples, 3200);
                std::fill(out, out + n, 0.25f);
                return n;
            }
            bool finished() const override { return false; }

        private:
            int m_reads = 0;
        };
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("until-unplugged.wav"));
        AudioWorker worker;
        QSignalSpy failed(&worker, &AudioWorker::failed);
        QSignalSpy stopped(&worker, &AudioWorker::streamStopped);
        QSignalSpy saved(&worker, &AudioWorker::recordingSaved);
        worker.startSource(std::make_unique<Unplugged>(), QStringLiteral("passt-32k"));
        worker.startRecording(path);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("disconnected")),
                 qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(stopped.count(), 1);
        QCOMPARE(saved.count(), 1);
        const Waveform kept = loadAudio(path.toStdString());
        QCOMPARE(kept.size(), std::size_t{4 * 3200});  // every block read before the failure
        QVERIFY(!worker.recording());
    }

    void resamplesOtherRates() {
        // A 48 kHz source (most microphones) reaches the features and the recording at 32 kHz.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("take48k.wav"));
        SignalOptions s = syntheticSignal(SignalKind::Sine);
        s.sample_rate = 48000;
        AudioWorker worker;
        QSignalSpy frames(&worker, &AudioWorker::featuresReady);
        QSignalSpy saved(&worker, &AudioWorker::recordingSaved);
        worker.startSource(makeSyntheticSource(s), QStringLiteral("linear-db-32k"));
        QVERIFY(worker.streaming());
        worker.startRecording(path);
        QElapsedTimer clock;
        clock.start();
        QTest::qWait(500);
        const double elapsed = clock.elapsed() / 1000.0;
        worker.stopStream();  // also ends and saves the recording
        QCOMPARE(saved.count(), 1);
        Features all;
        for (const auto& args : frames)
            all.append(args.at(0).value<Features>());
        QVERIFY2(all.n_frames <= elapsed * 100 + 2 && all.n_frames >= (elapsed - 0.2) * 100 - 5,
                 qPrintable(QStringLiteral("%1 frames in %2 s").arg(all.n_frames).arg(elapsed)));
        // The loudest bin of the last frame is the 1 kHz bin (32 kHz / 1024 per bin).
        const int last = all.n_frames - 1;
        int loudest = 0;
        for (int b = 1; b < all.n_bins; ++b)
            if (all.at(b, last) > all.at(loudest, last))
                loudest = b;
        QVERIFY2(std::abs(all.bin_frequencies[static_cast<std::size_t>(loudest)] - 1000.0) <= 32.0,
                 qPrintable(QString::number(all.bin_frequencies[static_cast<std::size_t>(loudest)])));
        const AudioInfo info = probeAudio(path.toStdString());
        QCOMPARE(info.sample_rate, 32000);
    }

    void trainDialogChecksTheRequest() {
        QTemporaryDir dir;
        TrainDialog dialog;
        QVERIFY(dialog.problem().contains(QStringLiteral("dataset")));
        dialog.datasetEdit()->setText(dir.filePath(QStringLiteral("missing")));
        QVERIFY(dialog.problem().contains(QStringLiteral("not a folder")));
        dialog.datasetEdit()->setText(dir.path());
        // The run folder is suggested from the dataset and the preset.
        QVERIFY2(QFileInfo(dialog.runEdit()->text()).fileName().startsWith(QFileInfo(dir.path()).fileName() + QStringLiteral("-passt-micro-")),
                 qPrintable(dialog.runEdit()->text()));
        QVERIFY(dialog.problem().isEmpty());
        // From scratch by default: the core recipe, the one the demo and `train --recipe` use.
        QCOMPARE(dialog.recipeBox()->currentData().toString(), QStringLiteral("from-scratch"));
        const TrainOptions scratch = trainRecipe("from-scratch");
        QCOMPARE(dialog.epochsBox()->value(), scratch.epochs);
        QCOMPARE(dialog.lrBox()->value(), scratch.lr);
        const TrainRequest fresh = dialog.request();
        TrainOptions augmentOnly = scratch;  // the recipe's augmentation: no mixup, no masks
        augmentOnly.augment = fresh.options.augment;
        QCOMPARE(trainOptionsToJson(augmentOnly), trainOptionsToJson(scratch));
        dialog.epochsBox()->setValue(7);
        dialog.patchoutBox()->setChecked(false);
        QCOMPARE(dialog.request().options.epochs, 7);
        QVERIFY(dialog.request().options.override_patchout && !dialog.request().options.patchout.active());
        QVERIFY(!dialog.request().options.resume);
        dialog.patchoutBox()->setChecked(true);
        QCOMPARE(dialog.request().options.precision, std::string("fp32"));  // the default
        dialog.precisionBox()->setCurrentIndex(dialog.precisionBox()->findData(QStringLiteral("bf16")));
        QCOMPARE(dialog.request().options.precision, std::string("bf16"));
        dialog.precisionBox()->setCurrentIndex(0);
        QVERIFY(!dialog.request().options.skip_bad_rows);  // strict unless asked
        dialog.skipBadRowsBox()->setChecked(true);
        QVERIFY(dialog.request().options.skip_bad_rows);
        dialog.skipBadRowsBox()->setChecked(false);

        // A folder holding a saved run is offered for resuming, with the run's own options.
        const QString run = dir.filePath(QStringLiteral("run"));
        QDir().mkpath(run + QStringLiteral("/checkpoints"));
        QFile state(run + QStringLiteral("/checkpoints/state.pt"));
        QVERIFY(state.open(QIODevice::WriteOnly));
        state.close();
        TrainOptions saved = scratch;
        saved.epochs = 9;
        saved.lr = 2e-3;
        saved.skip_bad_rows = true;
        QFile config(run + QStringLiteral("/config.json"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QStringLiteral(R"({"options": %1, "dataset": {"root": "%2"}, "split": {"name": "own"}})")
                         .arg(QString::fromStdString(trainOptionsToJson(saved)), dir.path())
                         .toUtf8());
        config.close();
        dialog.runEdit()->setText(run);
        QVERIFY(dialog.resumeBox()->isChecked());
        QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
        QCOMPARE(dialog.epochsBox()->value(), 9);  // shown, and locked
        QVERIFY(!dialog.epochsBox()->isEnabled() && !dialog.presetBox()->isEnabled());
        const TrainRequest r = dialog.request();
        QVERIFY(r.options.resume);
        QCOMPARE(r.options.epochs, 9);
        QCOMPARE(r.options.lr, 2e-3);
        QVERIFY(r.options.skip_bad_rows && dialog.skipBadRowsBox()->isChecked() && !dialog.skipBadRowsBox()->isEnabled());
        QCOMPARE(r.run_dir, run);
        dialog.resumeBox()->setChecked(false);
        QVERIFY(dialog.problem().contains(QStringLiteral("resume")));
        QVERIFY(dialog.epochsBox()->isEnabled());
        // A run without its config.json cannot be continued: said so.
        QFile::remove(run + QStringLiteral("/config.json"));
        dialog.resumeBox()->setChecked(true);
        QVERIFY2(dialog.problem().contains(QStringLiteral("config.json")), qPrintable(dialog.problem()));

        dialog.runEdit()->setText(dir.filePath(QStringLiteral("run-new")));
        QVERIFY(!dialog.resumeBox()->isChecked());
        QVERIFY(dialog.problem().isEmpty());
        QVERIFY(dialog.request().options.init_checkpoint.empty());
        QCOMPARE(dialog.request().options.freeze_blocks, 0);
        QVERIFY(dialog.request().options.extra_train.empty());
        // More training data: a folder, passed as extra_train.
        dialog.extraEdit()->setText(dir.filePath(QStringLiteral("nowhere")));
        QVERIFY2(dialog.problem().contains(QStringLiteral("not a folder")), qPrintable(dialog.problem()));
        dialog.extraEdit()->setText(run);
        QVERIFY(dialog.problem().isEmpty());
        QCOMPARE(dialog.request().options.extra_train.size(), 1u);
        QCOMPARE(QString::fromStdString(dialog.request().options.extra_train.front().string()), run);
        // Starting from a model file: it must exist; the preset no longer applies, freezing does,
        // and the recipe becomes fine-tuning (mixup, masks, its learning rate).
        QVERIFY(dialog.presetBox()->isEnabled() && !dialog.freezeBox()->isEnabled());
        dialog.initEdit()->setText(dir.filePath(QStringLiteral("missing.safetensors")));
        QVERIFY2(dialog.problem().contains(QStringLiteral("not a file")), qPrintable(dialog.problem()));
        dialog.initEdit()->setText(run + QStringLiteral("/checkpoints/state.pt"));
        QVERIFY(dialog.problem().isEmpty());
        QVERIFY(!dialog.presetBox()->isEnabled() && dialog.freezeBox()->isEnabled());
        QCOMPARE(dialog.recipeBox()->currentData().toString(), QStringLiteral("fine-tune"));
        QCOMPARE(dialog.lrBox()->value(), trainRecipe("fine-tune").lr);
        QVERIFY(dialog.request().options.augment.mixup_alpha > 0);
        dialog.freezeBox()->setValue(1);
        // PATCHOUT_SHOT_DIR=DIR: the dialog as filled here, for docs/images.
        if (const QString shots = qEnvironmentVariable("PATCHOUT_SHOT_DIR"); !shots.isEmpty()) {
            dialog.resize(dialog.sizeHint().expandedTo(QSize(640, 0)));
            QVERIFY(dialog.grab().save(QDir(shots).filePath(QStringLiteral("train-dialog.png"))));
        }
        const TrainRequest tuned = dialog.request();
        QCOMPARE(QString::fromStdString(tuned.options.init_checkpoint.string()),
                 run + QStringLiteral("/checkpoints/state.pt"));
        QCOMPARE(tuned.options.freeze_blocks, 1);
        dialog.initEdit()->clear();
        QCOMPARE(dialog.request().options.freeze_blocks, 0);
        QVERIFY(dialog.presetBox()->isEnabled());
        QCOMPARE(dialog.recipeBox()->currentData().toString(), QStringLiteral("from-scratch"));
        // Pretraining first: only without a model to start from; its unlabelled folder must exist.
        QVERIFY(dialog.pretrainBox()->isEnabled() && !dialog.unlabelledEdit()->isEnabled());
        QCOMPARE(dialog.request().pretrain_epochs, 0);
        dialog.pretrainBox()->setValue(20);
        QVERIFY(dialog.unlabelledEdit()->isEnabled());
        dialog.unlabelledEdit()->setText(dir.filePath(QStringLiteral("nowhere")));
        QVERIFY2(dialog.problem().contains(QStringLiteral("not a folder")), qPrintable(dialog.problem()));
        dialog.unlabelledEdit()->setText(dir.path());
        QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
        QCOMPARE(dialog.request().pretrain_epochs, 20);
        QCOMPARE(dialog.request().unlabelled, dir.path());
        dialog.initEdit()->setText(run + QStringLiteral("/checkpoints/state.pt"));
        QVERIFY(!dialog.pretrainBox()->isEnabled() && !dialog.unlabelledEdit()->isEnabled());
        QCOMPARE(dialog.request().pretrain_epochs, 0);
        dialog.initEdit()->clear();
        QCOMPARE(dialog.request().pretrain_epochs, 20);
    }

    void windowPretrainsThenTrains() {
        QTemporaryDir dir;
        TrainRequest request = quickTonesRequest(dir);
        request.pretrain_epochs = 2;
        MainWindow window;
        QSignalSpy finished(&window, &MainWindow::trainingFinished);
        window.train(request);
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        QVERIFY2(window.trainView()->trainingStatus().contains(QStringLiteral("Pretrained on")),
                 qPrintable(window.trainView()->trainingStatus()));
        // Training started from the pretrained encoder, which stays in the run folder.
        const QString pretrained = QFileInfo(request.run_dir).absoluteFilePath() +
                                   QStringLiteral("/pretrain/checkpoints/last.safetensors");
        QVERIFY(QFileInfo::exists(pretrained));
        QCOMPARE(QString::fromStdString(readRunOptions(request.run_dir.toStdString()).init_checkpoint.string()),
                 pretrained);
    }

    void windowMeasuresHeadsAndPrunesTheModel() {
        QTemporaryDir dir;
        TrainRequest request = quickTonesRequest(dir);
        request.options.baseline = false;
        MainWindow window;
        QSignalSpy finished(&window, &MainWindow::trainingFinished);
        QSignalSpy model(&window, &MainWindow::modelLoaded);
        window.train(request);
        QVERIFY(finished.wait(120000));
        QTRY_VERIFY_WITH_TIMEOUT(!model.isEmpty(), 10000);  // the run's best model, loaded at the end
        // The heads' importance on the run's training clips, then pruning to half of them.
        QTest::mouseClick(window.modelView()->importanceButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window.modelView()->keptHeads().empty(), 60000);
        window.modelView()->setKeepShare(0.5);
        QVERIFY(window.modelView()->pruneButton()->isEnabled());
        QTest::mouseClick(window.modelView()->pruneButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 120000);
        QCOMPARE(finished.at(1).at(1).toBool(), false);
        QVERIFY2(window.trainView()->trainingStatus().contains(QStringLiteral("Pruned to 2 of 2 blocks and 4 of 8 heads")),
                 qPrintable(window.trainView()->trainingStatus()));
        QVERIFY(window.currentRun().contains(QStringLiteral("run-blocks2-heads50-")));
        QVERIFY(QFileInfo::exists(window.currentRun() + QStringLiteral("/prune.json")));
        // The pruned run's model beside the one it started from.
        QTRY_VERIFY_WITH_TIMEOUT(!window.modelView()->comparisonTable()->isHidden(), 10000);
        QCOMPARE(window.modelView()->comparisonTable()->item(2, 1)->text(), QStringLiteral("8"));  // heads before
        QCOMPARE(window.modelView()->comparisonTable()->item(2, 2)->text(), QStringLiteral("4"));
        // Sharing the MLP of the pair of blocks, from the model of the first run.
        QTRY_VERIFY_WITH_TIMEOUT(model.count() >= 2, 10000);  // the pruned run's model, loaded
        QSignalSpy opened(&window, &MainWindow::runOpened);
        window.openRun(request.run_dir);
        QTRY_VERIFY_WITH_TIMEOUT(window.modelView()->shareButton()->isEnabled() &&
                                     model.last().at(0).toString().startsWith(QFileInfo(request.run_dir).absoluteFilePath() + QLatin1Char('/')),
                                 20000);
        window.modelView()->sharingBox()->setCurrentIndex(window.modelView()->sharingBox()->findData(QStringLiteral("mlp")));
        QTest::mouseClick(window.modelView()->shareButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 120000);
        QVERIFY(window.currentRun().contains(QStringLiteral("run-shared-mlp-")));
        QCOMPARE(readRunOptions(window.currentRun().toStdString()).sharing, std::string("mlp"));
    }

    void windowTrainsFollowsAndStops() {
        QTemporaryDir dir;
        TrainRequest request = quickTonesRequest(dir);
        request.options.validation_fraction = TrainOptions{}.validation_fraction;  // curves of validation accuracy
        request.options.epochs = 2;
        request.options.warmup_steps = 1;
        request.options.log_every_steps = 1;
        MainWindow window;
        QSignalSpy finished(&window, &MainWindow::trainingFinished);
        QSignalSpy opened(&window, &MainWindow::runOpened);
        QSignalSpy model(&window, &MainWindow::modelLoaded);
        window.train(request);
        QVERIFY(window.training());
        QVERIFY(window.busy());
        QVERIFY(window.trainView()->training());
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        QVERIFY(!window.training());
        // The run was opened while it trained and again at the end, with its curves and model.
        QVERIFY(opened.count() >= 2);
        QCOMPARE(window.currentRun(), QFileInfo(request.run_dir).absoluteFilePath());
        QCOMPARE(window.trainView()->accuracySeries()->count(), 2);
        QVERIFY2(window.trainView()->trainingStatus().contains(QStringLiteral("Trained 2 epochs")),
                 qPrintable(window.trainView()->trainingStatus()));
        QTRY_VERIFY_WITH_TIMEOUT(!model.isEmpty(), 10000);
        // A longer run stopped from the window keeps its state for resuming.
        TrainRequest longer = request;
        longer.run_dir = dir.filePath(QStringLiteral("run2"));
        longer.options.epochs = 500;
        window.train(longer);
        QTRY_VERIFY_WITH_TIMEOUT(window.currentRun() == QFileInfo(longer.run_dir).absoluteFilePath(), 60000);
        // The curves follow while it trains (the window re-reads metrics.jsonl as it grows).
        QTRY_VERIFY_WITH_TIMEOUT(window.trainView()->accuracySeries()->count() >= 2, 60000);
        window.stopTraining();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        QCOMPARE(finished.at(1).at(1).toBool(), true);
        QVERIFY(QFileInfo::exists(longer.run_dir + QStringLiteral("/checkpoints/state.pt")));
        QVERIFY2(window.trainView()->trainingStatus().contains(QStringLiteral("Stopped at step")),
                 qPrintable(window.trainView()->trainingStatus()));
        // A dataset that cannot be read fails with a message; nothing else changes.
        QSignalSpy failed(&window, &MainWindow::trainingFailed);
        TrainRequest bad = request;
        bad.dataset = dir.filePath(QStringLiteral("missing"));
        bad.run_dir = dir.filePath(QStringLiteral("run3"));
        window.train(bad);
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("missing")), qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(!window.training());
    }

    void sidebarShowsTheViewsOwnIcons() {
        MainWindow window;
        const auto* sidebar = window.findChild<QListWidget*>();
        QVERIFY(sidebar != nullptr);
        QCOMPARE(sidebar->count(), 6);
        const QStringList names = {QStringLiteral("listen"), QStringLiteral("patchout"), QStringLiteral("train"),
                                   QStringLiteral("embeddings"), QStringLiteral("evaluate"), QStringLiteral("model")};
        for (int i = 0; i < sidebar->count(); ++i) {
            const QImage shown = sidebar->item(i)->icon().pixmap(64, 64).toImage();
            const QImage own(QStringLiteral(":/icons/views/%1.png").arg(names[i]));
            QVERIFY2(!own.isNull(), qPrintable(names[i]));  // compiled into the program
            QCOMPARE(shown.convertToFormat(QImage::Format_ARGB32_Premultiplied),
                     own.convertToFormat(QImage::Format_ARGB32_Premultiplied));
        }
        QVERIFY(!QImage(QStringLiteral(":/icons/org.patchout.Workbench.png")).isNull());
    }

    void settingsRoundTripWithDefaultsAndLimits() {
        QTemporaryDir dir;
        QSettings store(dir.filePath(QStringLiteral("w.conf")), QSettings::IniFormat);
        const WorkbenchSettings defaults = WorkbenchSettings::load(store);
        QCOMPARE(defaults.threads, 1);
        QCOMPARE(defaults.compute_device, QStringLiteral("auto"));
        QCOMPARE(defaults.colour_map, QStringLiteral("viridis"));
        QCOMPARE(defaults.range_db, 80.0);
        QVERIFY(defaults.language.isEmpty());  // the system's language
        WorkbenchSettings w;
        w.audio_device = QStringLiteral("USB mic");
        w.threads = 2;
        w.compute_device = QStringLiteral("cuda");
        w.colour_map = QStringLiteral("magma");
        w.range_db = 500;  // clamped to 160 when read back
        w.language = QStringLiteral("de");
        for (int i = 0; i < 12; ++i)
            w.addRecentFile(QStringLiteral("/f%1.wav").arg(i));
        w.addRecentFile(QStringLiteral("/f5.wav"));  // moves to the front, no duplicate
        QCOMPARE(w.recent_files.size(), WorkbenchSettings::kMaxRecentFiles);
        QCOMPARE(w.recent_files.first(), QStringLiteral("/f5.wav"));
        QCOMPARE(w.recent_files.count(QStringLiteral("/f5.wav")), 1);
        w.save(store);
        const WorkbenchSettings back = WorkbenchSettings::load(store);
        QCOMPARE(back.audio_device, w.audio_device);
        QCOMPARE(back.threads, 2);
        QCOMPARE(back.compute_device, QStringLiteral("cuda"));
        store.setValue(QStringLiteral("performance/device"), QStringLiteral("tpu"));  // not ours: auto
        QCOMPARE(WorkbenchSettings::load(store).compute_device, QStringLiteral("auto"));
        store.setValue(QStringLiteral("performance/device"), w.compute_device);
        QCOMPARE(back.colour_map, QStringLiteral("magma"));
        QCOMPARE(back.range_db, 160.0);
        QCOMPARE(back.language, QStringLiteral("de"));
        QCOMPARE(back.recent_files, w.recent_files);
        QCOMPARE(back.recordingFolder(), WorkbenchSettings::defaultRecordingFolder());
        // English needs no translation; it always "installs".
        QVERIFY(installTranslations(QStringLiteral("en")));
    }

    void computeDevicePreferenceReloadsTheModelOrSaysWhy() {
        QTemporaryDir dir;
        const QString model = writeWordsModel(dir);
        MainWindow window;
        // The preference is saved: the windows of the other tests must find "auto" again.
        const auto restore = qScopeGuard([&window] { window.setComputeDevice(QStringLiteral("auto")); });
        QCOMPARE(window.computeDevice(), QStringLiteral("auto"));
        QSignalSpy loaded(&window, &MainWindow::modelLoaded);
        window.loadModel(model);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 20000);
        window.setComputeDevice(QStringLiteral("cpu"));  // loaded again, on the CPU
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 2, 20000);
        {
            QSettings store;
            QCOMPARE(WorkbenchSettings::load(store).compute_device, QStringLiteral("cpu"));
        }
        if (cudaStatus().usable())
            return;  // the refusal below needs a machine without a usable GPU
        window.setComputeDevice(QStringLiteral("cuda"));
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().contains(QStringLiteral("CUDA")), 20000);
        QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("words.safetensors")),
                 qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(loaded.count(), 2);  // the model stays loaded where it was
        QSignalSpy speed(window.modelView(), &ModelView::speedRequested);
        QTest::mouseClick(window.modelView()->speedButton(), Qt::LeftButton);
        QCOMPARE(speed.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(window.modelView()->speedText().contains(QStringLiteral("real time on the CPU")), 30000);
    }

    void classifiesTheStreamOnTheModelThread() {
        QTemporaryDir dir;
        const QString model = writeWordsModel(dir);
        QThread modelThread;
        auto* classifier = new ModelWorker;
        classifier->moveToThread(&modelThread);
        modelThread.start();
        // A failed check returns early: the thread is still stopped (a running QThread destroyed
        // aborts the whole test binary).
        const auto stopThread = qScopeGuard([&modelThread, classifier] {
            modelThread.quit();
            modelThread.wait();
            delete classifier;
        });
        QSignalSpy loaded(classifier, &ModelWorker::modelLoaded);
        QSignalSpy failed(classifier, &ModelWorker::failed);
        QSignalSpy classified(classifier, &ModelWorker::classified);
        QMetaObject::invokeMethod(classifier, [classifier, p = dir.filePath(QStringLiteral("missing.safetensors"))] {
            classifier->loadModel(p);
        });
        // The worker may emit before wait() starts (the spy records it at once, on the worker's
        // thread): a wait only for a signal not yet seen, else it waits for a second one.
        QVERIFY(failed.count() == 1 || failed.wait(60000));
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("missing.safetensors")),
                 qPrintable(failed.at(0).at(0).toString()));
        QMetaObject::invokeMethod(classifier, [classifier, model] { classifier->loadModel(model); });
        QVERIFY(loaded.count() == 1 || loaded.wait(60000));
        const auto card = loaded.at(0).at(1).value<ModelCard>();
        QCOMPARE(card.options.num_classes, 10);
        QCOMPARE(card.labels.size(), 10);
        QCOMPARE(card.activation, QStringLiteral("softmax"));
        QVERIFY(card.parameter_count > 0);
        AudioWorker worker;  // on this thread: it feeds the model thread as the app's does
        worker.setModelWorker(classifier);
        worker.startSource(makeSyntheticSource(syntheticSignal(SignalKind::Sine)), QStringLiteral("passt-32k"));
        // The first update comes once a 1 s window is full, then one every 250 ms (later on a
        // machine busy with other tests: the wait ends as soon as they are there).
        QTRY_VERIFY_WITH_TIMEOUT(classified.count() >= 2, 30000);
        worker.stopStream();
        const auto state = classified.last().at(0).value<ClassBarsState>();
        QCOMPARE(state.labels.size(), 3);  // top 3
        QVERIFY(state.labels.first().startsWith(QLatin1Char('w')));
        QVERIFY(!state.silent);  // a sine at 0.3 is above the energy gate
        QVERIFY(state.latency_ms >= 0);
        QVERIFY(state.time_s >= 1.0);
    }

    void classifiesAFileIntoATimelineAndTimesTheModel() {
        QTemporaryDir dir;
        const QString model = writeWordsModel(dir);
        const QString audio = writeSineWav(dir, 3.0);
        ModelWorker worker;
        QSignalSpy loaded(&worker, &ModelWorker::modelLoaded);
        QSignalSpy ready(&worker, &ModelWorker::timelineReady);
        QSignalSpy finished(&worker, &ModelWorker::jobFinished);
        QSignalSpy speed(&worker, &ModelWorker::speedMeasured);
        QSignalSpy speedFailed(&worker, &ModelWorker::speedFailed);
        QSignalSpy profiled(&worker, &ModelWorker::profiled);
        QSignalSpy profileFailed(&worker, &ModelWorker::profileFailed);
        worker.measureSpeed();  // no model yet
        QCOMPARE(speedFailed.count(), 1);
        worker.profileModel();
        QCOMPARE(profileFailed.count(), 1);
        worker.loadModel(model);
        QCOMPARE(loaded.count(), 1);
        worker.classifyFile(audio);
        QCOMPARE(ready.count(), 1);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        const auto result = ready.at(0).at(1).value<ClipResult>();
        // 3 s in 1 s windows every 0.25 s: starts 0, 0.25, ..., 2.0 = 9 windows.
        QCOMPARE(result.windows.size(), std::size_t{9});
        QCOMPARE(result.windows[1].start_s, 0.25);
        QCOMPARE(ready.at(0).at(2).toStringList().first(), QStringLiteral("w0"));
        // A missing file is an error naming it, and the job ends.
        QSignalSpy failed(&worker, &ModelWorker::failed);
        worker.classifyFile(dir.filePath(QStringLiteral("gone.wav")));
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("gone.wav")), qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(finished.count(), 2);
        worker.measureSpeed();
        QCOMPARE(speed.count(), 1);
        const auto r = speed.at(0).at(0).value<SpeedResult>();
        QVERIFY(r.runs >= 5);
        QVERIFY(r.median_ms > 0 && r.p90_ms >= r.median_ms);
        QCOMPARE(r.window_s, 1.0);
        QVERIFY2(r.blas.contains(QStringLiteral("BLAS")), qPrintable(r.blas));
        // The profile of the loaded model, as `patchout profile` makes it.
        worker.profileModel();
        QCOMPARE(profiled.count(), 1);
        const auto profile = profiled.at(0).at(0).value<ModelProfile>();
        QCOMPARE(profile.frames, 100);
        QVERIFY(profile.forward_ms > 0);
    }

    void windowShowsTheTimelineOfEachFileAndTheModel() {
        QTemporaryDir dir;
        const QString model = writeWordsModel(dir);
        const QString first = writeSineWav(dir, 2.0);
        MainWindow window;
        QSignalSpy shown(&window, &MainWindow::fileShown);
        QSignalSpy predicted(&window, &MainWindow::predictionsShown);
        QSignalSpy loaded(&window, &MainWindow::modelLoaded);
        window.openAudio(first);
        QVERIFY(shown.wait(10000));
        QVERIFY(!window.listenView()->timeline()->isVisibleTo(&window));  // no model: no timeline
        QVERIFY(!window.modelView()->hasModel());
        window.loadModel(model);
        QVERIFY(loaded.wait(10000));
        QVERIFY(window.modelView()->hasModel());
        // Loading a model classifies the file already shown.
        QVERIFY(predicted.count() == 1 || predicted.wait(10000));
        QCOMPARE(predicted.at(0).at(0).toString(), QFileInfo(first).absoluteFilePath());
        PredictionTimeline* timeline = window.listenView()->timeline();
        QVERIFY(timeline->isVisibleTo(&window));
        QCOMPARE(timeline->result().windows.size(), std::size_t{5});  // 2 s: starts 0 ... 1.0
        // Seeking shows the window under the cursor in the class bars.
        window.player()->seek(1.6);
        QTRY_VERIFY(window.listenView()->classBars()->hasState());
        QVERIFY(window.listenView()->classBars()->state().from_file);
        // Another file gets its own timeline.
        const QString second = writeSineWav(dir, 4.0);
        window.openAudio(second);
        QTRY_COMPARE_WITH_TIMEOUT(predicted.count(), 2, 10000);
        QCOMPARE(predicted.at(1).at(0).toString(), QFileInfo(second).absoluteFilePath());
        QCOMPARE(timeline->result().windows.size(), std::size_t{13});
        // The Model view times the model on request.
        QSignalSpy speedRequested(window.modelView(), &ModelView::speedRequested);
        QTest::mouseClick(window.modelView()->speedButton(), Qt::LeftButton);
        QCOMPARE(speedRequested.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(window.modelView()->speedText().contains(QStringLiteral("ms per")), 20000);
    }

    void explainShowsWhatTheLoadedModelLookedAt() {
        QTemporaryDir dir;
        const QString model = writeWordsModel(dir);
        const QString audio = writeSineWav(dir, 2.0);
        MainWindow window;
        QVERIFY(window.explainAudio(audio) == nullptr);  // no model loaded: a message instead
        QSignalSpy loaded(&window, &MainWindow::modelLoaded);
        window.loadModel(model);
        QVERIFY(loaded.wait(10000));
        QSignalSpy measured(&window, &MainWindow::robustnessShown);
        QSignalSpy notMeasured(&window, &MainWindow::robustnessFailed);
        window.measurePatchoutRobustness();
        QCOMPARE(notMeasured.count(), 1);  // no file shown yet
        ExplainDialog* dialog = window.explainAudio(audio, 0.5, QStringLiteral("w3"));
        QVERIFY(dialog != nullptr);
        QSignalSpy explained(dialog, &ExplainDialog::explained);
        QVERIFY(explained.count() == 1 || explained.wait(60000));
        QVERIFY2(dialog->summary().contains(QStringLiteral("<b>w3</b>")) && dialog->summary().contains(QStringLiteral("0.50")) &&
                     dialog->summary().contains(QStringLiteral("Strongest in time")),
                 qPrintable(dialog->summary()));
        QVERIFY(dialog->picture().width() > 100);
        QCOMPARE(dialog->classBox()->currentData().toString(), QStringLiteral("w3"));
        // Show in Listen: the file opens there with the map over its spectrogram.
        QSignalSpy overlaid(&window, &MainWindow::overlayShown);
        QVERIFY(dialog->showInListenButton()->isEnabled());
        dialog->showInListenButton()->click();
        QVERIFY(overlaid.wait(20000));
        QCOMPARE(window.currentView(), MainWindow::View::Listen);
        QCOMPARE(QFileInfo(window.currentFile()), QFileInfo(audio));
        const SpectrogramOverlay& shownOverlay = window.listenView()->spectrogram()->overlay();
        QVERIFY(!shownOverlay.empty());
        QCOMPARE(shownOverlay.time_edges.front(), 0.5);
        QVERIFY(!window.listenView()->overlayBox()->isHidden());
        // Another method: computed again (also when asked while one is still running).
        dialog->methodBox()->setCurrentIndex(dialog->methodBox()->findData(QStringLiteral("rollout")));
        QVERIFY(explained.wait(60000));
        QVERIFY2(dialog->summary().contains(QStringLiteral("rollout")), qPrintable(dialog->summary()));
        // A window past the end of the file: said, no picture.
        ExplainDialog* late = window.explainAudio(audio, 9.0);
        QSignalSpy lateFailed(late, &ExplainDialog::failed);
        QVERIFY(lateFailed.count() == 1 || lateFailed.wait(60000));
        QVERIFY2(late->summary().contains(QStringLiteral("outside the recording")), qPrintable(late->summary()));
        QVERIFY(late->picture().isNull());
        // The Patchout view measures the same model on the file's window, with the shown mask.
        window.patchoutView()->setPreset(QStringLiteral("passt-micro"));  // the model's grid
        QTRY_VERIFY_WITH_TIMEOUT(!window.busy(), 20000);  // the file's timeline
        window.measurePatchoutRobustness();
        QVERIFY(measured.wait(60000));
        QCOMPARE(window.patchoutView()->scoreSeries()->count(), 10);
        QCOMPARE(window.patchoutView()->shownMaskSeries()->count(), 1);
        QVERIFY2(window.patchoutView()->robustnessText().contains(QStringLiteral("The shown mask")),
                 qPrintable(window.patchoutView()->robustnessText()));
        // Beside a second model (here the same file again): its lines too.
        window.setPatchoutComparisonModel(model);
        window.measurePatchoutRobustness();
        QVERIFY(measured.wait(60000));
        QCOMPARE(window.patchoutView()->comparisonScoreSeries()->count(), 10);
        QVERIFY(window.patchoutView()->robustnessText().contains(QStringLiteral("Beside it")));
        // Evaluate's Explain asks for the clip and the class it predicted.
        QSignalSpy asked(window.evaluateView(), &EvaluateView::explainClipRequested);
        window.evaluateView()->explainSelectedClip();  // nothing selected: nothing asked
        QCOMPARE(asked.count(), 0);
        QTRY_VERIFY(!dialog->computing() && !late->computing());
    }

    void missingMicrophoneFailsClearly() {
        AudioWorker worker;
        QSignalSpy failed(&worker, &AudioWorker::failed);
        QSignalSpy started(&worker, &AudioWorker::streamStarted);
        worker.startStream({SourceKind::Microphone, 9999, SignalKind::Chirp}, QStringLiteral("passt-32k"));
        QCOMPARE(started.count(), 0);
        QCOMPARE(failed.count(), 1);
        const QString message = failed.at(0).at(0).toString();
        QVERIFY2(message.startsWith(QStringLiteral("Cannot start the source")), qPrintable(message));
        QVERIFY(!worker.streaming());
    }

    void loadsFileWithFeatures() {
        QTemporaryDir dir;
        const QString path = writeSineWav(dir, 1.0);
        AudioWorker worker;
        QSignalSpy loaded(&worker, &AudioWorker::fileLoaded);
        QSignalSpy finished(&worker, &AudioWorker::jobFinished);
        QSignalSpy progress(&worker, &AudioWorker::progress);
        worker.loadFile(path, QStringLiteral("passt-32k"));
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY(!progress.isEmpty());
        const auto wave = loaded.at(0).at(1).value<Waveform>();
        const auto features = loaded.at(0).at(2).value<Features>();
        QCOMPARE(wave.size(), std::size_t{32000});
        QCOMPARE(features.n_bins, 128);
        // The same features as the batch extractor computes: ~100 centred frames a second.
        const Features reference = FeatureExtractor(featurePreset("passt-32k")).compute(wave);
        QCOMPARE(features.n_frames, reference.n_frames);
        QVERIFY(std::abs(features.n_frames - 100) <= 1);
        QCOMPARE(features.data, reference.data);
        // Another preset on the same file reuses the decoded audio.
        worker.loadFile(path, QStringLiteral("linear-db-32k"));
        QCOMPARE(loaded.count(), 2);
        QCOMPARE(loaded.at(1).at(2).value<Features>().n_bins, 513);
    }

    void badFileGivesMessageNamingIt() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("not-audio.wav"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a wav file at all");
        f.close();
        AudioWorker worker;
        QSignalSpy failed(&worker, &AudioWorker::failed);
        QSignalSpy finished(&worker, &AudioWorker::jobFinished);
        QSignalSpy loaded(&worker, &AudioWorker::fileLoaded);
        worker.loadFile(path, QStringLiteral("passt-32k"));
        QCOMPARE(loaded.count(), 0);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("not-audio.wav")),
                 qPrintable(failed.at(0).at(0).toString()));
    }

    void windowOpensFileAndPlaysWithoutDevice() {
        QTemporaryDir dir;
        const QString path = writeSineWav(dir, 2.0);
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy shown(&window, &MainWindow::fileShown);
        window.openAudio(path);
        QVERIFY(window.busy());
        QVERIFY(shown.wait(10000));
        QTRY_VERIFY(!window.busy());
        ListenView* listen = window.listenView();
        QVERIFY(std::abs(listen->spectrogram()->features().n_frames - 200) <= 1);
        QVERIFY(listen->message().isEmpty());
        QVERIFY(listen->playButton()->isEnabled());
        QSignalSpy play(listen, &ListenView::playRequested);
        QTest::mouseClick(listen->playButton(), Qt::LeftButton);
        QCOMPARE(play.count(), 1);
        QVERIFY(window.player()->playing());
        QTRY_VERIFY_WITH_TIMEOUT(listen->spectrogram()->cursorSeconds() > 0.2, 20000);
        QTest::mouseClick(listen->playButton(), Qt::LeftButton);
        QVERIFY(!window.player()->playing());
        const double paused = listen->spectrogram()->cursorSeconds();
        QTest::qWait(100);
        QCOMPARE(listen->spectrogram()->cursorSeconds(), paused);
    }

    void droppedFileOpens() {
        QTemporaryDir dir;
        const QString path = writeSineWav(dir, 0.5);
        MainWindow window;
        QSignalSpy shown(&window, &MainWindow::fileShown);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        const QPoint at(300, 300);
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.at(0).at(0).toString(), QFileInfo(path).absoluteFilePath());
        QCOMPARE(window.currentFile(), QFileInfo(path).absoluteFilePath());

        QMimeData text;
        text.setText(QStringLiteral("not a file"));
        QDragEnterEvent refused(at, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        refused.setAccepted(false);
        QApplication::sendEvent(&window, &refused);
        QVERIFY(!refused.isAccepted());
        QTRY_VERIFY(!window.busy());
    }

    void windowOpensRunFolderAndFollowsIt() {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        writeRunFolder(run, 3);
        MainWindow window;
        QSignalSpy opened(&window, &MainWindow::runOpened);
        QSignalSpy model(&window, &MainWindow::modelLoaded);
        window.openRun(run);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(window.currentRun(), QFileInfo(run).absoluteFilePath());
        QCOMPARE(window.currentView(), MainWindow::View::Train);
        QVERIFY(window.trainView()->hasRun());
        QCOMPARE(window.trainView()->accuracySeries()->count(), 3);
        QVERIFY2(window.trainView()->summary().contains(QStringLiteral("epoch 3 of 10")),
                 qPrintable(window.trainView()->summary()));
        // The Patchout view shows the run's grid and the SpecAugment it trained with (config.json
        // names none: TrainOptions' defaults, masks up to 10 frames, not the view's 19 for this grid).
        QCOMPARE(window.patchoutView()->preset(), QStringLiteral("passt-micro"));
        QCOMPARE(window.patchoutView()->specAugmentOptions().time_mask_frames, 10);
        QCOMPARE(window.patchoutView()->specAugmentMasks().time.size(), 1u);
        QVERIFY2(window.patchoutView()->specAugmentSummary().contains(QStringLiteral("(as run trained)")),
                 qPrintable(window.patchoutView()->specAugmentSummary()));
        // The best model is loaded for live classification.
        QVERIFY(model.wait(10000));
        QVERIFY(model.at(0).at(0).toString().endsWith(QStringLiteral("best.safetensors")));
        // A training still running appends epochs: the curves follow.
        QFile metrics(run + QStringLiteral("/metrics.jsonl"));
        QVERIFY(metrics.open(QIODevice::Append));
        metrics.write(epochLine(4, 0.9).toUtf8());
        metrics.close();
        QTRY_COMPARE_WITH_TIMEOUT(window.trainView()->accuracySeries()->count(), 4, 20000);
    }

    void aMultiLabelRunsThresholdsAreSavedIntoIt() {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("tags"));
        writeRunFolder(run, 2);
        QFile config(run + QStringLiteral("/config.json"));
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(R"({"options":{"preset":"passt-micro","epochs":10},"dataset":{"root":"/data","classes":["a","b"],"multi_label":true}})");
        config.close();
        patchout::writePredictionsCsv((run + QStringLiteral("/eval/predictions.csv")).toStdString(),
                                      patchout::parsePredictionsCsv("file,true,a,b\nx,a;b,0.9,0.6\ny,b,0.2,0.7\nz,a,0.4,0.1\n", true));
        patchout::writeDecisionThresholds((run + QStringLiteral("/thresholds.json")).toStdString(), {.global = 0.3});
        MainWindow window;
        QSignalSpy shown(&window, &MainWindow::evaluationShown);
        window.openRun(run);
        QVERIFY(shown.wait(10000));
        EvaluateView* ev = window.evaluateView();
        QCOMPARE(ev->thresholds().global, 0.3);  // the run's, read back
        QCOMPARE(ev->globalThresholdSlider()->value(), 300);
        ev->selectClass(1);
        ev->classThresholdSlider()->setValue(650);
        QSignalSpy saved(&window, &MainWindow::thresholdsSaved);
        ev->saveThresholdsButton()->click();
        QCOMPARE(saved.count(), 1);
        const patchout::DecisionThresholds back =
            patchout::readDecisionThresholds((run + QStringLiteral("/thresholds.json")).toStdString());
        QCOMPARE(back.of("b"), 0.65);
        QCOMPARE(back.of("a"), 0.3);
        // What classify and live classification take for the run's model.
        QCOMPARE(patchout::thresholdsForModel((run + QStringLiteral("/checkpoints/best.safetensors")).toStdString()).of("b"), 0.65);
    }

    void runEvaluationIsScoredOffTheGuiThread() {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        writeRunFolder(run, 2);
        patchout::Predictions p;
        p.classes = {"a", "b"};
        p.scores.n_classes = 2;
        for (int i = 0; i < 6; ++i) {
            p.files.push_back("clip" + std::to_string(i) + ".wav");
            p.labels.push_back({i % 2});
            p.scores.values.insert(p.scores.values.end(), {i == 5 ? 0.8 : (i % 2 ? 0.3 : 0.7), i == 5 ? 0.2 : (i % 2 ? 0.7 : 0.3)});
            ++p.scores.n_samples;
        }
        patchout::writePredictionsCsv((run + QStringLiteral("/eval/predictions.csv")).toStdString(), p);
        MainWindow window;
        QSignalSpy shown(&window, &MainWindow::evaluationShown);
        window.openRun(run);
        QVERIFY(shown.wait(10000));
        QVERIFY(window.evaluateView()->hasReport());
        QVERIFY2(window.evaluateView()->summary().contains(QStringLiteral("6 clips")),
                 qPrintable(window.evaluateView()->summary()));
        QCOMPARE(window.evaluateView()->failureTable()->rowCount(), 1);  // clip 5: b called a
        // A damaged predictions.csv is reported, the view emptied, nothing crashes.
        QFile bad(run + QStringLiteral("/eval/predictions.csv"));
        QVERIFY(bad.open(QIODevice::WriteOnly | QIODevice::Truncate));
        bad.write("file,true,a,b\nclip0.wav,a,not-a-number,0.1\n");
        bad.close();
        QSignalSpy failed(&window, &MainWindow::evaluationFailed);
        window.openRun(run);
        QVERIFY(failed.wait(10000));
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("predictions.csv:2")),
                 qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(!window.evaluateView()->hasReport());
    }

    void runEmbeddingsAreBrowsedWithTheirIndex() {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        writeRunFolder(run, 1);
        patchout::EmbeddingMatrix m{.rows = 8, .dim = 4, .data = {}};
        std::vector<std::string> names, labels;
        for (int i = 0; i < 8; ++i) {
            for (int d = 0; d < 4; ++d)
                m.data.push_back(d == i % 2 ? 1.0f : 0.05f * static_cast<float>(i));
            names.push_back("clip" + std::to_string(i) + ".wav");
            labels.push_back(i % 2 ? "b" : "a");
        }
        patchout::writeEmbeddingFolder((run + QStringLiteral("/embeddings")).toStdString(), m, names, labels, "pca");
        MainWindow window;
        QSignalSpy shown(&window, &MainWindow::embeddingsShown);
        window.openRun(run);
        QVERIFY(shown.wait(10000));  // read on a worker thread
        EmbeddingsView* view = window.embeddingsView();
        QVERIFY(view->hasFolder());
        QCOMPARE(view->labelSeries().size(), 2);
        view->selectRow(2);  // an "a": its nearest are the other "a"s
        QVERIFY(view->neighbourList()->count() >= 3);
        QVERIFY2(view->neighbourList()->item(0)->text().contains(QStringLiteral("(a)")),
                 qPrintable(view->neighbourList()->item(0)->text()));
        QTRY_VERIFY(!window.busy());
        // A damaged index is reported, the view stays empty.
        QFile index(run + QStringLiteral("/embeddings/index.faiss"));
        QVERIFY(index.open(QIODevice::WriteOnly | QIODevice::Truncate));
        index.write("garbage");
        index.close();
        QSignalSpy failed(&window, &MainWindow::embeddingsFailed);
        window.openRun(run);
        QVERIFY(failed.wait(10000));
        QVERIFY(!view->hasFolder());
    }

    void windowEvaluatesAndEmbedsARun() {
        // A run trained here (one epoch of tones), evaluated and embedded from the window, as
        // Run > Evaluate run… and Embed run… do; the views show the folders the jobs wrote.
        QTemporaryDir dir;
        const QString dataset = writeToneDataset(dir, 3);
        const Dataset ds = readDataset(dataset.toStdString());
        TrainOptions o = trainRecipe("from-scratch");
        o.epochs = 1;
        o.batch_size = 2;
        o.warmup_steps = 1;
        const QString run = dir.filePath(QStringLiteral("run"));
        train(ds, defaultTrainSplit(ds), o, run.toStdString());
        MainWindow window;
        QSignalSpy evaluationFailed(&window, &MainWindow::evaluationFailed);
        window.openRun(run);
        // The Train view says which clips validated (carved from train: the tones have no
        // validation split of their own).
        QVERIFY2(window.trainView()->summary().contains(QStringLiteral("Split own: ")) &&
                     window.trainView()->summary().contains(QStringLiteral("validation carved from train")),
                 qPrintable(window.trainView()->summary()));
        QVERIFY(!window.evaluateView()->hasReport());
        QVERIFY2(!evaluationFailed.isEmpty() && evaluationFailed.last().at(0).toString().contains(QStringLiteral("Evaluate run")),
                 "the empty Evaluate view names the menu entry");
        QSignalSpy finished(&window, &MainWindow::runJobFinished);
        QSignalSpy failed(&window, &MainWindow::runJobFailed);
        QSignalSpy shown(&window, &MainWindow::evaluationShown);
        window.evaluateRun(run);
        QVERIFY(window.runJobRunning());
        QVERIFY(window.busy());
        window.embedRun(run);  // one run job at a time
        QCOMPARE(failed.count(), 1);
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.at(0).at(0).toString(), QFileInfo(run).absoluteFilePath() + QStringLiteral("/eval"));
        QVERIFY(shown.wait(10000));
        QVERIFY(window.evaluateView()->hasReport());
        QCOMPARE(window.currentView(), MainWindow::View::Evaluate);
        QVERIFY2(window.evaluateView()->summary().contains(QStringLiteral("3 clips (the test clips of split own)")),
                 qPrintable(window.evaluateView()->summary()));  // the test clips: one per class
        QVERIFY(!window.runJobRunning());

        // From a number to the sound: a cell's clips are the dataset's files; Play hears one
        // (without touching Listen's file), a double-click opens it in Listen.
        EvaluateView* ev = window.evaluateView();
        const auto& matrix = ev->confusionView()->matrix();
        std::size_t cellT = 0, cellP = 0;
        while (matrix.at(cellT, cellP) == 0)
            if (++cellP == matrix.n_classes) {
                cellP = 0;
                ++cellT;
            }
        ev->showCell(static_cast<int>(cellT), static_cast<int>(cellP));
        QCOMPARE(static_cast<std::int64_t>(ev->cellTable()->rowCount()), matrix.at(cellT, cellP));
        const QString clip = ev->clipPath(ev->cellTable(), 0);
        QVERIFY2(QFileInfo(clip).isFile() && clip.startsWith(dataset), qPrintable(clip));
        QSignalSpy previewed(&window, &MainWindow::clipPreviewed);
        ev->playSelectedClip();
        QCOMPARE(previewed.count(), 1);
        QCOMPARE(previewed.at(0).at(0).toString(), clip);
        QVERIFY(window.previewPlayer()->durationSeconds() > 0.1);
        QVERIFY(window.currentFile().isEmpty());
        QSignalSpy fileShown(&window, &MainWindow::fileShown);
        ev->openSelectedClip();
        QVERIFY(fileShown.wait(20000));
        QCOMPARE(window.currentFile(), clip);
        QCOMPARE(window.currentView(), MainWindow::View::Listen);
        QTRY_VERIFY_WITH_TIMEOUT(!window.busy(), 30000);
        // A clip that has gone: a message, nothing plays.
        QSignalSpy previewFailed(&window, &MainWindow::clipPreviewFailed);
        window.previewClip(dir.filePath(QStringLiteral("gone.wav")));
        QCOMPARE(previewFailed.count(), 1);
        QVERIFY2(previewFailed.at(0).at(0).toString().contains(QStringLiteral("gone.wav")),
                 qPrintable(previewFailed.at(0).at(0).toString()));

        QSignalSpy embeddings(&window, &MainWindow::embeddingsShown);
        window.embedRun(run, QStringLiteral("pca"));
        QVERIFY(finished.wait(60000));
        QVERIFY(embeddings.wait(10000));
        QVERIFY(window.embeddingsView()->hasFolder());
        QCOMPARE(window.currentView(), MainWindow::View::Embeddings);
        QCOMPARE(readEmbedRecipe((run + QStringLiteral("/embeddings")).toStdString()).projection, std::string("pca"));
        QTRY_VERIFY(!window.busy());

        // A run whose dataset is gone: a message, nothing else changes.
        QDir(dataset).removeRecursively();
        window.evaluateRun(run);
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.last().at(0).toString().contains(QStringLiteral("no longer there")),
                 qPrintable(failed.last().at(0).toString()));
        QVERIFY(!window.runJobRunning());
    }

    void runsSideBySideFromAFolderOfRunsAndExported() {
        QTemporaryDir dir;
        writeRunFolder(dir.filePath(QStringLiteral("runs/a")), 2);
        writeRunFolder(dir.filePath(QStringLiteral("runs/b")), 3);
        QFile config(dir.filePath(QStringLiteral("runs/b/config.json")));  // b trained with another lr
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(R"({"options":{"preset":"passt-micro","epochs":10,"lr":0.002},"dataset":{"root":"/data"}})");
        config.close();
        MainWindow window;
        QSignalSpy failed(&window, &MainWindow::comparisonFailed);
        QVERIFY(window.compareRuns({dir.filePath(QStringLiteral("runs"))}));  // both, found in the folder
        RunComparisonView* view = window.trainView()->comparisonView();
        QCOMPARE(view->runCount(), 2);
        QCOMPARE(window.currentView(), MainWindow::View::Train);
        QVERIFY(window.trainView()->comparisonShown());
        QCOMPARE(view->series(RunComparisonView::ValidationAccuracy, 1)->count(), 3);
        QCOMPARE(view->differenceTable()->rowCount(), 1);
        QCOMPARE(view->differenceTable()->item(0, 0)->text(), QStringLiteral("lr"));
        QVERIFY(window.compareRuns({dir.filePath(QStringLiteral("runs/a"))}));  // already there: once
        QCOMPARE(view->runCount(), 2);
        // A folder without runs: said, and nothing changes.
        QVERIFY(!window.compareRuns({dir.path()}));
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("folder of runs")), qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(view->runCount(), 2);
        for (const char* name : {"c.csv", "c.svg", "c.png"}) {
            QVERIFY(window.exportComparison(dir.filePath(QString::fromLatin1(name))));
            QVERIFY(QFileInfo(dir.filePath(QString::fromLatin1(name))).size() > 100);
        }
        QVERIFY(QImage(dir.filePath(QStringLiteral("c.png"))).width() > 200);
        QVERIFY(!window.exportComparison(dir.filePath(QStringLiteral("c.txt"))));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("c.txt"))));
        // Removing a run leaves the other.
        Q_EMIT view->removeRunRequested(view->runDirs().front());
        QCOMPARE(view->runCount(), 1);
    }

    void droppedRunFolderOpensAndOtherFoldersAreRefused() {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        writeRunFolder(run, 2);
        const QString other = dir.filePath(QStringLiteral("not-a-run"));
        QDir().mkpath(other);
        MainWindow window;
        QSignalSpy opened(&window, &MainWindow::runOpened);
        QSignalSpy failed(&window, &MainWindow::runFailed);
        auto drop = [&window](const QString& path) {
            QMimeData mime;
            mime.setUrls({QUrl::fromLocalFile(path)});
            QDragEnterEvent enter(QPoint(300, 300), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&window, &enter);
            QVERIFY(enter.isAccepted());
            QDropEvent event(QPoint(300, 300), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&window, &event);
        };
        drop(other);
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("not a run folder")),
                 qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(window.currentRun().isEmpty());
        QVERIFY(!window.trainView()->hasRun());
        drop(run);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(window.trainView()->accuracySeries()->count(), 2);
        QTRY_VERIFY(!window.busy());
    }

    void windowShowsBadFileError() {
        MainWindow window;
        QSignalSpy failed(&window, &MainWindow::fileFailed);
        window.openAudio(QStringLiteral("/nonexistent/missing.wav"));
        QVERIFY(failed.wait(10000));
        QTRY_VERIFY(!window.busy());
        QVERIFY2(window.listenView()->message().contains(QStringLiteral("missing.wav")),
                 qPrintable(window.listenView()->message()));
    }

    void closingDuringRecordingAsksThenSaves() {
        QTemporaryDir dir;
        QSettings().setValue(QStringLiteral("recording/folder"), dir.path());
        {
            MainWindow window;
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            ListenView* listen = window.listenView();
            window.startLive({SourceKind::Synthetic, -1, SignalKind::Sine});
            QTRY_VERIFY(listen->liveRunning());
            QTest::mouseClick(listen->recordButton(), Qt::LeftButton);
            QTRY_VERIFY(listen->recording());
            QTest::qWait(300);

            answerNextMessageBox(QMessageBox::No);  // stay: everything keeps running
            QVERIFY(!window.close());
            QVERIFY(window.busy());
            QVERIFY(listen->recording());

            answerNextMessageBox(QMessageBox::Yes);
            QVERIFY(window.close());
        }
        QSettings().remove(QStringLiteral("recording/folder"));
        const QStringList takes = QDir(dir.path()).entryList({QStringLiteral("*.wav")}, QDir::Files);
        QCOMPARE(takes.size(), 1);
        const AudioInfo info = probeAudio(QDir(dir.path()).filePath(takes.first()).toStdString());
        QCOMPARE(info.sample_rate, 32000);
        QVERIFY2(info.durationSeconds() > 0.2, qPrintable(QString::number(info.durationSeconds())));
        // Only the recording: no temporary file left beside it.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
    }

    void aboutShowsVersionsAndBlas() {
        MainWindow window;
        QString text;
        answerNextMessageBox(QMessageBox::NoButton, &text);
        window.showAbout();
        QVERIFY2(text.contains(QStringLiteral("BLAS")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Qt: ") + QString::fromLatin1(qVersion())), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral(PATCHOUT_TEST_VERSION)), qPrintable(text));
    }

    void windowStreamsSynthetic() {
        MainWindow window;
        window.startLive({SourceKind::Synthetic, -1, SignalKind::Chirp});
        QTRY_VERIFY_WITH_TIMEOUT(window.listenView()->spectrogram()->features().n_frames > 20, 20000);
        QVERIFY(window.busy());
        QCOMPARE(window.listenView()->spectrogram()->mode(), SpectrogramView::Mode::Live);
        window.stopLive();
        QTRY_VERIFY_WITH_TIMEOUT(!window.busy(), 20000);
    }
};

PATCHOUT_REGISTER_QTEST(WorkbenchTest);

#include "test_workbench.moc"
