// The workbench's main window: a sidebar of views (Listen, Patchout, Train, Embeddings, Evaluate,
// Model), menus with shortcuts, recent files and run folders, a status bar with job progress and
// cancel, drag and drop of audio files and run folders, the audio worker thread that feeds the
// Listen view and the model worker thread that classifies (live input, files) and times the model.
// With a model loaded, every file opened is classified into a timeline under its spectrogram.
// Opening a run folder shows its curves in Train (re-read while the run writes them), its eval/
// folder in Evaluate (the report computed on a worker thread), its embeddings/ in Embeddings
// (neighbours searched in its similarity index) and loads its best model for live classification.
// Run > Evaluate run… and Embed run… make those folders (core run jobs, on a worker thread with
// progress and cancel). Closing during a job asks, then stops it cleanly.
#pragma once

#include "patchout/audio_source.h"
#include "patchout/features.h"
#include "patchout/embedding_folder.h"
#include "patchout/similarity_index.h"
#include "patchout/thresholds.h"
#include "patchout/ui/model_view.h"
#include "patchout/ui/spectrogram_view.h"
#include "patchout/waveform.h"
#include "run_job_worker.h"
#include "train_worker.h"
#include "workbench_settings.h"

#include <QMainWindow>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <memory>
#include <optional>

class QFileSystemWatcher;
class QLabel;
class QListWidget;
class QMenu;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace patchout::ui {

class AudioPlayer;
class AudioWorker;
class EmbeddingsView;
class EvaluateView;
class ExplainDialog;
class ListenView;
class ModelView;
class ModelWorker;
class PatchoutView;
class TrainView;
struct SourceChoice;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    enum class View { Listen, Patchout, Train, Embeddings, Evaluate, Model };

    ListenView* listenView() const noexcept { return m_listen; }
    PatchoutView* patchoutView() const noexcept { return m_patchout; }
    TrainView* trainView() const noexcept { return m_train; }
    EmbeddingsView* embeddingsView() const noexcept { return m_embeddings; }
    EvaluateView* evaluateView() const noexcept { return m_evaluate; }
    ModelView* modelView() const noexcept { return m_model; }
    void showView(View view);
    View currentView() const;
    QString currentRun() const { return m_runDir; }
    AudioPlayer* player() const noexcept { return m_player; }
    // Plays clips heard from a list (Evaluate's cells and failures) without touching the file shown
    // in Listen.
    AudioPlayer* previewPlayer() const noexcept { return m_preview; }
    // A file load, a live stream or a recording is running.
    bool busy() const noexcept {
        return m_jobRunning || m_streaming || m_recording || m_training || m_runJobRunning;
    }
    QString currentFile() const { return m_filePath; }

public Q_SLOTS:
    // Decodes and shows `path` in the Listen view (as a job with progress and cancel).
    void openAudio(const QString& path);
    // Plays a clip from the start through previewPlayer() (the first 30 s): Evaluate's Play.
    // clipPreviewed(path) when it plays, clipPreviewFailed(message) when it cannot be decoded.
    void previewClip(const QString& path);
    // Opens "What the model looked at" for the window of `path` from `startSeconds`, with the loaded
    // model (ExplainDialog, computing at once); nullptr, with a message, when no model is loaded.
    ExplainDialog* explainAudio(const QString& path, double startSeconds = 0, const QString& targetClass = {});
    // The Patchout view's Measure: the loaded model on the shown file's first window, with the
    // view's mask and with random masks per share left out (core patchoutRobustness), on a worker
    // thread; robustnessShown or robustnessFailed.
    void measurePatchoutRobustness();
    // Evaluate's Save into the run: RUN/thresholds.json of the evaluation shown (atomically); the
    // run's loaded model is reloaded to decide live with them. thresholdsSaved or thresholdsFailed.
    bool saveThresholds(const patchout::DecisionThresholds& thresholds);
    // A second model measured beside the loaded one ("" none), e.g. trained without patchout.
    void setPatchoutComparisonModel(const QString& path) { m_patchoutCompareModel = path; }
    void startLive(const patchout::ui::SourceChoice& source);
    void stopLive();
    // Asks for a dataset and options (TrainDialog) and trains on a worker thread; the Train view
    // follows the run folder as it is written, its best model is loaded when it ends.
    void startTraining();
    // The same without the dialog.
    void train(const patchout::ui::TrainRequest& request);
    // Prunes the loaded model (from its run folder) to `keepShare` of its heads and fine-tunes it
    // with its run's options, as a new run beside it that the Train view follows.
    void pruneModel(double keepShare, int keepBlocks);
    // Fine-tunes the loaded model with pairs of blocks sharing `sharing` (all, attention, mlp), as a
    // new run beside its own.
    void shareModel(const QString& sharing);
    void stopTraining();
    bool training() const noexcept { return m_training; }
    void showAbout();
    void showPreferences();
    // Where models run from now on ("auto", "cpu", "cuda"; Preferences): saved, used by the next
    // training, evaluation, embedding and explanation, and the loaded model is loaded again there
    // (a failure says why and leaves it where it was).
    void setComputeDevice(const QString& device);
    QString computeDevice() const { return m_settings.compute_device; }
    // Loads a model file for live classification (the class bars beside the spectrogram), for the
    // timeline of every file shown, and for the Model view.
    void loadModel(const QString& path);
    // Opens a run folder: Train shows its curves, its best model is loaded for live
    // classification. A folder that is not a run is reported (runFailed), nothing else changes.
    void openRun(const QString& dir);
    // Run > Evaluate run…: asks for the split, then evaluateRun() on the open run.
    void evaluateCurrentRun();
    // Run > Embed run…: asks for the 2-D map, then embedRun() on the open run.
    void embedCurrentRun();
    // Scores the run's `split` clips with its best model into RUN/eval (core evaluateRun, on the
    // run-job thread), then shows the report in Evaluate (runJobFinished, or runJobFailed).
    void evaluateRun(const QString& dir, const QString& split = QStringLiteral("test"));
    // Embeds every clip of the run's dataset into RUN/embeddings (core embedRun), then shows them
    // in Embeddings.
    void embedRun(const QString& dir, const QString& projection = QStringLiteral("auto"));
    bool runJobRunning() const noexcept { return m_runJobRunning; }
    // Train > Runs side by side: adds the runs in `paths` (run folders, or folders holding runs) to
    // the comparison and shows it; false (and comparisonFailed) when one cannot be read, nothing
    // changed then.
    bool compareRuns(const QStringList& paths);
    // Writes the comparison: .png (the charts), .svg (drawn by the core, as `patchout runs --svg`) or
    // .csv (every run's curves). false (and comparisonFailed) when it cannot.
    bool exportComparison(const QString& path);

Q_SIGNALS:
    // A file is decoded and shown (path), or could not be (message).
    void fileShown(const QString& path);
    void fileFailed(const QString& message);
    void clipPreviewed(const QString& path);
    void clipPreviewFailed(const QString& message);
    void modelLoaded(const QString& path);
    // The loaded model classified the file shown: its timeline is under the spectrogram (path), or
    // it could not (message).
    void predictionsShown(const QString& path);
    void predictionsFailed(const QString& message);
    void runOpened(const QString& dir);
    void runFailed(const QString& message);
    // A training started from the window ended: finished or stopped (run folder), or failed.
    void trainingFinished(const QString& runDir, bool stopped);
    void trainingFailed(const QString& message);
    // The run's eval/ folder is shown in Evaluate (dir), or could not be read (message).
    void evaluationShown(const QString& dir);
    void evaluationFailed(const QString& message);
    void comparisonFailed(const QString& message);
    void robustnessShown();
    void thresholdsSaved(const QString& file);
    void thresholdsFailed(const QString& message);
    // An explanation was laid over the file's spectrogram in Listen.
    void overlayShown(const QString& path);
    void robustnessFailed(const QString& message);
    // The run's embeddings/ folder is shown in Embeddings with its index (dir), or could not be
    // read (message).
    void embeddingsShown(const QString& dir);
    void embeddingsFailed(const QString& message);
    // A run job (Evaluate run…, Embed run…) wrote `outDir`, or failed or was cancelled (message).
    void runJobFinished(const QString& outDir);
    void runJobFailed(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void rebuildRecentMenu();
    void refreshInputDevices();
    void onFileLoaded(const QString& path, const Waveform& wave, const Features& features);
    void onJobFinished(bool cancelled);
    void onFailed(const QString& message);
    void classifyShownFile();
    void onRecordRequested(bool on);
    void setJobRunning(bool running, const QString& what = {});
    void stopWorkerAndWait();
    void saveSettings();
    void reloadRunCurves();
    void openPath(const QString& path);  // a run folder or an audio file
    void loadEvaluation(const QString& evalDir, bool multiLabel);
    void loadEmbeddings(const QString& dir);
    void buildTraining();
    void buildRunJobs();
    bool startRunJob(const QString& dir);  // false (and says why) when one cannot start now
    WorkbenchSettings m_settings;
    QListWidget* m_sidebar = nullptr;
    QStackedWidget* m_stack = nullptr;
    ListenView* m_listen = nullptr;
    PatchoutView* m_patchout = nullptr;
    TrainView* m_train = nullptr;
    EvaluateView* m_evaluate = nullptr;
    EmbeddingsView* m_embeddings = nullptr;
    ModelView* m_model = nullptr;
    std::unique_ptr<SimilarityIndex> m_index;  // of the open run's embeddings/
    std::unique_ptr<EmbeddingFolder> m_embeddingFolder;
    int m_embeddingsGeneration = 0;  // which loadEmbeddings() call a reader's result belongs to
    QList<QPointer<QThread>> m_readers;  // embeddings readers still running
    QPointer<QThread> m_evalThread;  // reads predictions.csv and computes the report
    QFileSystemWatcher* m_runWatcher = nullptr;
    QTimer m_runReload;  // coalesces the watcher's bursts of change signals
    QString m_runDir;
    int m_runPlannedEpochs = 0;
    QString m_runSplit;  // the open run's split, one line for the Train view
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_jobLabel = nullptr;
    QMenu* m_recentMenu = nullptr;
    QThread m_audioThread;
    AudioWorker* m_worker = nullptr;  // lives in m_audioThread
    QThread m_modelThread;
    ModelWorker* m_modelWorker = nullptr;  // lives in m_modelThread
    QString m_modelPath;  // the model loaded in m_modelWorker
    // A prune or share run in progress: the card of the model it started from, shown beside the
    // run's model once that loads (ModelView::setComparison).
    ModelCard m_optimiseBefore;
    QString m_optimiseRun;
    // A training request that starts from the loaded model's run (its dataset, split and options,
    // 10 epochs at lr <= 5e-4) into a new folder beside it named RUN-<suffix>-<time>.
    std::optional<patchout::ui::TrainRequest> optimiseRequest(const QString& suffix);
    QString m_classifying;  // the file the model worker is classifying, if any
    QThread m_trainThread;
    TrainWorker* m_trainWorker = nullptr;  // lives in m_trainThread
    bool m_training = false;
    QThread m_runJobThread;
    RunJobWorker* m_runJobWorker = nullptr;  // lives in m_runJobThread
    bool m_runJobRunning = false;
    bool m_runMultiLabel = false;  // of the open run
    QString m_runDataset;  // the dataset of the open run: what a new training run offers first
    AudioPlayer* m_player = nullptr;
    AudioPlayer* m_preview = nullptr;
    QStringList m_comparedRuns;  // the runs side by side, in order
    QThread* m_robustnessThread = nullptr;
    QString m_patchoutCompareModel;
    bool m_measureAgain = false;
    QString m_shownEvalDir;  // the eval folder Evaluate shows
    SpectrogramOverlay m_pendingOverlay;  // for the file being opened (m_pendingOverlayFile)
    QString m_pendingOverlayFile;
    // Reads m_comparedRuns into the comparison; false (and comparisonFailed) when one cannot be read.
    bool showComparedRuns();
    std::vector<AudioDeviceInfo> m_devices;
    bool m_jobRunning = false;
    bool m_streaming = false;
    bool m_recording = false;
    QString m_filePath;     // the file shown (or being loaded)
    QString m_loadingPath;
};

}  // namespace patchout::ui
