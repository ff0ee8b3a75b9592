// JobControl is how long jobs (training, evaluation, extraction, import, benchmarks) report progress
// and learn that the user wants them to stop. The job calls report() between batches and
// throwIfCancelled() where stopping leaves valid files. Thread-safety: cancel() may be called from
// any thread; the progress callback runs on the job's thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace patchout {

struct Progress {
    std::int64_t step = 0;
    std::int64_t total = 0;  // 0 when unknown
    std::string message;
    std::map<std::string, double> metrics;  // loss, lr, throughput, ...
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
