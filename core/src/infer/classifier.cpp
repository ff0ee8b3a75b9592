#include "patchout/classifier.h"

#include "infer/masked_forward.h"
#include "model/bf16_autocast.h"
#include "model/passt_module.h"
#include "patchout/audio_file.h"
#include "patchout/batch_loader.h"
#include "patchout/checkpoint.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/feature_cache.h"
#include "patchout/features.h"
#include "patchout/files.h"
#include "patchout/system_info.h"
#include "patchout/text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <mutex>
#include <ostream>
#include <thread>

namespace fs = std::filesystem;

namespace patchout {

ScoreActivation activationFromMetadata(const std::map<std::string, std::string>& metadata) {
    const auto it = metadata.find(kTaskMetadataKey);
    if (it == metadata.end() || it->second == kTaskMultiLabel)
        return ScoreActivation::Sigmoid;
    if (it->second == kTaskSingleLabel)
        return ScoreActivation::Softmax;
    throw Error(ErrorCode::Model, std::string("metadata \"task\" is \"") + it->second + "\"; expected \"" +
                                      kTaskSingleLabel + "\" or \"" + kTaskMultiLabel + "\"");
}

const char* activationName(ScoreActivation activation) {
    return activation == ScoreActivation::Softmax ? "softmax" : "sigmoid";
}

const char* aggregationName(Aggregation aggregation) {
    return aggregation == Aggregation::Max ? "max" : "mean";
}

Aggregation aggregationFromName(const std::string& name) {
    if (name == "mean")
        return Aggregation::Mean;
    if (name == "max")
        return Aggregation::Max;
    throw Error(ErrorCode::InvalidArgument, "aggregation must be mean or max, got \"" + name + "\"");
}

InferOptions evaluationInferOptions() {
    InferOptions o;
    o.pad_with_silence = true;
    return o;
}

std::vector<WindowSpan> windowSpans(std::int64_t n_frames, int window, int hop, int min_frames) {
    // windowCount() holds the rule; each window starts a hop after the last and keeps what is left.
    const std::int64_t count = windowCount(n_frames, window, hop, min_frames);
    std::vector<WindowSpan> spans;
    spans.reserve(static_cast<std::size_t>(count));
    for (std::int64_t k = 0; k < count; ++k) {
        const std::int64_t start = k * hop;
        spans.push_back({start, static_cast<int>(std::min<std::int64_t>(window, n_frames - start))});
    }
    return spans;
}

std::int64_t windowCount(std::int64_t n_frames, int window, int hop, int min_frames) {
    if (window < 1 || hop < 1)
        throw Error(ErrorCode::InvalidArgument, "window and hop must be at least one frame");
    if (n_frames <= 0)
        return 0;
    const std::int64_t full = n_frames >= window ? (n_frames - window) / hop + 1 : 0;
    if (full == 0)
        return 1;
    const std::int64_t start = full * hop, lastEnd = (full - 1) * hop + window;
    return full + (start < n_frames && lastEnd < n_frames && n_frames - start >= min_frames ? 1 : 0);
}

std::vector<std::pair<int, float>> topK(const std::vector<float>& scores, int k) {
    std::vector<int> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    const auto n = std::min<std::size_t>(static_cast<std::size_t>(std::max(k, 0)), order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                      [&](int a, int b) {
                          const float x = scores[static_cast<std::size_t>(a)];
                          const float y = scores[static_cast<std::size_t>(b)];
                          return x > y || (x == y && a < b);
                      });
    std::vector<std::pair<int, float>> top;
    for (std::size_t i = 0; i < n; ++i)
        top.emplace_back(order[i], scores[static_cast<std::size_t>(order[i])]);
    return top;
}

std::vector<float> aggregateScores(const std::vector<WindowResult>& windows, Aggregation aggregation) {
    if (windows.empty())
        return {};
    const std::size_t classes = windows.front().scores.size();
    std::vector<float> out(classes, aggregation == Aggregation::Max
                                        ? -std::numeric_limits<float>::infinity()
                                        : 0.0f);
    std::vector<double> sum(classes, 0.0);
    for (const auto& w : windows) {
        if (w.scores.size() != classes)
            throw Error(ErrorCode::InvalidArgument, "windows have different class counts");
        for (std::size_t c = 0; c < classes; ++c) {
            sum[c] += w.scores[c];
            out[c] = std::max(out[c], w.scores[c]);
        }
    }
    if (aggregation == Aggregation::Mean)
        for (std::size_t c = 0; c < classes; ++c)
            out[c] = static_cast<float>(sum[c] / static_cast<double>(windows.size()));
    return out;
}

PrecisionReport comparePrecision(const std::vector<ClipResult>& reference,
                                 const std::vector<ClipResult>& other) {
    if (reference.size() != other.size())
        throw Error(ErrorCode::InvalidArgument, "results of different clip counts");
    PrecisionReport report;
    std::int64_t agree = 0;
    for (std::size_t i = 0; i < reference.size(); ++i) {
        const auto& a = reference[i].windows;
        const auto& b = other[i].windows;
        if (a.size() != b.size())
            throw Error(ErrorCode::InvalidArgument, "clip " + reference[i].name +
                                                        " has different window counts");
        for (std::size_t w = 0; w < a.size(); ++w) {
            if (a[w].scores.size() != b[w].scores.size() || a[w].scores.empty())
                throw Error(ErrorCode::InvalidArgument, "windows with different class counts");
            ++report.windows;
            if (topK(a[w].scores, 1)[0].first == topK(b[w].scores, 1)[0].first)
                ++agree;
            for (std::size_t c = 0; c < a[w].scores.size(); ++c)
                report.max_score_diff =
                    std::max(report.max_score_diff,
                             static_cast<double>(std::abs(a[w].scores[c] - b[w].scores[c])));
        }
    }
    report.top1_agreement = report.windows > 0 ? static_cast<double>(agree) / report.windows : 1.0;
    return report;
}

std::vector<fs::path> collectAudioFiles(const std::vector<fs::path>& paths) {
    std::vector<fs::path> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<fs::path> found;
            for (const auto& entry : fs::recursive_directory_iterator(p))
                if (entry.is_regular_file() && isAudioExtension(entry.path()))
                    found.push_back(entry.path());
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(p, ec)) {
            files.push_back(p);
        } else {
            throw Error(ErrorCode::FileNotFound, "no such file or folder", p.string());
        }
    }
    return files;
}

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Cuts a stream of frame-major feature frames into windows, keeping only the frames that a
// window still needs: a ten-hour file never holds more than one window of features.
class WindowCutter {
public:
    WindowCutter(int window, int hop, int minFrames, int bins)
        : m_window(window), m_hop(hop), m_minFrames(minFrames), m_bins(bins) {}

    template <class Emit>
    void push(const Features& f, Emit&& emit) {
        std::int64_t skip = 0;
        if (m_total < m_bufStart)  // the hop jumps over frames no window needs
            skip = std::min<std::int64_t>(m_bufStart - m_total, f.n_frames);
        m_buf.insert(m_buf.end(), f.data.begin() + skip * m_bins, f.data.end());
        m_total += f.n_frames;
        while (m_nextStart + m_window <= m_total) {
            emit(WindowSpan{m_nextStart, m_window}, frameAt(m_nextStart));
            m_lastEnd = m_nextStart + m_window;
            m_nextStart += m_hop;
            m_any = true;
        }
        const std::int64_t bufEnd = m_bufStart + static_cast<std::int64_t>(m_buf.size()) / m_bins;
        const std::int64_t drop = std::min(m_nextStart, bufEnd) - m_bufStart;
        if (drop > 0)
            m_buf.erase(m_buf.begin(), m_buf.begin() + drop * m_bins);
        m_bufStart = m_nextStart;
    }

    template <class Emit>
    void finish(Emit&& emit) {
        if (!m_any && m_total > 0)
            emit(WindowSpan{0, static_cast<int>(m_total)}, frameAt(0));
        else if (m_nextStart < m_total && m_lastEnd < m_total && m_total - m_nextStart >= m_minFrames)
            emit(WindowSpan{m_nextStart, static_cast<int>(m_total - m_nextStart)},
                 frameAt(m_nextStart));
    }

    std::int64_t totalFrames() const { return m_total; }

private:
    const float* frameAt(std::int64_t absolute) const {
        return m_buf.data() + (absolute - m_bufStart) * m_bins;
    }
    int m_window, m_hop, m_minFrames, m_bins;
    std::vector<float> m_buf;  // frames [m_bufStart, m_bufStart + size / bins)
    std::int64_t m_bufStart = 0, m_total = 0, m_nextStart = 0, m_lastEnd = 0;
    bool m_any = false;
};

}  // namespace

struct Classifier::Impl {
    PaSSTModel model;
    std::vector<std::string> labels;
    ScoreActivation activation;
    InferOptions options;
    FeatureOptions features;
    int window = 0;
    int hop = 0;
    bool bf16Native = false;
    bool onGpu = false;  // the model runs on CUDA (options.device)
    ClassifierStats stats;
    std::unique_ptr<FeatureCache> cache;

    struct Pending {
        ClipResult* clip;
        std::size_t index;
        int valid;
        std::vector<float> input;  // bin-major [n_mels x window], zero padded
    };
    std::vector<Pending> pending;
    const JobControl* job = nullptr;

    struct BatchInput {
        torch::Tensor x;          // [batch, 1, n_mels, frames]
        std::vector<int> valid;   // real frames per window
    };
    // Forward passes on worker threads (InferOptions::workers > 1): flush() queues batches, the
    // workers take them as they come (so a short batch never leaves a core idle waiting for a
    // long one), the caller decodes the next files meanwhile and hands the finished batches to
    // their clips (collect()); drain() waits for all and stops the workers.
    struct Job {
        std::vector<Pending> batch;
        BatchInput input;
        torch::Tensor scores;
    };
    struct Pool {
        std::mutex mutex;
        std::condition_variable work, done;
        std::deque<std::unique_ptr<Job>> queue;
        std::vector<std::unique_ptr<Job>> finished;
        std::vector<std::thread> threads;
        int busy = 0;
        bool stopping = false;
        std::exception_ptr error;
        Clock::time_point start;
    };
    std::unique_ptr<Pool> pool;
    // Time inside flush() (forward passes, or waiting for the workers): not decoding time.
    double flushSeconds = 0;
    struct FlushTimer {
        double& total;
        Clock::time_point start;
        ~FlushTimer() { total += secondsSince(start); }
    };
    ThreadOptions threadsBefore;  // the process's settings while passes run single-threaded
    std::int64_t done = 0, total = 0;

    Impl(PaSSTModel m, std::vector<std::string> l, ScoreActivation a, const InferOptions& o)
        : model(std::move(m)), labels(std::move(l)), activation(a), options(o),
          features(featurePreset(o.feature_preset)) {
        const auto& mo = model.options();
        if (mo.in_chans != 1)
            throw Error(ErrorCode::Model, "the classifier feeds one-channel log-mels; the model takes " +
                                              std::to_string(mo.in_chans) + " channels");
        if (mo.n_mels != features.n_mels)
            throw Error(ErrorCode::Model, "the model takes " + std::to_string(mo.n_mels) +
                                              " mel bins; the " + options.feature_preset + " front end gives " +
                                              std::to_string(features.n_mels));
        if (!labels.empty() && static_cast<int>(labels.size()) != mo.num_classes)
            throw Error(ErrorCode::Model, std::to_string(labels.size()) + " labels for " +
                                              std::to_string(mo.num_classes) + " classes");
        const double rate = frameRate();
        const int maxFrames = mo.input_frames;
        window = options.window_s > 0 ? static_cast<int>(std::lround(options.window_s * rate)) : maxFrames;
        if (window > maxFrames)
            throw Error(ErrorCode::InvalidArgument,
                        "window_s " + std::to_string(options.window_s) + " is longer than the model's " +
                            std::to_string(maxFrames / rate) + " s input");
        if (window < mo.patch_size)
            throw Error(ErrorCode::InvalidArgument, "window_s is shorter than one patch (" +
                                                        std::to_string(mo.patch_size / rate) + " s)");
        hop = options.hop_s > 0 ? static_cast<int>(std::lround(options.hop_s * rate)) : window;
        if (hop < 1)
            throw Error(ErrorCode::InvalidArgument, "hop_s is shorter than one frame");
        if (options.batch_size < 0)
            throw Error(ErrorCode::InvalidArgument, "batch_size must be >= 0 (0: automatic)");
        const int tokens = mo.freqPatches() * mo.timePatches(window) + (mo.distilled ? 2 : 1);
        batchSize = options.batch_size > 0 ? options.batch_size : (tokens >= kLargeWindowTokens ? 1 : 32);
        if (options.read_block < 1)
            throw Error(ErrorCode::InvalidArgument, "read_block must be >= 1");
        // Validates the patchout counts against the grid once, instead of at the first batch.
        keptPositions(mo.freqPatches(), options.patchout_f);
        keptPositions(mo.timePatches(window), options.patchout_t);
        bf16Native = detectCpuFeatures().avx512_bf16;
        model.setDevice(resolveComputeDevice(options.device));
        onGpu = model.device() == ComputeDevice::Cuda;
        model.setTraining(false);
        if (!options.cache_dir.empty())
            cache = std::make_unique<FeatureCache>(options.cache_dir, features);
    }

    double frameRate() const {
        return static_cast<double>(features.sample_rate) / features.hop_length;
    }

    void addWindow(ClipResult& clip, const WindowSpan& span, const float* frames, double duration) {
        const int bins = features.n_mels;
        WindowResult w;
        w.start_s = static_cast<double>(span.start) / frameRate();
        w.end_s = std::min(static_cast<double>(span.start + span.valid) / frameRate(), duration);
        clip.windows.push_back(std::move(w));
        Pending p{&clip, clip.windows.size() - 1, options.pad_with_silence ? window : span.valid,
                  std::vector<float>(static_cast<std::size_t>(bins) * window,
                                     options.pad_with_silence ? silenceValue(features) : 0.0f)};
        for (int t = 0; t < span.valid; ++t)
            for (int b = 0; b < bins; ++b)
                p.input[static_cast<std::size_t>(b) * window + t] = frames[static_cast<std::size_t>(t) * bins + b];
        pending.push_back(std::move(p));
        if (static_cast<int>(pending.size()) >= kLookahead * batchSize)
            flush(/*wait=*/false);  // decoding goes on while they run
    }

    // Windows wait in groups of kLookahead batches; flush() sorts them by length and cuts batches
    // of similar length, so a short window is not padded to a long one's length.
    static constexpr int kLookahead = 4;
    static constexpr int kLargeWindowTokens = 512;  // batch_size 0 runs such windows one by one
    int batchSize = 32;
    static constexpr double kMaxPadding = 1.3;  // a batch's longest window <= 1.3 x its shortest

    // Cuts the pending windows into batches of similar length and runs them: one at a time on
    // the configured threads, or queued for the worker threads (see Pool). `wait`: every batch is
    // scored and handed to its clip before returning.
    void flush(bool wait = true) {
        const FlushTimer timer{flushSeconds, Clock::now()};
        std::stable_sort(pending.begin(), pending.end(),
                         [](const Pending& a, const Pending& b) { return a.valid < b.valid; });
        std::vector<Pending> all = std::move(pending);
        pending.clear();
        std::vector<std::vector<Pending>> batches;
        std::size_t begin = 0;
        while (begin < all.size()) {
            std::size_t end = begin + 1;
            while (end < all.size() && end - begin < static_cast<std::size_t>(batchSize) &&
                   all[end].valid <= kMaxPadding * std::max(all[begin].valid, model.options().patch_size))
                ++end;
            batches.emplace_back(std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(begin)),
                                 std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(end)));
            begin = end;
        }
        const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
        // One GPU runs one pass at a time; the CPU's cores run one each.
        const int workers = onGpu ? 1 : options.workers > 0 ? options.workers : cores;
        // A single batch (live classification, one short clip) is not worth the threads.
        if (workers <= 1 || (!pool && wait && batches.size() <= 1)) {
            stats.workers = 1;
            for (auto& batch : batches) {
                const auto t = Clock::now();
                const torch::Tensor scores = forwardScores(makeInput(batch));
                storeScores(batch, scores, t);
            }
            return;
        }
        if (!pool)
            startPool(workers);
        for (auto& batch : batches) {
            auto job = std::make_unique<Job>();
            job->input = makeInput(batch);
            job->batch = std::move(batch);
            std::unique_lock lock(pool->mutex);
            // At most two batches waiting per worker: decoding runs ahead, memory stays bounded.
            pool->done.wait(lock, [this, workers] {
                return pool->queue.size() < 2 * static_cast<std::size_t>(workers) || pool->error;
            });
            pool->queue.push_back(std::move(job));
            pool->work.notify_one();
        }
        collect();
        if (wait)
            drain();
    }

    void startPool(int workers) {
        threadsBefore = currentThreads();
        // One single-threaded pass per core: LayerNorm, softmax and GELU (one thread in LibTorch's
        // pool of 1) then run side by side too, and the caller's decoding beside them.
        configureThreads({.torch_threads = 1, .blas_threads = 1});
        pool = std::make_unique<Pool>();
        pool->start = Clock::now();
        stats.workers = workers;
        Pool* p = pool.get();
        for (int w = 0; w < workers; ++w)
            p->threads.emplace_back([this, p] {
                std::unique_lock lock(p->mutex);
                for (;;) {
                    p->work.wait(lock, [p] { return p->stopping || !p->queue.empty(); });
                    if (p->queue.empty())
                        return;  // stopping, nothing left
                    std::unique_ptr<Job> job = std::move(p->queue.front());
                    p->queue.pop_front();
                    ++p->busy;
                    lock.unlock();
                    std::exception_ptr error;
                    try {
                        job->scores = forwardScores(job->input);
                    } catch (...) {
                        error = std::current_exception();
                    }
                    lock.lock();
                    --p->busy;
                    if (error && !p->error)
                        p->error = error;
                    p->finished.push_back(std::move(job));
                    p->done.notify_all();
                }
            });
    }

    // Hands the batches the workers finished to their clips (on the caller's thread).
    void collect() {
        std::vector<std::unique_ptr<Job>> ready;
        {
            const std::lock_guard lock(pool->mutex);
            if (pool->error)
                std::rethrow_exception(pool->error);
            ready.swap(pool->finished);
        }
        for (auto& job : ready)
            storeScores(job->batch, job->scores, Clock::now());
    }

    // Waits for every queued batch, hands them over, stops the workers, restores the threads.
    void drain() {
        {
            std::unique_lock lock(pool->mutex);
            pool->done.wait(lock, [this] { return (pool->queue.empty() && pool->busy == 0) || pool->error; });
        }
        try {
            collect();
        } catch (...) {
            abandon();
            throw;
        }
        const double seconds = secondsSince(pool->start);
        stopPool();
        stats.model_seconds += seconds;
    }

    void stopPool() {
        {
            const std::lock_guard lock(pool->mutex);
            pool->stopping = true;
            pool->queue.clear();
        }
        pool->work.notify_all();
        for (auto& t : pool->threads)
            t.join();
        pool.reset();
        configureThreads(threadsBefore);
    }

    // Forgets what is pending or queued (after an error or a cancel); running passes end first.
    void abandon() {
        if (pool)
            stopPool();
        pending.clear();
    }

    BatchInput makeInput(const std::vector<Pending>& batch) {
        const auto& mo = model.options();
        const auto n = static_cast<std::int64_t>(batch.size());
        // Pad only to the longest window of this batch: a batch of short clips must not pay for
        // full-length windows (PaSST's cost grows with the number of time columns).
        int frames = mo.patch_size;
        for (const auto& p : batch)
            frames = std::max(frames, std::min(p.valid, window));
        BatchInput in{torch::empty({n, 1, mo.n_mels, frames}, torch::kFloat32), {}};
        for (std::int64_t i = 0; i < n; ++i) {
            const auto& p = batch[static_cast<std::size_t>(i)];
            float* dst = in.x.data_ptr<float>() + i * mo.n_mels * frames;
            for (int b = 0; b < mo.n_mels; ++b)
                std::copy_n(p.input.data() + static_cast<std::size_t>(b) * window, frames,
                            dst + static_cast<std::size_t>(b) * frames);
            in.valid.push_back(p.valid);
            if (p.valid < frames)
                ++stats.padded_windows;
        }
        return in;
    }

    // Scores [batch, classes]. Thread-safe (eval-mode forward; InferenceMode and autocast are
    // per thread).
    torch::Tensor forwardScores(const BatchInput& in) {
        torch::InferenceMode inference;
        Bf16Autocast autocast(options.bf16, onGpu);
        const torch::Tensor x = onGpu ? in.x.to(torch::kCUDA) : in.x;
        auto logits = maskedForward(*model.module(), x, in.valid,
                                    {.patchout_t = options.patchout_t, .patchout_f = options.patchout_f})
                          .first.to(torch::kFloat32);
        return (activation == ScoreActivation::Softmax ? logits.softmax(-1) : logits.sigmoid())
            .to(torch::kCPU)
            .contiguous();
    }

    // Hands a batch's scores to its clips, counts it, reports progress and stops when cancelled.
    void storeScores(std::vector<Pending>& batch, const torch::Tensor& scores, Clock::time_point start) {
        const int classes = model.options().num_classes;
        const auto n = static_cast<std::int64_t>(batch.size());
        for (std::int64_t i = 0; i < n; ++i) {
            auto& p = batch[static_cast<std::size_t>(i)];
            const float* row = scores.data_ptr<float>() + i * classes;
            p.clip->windows[p.index].scores.assign(row, row + classes);
        }
        stats.windows += n;
        stats.batches += 1;
        stats.model_seconds += secondsSince(start);
        done += n;
        if (job) {
            job->report({.step = done, .total = std::max(total, done), .message = "windows", .metrics = {}});
            job->throwIfCancelled();
        }
    }

    std::int64_t framesForSamples(std::int64_t samples) const {
        // Pre-emphasis (y[n] = x[n+1] - a x[n]) shortens the signal by one sample; center=True
        // then gives one frame per hop plus the one at the end.
        const std::int64_t n = samples - (features.preemphasis != 0.0 ? 1 : 0);
        return n < 1 ? 0 : n / features.hop_length + 1;
    }

    // Streams one source into windows (not flushed: windows of the next clip join the batch).
    void streamSource(AudioSource& source, ClipResult& clip) {
        if (source.sampleRate() != features.sample_rate)
            throw Error(ErrorCode::InvalidArgument, "the source delivers " + std::to_string(source.sampleRate()) +
                                                        " Hz; the classifier needs " +
                                                        std::to_string(features.sample_rate),
                        clip.name);
        const auto t0 = Clock::now();
        const double flushBefore = flushSeconds;
        StreamingFeatureExtractor extractor(features);
        WindowCutter cutter(window, hop, model.options().patch_size, features.n_mels);
        std::vector<float> block(options.read_block);
        std::int64_t samples = 0;
        const double sr = features.sample_rate;
        auto emit = [&](const WindowSpan& span, const float* frames) {
            // Duration is not known yet while streaming: clamp the end to what has been read.
            addWindow(clip, span, frames, std::numeric_limits<double>::infinity());
        };
        while (!source.finished()) {
            const std::size_t n = source.read(block.data(), block.size());
            if (n == 0)
                break;
            samples += static_cast<std::int64_t>(n);
            cutter.push(extractor.push(block.data(), n), emit);
        }
        if (samples == 0)
            throw Error(ErrorCode::BadFormat, "no audio samples", clip.name);
        cutter.push(extractor.finish(), emit);
        cutter.finish(emit);
        clip.duration_s = samples / sr;
        for (auto& w : clip.windows)
            w.end_s = std::min(w.end_s, clip.duration_s);
        stats.feature_seconds += std::max(0.0, secondsSince(t0) - (flushSeconds - flushBefore));
    }

    void cutFeatures(const Features& f, ClipResult& clip) {
        WindowCutter cutter(window, hop, model.options().patch_size, features.n_mels);
        auto emit = [&](const WindowSpan& span, const float* frames) {
            addWindow(clip, span, frames, clip.duration_s);
        };
        cutter.push(f, emit);
        cutter.finish(emit);
    }

    void finishClip(ClipResult& clip) const {
        clip.scores = aggregateScores(clip.windows, options.aggregation);
        clip.top = topK(clip.scores, options.top_k);
    }
};

Classifier::Classifier(PaSSTModel model, std::vector<std::string> labels, ScoreActivation activation,
                       const InferOptions& options)
    : m_impl(std::make_unique<Impl>(std::move(model), std::move(labels), activation, options)) {}

Classifier Classifier::fromCheckpoint(const fs::path& path, const InferOptions& options) {
    ModelCheckpoint ckpt = loadModel(path);
    ScoreActivation activation;
    try {
        activation = activationFromMetadata(ckpt.metadata);
    } catch (const Error& e) {
        throw Error(e.code(), e.message(), path.string());
    }
    return Classifier(std::move(ckpt.model), std::move(ckpt.labels), activation, options);
}

Classifier::~Classifier() = default;
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;

const InferOptions& Classifier::options() const noexcept { return m_impl->options; }
const std::vector<std::string>& Classifier::labels() const noexcept { return m_impl->labels; }
std::string Classifier::label(int cls) const {
    if (cls >= 0 && static_cast<std::size_t>(cls) < m_impl->labels.size())
        return m_impl->labels[static_cast<std::size_t>(cls)];
    return "class " + std::to_string(cls);
}
ScoreActivation Classifier::activation() const noexcept { return m_impl->activation; }
int Classifier::numClasses() const noexcept { return m_impl->model.options().num_classes; }
int Classifier::windowFrames() const noexcept { return m_impl->window; }
int Classifier::hopFrames() const noexcept { return m_impl->hop; }
int Classifier::batchSize() const noexcept { return m_impl->batchSize; }
ComputeDevice Classifier::device() const { return m_impl->model.device(); }
double Classifier::frameRate() const noexcept { return m_impl->frameRate(); }
int Classifier::sampleRate() const noexcept { return m_impl->features.sample_rate; }
bool Classifier::bf16Native() const noexcept { return m_impl->bf16Native; }
ClassifierStats Classifier::stats() const { return m_impl->stats; }

std::vector<ClipResult> Classifier::classifyFiles(const std::vector<fs::path>& files, const JobControl* job,
                                                  std::vector<FileError>* skipped) {
    auto& d = *m_impl;
    std::vector<ClipResult> results(files.size());
    std::vector<double> durations(files.size(), 0.0);
    std::vector<char> failed(files.size(), 0);
    // A bad file: listed and left out when the caller keeps a list, else the job's end.
    auto skip = [&](std::size_t i, const Error& e) {
        if (skipped == nullptr || e.code() == ErrorCode::Cancelled)
            throw;
        skipped->push_back({files[i], e.message()});
        failed[i] = 1;
    };
    d.done = 0;
    d.total = 0;
    // A file that cannot be probed throws here, before the job is attached: a classifier must not
    // keep a pointer to a JobControl that ends with the failed call.
    for (std::size_t i = 0; i < files.size(); ++i) {
        try {
            const AudioInfo info = probeAudio(files[i]);
            durations[i] = info.durationSeconds();
        } catch (const Error& e) {
            skip(i, e);
            continue;
        }
        const auto samples = static_cast<std::int64_t>(std::llround(durations[i] * d.features.sample_rate));
        d.total += windowCount(d.framesForSamples(samples), d.window, d.hop, d.model.options().patch_size);
    }
    d.job = job;
    try {
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (failed[i])
                continue;
            auto& clip = results[i];
            clip.name = files[i].string();
            try {
                if (d.cache && durations[i] <= d.options.cache_max_s) {
                    const auto t0 = Clock::now();
                    const auto before = d.cache->stats().hits;
                    const Features f = d.cache->get(files[i]);
                    d.stats.cache_hits += static_cast<std::int64_t>(d.cache->stats().hits - before);
                    d.stats.feature_seconds += secondsSince(t0);
                    clip.duration_s = durations[i];
                    d.cutFeatures(f, clip);
                } else {
                    auto source = makeFileSource(files[i], d.features.sample_rate);
                    d.streamSource(*source, clip);
                }
            } catch (const Error& e) {
                // Windows of this file already batched still run; their scores land in a clip
                // that is dropped below.
                skip(i, e);
            }
            if (job)
                job->throwIfCancelled();
        }
        d.flush();
    } catch (...) {
        d.abandon();
        d.job = nullptr;
        throw;
    }
    d.job = nullptr;
    std::vector<ClipResult> good;
    good.reserve(files.size());
    for (std::size_t i = 0; i < files.size(); ++i)
        if (!failed[i]) {
            d.finishClip(results[i]);
            good.push_back(std::move(results[i]));
        }
    return good;
}

ClipResult Classifier::classifySource(AudioSource& source, const std::string& name) {
    if (source.isLive())
        throw Error(ErrorCode::InvalidArgument, "a live source never ends: use LiveClassifier", name);
    ClipResult clip;
    clip.name = name;
    try {
        m_impl->streamSource(source, clip);
        m_impl->flush();
    } catch (...) {
        m_impl->abandon();
        throw;
    }
    m_impl->finishClip(clip);
    return clip;
}

ClipResult Classifier::classify(const Waveform& wave, const std::string& name) {
    if (wave.empty())
        throw Error(ErrorCode::InvalidArgument, "empty waveform", name);
    ClipResult clip;
    clip.name = name;
    clip.duration_s = wave.durationSeconds();
    const auto t0 = Clock::now();
    FeatureExtractor extractor(m_impl->features);
    const Features f = extractor.compute(wave);
    m_impl->stats.feature_seconds += secondsSince(t0);
    try {
        m_impl->cutFeatures(f, clip);
        m_impl->flush();
    } catch (...) {
        m_impl->abandon();
        throw;
    }
    m_impl->finishClip(clip);
    return clip;
}

std::vector<std::pair<int, float>> presentClasses(const std::vector<float>& scores,
                                                  const std::vector<double>& thresholds) {
    if (thresholds.size() != scores.size())
        throw Error(ErrorCode::InvalidArgument, "one threshold per class is needed (" +
                                                    std::to_string(scores.size()) + ")");
    std::vector<std::pair<int, float>> present;
    for (std::size_t c = 0; c < scores.size(); ++c)
        if (scores[c] >= static_cast<float>(thresholds[c]))  // in the scores' precision: 0.65 reaches 0.65
            present.emplace_back(static_cast<int>(c), scores[c]);
    std::stable_sort(present.begin(), present.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return present;
}

void writeResults(const fs::path& path, const std::vector<ClipResult>& results,
                  const Classifier& classifier, const std::vector<double>* thresholds) {
    if (thresholds != nullptr && thresholds->size() != static_cast<std::size_t>(classifier.numClasses()))
        throw Error(ErrorCode::InvalidArgument, "one threshold per class is needed (" +
                                                    std::to_string(classifier.numClasses()) + ")");
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    const int k = classifier.options().top_k;
    if (ext == ".csv") {
        writeFileAtomically(path, [&](std::ostream& out) {
            out << "file,kind,start_s,end_s,rank,class,label,score\n";
            out.precision(6);
            auto rows = [&](const ClipResult& clip, const char* kind, double s, double e,
                            const std::vector<std::pair<int, float>>& top) {
                for (std::size_t r = 0; r < top.size(); ++r)
                    out << csvQuote(clip.name) << ',' << kind << ',' << s << ',' << e << ',' << r + 1 << ','
                        << top[r].first << ',' << csvQuote(classifier.label(top[r].first)) << ','
                        << top[r].second << '\n';
            };
            for (const auto& clip : results) {
                for (const auto& w : clip.windows)
                    rows(clip, "window", w.start_s, w.end_s, topK(w.scores, k));
                rows(clip, "clip", 0.0, clip.duration_s, clip.top);
                if (thresholds != nullptr)
                    rows(clip, "present", 0.0, clip.duration_s, presentClasses(clip.scores, *thresholds));
            }
        });
    } else if (ext == ".json") {
        nlohmann::json doc;
        doc["activation"] = activationName(classifier.activation());
        doc["aggregation"] = aggregationName(classifier.options().aggregation);
        doc["window_s"] = classifier.windowFrames() / classifier.frameRate();
        doc["hop_s"] = classifier.hopFrames() / classifier.frameRate();
        nlohmann::json labels = nlohmann::json::array();
        for (int c = 0; c < classifier.numClasses(); ++c)
            labels.push_back(classifier.label(c));
        doc["labels"] = labels;
        auto topJson = [&](const std::vector<std::pair<int, float>>& top) {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& [c, s] : top)
                a.push_back({{"class", c}, {"label", classifier.label(c)}, {"score", s}});
            return a;
        };
        nlohmann::json files = nlohmann::json::array();
        for (const auto& clip : results) {
            nlohmann::json windows = nlohmann::json::array();
            for (const auto& w : clip.windows)
                windows.push_back({{"start_s", w.start_s}, {"end_s", w.end_s}, {"top", topJson(topK(w.scores, k))}});
            files.push_back({{"file", clip.name},
                             {"duration_s", clip.duration_s},
                             {"windows", windows},
                             {"scores", clip.scores},
                             {"top", topJson(clip.top)}});
            if (thresholds != nullptr)
                files.back()["present"] = topJson(presentClasses(clip.scores, *thresholds));
        }
        if (thresholds != nullptr)
            doc["thresholds"] = *thresholds;
        doc["files"] = files;
        writeTextAtomically(path, doc.dump(1) + "\n");
    } else {
        throw Error(ErrorCode::InvalidArgument, "results are written as .csv or .json", path.string());
    }
}

}  // namespace patchout
