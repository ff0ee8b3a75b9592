// JobControl is how long jobs (training, evaluation, extraction, import, benchmarks) report progress
// and learn that the user wants them to stop. The job calls report() between batches and
// throwIfCancelled() where stopping leaves valid files. Thread-safety: cancel() may be called from
// any thread; the progress callback runs on the job's thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>

namespace patchout {

// What a progress report marks: a unit of work done (a training step, a batch of windows, a
// clip spoken), or the end of a training epoch with its validation scores.
enum class ProgressEvent { Step, EpochEnd };

// The keys of Progress::metrics. A job reports only the ones it has; readers look them up with
// Progress::metric().
namespace metric {
inline constexpr const char* kLoss = "loss";                   // training loss since the last report
inline constexpr const char* kLearningRate = "lr";
inline constexpr const char* kExamplesPerSecond = "examples_per_s";
inline constexpr const char* kEtaSeconds = "eta_s";            // estimated time left
inline constexpr const char* kEpoch = "epoch";                 // 1-based
inline constexpr const char* kTrainLoss = "train_loss";        // EpochEnd: mean over the epoch
inline constexpr const char* kValidationLoss = "val_loss";     // EpochEnd
inline constexpr const char* kValidationAccuracy = "val_accuracy";  // EpochEnd, in [0, 1]
}  // namespace metric

struct Progress {
    std::int64_t step = 0;
    std::int64_t total = 0;  // 0 when unknown
    std::string message;     // what is being done, for people ("epoch 3/50", "windows")
    std::map<std::string, double> metrics;  // keys from namespace metric
    ProgressEvent event = ProgressEvent::Step;

    // The metric `key`, or NaN when the job did not report it.
    double metric(const char* key) const {
        const auto it = metrics.find(key);
        return it == metrics.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
    }
};

class JobControl {
public:
    using Callback = std::function<void(const Progress&)>;

    JobControl() = default;
    explicit JobControl(Callback onProgress) : m_onProgress(std::move(onProgress)) {}
    // Also cancelled once `stop` is set: for a worker object whose stop flag outlives its jobs
    // (the flag must outlive this JobControl).
    JobControl(Callback onProgress, const std::atomic<bool>& stop)
        : m_onProgress(std::move(onProgress)), m_stop(&stop) {}

    void report(const Progress& progress) const {
        if (m_onProgress)
            m_onProgress(progress);
    }
    void cancel() noexcept { m_cancelled.store(true, std::memory_order_relaxed); }
    bool cancelled() const noexcept {
        return m_cancelled.load(std::memory_order_relaxed) ||
               (m_stop != nullptr && m_stop->load(std::memory_order_relaxed));
    }
    // Throws Error(ErrorCode::Cancelled) when cancel() was called.
    void throwIfCancelled() const;

private:
    Callback m_onProgress;
    std::atomic<bool> m_cancelled{false};
    const std::atomic<bool>* m_stop = nullptr;
};

}  // namespace patchout
