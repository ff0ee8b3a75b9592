// The Listen view: a source selector (microphones listed by the app, an audio file, the built-in
// synthetic signals), display settings (feature preset, dB range, colour map), a SpectrogramView
// and a LevelMeter. It decodes and computes nothing: it asks the app through its signals and shows
// what the app feeds it. Without any input device it says so and files and the synthetic source
// still work. Thread-safety: GUI thread only.
#pragma once

#include "patchout/audio_source.h"
#include "patchout/classifier.h"
#include "patchout/features.h"
#include "patchout/ui/colour_map.h"
#include "patchout/ui/spectrogram_view.h"  // also declares Features' meta type for the app's signals

#include <QWidget>

#include <string>
#include <vector>

class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QPushButton;
class QSpinBox;

namespace patchout::ui {

class ClassBars;
class LevelMeter;
class PredictionTimeline;

enum class SourceKind { Microphone, File, Synthetic };

struct SourceChoice {
    SourceKind kind = SourceKind::Synthetic;
    int device = -1;                        // Microphone: index from listInputDevices()
    SignalKind signal = SignalKind::Chirp;  // Synthetic: Chirp, Sine or WhiteNoise
    std::string stream_path;                // File: streamed in real time as if live (else loaded)
};

// The synthetic signals the view offers: endless, at the features' 32 kHz; the chirp sweeps
// 100 Hz - 12 kHz once a second.
SignalOptions syntheticSignal(SignalKind kind);

class ListenView : public QWidget {
    Q_OBJECT
public:
    enum class MessageKind { Info, Error };

    explicit ListenView(QWidget* parent = nullptr);

    // Microphones to offer; an empty list shows "no audio input device" and keeps the rest usable.
    void setInputDevices(const std::vector<AudioDeviceInfo>& devices);
    bool hasInputDevices() const noexcept { return m_hasDevices; }
    SourceChoice currentSource() const;
    // Selects the entry for `choice` (a missing microphone selects the synthetic chirp).
    void selectSource(const SourceChoice& choice);

    // Feature preset name the app should compute ("passt-32k", "mel-db-32k", "linear-db-32k").
    QString featurePreset() const;
    void setFeaturePreset(const QString& name);
    ColourMapParams colourMapParams() const;
    void setColourMapParams(const ColourMapParams& params);

    // What the app feeds the view.
    void showFile(const QString& name, const Features& features);
    void beginLive(const QString& sourceName, const Features& metadata);
    void appendFeatures(const Features& frames);
    void setLevels(double rms, double peak);
    void setLiveRunning(bool running);
    void setPlaying(bool playing);
    void setRecording(bool recording);
    void setPlayPosition(double seconds);
    // What the loaded model heard along the file shown: the timeline under the spectrogram; while
    // the file plays (or is sought), the class bars show the window under the cursor. showFile()
    // keeps them (a new preset of the same file); the app clears them for another file.
    void showPredictions(const ClipResult& result, const QStringList& labels, const QString& model);
    void clearPredictions();
    void showMessage(const QString& text, MessageKind kind = MessageKind::Info);
    void clearMessage();

    bool liveRunning() const noexcept { return m_liveRunning; }
    bool playing() const noexcept { return m_playing; }
    bool recording() const noexcept { return m_recording; }
    QString message() const;
    QString sourceName() const noexcept { return m_sourceName; }

    SpectrogramView* spectrogram() const noexcept { return m_spectrogram; }
    // What the model looked at in one window of the file shown (an Explain dialog's "Show in
    // Listen"), over the spectrogram; the "explanation" box beside the display settings hides it.
    void showOverlay(const SpectrogramOverlay& overlay);
    QCheckBox* overlayBox() const noexcept { return m_overlayBox; }
    LevelMeter* levelMeter() const noexcept { return m_meter; }
    // Live classification beside the spectrogram; hidden until the app loads a model.
    ClassBars* classBars() const noexcept { return m_classBars; }
    // Under the spectrogram; shown once the app loads a model.
    PredictionTimeline* timeline() const noexcept { return m_timeline; }
    QComboBox* sourceSelector() const noexcept { return m_source; }
    QPushButton* startButton() const noexcept { return m_start; }
    QPushButton* playButton() const noexcept { return m_play; }
    QPushButton* recordButton() const noexcept { return m_record; }
    QLabel* readoutLabel() const noexcept { return m_readout; }

Q_SIGNALS:
    // Start a live source (microphone or synthetic) with the current feature preset.
    void startRequested(const patchout::ui::SourceChoice& source);
    void stopRequested();
    void openFileRequested();
    void playRequested();
    void pauseRequested();
    void seekRequested(double seconds);
    void recordRequested(bool on);
    void featurePresetChanged(const QString& preset);
    void colourMapParamsChanged(const patchout::ui::ColourMapParams& params);
    void inputDeviceChanged(int device);

private:
    void onStartClicked();
    void onSourceActivated(int index);
    void onHover(const HoverReadout& readout);
    void updateButtons();
    void applyColourMap();

    SpectrogramView* m_spectrogram = nullptr;
    QCheckBox* m_overlayBox = nullptr;
    LevelMeter* m_meter = nullptr;
    ClassBars* m_classBars = nullptr;
    PredictionTimeline* m_timeline = nullptr;
    int m_timelineWindow = -1;  // the window whose scores the class bars show (file playback)
    QComboBox* m_source = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_play = nullptr;
    QPushButton* m_record = nullptr;
    QComboBox* m_preset = nullptr;
    QSpinBox* m_range = nullptr;
    QComboBox* m_colours = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_message = nullptr;
    QLabel* m_readout = nullptr;
    QLabel* m_position = nullptr;
    // Row holding the spectrogram; live class bars go to its right when the engine exists.
    QHBoxLayout* m_displayRow = nullptr;
    bool m_hasDevices = false;
    bool m_liveRunning = false;
    bool m_playing = false;
    bool m_recording = false;
    bool m_fileShown = false;
    double m_fileDuration = 0;
    QString m_sourceName;
};

}  // namespace patchout::ui

Q_DECLARE_METATYPE(patchout::ui::SourceChoice)
Q_DECLARE_METATYPE(patchout::ui::ColourMapParams)
