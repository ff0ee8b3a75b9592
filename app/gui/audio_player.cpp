#include "audio_player.h"

#include <portaudio.h>

#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace patchout::ui {

AudioPlayer::AudioPlayer(QObject* parent) : QObject(parent), m_timer(new QTimer(this)) {
    // Held for the player's lifetime: PortAudio counts initialisations, so the microphone's own
    // Pa_Initialize / Pa_Terminate pairs never tear the library down under the player.
    m_paOk = Pa_Initialize() == paNoError;
    if (m_paOk) {
        const PaDeviceIndex device = Pa_GetDefaultOutputDevice();
        const PaDeviceInfo* info = device != paNoDevice ? Pa_GetDeviceInfo(device) : nullptr;
        if (info != nullptr && info->maxOutputChannels > 0) {
            m_device = device;
            m_outputName = QString::fromUtf8(info->name);
        }
    }
    m_timer->setInterval(30);  // cursor at ~33 fps
    connect(m_timer, &QTimer::timeout, this, &AudioPlayer::tick);
}

AudioPlayer::~AudioPlayer() {
    closeStream();
    if (m_paOk)
        Pa_Terminate();
}

void AudioPlayer::closeStream() {
    if (m_stream != nullptr) {
        auto* stream = static_cast<PaStream*>(m_stream);
        Pa_AbortStream(stream);
        Pa_CloseStream(stream);
        m_stream = nullptr;
    }
}

void AudioPlayer::setWaveform(const Waveform& wave) {
    pause();
    closeStream();
    m_wave = wave;
    m_position.store(0);
    Q_EMIT positionChanged(0.0);
}

double AudioPlayer::positionSeconds() const {
    if (m_wave.sample_rate <= 0)
        return 0.0;
    std::size_t pos = m_position.load();
    if (m_playing && m_stream == nullptr)
        pos = std::min(m_wave.size(), m_clockOrigin + static_cast<std::size_t>(m_clock.elapsed() *
                                                                              m_wave.sample_rate / 1000));
    return static_cast<double>(pos) / m_wave.sample_rate;
}

struct AudioPlayerCallback {
    static int run(const void*, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*,
                   PaStreamCallbackFlags, void* self) {
        return static_cast<AudioPlayer*>(self)->fill(static_cast<float*>(output), frames) ? paContinue
                                                                                         : paComplete;
    }
};

bool AudioPlayer::fill(float* out, std::size_t frames) noexcept {
    const std::size_t pos = m_position.load(std::memory_order_relaxed);
    const std::size_t n = pos < m_wave.size() ? std::min(frames, m_wave.size() - pos) : 0;
    std::memcpy(out, m_wave.samples.data() + pos, n * sizeof(float));
    std::fill(out + n, out + frames, 0.f);
    m_position.store(pos + n, std::memory_order_relaxed);
    return n == frames;
}

void AudioPlayer::play() {
    if (m_playing || m_wave.empty())
        return;
    if (m_position.load() >= m_wave.size())
        m_position.store(0);
    if (m_device >= 0 && m_stream == nullptr) {
        PaStreamParameters out{};
        out.device = m_device;
        out.channelCount = 1;
        out.sampleFormat = paFloat32;
        out.suggestedLatency = Pa_GetDeviceInfo(m_device)->defaultLowOutputLatency;
        PaStream* stream = nullptr;
        const PaError err = Pa_OpenStream(&stream, nullptr, &out, m_wave.sample_rate, 512, paClipOff,
                                          &AudioPlayerCallback::run, this);
        if (err == paNoError && Pa_StartStream(stream) == paNoError) {
            m_stream = stream;
        } else {
            if (stream != nullptr)
                Pa_CloseStream(stream);
            Q_EMIT deviceProblem(tr("Cannot play on '%1' (%2): the cursor runs silently.")
                                     .arg(m_outputName, QString::fromUtf8(Pa_GetErrorText(err))));
        }
    }
    m_clockOrigin = m_position.load();
    m_clock.start();
    m_playing = true;
    m_timer->start();
    Q_EMIT playingChanged(true);
}

void AudioPlayer::pause() {
    if (!m_playing)
        return;
    m_position.store(static_cast<std::size_t>(positionSeconds() * m_wave.sample_rate));
    closeStream();
    m_playing = false;
    m_timer->stop();
    Q_EMIT playingChanged(false);
    Q_EMIT positionChanged(positionSeconds());
}

void AudioPlayer::seek(double seconds) {
    const bool wasPlaying = m_playing;
    pause();
    const auto pos = static_cast<std::size_t>(std::max(0.0, seconds) * m_wave.sample_rate);
    m_position.store(std::min(pos, m_wave.size()));
    Q_EMIT positionChanged(positionSeconds());
    if (wasPlaying)
        play();
}

void AudioPlayer::tick() {
    const double pos = positionSeconds();
    Q_EMIT positionChanged(pos);
    const auto end = std::min(m_wave.size(), static_cast<std::size_t>(pos * m_wave.sample_rate));
    const auto window = static_cast<std::size_t>(kLevelWindowSeconds * m_wave.sample_rate);
    const std::size_t begin = end > window ? end - window : 0;
    if (end > begin) {
        double sum = 0, peak = 0;
        for (std::size_t i = begin; i < end; ++i) {
            sum += static_cast<double>(m_wave.samples[i]) * m_wave.samples[i];
            peak = std::max(peak, static_cast<double>(std::abs(m_wave.samples[i])));
        }
        Q_EMIT levels(std::sqrt(sum / static_cast<double>(end - begin)), peak);
    }
    if (pos >= durationSeconds()) {
        pause();
        m_position.store(m_wave.size());
    }
}

}  // namespace patchout::ui
