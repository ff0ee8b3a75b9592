// The workbench's main window: a sidebar of views (Listen for now), menus with shortcuts, recent
// files, a status bar with job progress and cancel, drag and drop of audio files, and the audio
// worker thread that feeds the Listen view. Closing during a job asks, then stops it cleanly.
#pragma once

#include "patchout/audio_source.h"
#include "patchout/features.h"
#include "patchout/waveform.h"
#include "workbench_settings.h"

#include <QMainWindow>
#include <QThread>

class QLabel;
class QListWidget;
class QMenu;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace patchout::ui {

class AudioPlayer;
class AudioWorker;
class ListenView;
struct SourceChoice;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    ListenView* listenView() const noexcept { return m_listen; }
    AudioPlayer* player() const noexcept { return m_player; }
    // A file load, a live stream or a recording is running.
    bool busy() const noexcept { return m_jobRunning || m_streaming || m_recording; }
    QString currentFile() const { return m_filePath; }

public Q_SLOTS:
    // Decodes and shows `path` in the Listen view (as a job with progress and cancel).
    void openAudio(const QString& path);
    void startLive(const patchout::ui::SourceChoice& source);
    void stopLive();
    void showAbout();
    void showPreferences();
    // Loads a model file for live classification (the class bars beside the spectrogram).
    void loadModel(const QString& path);

Q_SIGNALS:
    // A file is decoded and shown (path), or could not be (message).
    void fileShown(const QString& path);
    void fileFailed(const QString& message);
    void modelLoaded(const QString& path);

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
    void onRecordRequested(bool on);
    void setJobRunning(bool running, const QString& what = {});
    void stopWorkerAndWait();
    void saveSettings();

    WorkbenchSettings m_settings;
    QListWidget* m_sidebar = nullptr;
    QStackedWidget* m_stack = nullptr;
    ListenView* m_listen = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_jobLabel = nullptr;
    QMenu* m_recentMenu = nullptr;
    QThread m_audioThread;
    AudioWorker* m_worker = nullptr;  // lives in m_audioThread
    AudioPlayer* m_player = nullptr;
    std::vector<AudioDeviceInfo> m_devices;
    bool m_jobRunning = false;
    bool m_streaming = false;
    bool m_recording = false;
    QString m_filePath;     // the file shown (or being loaded)
    QString m_loadingPath;
};

}  // namespace patchout::ui
