// Live classification for the microphone view: samples go in as they arrive (from any
// AudioSource, e.g. the microphone's ring buffer), every hop the last window is classified, and the
// scores are smoothed with an exponential moving average. Quiet windows (an energy gate) are the
// background class and skip the model. Each update says how long it took (latency).
// Thread-safety: one thread feeds and reads a LiveClassifier; the GUI gets updates from it.
#pragma once

#include "patchout/audio_source.h"
#include "patchout/classifier.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace patchout {

struct LiveOptions {
    double window_s = 1.0;     // analysed span (at most the model's input length)
    double hop_s = 0.25;       // time between updates
    double smoothing = 0.5;    // EMA weight of the newest scores: 1 = no smoothing
    double threshold = 0.5;    // smoothed score a class needs to be active
    // Per class (a run's thresholds.json, DecisionThresholds::forLabels); empty: `threshold` for all.
    std::vector<double> class_thresholds{};
    double silence_db = -50;   // window RMS (dBFS) below which it is background
    int top_k = 3;
    // Where the model runs (InferOptions::device); a model shared with another classifier keeps
    // the other's device only when both say the same.
    std::string device = "cpu";
    // "fp32", "bf16" (autocast), or "auto": the faster of the two on this machine. On a CPU with
    // AVX-512 BF16, one window of noise is timed both ways when the classifier is made (median of
    // three after a warm-up each) and the faster kept; bf16 is not always it (a small model's
    // casts can cost more than its products save). fp32 on a CPU without it and on a GPU.
    std::string precision = "fp32";
};

// What LiveOptions::precision chose, and the times that decided it (0 when not measured).
struct LivePrecision {
    bool bf16 = false;
    double fp32_ms = 0, bf16_ms = 0;  // one window, features included
};

inline constexpr int kBackgroundClass = -1;

struct LiveUpdate {
    double time_s = 0;           // stream time at the end of the analysed window
    double level_db = 0;         // RMS of the window in dBFS
    bool silent = false;         // under the energy gate: model skipped, raw scores zero
    std::vector<float> raw;      // this window's scores
    std::vector<float> scores;   // smoothed scores
    int best = kBackgroundClass; // best class at or above its threshold, else background
    float best_score = 0;
    std::vector<std::pair<int, float>> top;  // top-k of the smoothed scores
    double latency_ms = 0;       // from the window's last sample arriving to this update
    int skipped = 0;             // pushLatest(): due updates left out because the caller lagged
};

class LiveClassifier {
public:
    // Error(InvalidArgument) for options out of range (an unknown precision included).
    LiveClassifier(PaSSTModel model, std::vector<std::string> labels, ScoreActivation activation,
                   const LiveOptions& options = {});
    static LiveClassifier fromCheckpoint(const std::filesystem::path& path,
                                         const LiveOptions& options = {});
    ~LiveClassifier();
    LiveClassifier(LiveClassifier&&) noexcept;
    LiveClassifier& operator=(LiveClassifier&&) noexcept;

    const LiveOptions& options() const noexcept;
    const LivePrecision& precision() const noexcept;
    int sampleRate() const noexcept;
    std::string label(int cls) const;  // "background" for kBackgroundClass

    // Samples at sampleRate(); returns the updates that became due (usually zero or one).
    std::vector<LiveUpdate> push(const float* samples, std::size_t count);
    // For a consumer on its own thread that must keep up with the input: pushes the samples and,
    // when any update fell due, classifies only the newest window (the last window_s of samples
    // pushed); the due updates before it are skipped and counted. `arrived` is when the newest
    // sample arrived (the latency is measured from it). Nothing due: std::nullopt.
    std::optional<LiveUpdate> pushLatest(const float* samples, std::size_t count,
                                         std::chrono::steady_clock::time_point arrived);
    // Reads what `source` has now (never blocks on a live source) and pushes it.
    std::vector<LiveUpdate> poll(AudioSource& source);
    // Forgets the stream (buffer, smoothing, time).
    void reset();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace patchout
