// PortAudio microphone. The audio callback only copies samples into an SpscRingBuffer: it never
// locks, allocates or throws. PortAudio is initialised per use (it is reference counted) so a
// machine without any audio system still runs everything else.
#include "patchout/audio_source.h"
#include "patchout/error.h"
#include "patchout/ring_buffer.h"

#include <fcntl.h>
#include <portaudio.h>
#include <unistd.h>

#include <mutex>

namespace patchout {
namespace {

std::mutex& paMutex() {
    static std::mutex m;
    return m;
}

// Pa_Initialize probes ALSA, JACK and OSS, and their libraries print pages of complaints to
// stderr on machines without sound hardware. PortAudio's return codes carry what matters, so
// stderr is muted for the duration of the probe.
PaError quietInitialize() {
    const int saved = ::dup(STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && devnull >= 0)
        ::dup2(devnull, STDERR_FILENO);
    const PaError err = Pa_Initialize();
    if (saved >= 0) {
        ::dup2(saved, STDERR_FILENO);
        ::close(saved);
    }
    if (devnull >= 0)
        ::close(devnull);
    return err;
}

// RAII for Pa_Initialize / Pa_Terminate.
class PaSession {
public:
    PaSession() {
        std::lock_guard lock(paMutex());
        m_ok = quietInitialize() == paNoError;
    }
    ~PaSession() {
        std::lock_guard lock(paMutex());
        if (m_ok)
            Pa_Terminate();
    }
    PaSession(const PaSession&) = delete;
    PaSession& operator=(const PaSession&) = delete;
    bool ok() const { return m_ok; }

private:
    bool m_ok = false;
};

class MicrophoneSource final : public AudioSource {
public:
    explicit MicrophoneSource(const MicrophoneOptions& o)
        : m_options(o),
          m_ring(static_cast<std::size_t>(std::max(1.0, o.buffer_seconds) * o.sample_rate)) {
        if (!m_pa.ok())
            throw Error(ErrorCode::Device, "no audio system available (PortAudio could not start)");
        PaDeviceIndex device = o.device >= 0 ? o.device : Pa_GetDefaultInputDevice();
        if (device == paNoDevice || Pa_GetDeviceCount() <= 0)
            throw Error(ErrorCode::Device, "no microphone or other audio input device found");
        if (device >= Pa_GetDeviceCount())
            throw Error(ErrorCode::Device, "audio device " + std::to_string(device) +
                                               " does not exist");
        const PaDeviceInfo* info = Pa_GetDeviceInfo(device);
        if (info == nullptr || info->maxInputChannels < 1)
            throw Error(ErrorCode::Device, "audio device " + std::to_string(device) +
                                               " has no input channels");
        m_name = info->name;
        PaStreamParameters in{};
        in.device = device;
        in.channelCount = 1;
        in.sampleFormat = paFloat32;
        in.suggestedLatency = info->defaultLowInputLatency;
        PaError err = Pa_OpenStream(&m_stream, &in, nullptr, o.sample_rate, o.frames_per_buffer,
                                    paClipOff, &MicrophoneSource::callback, this);
        if (err != paNoError)
            throw Error(ErrorCode::Device,
                        "cannot open '" + m_name + "' at " + std::to_string(o.sample_rate) +
                            " Hz: " + Pa_GetErrorText(err));
    }
    ~MicrophoneSource() override {
        if (m_stream) {
            Pa_AbortStream(m_stream);
            Pa_CloseStream(m_stream);
        }
    }
    std::string name() const override { return m_name; }
    int sampleRate() const override { return m_options.sample_rate; }
    bool isLive() const override { return true; }
    void start() override {
        if (PaError err = Pa_StartStream(m_stream); err != paNoError && err != paStreamIsNotStopped)
            throw Error(ErrorCode::Device, std::string("cannot start the microphone: ") +
                                               Pa_GetErrorText(err));
    }
    void stop() override { Pa_StopStream(m_stream); }
    std::size_t read(float* out, std::size_t maxSamples) override {
        return m_ring.pop(out, maxSamples);
    }
    bool finished() const override { return false; }

private:
    static int callback(const void* input, void*, unsigned long frames,
                        const PaStreamCallbackTimeInfo*, PaStreamCallbackFlags, void* self) {
        if (input != nullptr)
            static_cast<MicrophoneSource*>(self)->m_ring.push(static_cast<const float*>(input),
                                                              frames);
        return paContinue;
    }

    PaSession m_pa;
    MicrophoneOptions m_options;
    SpscRingBuffer m_ring;
    PaStream* m_stream = nullptr;
    std::string m_name;
};

}  // namespace

std::vector<AudioDeviceInfo> listInputDevices() {
    PaSession pa;
    std::vector<AudioDeviceInfo> devices;
    if (!pa.ok())
        return devices;
    const PaDeviceIndex defaultInput = Pa_GetDefaultInputDevice();
    for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount(); ++i) {
        const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
        if (info == nullptr || info->maxInputChannels < 1)
            continue;
        const PaHostApiInfo* host = Pa_GetHostApiInfo(info->hostApi);
        devices.push_back({i, info->name, host ? host->name : "", info->maxInputChannels,
                           info->defaultSampleRate, i == defaultInput});
    }
    return devices;
}

std::string portAudioVersion() { return Pa_GetVersionText(); }

std::unique_ptr<AudioSource> makeMicrophoneSource(const MicrophoneOptions& options) {
    if (options.sample_rate < 1000 || options.frames_per_buffer < 1)
        throw Error(ErrorCode::InvalidArgument, "microphone: bad sample rate or buffer size");
    return std::make_unique<MicrophoneSource>(options);
}

}  // namespace patchout
