#include "main_window.h"

#include "audio_player.h"
#include "audio_worker.h"
#include "explain_dialog.h"
#include "model_worker.h"
#include "train_worker.h"

#include "patchout/audio_file.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/report.h"
#include "patchout/run_comparison.h"
#include "patchout/run_folder.h"
#include "patchout/system_info.h"
#include "patchout/thresholds.h"
#include "patchout/ui/class_bars.h"
#include "patchout/ui/embeddings_view.h"
#include "patchout/ui/evaluate_view.h"
#include "patchout/ui/listen_view.h"
#include "patchout/ui/model_view.h"
#include "patchout/ui/patchout_view.h"
#include "patchout/ui/prediction_timeline.h"
#include "patchout/ui/run_comparison_view.h"
#include "patchout/ui/train_view.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFormLayout>
#include <QLabel>
#include <QIcon>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QInputDialog>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

namespace patchout::ui {
namespace fs = std::filesystem;
namespace {

// The first dropped local file or folder.
QString firstLocalPath(const QMimeData* mime) {
    if (mime == nullptr || !mime->hasUrls())
        return {};
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile() && QFileInfo::exists(url.toLocalFile()))
            return url.toLocalFile();
    return {};
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("Patchout Workbench"));
    setAcceptDrops(true);
    QSettings qs;
    m_settings = WorkbenchSettings::load(qs);
    patchout::configureThreads({.torch_threads = m_settings.threads});

    m_sidebar = new QListWidget(this);
    m_sidebar->setIconSize(QSize(24, 24));
    m_sidebar->setFixedWidth(120);
    m_sidebar->setSpacing(2);
    m_stack = new QStackedWidget(this);
    m_listen = new ListenView(this);
    m_train = new TrainView(this);
    m_sidebar->addItem(new QListWidgetItem(QIcon(QStringLiteral(":/icons/views/listen.png")), tr("Listen")));
    m_stack->addWidget(m_listen);
    m_patchout = new PatchoutView(this);
    m_sidebar->addItem(new QListWidgetItem(QIcon(QStringLiteral(":/icons/views/patchout.png")), tr("Patchout")));
    m_stack->addWidget(m_patchout);
    connect(m_patchout, &PatchoutView::maskRequested, this,
            [this](const PatchoutOptions& options, const PatchGrid& grid, std::uint64_t seed) {
                try {
                    m_patchout->setMask(drawPatchoutMask(options, grid.freq_patches, grid.time_patches, seed));
                } catch (const Error& e) {
                    m_patchout->setMask({}, QString::fromStdString(e.message()));
                }
            });
    connect(m_patchout, &PatchoutView::specAugmentRequested, this,
            [this](const AugmentOptions& options, int bins, int frames, std::uint64_t seed) {
                m_patchout->setSpecAugmentMasks(drawSpecAugmentMasks(options, bins, frames, seed));
            });
    connect(m_patchout, &PatchoutView::robustnessRequested, this, &MainWindow::measurePatchoutRobustness);
    connect(m_patchout, &PatchoutView::comparisonModelRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("A model to measure beside the loaded one"),
                                                          QFileInfo(m_modelPath).path(),
                                                          tr("Models (*.safetensors *.pt *.pth)"));
        if (path.isEmpty())
            return;
        setPatchoutComparisonModel(path);
        measurePatchoutRobustness();
    });
    {
        QStringList presets;
        for (const std::string& name : passtPresetNames())
            presets << QString::fromStdString(name);
        m_patchout->setPresets(presets);
    }
    m_sidebar->addItem(new QListWidgetItem(QIcon(QStringLiteral(":/icons/views/train.png")), tr("Train")));
    m_stack->addWidget(m_train);
    m_embeddings = new EmbeddingsView(this);
    m_sidebar->addItem(new QListWidgetItem(QIcon(QStringLiteral(":/icons/views/embeddings.png")), tr("Embeddings")));
    m_stack->addWidget(m_embeddings);
    connect(m_embeddings, &EmbeddingsView::rowSelected, this, [this](int row) {
        if (!m_index || !m_embeddingFolder)
            return;
        try {
            const EmbeddingMatrix& m = m_embeddingFolder->embeddings;
            const std::vector<float> query(m.row(row), m.row(row) + m.dim);
            m_embeddings->setNeighbours(row, m_index->search(query, 11));
        } catch (const Error& e) {
            statusBar()->showMessage(tr("Cannot search the neighbours: %1").arg(QString::fromStdString(e.what())));
        }
    });
    connect(m_embeddings, &EmbeddingsView::openFileRequested, this, [this](const QString& path) {
        showView(View::Listen);
        openAudio(path);
    });
    m_evaluate = new EvaluateView(this);
    m_sidebar->addItem(new QListWidgetItem(QIcon(QStringLiteral(":/icons/views/evaluate.png")), tr("Evaluate")));
    m_stack->addWidget(m_evaluate);
    m_model = new ModelView(this);
    m_sidebar->addItem(new QListWidgetItem(QIcon(QStringLiteral(":/icons/views/model.png")), tr("Model")));
    m_stack->addWidget(m_model);
    m_runWatcher = new QFileSystemWatcher(this);
    m_runReload.setSingleShot(true);
    m_runReload.setInterval(300);
    connect(&m_runReload, &QTimer::timeout, this, &MainWindow::reloadRunCurves);
    // At most one reload per 300 ms: restarting the timer on every change would starve it while a
    // fast run appends lines more often than that.
    const auto reloadSoon = [this] {
        if (!m_runReload.isActive())
            m_runReload.start();
    };
    connect(m_runWatcher, &QFileSystemWatcher::fileChanged, this, reloadSoon);
    connect(m_runWatcher, &QFileSystemWatcher::directoryChanged, this, reloadSoon);
    connect(m_sidebar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    m_sidebar->setCurrentRow(0);
    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addWidget(m_sidebar);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    m_jobLabel = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(200);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setToolTip(tr("Stop the running job (Esc)"));
    m_cancel->setShortcut(Qt::Key_Escape);
    statusBar()->addPermanentWidget(m_jobLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    setJobRunning(false);

    m_player = new AudioPlayer(this);
    m_preview = new AudioPlayer(this);
    m_worker = new AudioWorker;
    m_worker->moveToThread(&m_audioThread);
    connect(&m_audioThread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_audioThread.setObjectName(QStringLiteral("audio worker"));
    m_modelWorker = new ModelWorker;
    m_modelWorker->moveToThread(&m_modelThread);
    connect(&m_modelThread, &QThread::finished, m_modelWorker, &QObject::deleteLater);
    m_modelThread.setObjectName(QStringLiteral("model worker"));
    m_worker->setModelWorker(m_modelWorker);  // the audio thread feeds it the live samples
    m_modelWorker->setComputeDevice(m_settings.compute_device);  // before the thread runs it
    m_modelThread.start();
    m_audioThread.start();
    buildTraining();
    buildRunJobs();

    // Worker -> GUI (queued: the worker lives in another thread).
    connect(m_worker, &AudioWorker::streamStarted, this, [this](const QString& name, const Features& meta) {
        m_streaming = true;
        // The synthetic source calls itself "synthetic": the selector's entry says which signal.
        const bool synthetic = name.startsWith(QLatin1String("synthetic"));
        const QString shown = synthetic ? m_listen->sourceSelector()->currentText() : name;
        m_listen->beginLive(shown, meta);
        m_listen->setLiveRunning(true);
        statusBar()->showMessage(tr("Listening to %1").arg(shown));
    });
    connect(m_worker, &AudioWorker::featuresReady, m_listen, &ListenView::appendFeatures);
    connect(m_worker, &AudioWorker::levels, m_listen, &ListenView::setLevels);
    connect(m_worker, &AudioWorker::streamStopped, this, [this] {
        m_streaming = false;
        m_listen->setLiveRunning(false);
        statusBar()->showMessage(tr("Live input stopped"), 5000);
    });
    connect(m_worker, &AudioWorker::recordingStarted, this, [this](const QString& path) {
        m_recording = true;
        m_listen->setRecording(true);
        statusBar()->showMessage(tr("Recording to %1").arg(QDir::toNativeSeparators(path)));
    });
    connect(m_worker, &AudioWorker::recordingSaved, this, [this](const QString& path, double seconds) {
        m_recording = false;
        m_listen->setRecording(false);
        m_settings.addRecentFile(path);
        rebuildRecentMenu();
        saveSettings();
        statusBar()->showMessage(
            tr("Saved %1 s of audio to %2").arg(seconds, 0, 'f', 1).arg(QDir::toNativeSeparators(path)));
    });
    connect(m_worker, &AudioWorker::fileLoaded, this, &MainWindow::onFileLoaded);
    connect(m_worker, &AudioWorker::progress, this, [this](qint64 step, qint64 total, const QString& what) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(total > 0 ? static_cast<int>(1000 * step / total) : 0);
        m_jobLabel->setText(what);
    });
    connect(m_worker, &AudioWorker::jobFinished, this, &MainWindow::onJobFinished);
    connect(m_worker, &AudioWorker::failed, this, &MainWindow::onFailed);

    // Model worker -> GUI.
    connect(m_modelWorker, &ModelWorker::modelLoaded, this, [this](const QString& path, const ModelCard& card) {
        m_modelPath = path;
        ClassBars* bars = m_listen->classBars();
        bars->setModelName(QFileInfo(path).fileName());
        m_patchout->setModelName(QFileInfo(path).fileName());
        bars->setVisible(true);
        m_listen->timeline()->setVisible(true);
        m_model->setModel(card);
        if (!m_optimiseRun.isEmpty() &&
            QFileInfo(path).absoluteFilePath().startsWith(QFileInfo(m_optimiseRun).absoluteFilePath() + QLatin1Char('/'))) {
            m_model->setComparison(m_optimiseBefore);  // the run's model beside the one it started from
            m_optimiseRun.clear();
        }
        statusBar()->showMessage(tr("Model %1: start a live source or open a file").arg(path), 8000);
        classifyShownFile();
        Q_EMIT modelLoaded(path);
    });
    connect(m_modelWorker, &ModelWorker::classified, this, [this](const ClassBarsState& state) {
        if (m_streaming)  // a late update of a stream that stopped would overwrite a file's bars
            m_listen->classBars()->showState(state);
    });
    connect(m_modelWorker, &ModelWorker::timelineReady, this,
            [this](const QString& path, const ClipResult& result, const QStringList& labels) {
                if (path != m_filePath)
                    return;  // another file is shown by now
                m_listen->showPredictions(result, labels, QFileInfo(m_modelPath).fileName());
                if (!result.top.empty()) {
                    const auto [cls, score] = result.top.front();
                    statusBar()->showMessage(tr("%1: %2 windows; over the whole file the model hears %3 (%4)")
                                                 .arg(QFileInfo(path).fileName())
                                                 .arg(result.windows.size())
                                                 .arg(m_listen->timeline()->label(cls))
                                                 .arg(score, 0, 'f', 2),
                                             10000);
                }
                Q_EMIT predictionsShown(path);
            });
    connect(m_modelWorker, &ModelWorker::progress, this, [this](qint64 step, qint64 total, const QString& what) {
        if (m_jobRunning)
            return;  // the status bar shows the file being opened
        m_jobLabel->setText(what);
        m_jobLabel->setVisible(true);
        m_progress->setRange(0, 1000);
        m_progress->setValue(total > 0 ? static_cast<int>(1000 * step / total) : 0);
        m_progress->setVisible(true);
    });
    connect(m_modelWorker, &ModelWorker::jobFinished, this, [this](bool cancelled) {
        const bool wasClassifying = !m_classifying.isEmpty();
        m_classifying.clear();
        if (!m_jobRunning)
            setJobRunning(false);
        if (cancelled && wasClassifying)
            Q_EMIT predictionsFailed(tr("Cancelled"));
    });
    connect(m_modelWorker, &ModelWorker::speedMeasured, m_model, &ModelView::setSpeed);
    connect(m_modelWorker, &ModelWorker::speedFailed, m_model, &ModelView::setSpeedFailed);
    connect(m_modelWorker, &ModelWorker::profiled, m_model, &ModelView::setProfile);
    connect(m_modelWorker, &ModelWorker::profileFailed, m_model, &ModelView::setProfileFailed);
    connect(m_modelWorker, &ModelWorker::failed, this, [this](const QString& message) {
        if (!m_classifying.isEmpty())
            Q_EMIT predictionsFailed(message);
        onFailed(message);
    });
    connect(m_model, &ModelView::speedRequested, m_modelWorker, &ModelWorker::measureSpeed);
    connect(m_model, &ModelView::profileRequested, m_modelWorker, &ModelWorker::profileModel);
    connect(m_model, &ModelView::importanceRequested, m_modelWorker, &ModelWorker::measureHeadImportance);
    connect(m_modelWorker, &ModelWorker::importanceMeasured, m_model, &ModelView::setImportance);
    connect(m_modelWorker, &ModelWorker::importanceFailed, m_model, &ModelView::setImportanceFailed);
    connect(m_model, &ModelView::pruneRequested, this, &MainWindow::pruneModel);
    connect(m_model, &ModelView::shareRequested, this, &MainWindow::shareModel);

    // Player -> view.
    connect(m_player, &AudioPlayer::positionChanged, m_listen, &ListenView::setPlayPosition);
    connect(m_player, &AudioPlayer::playingChanged, m_listen, &ListenView::setPlaying);
    connect(m_player, &AudioPlayer::levels, m_listen, &ListenView::setLevels);
    connect(m_player, &AudioPlayer::deviceProblem, this,
            [this](const QString& message) { statusBar()->showMessage(message); });

    // View -> app.
    connect(m_listen, &ListenView::startRequested, this, &MainWindow::startLive);
    connect(m_listen, &ListenView::stopRequested, this, &MainWindow::stopLive);
    connect(m_listen, &ListenView::openFileRequested, this, [this] {
        const QString start = m_filePath.isEmpty() ? QDir::homePath() : QFileInfo(m_filePath).path();
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open audio"), start,
            tr("Audio files (*.wav *.flac *.ogg *.oga *.opus *.mp3 *.aiff *.aif);;All files (*)"));
        if (!path.isEmpty())
            openAudio(path);
    });
    connect(m_listen, &ListenView::playRequested, this, [this] {
        if (!m_player->hasOutputDevice())
            statusBar()->showMessage(tr("No audio output device: playing silently (cursor only)"));
        m_preview->pause();
        m_player->play();
    });
    // Train: runs side by side.
    RunComparisonView* comparison = m_train->comparisonView();
    connect(comparison, &RunComparisonView::addRunsRequested, this, [this](const QString& path) {
        const QString dir = !path.isEmpty() ? path
                                            : QFileDialog::getExistingDirectory(
                                                  this, tr("A run folder, or a folder holding runs"),
                                                  m_runDir.isEmpty() ? QDir::homePath() : QFileInfo(m_runDir).path());
        if (!dir.isEmpty())
            compareRuns({dir});
    });
    connect(comparison, &RunComparisonView::removeRunRequested, this, [this](const QString& dir) {
        m_comparedRuns.removeAll(dir);
        showComparedRuns();
    });
    connect(comparison, &RunComparisonView::clearRequested, this, [this] {
        m_comparedRuns.clear();
        showComparedRuns();
    });
    connect(comparison, &RunComparisonView::exportRequested, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the comparison"), QDir::home().filePath(QStringLiteral("runs.png")),
            tr("Picture (*.png);;Vector picture (*.svg);;Curves as CSV (*.csv)"));
        if (!path.isEmpty())
            exportComparison(path);
    });
    // Evaluate: thresholds saved into the run whose evaluation is shown.
    connect(m_evaluate, &EvaluateView::saveThresholdsRequested, this, &MainWindow::saveThresholds);
    // Evaluate: from a confusion cell or a failure to the sound, and to Listen.
    connect(m_evaluate, &EvaluateView::playClipRequested, this, &MainWindow::previewClip);
    connect(m_evaluate, &EvaluateView::explainClipRequested, this,
            [this](const QString& path, const QString& predicted) { explainAudio(path, 0, predicted); });
    connect(m_evaluate, &EvaluateView::openClipRequested, this, [this](const QString& path) {
        m_preview->pause();
        showView(View::Listen);
        openAudio(path);
    });
    connect(m_listen, &ListenView::pauseRequested, m_player, &AudioPlayer::pause);
    connect(m_listen, &ListenView::seekRequested, m_player, &AudioPlayer::seek);
    connect(m_listen, &ListenView::recordRequested, this, &MainWindow::onRecordRequested);
    connect(m_listen, &ListenView::featurePresetChanged, this, [this](const QString& preset) {
        m_settings.feature_preset = preset;
        saveSettings();
        if (m_streaming) {
            const SourceChoice source = m_listen->currentSource();
            stopLive();
            startLive(source);
        } else if (!m_filePath.isEmpty() && !m_jobRunning) {
            openAudio(m_filePath);
        }
    });
    connect(m_listen, &ListenView::colourMapParamsChanged, this, [this](const ColourMapParams& p) {
        m_settings.colour_map = colourMapName(p.map);
        m_settings.range_db = p.range_db;
        m_patchout->setColourMapParams(p);
        saveSettings();
    });
    connect(m_listen, &ListenView::inputDeviceChanged, this, [this](int device) {
        for (const auto& d : m_devices)
            if (d.index == device)
                m_settings.audio_device = QString::fromStdString(d.name);
        saveSettings();
    });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_worker->cancelJob();
        m_modelWorker->cancelJob();
        m_runJobWorker->cancel();
        m_jobLabel->setText(tr("Cancelling…"));
    });

    ColourMapParams params;
    params.map = colourMapFromName(m_settings.colour_map);
    params.range_db = m_settings.range_db;
    m_listen->setColourMapParams(params);
    m_patchout->setColourMapParams(params);
    m_listen->setFeaturePreset(m_settings.feature_preset);
    refreshInputDevices();
    buildMenus();
    resize(1180, 680);
    statusBar()->showMessage(tr("Open an audio file (Ctrl+O), drop one here, or start a source"));
}

MainWindow::~MainWindow() {
    // Their results are posted to this window: let them finish first.
    if (m_evalThread)
        m_evalThread->wait();
    if (m_robustnessThread != nullptr)
        m_robustnessThread->wait();  // it reports to this window
    for (const QPointer<QThread>& reader : m_readers)
        if (reader)
            reader->wait();
    stopWorkerAndWait();
}

void MainWindow::stopWorkerAndWait() {
    if (m_audioThread.isRunning()) {
        m_worker->cancelJob();
        // Blocking: the recording (if any) is written before the thread ends.
        QMetaObject::invokeMethod(m_worker, &AudioWorker::stopStream, Qt::BlockingQueuedConnection);
        m_audioThread.quit();
        m_audioThread.wait();
    }
    if (m_trainThread.isRunning()) {
        m_trainWorker->stop();  // saves the state at the current step: it can be resumed
        m_trainThread.quit();
        m_trainThread.wait();
    }
    if (m_runJobThread.isRunning()) {
        m_runJobWorker->cancel();  // stops between batches; the files it replaces stay whole
        m_runJobThread.quit();
        m_runJobThread.wait();
    }
    // After the audio thread, which feeds it.
    if (m_modelThread.isRunning()) {
        m_modelWorker->cancelJob();
        m_modelThread.quit();
        m_modelThread.wait();
    }
}

void MainWindow::refreshInputDevices() {
    m_devices = listInputDevices();
    m_listen->setInputDevices(m_devices);
    SourceChoice choice;
    for (const auto& d : m_devices)
        if (QString::fromStdString(d.name) == m_settings.audio_device ||
            (m_settings.audio_device.isEmpty() && d.is_default)) {
            choice.kind = SourceKind::Microphone;
            choice.device = d.index;
        }
    m_listen->selectSource(choice);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open audio…"), this, [this] { Q_EMIT m_listen->openFileRequested(); });
    open->setShortcut(QKeySequence::Open);
    QAction* openRunAction = file->addAction(tr("Open r&un folder…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Open run folder"), m_runDir.isEmpty() ? QDir::homePath() : QFileInfo(m_runDir).path());
        if (!dir.isEmpty())
            openRun(dir);
    });
    openRunAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_recentMenu = file->addMenu(tr("Open &recent"));
    rebuildRecentMenu();
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* listen = menuBar()->addMenu(tr("&Listen"));
    QAction* live = listen->addAction(tr("&Start / stop live source"), this, [this] {
        if (m_streaming)
            stopLive();
        else
            startLive(m_listen->currentSource());
    });
    live->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    QAction* record = listen->addAction(tr("&Record live input"), this, [this] { onRecordRequested(!m_recording); });
    record->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    QAction* devices = listen->addAction(tr("Rescan audio &devices"), this, &MainWindow::refreshInputDevices);
    devices->setShortcut(QKeySequence(Qt::Key_F5));

    QAction* model = listen->addAction(tr("Load &model…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Model for live classification and file timelines"), {},
                                                          tr("Model files (*.safetensors)"));
        if (!path.isEmpty())
            loadModel(path);
    });
    model->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    QAction* explainAction = listen->addAction(tr("&Explain the window at the cursor…"), this, [this] {
        if (m_filePath.isEmpty())
            statusBar()->showMessage(tr("Open an audio file first: the window at the play cursor is explained"), 5000);
        else
            explainAudio(m_filePath, m_player->positionSeconds());
    });
    explainAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
    explainAction->setStatusTip(tr("What the loaded model looked at in the window from the play cursor"));

    QMenu* trainMenu = menuBar()->addMenu(tr("&Train"));
    QAction* newRun = trainMenu->addAction(tr("&New training run…"), this, &MainWindow::startTraining);
    newRun->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    trainMenu->addAction(tr("&Stop training"), this, &MainWindow::stopTraining);

    QMenu* runMenu = menuBar()->addMenu(tr("&Run"));
    QAction* evaluate = runMenu->addAction(tr("&Evaluate run…"), this, &MainWindow::evaluateCurrentRun);
    evaluate->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    evaluate->setStatusTip(tr("Score the open run's best model on a split of its dataset (RUN/eval)"));
    QAction* embed = runMenu->addAction(tr("E&mbed run…"), this, &MainWindow::embedCurrentRun);
    embed->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    embed->setStatusTip(tr("Embed every clip of the open run's dataset with its best model (RUN/embeddings)"));
    QAction* compare = runMenu->addAction(tr("&Compare runs…"), this, [this] {
        // The open run first, then whatever the user adds in the tab.
        if (m_comparedRuns.isEmpty() && !m_runDir.isEmpty())
            compareRuns({m_runDir});
        showView(View::Train);
        m_train->showComparison(true);
    });
    compare->setStatusTip(tr("Several runs' curves overlaid and the settings in which they differ"));
    connect(runMenu, &QMenu::aboutToShow, this, [this, evaluate, embed] {
        evaluate->setEnabled(!m_runDir.isEmpty() && !m_runJobRunning);
        embed->setEnabled(!m_runDir.isEmpty() && !m_runJobRunning);
    });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* showListen = view->addAction(tr("&Listen"), this, [this] { showView(View::Listen); });
    showListen->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction* showPatchout = view->addAction(tr("&Patchout"), this, [this] { showView(View::Patchout); });
    showPatchout->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    QAction* showTrain = view->addAction(tr("&Train"), this, [this] { showView(View::Train); });
    showTrain->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    QAction* showEmbeddings = view->addAction(tr("E&mbeddings"), this, [this] { showView(View::Embeddings); });
    showEmbeddings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    QAction* showEvaluate = view->addAction(tr("&Evaluate"), this, [this] { showView(View::Evaluate); });
    showEvaluate->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_5));
    QAction* showModel = view->addAction(tr("M&odel"), this, [this] { showView(View::Model); });
    showModel->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_6));

    QMenu* settings = menuBar()->addMenu(tr("&Settings"));
    QAction* prefs = settings->addAction(tr("&Preferences…"), this, &MainWindow::showPreferences);
    prefs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About Patchout Workbench"), this, &MainWindow::showAbout);
    about->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::rebuildRecentMenu() {
    m_recentMenu->clear();
    for (const QString& path : m_settings.recent_files) {
        const bool run = QFileInfo(path).isDir();
        const QString name = run ? tr("%1 (run)").arg(QFileInfo(path).fileName()) : QFileInfo(path).fileName();
        QAction* a = m_recentMenu->addAction(name, this, [this, path] { openPath(path); });
        a->setToolTip(path);
        a->setStatusTip(QDir::toNativeSeparators(path));
    }
    m_recentMenu->setEnabled(!m_settings.recent_files.isEmpty());
    QStringList runs;  // offered in Runs side by side
    for (const QString& path : m_settings.recent_files)
        if (isRunFolder(path.toStdString()))
            runs << path;
    m_train->comparisonView()->setRecentRuns(runs);
    if (!m_settings.recent_files.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear the list"), this, [this] {
            m_settings.recent_files.clear();
            saveSettings();
            rebuildRecentMenu();
        });
    }
}

void MainWindow::saveSettings() {
    QSettings qs;
    m_settings.save(qs);
}

void MainWindow::setJobRunning(bool running, const QString& what) {
    m_jobRunning = running;
    m_progress->setVisible(running);
    m_cancel->setVisible(running);
    m_jobLabel->setVisible(running);
    if (running) {
        m_progress->setRange(0, 0);  // busy until the first progress report
        m_jobLabel->setText(what);
    }
}

void MainWindow::loadModel(const QString& path) {
    const QString p = QFileInfo(path).absoluteFilePath();
    m_modelWorker->cancelJob();  // a timeline of the previous model is not wanted any more
    QMetaObject::invokeMethod(m_modelWorker, [w = m_modelWorker, p] { w->loadModel(p); });
}

void MainWindow::classifyShownFile() {
    if (m_modelPath.isEmpty() || m_filePath.isEmpty())
        return;
    m_modelWorker->cancelJob();  // the one running is of another file or model
    m_classifying = m_filePath;
    const QString p = m_filePath;
    QMetaObject::invokeMethod(m_modelWorker, [w = m_modelWorker, p] { w->classifyFile(p); });
}

void MainWindow::openAudio(const QString& path) {
    if (m_jobRunning) {
        statusBar()->showMessage(tr("Wait for the running job or cancel it first"), 5000);
        return;
    }
    if (m_streaming)
        stopLive();
    m_player->pause();
    m_loadingPath = QFileInfo(path).absoluteFilePath();
    m_listen->clearMessage();
    setJobRunning(true, tr("Opening %1").arg(QFileInfo(path).fileName()));
    const QString preset = m_listen->featurePreset();
    const QString p = m_loadingPath;
    QMetaObject::invokeMethod(m_worker, [w = m_worker, p, preset] { w->loadFile(p, preset); });
}

void MainWindow::onFileLoaded(const QString& path, const Waveform& wave, const Features& features) {
    const bool sameFile = path == m_filePath;
    const double position = m_player->positionSeconds();
    m_filePath = path;
    if (!sameFile)
        m_listen->clearPredictions();
    m_player->setWaveform(wave);
    m_listen->selectSource({SourceKind::File, -1, SignalKind::Chirp});
    // An explanation stays over its file when only the display preset changed.
    const SpectrogramOverlay kept = sameFile ? m_listen->spectrogram()->overlay() : SpectrogramOverlay{};
    m_listen->showFile(QFileInfo(path).fileName(), features);
    if (!kept.empty())
        m_listen->showOverlay(kept);
    const bool pending = !m_pendingOverlay.empty() && QFileInfo(path).absoluteFilePath() == m_pendingOverlayFile;
    if (pending) {
        m_listen->showOverlay(m_pendingOverlay);
        m_pendingOverlay = {};
        m_pendingOverlayFile.clear();
    }
    // The Patchout view shows what the model sees: PaSST's log-mel only.
    if (m_listen->featurePreset() == QLatin1String("passt-32k"))
        m_patchout->setFeatures(QFileInfo(path).fileName(), features);
    if (sameFile)
        m_player->seek(position);  // a new preset on the same file keeps the play position
    m_settings.addRecentFile(path);
    rebuildRecentMenu();
    saveSettings();
    setWindowTitle(tr("%1 — Patchout Workbench").arg(QFileInfo(path).fileName()));
    if (!sameFile || !m_listen->timeline()->hasResult())
        classifyShownFile();
    statusBar()->showMessage(tr("%1: %2 s, %3 frames of %4 bins")
                                 .arg(QDir::toNativeSeparators(path))
                                 .arg(wave.durationSeconds(), 0, 'f', 2)
                                 .arg(features.n_frames)
                                 .arg(features.n_bins));
    Q_EMIT fileShown(path);
    if (pending)
        Q_EMIT overlayShown(path);
}

void MainWindow::onJobFinished(bool cancelled) {
    setJobRunning(false);
    if (cancelled)
        statusBar()->showMessage(tr("Cancelled"), 5000);
}

void MainWindow::onFailed(const QString& message) {
    m_listen->showMessage(message, ListenView::MessageKind::Error);
    statusBar()->showMessage(message);
    if (!m_loadingPath.isEmpty() && m_jobRunning)
        Q_EMIT fileFailed(message);
}

void MainWindow::startLive(const SourceChoice& source) {
    if (source.kind == SourceKind::File && source.stream_path.empty()) {
        Q_EMIT m_listen->openFileRequested();
        return;
    }
    if (m_jobRunning) {
        statusBar()->showMessage(tr("Wait for the running job or cancel it first"), 5000);
        return;
    }
    m_player->pause();
    m_listen->clearMessage();
    if (!m_listen->hasInputDevices())
        m_listen->showMessage(tr("No audio input device found: open an audio file or use the "
                                 "synthetic source."));
    if (source.stream_path.empty())
        m_listen->selectSource(source);
    const QString preset = m_listen->featurePreset();
    QMetaObject::invokeMethod(m_worker, [w = m_worker, source, preset] { w->startStream(source, preset); });
}

void MainWindow::stopLive() {
    QMetaObject::invokeMethod(m_worker, &AudioWorker::stopStream, Qt::QueuedConnection);
}

void MainWindow::onRecordRequested(bool on) {
    if (!on) {
        QMetaObject::invokeMethod(m_worker, &AudioWorker::stopRecording, Qt::QueuedConnection);
        return;
    }
    if (!m_streaming) {
        statusBar()->showMessage(tr("Start a live source before recording"), 5000);
        return;
    }
    const QString folder = m_settings.recordingFolder();
    if (!QDir().mkpath(folder)) {
        onFailed(tr("Cannot create the recording folder %1").arg(QDir::toNativeSeparators(folder)));
        return;
    }
    const QString path = QDir(folder).filePath(
        QStringLiteral("recording-%1.wav").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    QMetaObject::invokeMethod(m_worker, [w = m_worker, path] { w->startRecording(path); });
}

void MainWindow::showAbout() {
    const SystemInfo info = systemInfo();
    QString details;
    for (const std::string& line : describe(info))
        details += QString::fromStdString(line).toHtmlEscaped() + QStringLiteral("<br>");
    details += tr("Qt: %1 (built with %2)").arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR));
    QMessageBox::about(this, tr("About Patchout Workbench"),
                       tr("<h3>Patchout Workbench %1</h3>"
                          "<p>A workbench for audio transformers trained with patchout (PaSST).</p>"
                          "<p style='font-family:monospace'>%2</p>")
                           .arg(QStringLiteral(PATCHOUT_VERSION), details));
}

void MainWindow::showPreferences() {
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Preferences"));
    auto* form = new QFormLayout(&dialog);
    auto* device = new QComboBox(&dialog);
    device->addItem(tr("System default"), QString());
    for (const auto& d : m_devices)
        device->addItem(QString::fromStdString(d.name), QString::fromStdString(d.name));
    if (m_devices.empty())
        device->setToolTip(tr("No audio input device found"));
    device->setCurrentIndex(std::max(0, device->findData(m_settings.audio_device)));
    auto* threads = new QSpinBox(&dialog);
    threads->setRange(1, std::max(1, QThread::idealThreadCount()));
    threads->setValue(m_settings.threads);
    threads->setToolTip(tr("Threads LibTorch may use for models"));
    const CudaStatus cuda = cudaStatus();
    auto* computeDevice = new QComboBox(&dialog);
    computeDevice->addItem(cuda.usable() ? tr("Automatic: the GPU") : tr("Automatic: the CPU (no usable GPU)"),
                           QStringLiteral("auto"));
    computeDevice->addItem(tr("CPU"), QStringLiteral("cpu"));
    computeDevice->addItem(tr("GPU (CUDA)"), QStringLiteral("cuda"));
    computeDevice->setCurrentIndex(std::max(0, computeDevice->findData(m_settings.compute_device)));
    computeDevice->setToolTip(tr("Where models train, classify, evaluate, embed and are explained. CUDA: %1")
                                  .arg(QString::fromStdString(cuda.describe())));
    auto* language = new QComboBox(&dialog);
    language->addItem(tr("System language (%1)").arg(QLocale().nativeLanguageName()), QString());
    language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    for (const QString& code : translationLanguages())
        language->addItem(QLocale(code).nativeLanguageName(), code);
    language->setCurrentIndex(std::max(0, language->findData(m_settings.language)));
    language->setToolTip(tr("Language of the workbench; it changes when the workbench starts again"));
    form->addRow(tr("Audio input:"), device);
    form->addRow(tr("Threads:"), threads);
    form->addRow(tr("Models run on:"), computeDevice);
    form->addRow(tr("Language:"), language);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_settings.audio_device = device->currentData().toString();
    m_settings.threads = threads->value();
    patchout::configureThreads({.torch_threads = m_settings.threads});
    const bool languageChanged = language->currentData().toString() != m_settings.language;
    m_settings.language = language->currentData().toString();
    saveSettings();
    setComputeDevice(computeDevice->currentData().toString());
    if (languageChanged)
        statusBar()->showMessage(tr("The language changes when the workbench starts again"), 10000);
    refreshInputDevices();
}

void MainWindow::setComputeDevice(const QString& device) {
    if (device == m_settings.compute_device)
        return;
    m_settings.compute_device = device;
    saveSettings();
    QMetaObject::invokeMethod(m_modelWorker, [w = m_modelWorker, device] { w->setComputeDevice(device); });
    QMetaObject::invokeMethod(m_runJobWorker, [w = m_runJobWorker, device] { w->setComputeDevice(device); });
    if (!m_modelPath.isEmpty())
        loadModel(m_modelPath);  // after the worker has the device: queued calls keep their order
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (busy()) {
        QStringList what;
        if (m_jobRunning)
            what << tr("a file is being opened");
        if (m_training)
            what << tr("a model is training (it stops with its state saved, and can be resumed)");
        if (m_runJobRunning)
            what << tr("a run is being evaluated or embedded");
        if (m_recording)
            what << tr("a recording is running (it will be saved)");
        else if (m_streaming)
            what << tr("the live input is running");
        const auto answer = QMessageBox::question(
            this, tr("Quit Patchout Workbench?"),
            tr("Work is in progress: %1.\nStop it and quit?").arg(what.join(QStringLiteral("; "))),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    m_player->pause();
    stopWorkerAndWait();
    saveSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!firstLocalPath(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString path = firstLocalPath(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    openPath(path);
}

void MainWindow::openPath(const QString& path) {
    if (QFileInfo(path).isDir()) {
        openRun(path);
    } else {
        showView(View::Listen);
        openAudio(path);
    }
}

void MainWindow::showView(View view) { m_sidebar->setCurrentRow(static_cast<int>(view)); }

MainWindow::View MainWindow::currentView() const { return static_cast<View>(m_stack->currentIndex()); }

void MainWindow::openRun(const QString& dir) {
    const QString path = QFileInfo(dir).absoluteFilePath();
    RunFolder run;
    try {
        run = readRunFolder(path.toStdString());
    } catch (const Error& e) {
        const QString message = tr("Cannot open the run folder: %1").arg(QString::fromStdString(e.what()));
        statusBar()->showMessage(message);
        Q_EMIT runFailed(message);
        return;
    }
    if (!m_runWatcher->files().isEmpty())
        m_runWatcher->removePaths(m_runWatcher->files());
    if (!m_runWatcher->directories().isEmpty())
        m_runWatcher->removePaths(m_runWatcher->directories());
    m_runDir = path;
    m_runPlannedEpochs = run.planned_epochs;
    m_runSplit = run.split.empty()
                     ? QString()
                     : tr("Split %1: %2 training, %3 validation, %4 test clips")
                           .arg(QString::fromStdString(run.split))
                           .arg(run.train_clips)
                           .arg(run.validation_clips)
                           .arg(run.test_clips);
    if (!run.validation_note.empty())
        m_runSplit += QStringLiteral("; ") + QString::fromStdString(run.validation_note);
    m_runDataset = QString::fromStdString(run.dataset);
    m_runMultiLabel = run.multi_label;
    m_evaluate->setClipRoot(m_runDataset);  // predictions.csv names clips relative to it
    // The folder is watched for metrics.jsonl to appear, the file for lines appended to it.
    m_runWatcher->addPath(path);
    const QString metricsFile = QString::fromStdString(RunPaths(path.toStdString()).metrics().string());
    if (QFileInfo::exists(metricsFile))
        m_runWatcher->addPath(metricsFile);
    m_train->setRun(QFileInfo(path).fileName(), run.curves, run.planned_epochs, m_runSplit);
    m_patchout->setPreset(QString::fromStdString(run.preset));
    try {  // the SpecAugment the run trained with, beside its patchout
        m_patchout->setSpecAugmentOptions(readRunOptions(path.toStdString()).augment,
                                          tr("as %1 trained").arg(QFileInfo(path).fileName()));
    } catch (const Error&) {  // an imported run without config.json: the view's own settings
    }
    if (!run.best_checkpoint.empty())
        loadModel(QString::fromStdString(run.best_checkpoint.string()));
    loadEmbeddings(run.embeddings_dir.empty() ? QString() : QString::fromStdString(run.embeddings_dir.string()));
    if (run.eval_dir.empty()) {
        m_evaluate->clear();
        Q_EMIT evaluationFailed(tr("The run has no evaluation yet: Run > Evaluate run… (Ctrl+E)"));
    } else
        loadEvaluation(QString::fromStdString(run.eval_dir.string()), run.multi_label);
    m_settings.addRecentFile(path);
    rebuildRecentMenu();
    saveSettings();
    showView(View::Train);
    setWindowTitle(tr("%1 — Patchout Workbench").arg(QFileInfo(path).fileName()));
    statusBar()->showMessage(
        run.best_checkpoint.empty()
            ? tr("Run %1: no checkpoint yet").arg(QDir::toNativeSeparators(path))
            : tr("Run %1: its best model classifies live sources in Listen").arg(QDir::toNativeSeparators(path)),
        8000);
    Q_EMIT runOpened(path);
}

bool MainWindow::compareRuns(const QStringList& paths) {
    try {
        std::vector<fs::path> dirs;
        for (const QString& p : m_comparedRuns + paths)
            dirs.push_back(p.toStdString());
        QStringList found;
        for (const fs::path& d : findRuns(dirs))
            found << QString::fromStdString(d.string());
        const QStringList before = m_comparedRuns;
        m_comparedRuns = found;
        if (!showComparedRuns()) {
            m_comparedRuns = before;
            return false;
        }
    } catch (const std::exception& e) {
        const QString message = tr("Cannot compare: %1").arg(describeError(e));
        statusBar()->showMessage(message, 8000);
        Q_EMIT comparisonFailed(message);
        return false;
    }
    showView(View::Train);
    m_train->showComparison(true);
    return true;
}

bool MainWindow::showComparedRuns() {
    try {
        std::vector<RunFolder> runs;
        std::vector<fs::path> dirs;
        for (const QString& dir : m_comparedRuns) {
            dirs.push_back(dir.toStdString());
            runs.push_back(readRunFolder(dirs.back()));
        }
        m_train->comparisonView()->setRuns(runs, runs.size() > 1 ? differingOptions(dirs) : std::vector<OptionDifference>{});
        return true;
    } catch (const std::exception& e) {
        const QString message = tr("Cannot compare: %1").arg(describeError(e));
        statusBar()->showMessage(message, 8000);
        Q_EMIT comparisonFailed(message);
        return false;
    }
}

bool MainWindow::exportComparison(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    try {
        const std::vector<RunFolder>& runs = m_train->comparisonView()->runs();  // as shown, not read again
        if (suffix == QLatin1String("svg"))
            writeRunCurvesSvg(path.toStdString(), runs);
        else if (suffix == QLatin1String("csv"))
            writeRunCurvesCsv(path.toStdString(), runs);
        else if (suffix == QLatin1String("png")) {
            QSaveFile file(path);  // all or nothing, as the core writes
            if (!file.open(QIODevice::WriteOnly) || !m_train->comparisonView()->chartsPicture().save(&file, "PNG") ||
                !file.commit())
                throw Error(ErrorCode::Io, "cannot write the picture: " + file.errorString().toStdString(), path.toStdString());
        } else
            throw Error(ErrorCode::InvalidArgument, "export to .png, .svg or .csv", path.toStdString());
    } catch (const std::exception& e) {
        const QString message = tr("Cannot export the comparison: %1").arg(describeError(e));
        statusBar()->showMessage(message, 8000);
        Q_EMIT comparisonFailed(message);
        return false;
    }
    statusBar()->showMessage(tr("Comparison written to %1").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

ExplainDialog* MainWindow::explainAudio(const QString& path, double startSeconds, const QString& targetClass) {
    if (m_modelPath.isEmpty()) {
        statusBar()->showMessage(tr("Load a model first (Listen > Load model…, or open a run): it is the one explained"), 8000);
        return nullptr;
    }
    QStringList labels;
    try {
        for (const std::string& l : inspectCheckpoint(m_modelPath.toStdString()).labels)
            labels << QString::fromStdString(l);
    } catch (const std::exception& e) {
        statusBar()->showMessage(tr("Cannot explain with %1: %2").arg(m_modelPath, describeError(e)), 8000);
        return nullptr;
    }
    auto* dialog = new ExplainDialog(path, m_modelPath, labels, startSeconds, targetClass, this);
    dialog->setComputeDevice(m_settings.compute_device);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ExplainDialog::showInListen, this, [this](const QString& file, const SpectrogramOverlay& overlay) {
        showView(View::Listen);
        if (QFileInfo(file) == QFileInfo(m_filePath)) {
            m_listen->showOverlay(overlay);
            Q_EMIT overlayShown(file);
            return;
        }
        m_pendingOverlay = overlay;  // laid over the file once it is shown
        m_pendingOverlayFile = QFileInfo(file).absoluteFilePath();
        openAudio(file);
    });
    dialog->show();
    dialog->compute();
    return dialog;
}

void MainWindow::measurePatchoutRobustness() {
    auto fail = [this](const QString& message) {
        m_patchout->setRobustnessError(message);
        Q_EMIT robustnessFailed(message);
    };
    if (m_modelPath.isEmpty() || m_filePath.isEmpty())
        return fail(tr("Load a model and open a file first: the model is measured on the file's first window"));
    if (m_robustnessThread != nullptr) {
        m_measureAgain = true;  // one at a time: again with the newest settings when it ends
        return;
    }
    PatchoutRobustnessOptions options;
    options.shown_mask = m_patchout->mask();
    options.seed = m_patchout->seed();
    options.device = m_settings.compute_device.toStdString();
    const std::string file = m_filePath.toStdString(), model = m_modelPath.toStdString();
    const std::string other = m_patchoutCompareModel.toStdString();
    const QString otherName = QFileInfo(m_patchoutCompareModel).fileName();
    m_robustnessThread = QThread::create([this, file, model, other, otherName, options] {
        try {
            auto result = std::make_shared<PatchoutRobustness>(patchoutRobustness(file, model, options));
            std::shared_ptr<PatchoutRobustness> beside;
            if (!other.empty()) {
                PatchoutRobustnessOptions o = options;
                o.shown_mask = {};  // its grid may be another
                beside = std::make_shared<PatchoutRobustness>(patchoutRobustness(file, other, o));
            }
            QMetaObject::invokeMethod(this, [this, result, beside, otherName] {
                m_patchout->setRobustness(*result);
                if (beside)
                    m_patchout->setComparisonRobustness(*beside, otherName);
                Q_EMIT robustnessShown();
            });
        } catch (const std::exception& e) {
            const QString message = tr("Cannot measure: %1").arg(describeError(e));
            QMetaObject::invokeMethod(this, [this, message] {
                m_patchout->setRobustnessError(message);
                Q_EMIT robustnessFailed(message);
            });
        }
    });
    connect(m_robustnessThread, &QThread::finished, this, [this] {
        m_robustnessThread->deleteLater();
        m_robustnessThread = nullptr;
        if (std::exchange(m_measureAgain, false))
            measurePatchoutRobustness();
    });
    m_robustnessThread->start();
}

bool MainWindow::saveThresholds(const DecisionThresholds& thresholds) {
    if (m_shownEvalDir.isEmpty())
        return false;
    const fs::path file = RunPaths(QFileInfo(m_shownEvalDir).dir().absolutePath().toStdString()).thresholds();
    try {
        writeDecisionThresholds(file, thresholds);
    } catch (const std::exception& e) {
        const QString message = tr("Cannot save the thresholds: %1").arg(describeError(e));
        statusBar()->showMessage(message, 8000);
        Q_EMIT thresholdsFailed(message);
        return false;
    }
    statusBar()->showMessage(tr("Thresholds saved into %1: classify and live classification use them")
                                 .arg(QDir::toNativeSeparators(QString::fromStdString(file.string()))),
                             8000);
    // The loaded model of that run decides live with them from now on.
    if (!m_modelPath.isEmpty() && RunPaths::ofCheckpoint(m_modelPath.toStdString()).thresholds() == file)
        loadModel(m_modelPath);
    Q_EMIT thresholdsSaved(QString::fromStdString(file.string()));
    return true;
}

void MainWindow::previewClip(const QString& path) {
    try {
        // Short clips decode in milliseconds; a long file is heard from its start.
        const Waveform wave = loadAudio(path.toStdString(), {.duration_s = 30.0});
        m_player->pause();
        m_preview->setWaveform(wave);
        m_preview->play();
        statusBar()->showMessage(m_preview->hasOutputDevice()
                                     ? tr("Playing %1").arg(QDir::toNativeSeparators(path))
                                     : tr("No audio output device: %1 cannot be heard here").arg(QDir::toNativeSeparators(path)),
                                 5000);
        Q_EMIT clipPreviewed(path);
    } catch (const std::exception& e) {
        const QString message = tr("Cannot play %1: %2").arg(QDir::toNativeSeparators(path), describeError(e));
        statusBar()->showMessage(message, 8000);
        Q_EMIT clipPreviewFailed(message);
    }
}

void MainWindow::loadEvaluation(const QString& evalDir, bool multiLabel) {
    if (m_evalThread)
        m_evalThread->wait();
    // 100 000 clips x 527 classes take seconds to score: off the GUI thread.
    m_evalThread = QThread::create([this, evalDir, multiLabel] {
        try {
            auto predictions = std::make_shared<Predictions>(
                readPredictionsCsv((evalDir + QStringLiteral("/predictions.csv")).toStdString(), multiLabel));
            ReportOptions options;
            options.clips = reportClips(evalDir.toStdString());  // which clips, as eval wrote it
            auto report = std::make_shared<EvaluationReport>(computeReport(*predictions, options));
            // The comparison eval stored (against the run's floor, or another baseline).
            auto comparison = std::make_shared<std::optional<BaselineComparison>>(
                readReportComparison(evalDir.toStdString()));
            QMetaObject::invokeMethod(
                this,
                [this, evalDir, predictions, report, comparison] {
                    m_evaluate->setReport(QFileInfo(evalDir).dir().dirName() + QStringLiteral("/eval"), *report,
                                          *predictions, comparison->has_value() ? &comparison->value() : nullptr);
                    m_shownEvalDir = evalDir;
                    // A multi-label run's decision thresholds, as saved into it.
                    const fs::path saved = RunPaths(QFileInfo(evalDir).dir().absolutePath().toStdString()).thresholds();
                    if (report->multi_label && fs::is_regular_file(saved)) {
                        try {
                            m_evaluate->setThresholds(readDecisionThresholds(saved));
                        } catch (const std::exception& e) {
                            statusBar()->showMessage(tr("The run's thresholds cannot be read: %1").arg(describeError(e)), 8000);
                        }
                    }
                    Q_EMIT evaluationShown(evalDir);
                },
                Qt::QueuedConnection);
        } catch (const Error& e) {
            const QString message = tr("Cannot show the evaluation: %1").arg(QString::fromStdString(e.what()));
            QMetaObject::invokeMethod(
                this,
                [this, message] {
                    m_evaluate->clear();
                    statusBar()->showMessage(message);
                    Q_EMIT evaluationFailed(message);
                },
                Qt::QueuedConnection);
        }
    });
    connect(m_evalThread, &QThread::finished, m_evalThread, &QObject::deleteLater);
    m_evalThread->start();
}

void MainWindow::loadEmbeddings(const QString& dir) {
    m_index.reset();
    m_embeddingFolder.reset();
    m_embeddings->clear();
    const int generation = ++m_embeddingsGeneration;  // a later run's embeddings win
    if (dir.isEmpty())
        return;
    // 100 000 x 768 floats and their index take seconds to read: off the GUI thread.
    QThread* reader = QThread::create([this, dir, generation] {
        try {
            auto folder = std::make_shared<EmbeddingFolder>(readEmbeddingFolder(dir.toStdString()));
            auto index = std::make_shared<SimilarityIndex>(SimilarityIndex::load(dir.toStdString()));
            QMetaObject::invokeMethod(
                this,
                [this, dir, generation, folder, index] {
                    if (generation != m_embeddingsGeneration)
                        return;
                    m_embeddingFolder = std::make_unique<EmbeddingFolder>(std::move(*folder));
                    m_index = std::make_unique<SimilarityIndex>(std::move(*index));
                    m_embeddings->setFolder(QFileInfo(dir).dir().dirName() + QStringLiteral("/embeddings"),
                                            *m_embeddingFolder);
                    Q_EMIT embeddingsShown(dir);
                },
                Qt::QueuedConnection);
        } catch (const Error& e) {
            const QString message = tr("Cannot show the embeddings: %1").arg(QString::fromStdString(e.what()));
            QMetaObject::invokeMethod(
                this,
                [this, generation, message] {
                    if (generation != m_embeddingsGeneration)
                        return;
                    statusBar()->showMessage(message);
                    Q_EMIT embeddingsFailed(message);
                },
                Qt::QueuedConnection);
        }
    });
    m_readers.append(reader);
    connect(reader, &QThread::finished, this, [this, reader] {
        m_readers.removeAll(reader);
        reader->deleteLater();
    });
    reader->start();
}

void MainWindow::reloadRunCurves() {
    if (m_runDir.isEmpty())
        return;
    const QString metrics = QString::fromStdString(RunPaths(m_runDir.toStdString()).metrics().string());
    if (!QFileInfo::exists(metrics))
        return;
    // Atomic replacements (and a file that appeared) drop out of the watch list: add it again.
    if (!m_runWatcher->files().contains(metrics))
        m_runWatcher->addPath(metrics);
    try {
        m_train->setRun(QFileInfo(m_runDir).fileName(), readTrainingCurves(metrics.toStdString()),
                        m_runPlannedEpochs, m_runSplit);
    } catch (const Error& e) {
        statusBar()->showMessage(tr("Cannot read the run's curves: %1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::buildTraining() {
    qRegisterMetaType<TrainRequest>();
    m_trainWorker = new TrainWorker;
    m_trainWorker->moveToThread(&m_trainThread);
    connect(&m_trainThread, &QThread::finished, m_trainWorker, &QObject::deleteLater);
    m_trainThread.setObjectName(QStringLiteral("training"));
    m_trainThread.start();
    connect(m_train, &TrainView::newRunRequested, this, &MainWindow::startTraining);
    connect(m_train, &TrainView::stopRequested, this, &MainWindow::stopTraining);
    connect(m_trainWorker, &TrainWorker::started, this, [this](const QString& runDir) { openRun(runDir); });
    connect(m_trainWorker, &TrainWorker::progress, this, [this](qint64, qint64, const QString& status) {
        if (m_training)
            m_train->setTraining(true, status);
    });
    connect(m_trainWorker, &TrainWorker::finished, this, [this](const QString& runDir, const QString& summary, bool stopped) {
        m_training = false;
        m_train->setTraining(false, summary);
        openRun(runDir);  // the final curves, and its best model for Listen and Model
        statusBar()->showMessage(summary, 15000);
        Q_EMIT trainingFinished(runDir, stopped);
    });
    connect(m_trainWorker, &TrainWorker::failed, this, [this](const QString& message) {
        m_training = false;
        m_optimiseRun.clear();  // a failed prune or share run has no model to compare
        m_train->setTraining(false, message);
        statusBar()->showMessage(message);
        Q_EMIT trainingFailed(message);
    });
}

void MainWindow::startTraining() {
    if (m_training) {
        statusBar()->showMessage(tr("A model is training already: stop it first"), 5000);
        return;
    }
    TrainDialog dialog(m_runDataset, this);
    if (dialog.exec() == QDialog::Accepted)
        train(dialog.request());
}

void MainWindow::train(const TrainRequest& request) {
    if (m_training) {
        statusBar()->showMessage(tr("A model is training already: stop it first"), 5000);
        return;
    }
    m_training = true;
    showView(View::Train);
    m_train->setTraining(true, tr("Reading %1…").arg(QDir::toNativeSeparators(request.dataset)));
    TrainRequest onDevice = request;
    onDevice.options.device = m_settings.compute_device.toStdString();  // a preference of this call, resume included
    QMetaObject::invokeMethod(m_trainWorker, [w = m_trainWorker, onDevice] { w->run(onDevice); });
}

std::optional<TrainRequest> MainWindow::optimiseRequest(const QString& suffix) {
    const RunPaths run = RunPaths::ofCheckpoint(m_modelPath.toStdString());
    if (run.empty()) {
        statusBar()->showMessage(tr("Open the model from the run it was trained in to change it"), 5000);
        return std::nullopt;
    }
    try {
        const RunFolder folder = readRunFolder(run.dir);
        TrainRequest request;
        request.dataset = QString::fromStdString(folder.dataset);
        request.split = folder.split.empty() ? QStringLiteral("auto") : QString::fromStdString(folder.split);
        request.options = readRunOptions(run.dir);  // the run's own recipe, shorter and gentler
        request.options.resume = false;
        request.options.init_checkpoint.clear();
        request.options.max_steps = 0;
        request.options.epochs = 10;
        request.options.lr = std::min(request.options.lr, 5e-4);
        request.options.cache_dir = request.options.cache_dir.empty() ? run.cache() : request.options.cache_dir;
        request.run_dir = QString::fromStdString(run.dir.string()) + QLatin1Char('-') + suffix + QLatin1Char('-') +
                          QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        return request;
    } catch (const std::exception& e) {
        statusBar()->showMessage(tr("Cannot start from this model: %1").arg(describeError(e)), 8000);
        return std::nullopt;
    }
}

void MainWindow::pruneModel(double keepShare, int keepBlocks) {
    std::optional<TrainRequest> request =
        optimiseRequest(QStringLiteral("blocks%1-heads%2").arg(keepBlocks).arg(static_cast<int>(std::lround(100 * keepShare))));
    if (!request)
        return;
    request->prune_checkpoint = m_modelPath;
    request->keep_heads = keepShare;
    request->keep_blocks = keepBlocks;
    m_optimiseBefore = m_model->card();
    m_optimiseRun = request->run_dir;
    train(*request);
}

void MainWindow::shareModel(const QString& sharing) {
    std::optional<TrainRequest> request = optimiseRequest(QStringLiteral("shared-") + sharing);
    if (!request)
        return;
    request->options.init_checkpoint = m_modelPath.toStdString();  // each pair starts as its mean
    request->options.sharing = sharing.toStdString();
    request->options.sharing_group = 2;
    m_optimiseBefore = m_model->card();
    m_optimiseRun = request->run_dir;
    train(*request);
}

void MainWindow::stopTraining() {
    if (!m_training)
        return;
    m_trainWorker->stop();
    m_train->setTraining(true, tr("Stopping at the next step…"));
}

void MainWindow::buildRunJobs() {
    qRegisterMetaType<RunJobWorker::Kind>();
    m_runJobWorker = new RunJobWorker;
    m_runJobWorker->setComputeDevice(m_settings.compute_device);  // before the thread runs it
    m_runJobWorker->moveToThread(&m_runJobThread);
    connect(&m_runJobThread, &QThread::finished, m_runJobWorker, &QObject::deleteLater);
    m_runJobThread.setObjectName(QStringLiteral("run jobs"));
    m_runJobThread.start();
    const auto ended = [this] {
        m_runJobRunning = false;
        if (!m_jobRunning)
            setJobRunning(false);
    };
    connect(m_runJobWorker, &RunJobWorker::progress, this, [this](qint64 step, qint64 total, const QString& what) {
        if (m_jobRunning)
            return;  // the status bar shows the file being opened
        m_jobLabel->setText(what);
        m_progress->setRange(0, 1000);
        m_progress->setValue(total > 0 ? static_cast<int>(1000 * std::min(step, total) / total) : 0);
    });
    connect(m_runJobWorker, &RunJobWorker::finished, this,
            [this, ended](RunJobWorker::Kind kind, const QString& runDir, const QString& outDir, const QString& summary) {
                ended();
                statusBar()->showMessage(summary, 15000);
                if (runDir == m_runDir) {  // the run is still the one open: show the result
                    if (kind == RunJobWorker::Kind::Evaluate) {
                        loadEvaluation(outDir, m_runMultiLabel);
                        showView(View::Evaluate);
                    } else {
                        loadEmbeddings(outDir);
                        showView(View::Embeddings);
                    }
                }
                Q_EMIT runJobFinished(outDir);
            });
    connect(m_runJobWorker, &RunJobWorker::cancelled, this, [this, ended](RunJobWorker::Kind) {
        ended();
        statusBar()->showMessage(tr("Cancelled"), 5000);
        Q_EMIT runJobFailed(tr("Cancelled"));
    });
    connect(m_runJobWorker, &RunJobWorker::failed, this, [this, ended](RunJobWorker::Kind kind, const QString& message) {
        ended();
        const QString text = kind == RunJobWorker::Kind::Evaluate ? tr("Cannot evaluate the run: %1").arg(message)
                                                                  : tr("Cannot embed the run: %1").arg(message);
        statusBar()->showMessage(text);
        Q_EMIT runJobFailed(text);
    });
}

bool MainWindow::startRunJob(const QString& dir) {
    QString why;
    if (dir.isEmpty())
        why = tr("Open a run folder first (File > Open run folder…)");
    else if (m_runJobRunning)
        why = tr("A run job is running already: wait for it or cancel it");
    if (!why.isEmpty()) {
        statusBar()->showMessage(why, 8000);
        Q_EMIT runJobFailed(why);
        return false;
    }
    m_runJobRunning = true;
    if (!m_jobRunning) {  // the status bar's job widgets, with Cancel
        m_progress->setRange(0, 0);
        m_progress->setVisible(true);
        m_jobLabel->setVisible(true);
        m_cancel->setVisible(true);
    }
    return true;
}

void MainWindow::evaluateCurrentRun() {
    const QStringList splits{QStringLiteral("test"), QStringLiteral("validation"), QStringLiteral("all")};
    bool ok = false;
    const QString split = QInputDialog::getItem(this, tr("Evaluate run"),
                                                tr("Score the best model of %1 on its dataset's clips:")
                                                    .arg(QFileInfo(m_runDir).fileName()),
                                                splits, 0, false, &ok);
    if (ok)
        evaluateRun(m_runDir, split);
}

void MainWindow::embedCurrentRun() {
    const QStringList maps{QStringLiteral("auto"), QStringLiteral("tsne"), QStringLiteral("pca"), QStringLiteral("none")};
    bool ok = false;
    const QString projection = QInputDialog::getItem(
        this, tr("Embed run"),
        tr("Embed every clip of %1's dataset; 2-D map (auto: t-SNE up to 2,000 clips, else PCA):")
            .arg(QFileInfo(m_runDir).fileName()),
        maps, 0, false, &ok);
    if (ok)
        embedRun(m_runDir, projection);
}

void MainWindow::evaluateRun(const QString& dir, const QString& split) {
    if (!startRunJob(dir))
        return;
    const QString path = QFileInfo(dir).absoluteFilePath();
    m_jobLabel->setText(tr("Evaluating %1").arg(QFileInfo(path).fileName()));
    QMetaObject::invokeMethod(m_runJobWorker, [w = m_runJobWorker, path, split] { w->evaluate(path, split); });
}

void MainWindow::embedRun(const QString& dir, const QString& projection) {
    if (!startRunJob(dir))
        return;
    const QString path = QFileInfo(dir).absoluteFilePath();
    m_jobLabel->setText(tr("Embedding %1").arg(QFileInfo(path).fileName()));
    QMetaObject::invokeMethod(m_runJobWorker, [w = m_runJobWorker, path, projection] { w->embed(path, projection); });
}

}  // namespace patchout::ui
