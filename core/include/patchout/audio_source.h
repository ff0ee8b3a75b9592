// Sources of audio for live views and streaming analysis: a file, the built-in synthetic signals,
// a PortAudio microphone, and a null source. All deliver mono float samples through read().
// Live sources (microphone) return what has arrived so far and never block; the others return
// exactly what is asked until they end. Thread-safety: one consumer thread per source.
#pragma once

#include "patchout/waveform.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace patchout {

class AudioSource {
public:
    virtual ~AudioSource() = default;
    virtual std::string name() const = 0;
    virtual int sampleRate() const = 0;
    virtual bool isLive() const { return false; }
    virtual void start() {}
    virtual void stop() {}
    virtual std::size_t read(float* out, std::size_t maxSamples) = 0;
    virtual bool finished() const = 0;
};

enum class SignalKind { Sine, Chirp, WhiteNoise, Silence };

struct SignalOptions {
    SignalKind kind = SignalKind::Sine;
    int sample_rate = 32000;
    double duration_s = 1.0;     // <= 0: endless (for SyntheticSource)
    double frequency_hz = 440.0; // sine frequency, or chirp start frequency
    double end_frequency_hz = 8000.0; // chirp end frequency (linear sweep over duration_s)
    double amplitude = 0.5;
    std::uint64_t seed = 0;      // noise
};

// Generates the whole signal (duration_s must be > 0).
Waveform synthesize(const SignalOptions& options);

std::unique_ptr<AudioSource> makeSyntheticSource(const SignalOptions& options);
std::unique_ptr<AudioSource> makeFileSource(const std::filesystem::path& path, int target_rate);
std::unique_ptr<AudioSource> makeNullSource(int sample_rate);

struct AudioDeviceInfo {
    int index = -1;
    std::string name;
    std::string host_api;
    int max_input_channels = 0;
    double default_sample_rate = 0;
    bool is_default = false;
};

// Lists input devices. Returns an empty list (never throws) when there is no audio system.
std::vector<AudioDeviceInfo> listInputDevices();
// Version string of the PortAudio library in use.
std::string portAudioVersion();

struct MicrophoneOptions {
    int device = -1;            // index from listInputDevices(); -1 = default input
    int sample_rate = 32000;    // asked of the device; resampled by the device/host if needed
    int frames_per_buffer = 256;
    double buffer_seconds = 10; // ring buffer between the audio callback and read()
};

// Opens the microphone. Throws Error(Device) with a clear message when there is no input device or
// it cannot be opened at the requested rate.
std::unique_ptr<AudioSource> makeMicrophoneSource(const MicrophoneOptions& options = {});

}  // namespace patchout
