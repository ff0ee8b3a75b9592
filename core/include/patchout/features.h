// Waveform -> features (log-mel or linear spectrogram). FeatureOptions names the whole recipe with
// librosa/torchaudio vocabulary; featurePreset("passt-32k") reproduces PaSST's AugmentMelSTFT in
// eval mode (pre-emphasis, symmetric Hann 800 in n_fft 1024, hop 320, Kaldi mel 0-15 kHz,
// (ln(mel + 1e-5) + 4.5) / 5) to the reference fixture's tolerance.
// FeatureExtractor::compute() and StreamingFeatureExtractor give identical frames: the batch call
// is the streaming one fed in a single piece.
// Thread-safety: extractor objects are not shared between threads; create one per thread.
#pragma once

#include "patchout/mel_filterbank.h"
#include "patchout/stft.h"
#include "patchout/waveform.h"

#include <memory>
#include <string>
#include <vector>

namespace patchout {

enum class FrequencyScale { Mel, Linear };
enum class LogMode { None, Ln, Db };

struct FeatureOptions {
    int sample_rate = 32000;
    double preemphasis = 0.97;  // y[n] = x[n+1] - a x[n] (PaSST's conv1d); 0 disables
    int n_fft = 1024;
    int win_length = 800;
    int hop_length = 320;
    WindowKind window = WindowKind::HannSymmetric;
    bool center = true;
    double power = 2.0;
    FrequencyScale frequency_scale = FrequencyScale::Mel;
    int n_mels = 128;
    double f_min = 0.0;
    double f_max = 15000.0;  // <= 0: Nyquist + f_max
    MelScale mel_scale = MelScale::Kaldi;
    MelNorm mel_norm = MelNorm::None;
    LogMode log = LogMode::Ln;
    double log_offset = 1e-5;     // Ln: ln(x + log_offset)
    double db_floor = 1e-10;      // Db: 10 log10(max(x, db_floor))
    double normalize_add = 4.5;   // out = (log + add) / div
    double normalize_div = 5.0;

    int numBins() const noexcept {
        return frequency_scale == FrequencyScale::Mel ? n_mels : n_fft / 2 + 1;
    }
    // Throws Error(InvalidArgument) naming the first field out of range.
    void validate() const;
};

// Named presets: "passt-32k" (the PaSST AudioSet front end), "mel-db-32k" (Slaney mel, dB; for
// viewing), "linear-db-32k" (linear-frequency power in dB; for viewing).
FeatureOptions featurePreset(const std::string& name);
std::vector<std::string> featurePresetNames();

// A block of features: frame-major, data[frame * n_bins + bin], bin 0 = lowest frequency.
struct Features {
    int n_bins = 0;
    int n_frames = 0;
    std::vector<float> data;
    double frame_rate = 0;               // frames per second (sample_rate / hop_length)
    std::vector<double> bin_frequencies; // centre frequency of each bin in Hz
    FrequencyScale frequency_scale = FrequencyScale::Mel;
    LogMode log = LogMode::Ln;
    // How many decibels one unit of `data` spans (views turn a dB range into a value range);
    // 0 when the values are not logarithmic.
    double db_per_unit = 0;

    float at(int bin, int frame) const { return data[static_cast<std::size_t>(frame) * n_bins + bin]; }
    double durationSeconds() const noexcept { return frame_rate > 0 ? n_frames / frame_rate : 0; }
    // Appends the frames of `more` (same layout) after ours.
    void append(const Features& more);
    // Copy in bin-major order [n_bins x n_frames], the layout PaSST takes as [1, n_mels, T].
    std::vector<float> binMajor() const;
};

class StreamingFeatureExtractor {
public:
    explicit StreamingFeatureExtractor(const FeatureOptions& options);
    ~StreamingFeatureExtractor();
    StreamingFeatureExtractor(StreamingFeatureExtractor&&) noexcept;
    StreamingFeatureExtractor& operator=(StreamingFeatureExtractor&&) noexcept;

    const FeatureOptions& options() const noexcept;
    // Appends samples (at options().sample_rate) and returns the frames that became complete.
    Features push(const float* samples, std::size_t count);
    // Ends the stream: returns the last frames (right reflect padding). Afterwards reset() or
    // discard the object.
    Features finish();
    void reset();
    // An empty Features with this extractor's metadata (bins, frame rate, frequencies).
    Features emptyFeatures() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

class FeatureExtractor {
public:
    explicit FeatureExtractor(const FeatureOptions& options);
    ~FeatureExtractor();
    FeatureExtractor(FeatureExtractor&&) noexcept;
    FeatureExtractor& operator=(FeatureExtractor&&) noexcept;

    const FeatureOptions& options() const noexcept;
    // Resamples with libsoxr first when wave.sample_rate differs from options().sample_rate.
    // An empty waveform is an Error(InvalidArgument).
    Features compute(const Waveform& wave);
    std::vector<Features> computeBatch(const std::vector<Waveform>& waves);

private:
    StreamingFeatureExtractor m_stream;
};

}  // namespace patchout
