// AudioPlayer plays a decoded file through the default PortAudio output and reports the play
// position for the spectrogram's cursor. Without an output device it still runs the cursor in real
// time, silently, and says so through hasOutputDevice(). The PortAudio callback only copies
// samples; position and state live in atomics. Thread-safety: GUI thread only.
#pragma once

#include "patchout/waveform.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <atomic>

class QTimer;

namespace patchout::ui {

class AudioPlayer : public QObject {
    Q_OBJECT
public:
    explicit AudioPlayer(QObject* parent = nullptr);
    static constexpr double kLevelWindowSeconds = 0.05;
    ~AudioPlayer() override;

    bool hasOutputDevice() const noexcept { return m_device >= 0; }
    QString outputName() const { return m_outputName; }

    // Stops playback and takes `wave` (mono) as the thing to play, from its start.
    void setWaveform(const Waveform& wave);
    bool playing() const noexcept { return m_playing; }
    double positionSeconds() const;
    double durationSeconds() const noexcept { return m_wave.durationSeconds(); }

public Q_SLOTS:
    void play();
    void pause();
    void seek(double seconds);

Q_SIGNALS:
    void positionChanged(double seconds);
    void playingChanged(bool playing);
    // Level of what is playing (the last kLevelWindowSeconds before the position), for the meter.
    void levels(double rms, double peak);
    // Playback could not start on the device: the message says why; the cursor runs silently.
    void deviceProblem(const QString& message);

private:
    friend struct AudioPlayerCallback;
    // Audio thread: copies the next `frames` samples to `out` (zeros past the end).
    bool fill(float* out, std::size_t frames) noexcept;
    void tick();
    void closeStream();

    Waveform m_wave;
    std::atomic<std::size_t> m_position{0};  // next sample to play
    bool m_playing = false;
    bool m_paOk = false;
    int m_device = -1;
    QString m_outputName;
    void* m_stream = nullptr;  // PaStream*, kept opaque so this header needs no PortAudio
    QTimer* m_timer = nullptr;
    QElapsedTimer m_clock;         // silent playback: time since play() ...
    std::size_t m_clockOrigin = 0; // ... from this sample
};

}  // namespace patchout::ui
