#include "patchout/live_classifier.h"

#include "patchout/checkpoint.h"
#include "patchout/error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <iterator>

namespace patchout {

namespace {

// Median milliseconds of classifying `wave` three times, after one warm-up.
double medianMs(Classifier& c, const Waveform& wave) {
    c.classify(wave, "timing");
    std::vector<double> ms;
    for (int i = 0; i < 3; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        c.classify(wave, "timing");
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[1];
}

}  // namespace

struct LiveClassifier::Impl {
    LiveOptions options;
    LivePrecision precision;
    Classifier classifier;
    std::size_t window = 0;
    std::size_t hop = 0;
    std::deque<float> buffer;       // the last `window` samples at most
    std::int64_t received = 0;      // samples since the start
    std::int64_t nextUpdate = 0;    // sample count at which the next update is due
    std::vector<float> smoothed;
    std::vector<double> thresholds;  // one per class: its own, else options.threshold

    static InferOptions inferOptions(const LiveOptions& o) {
        if (!(o.window_s > 0))
            throw Error(ErrorCode::InvalidArgument, "live window_s must be > 0");
        if (!(o.hop_s > 0))
            throw Error(ErrorCode::InvalidArgument, "live hop_s must be > 0");
        if (!(o.smoothing > 0 && o.smoothing <= 1))
            throw Error(ErrorCode::InvalidArgument, "live smoothing must be in (0, 1]");
        InferOptions io;
        io.window_s = o.window_s;
        io.batch_size = 1;
        io.top_k = o.top_k;
        io.device = o.device;
        return io;
    }

    // The classifier at the precision LiveOptions::precision asks for; `chosen` says which.
    static Classifier withPrecision(PaSSTModel model, std::vector<std::string> labels, ScoreActivation activation,
                                    const LiveOptions& o, LivePrecision& chosen) {
        InferOptions io = inferOptions(o);
        if (o.precision != "fp32" && o.precision != "bf16" && o.precision != "auto")
            throw Error(ErrorCode::InvalidArgument, "live precision must be fp32, bf16 or auto, not '" + o.precision + "'");
        io.bf16 = o.precision == "bf16";
        Classifier first(model.sharedWeights(), labels, activation, io);
        if (o.precision != "auto" || first.device() != ComputeDevice::Cpu || !first.bf16Native()) {
            chosen.bf16 = io.bf16;
            return first;
        }
        io.bf16 = true;
        Classifier half(std::move(model), std::move(labels), activation, io);
        Waveform noise;  // quiet noise: every window of a live stream costs the same
        noise.sample_rate = first.sampleRate();
        noise.samples.resize(static_cast<std::size_t>(std::lround(o.window_s * noise.sample_rate)));
        std::uint32_t state = 12345;
        for (float& s : noise.samples) {
            state = state * 1664525u + 1013904223u;
            s = 0.01f * (static_cast<float>(state >> 8) / 16777216.0f - 0.5f);
        }
        chosen.fp32_ms = medianMs(first, noise);
        chosen.bf16_ms = medianMs(half, noise);
        chosen.bf16 = chosen.bf16_ms < chosen.fp32_ms;
        return chosen.bf16 ? std::move(half) : std::move(first);
    }

    Impl(PaSSTModel model, std::vector<std::string> labels, ScoreActivation activation, const LiveOptions& o)
        : options(o), classifier(withPrecision(std::move(model), std::move(labels), activation, o, precision)) {
        window = static_cast<std::size_t>(std::lround(o.window_s * classifier.sampleRate()));
        hop = static_cast<std::size_t>(std::max(1L, std::lround(o.hop_s * classifier.sampleRate())));
        nextUpdate = static_cast<std::int64_t>(window);
        thresholds = o.class_thresholds;
        thresholds.resize(static_cast<std::size_t>(classifier.numClasses()), o.threshold);
    }

    LiveUpdate update(std::chrono::steady_clock::time_point arrived) {
        LiveUpdate u;
        Waveform w;
        w.sample_rate = classifier.sampleRate();
        w.samples.assign(buffer.begin(), buffer.end());
        u.time_s = static_cast<double>(received) / w.sample_rate;
        double energy = 0;
        for (float s : w.samples)
            energy += static_cast<double>(s) * s;
        const double rms = std::sqrt(energy / static_cast<double>(w.samples.size()));
        u.level_db = 20.0 * std::log10(std::max(rms, 1e-10));
        u.silent = u.level_db < options.silence_db;
        if (u.silent)
            u.raw.assign(static_cast<std::size_t>(classifier.numClasses()), 0.0f);
        else
            u.raw = classifier.classify(w, "live").scores;
        if (smoothed.empty())
            smoothed = u.raw;
        else
            for (std::size_t c = 0; c < smoothed.size(); ++c)
                smoothed[c] = static_cast<float>(options.smoothing * u.raw[c] +
                                                 (1.0 - options.smoothing) * smoothed[c]);
        u.scores = smoothed;
        u.top = topK(smoothed, options.top_k);
        // The highest-scoring class that reaches its own threshold (as classify's "present").
        if (!u.silent) {
            const auto present = presentClasses(smoothed, thresholds);
            if (!present.empty()) {
                u.best = present.front().first;
                u.best_score = present.front().second;
            }
        }
        u.latency_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - arrived).count();
        return u;
    }
};

LiveClassifier::LiveClassifier(PaSSTModel model, std::vector<std::string> labels,
                               ScoreActivation activation, const LiveOptions& options)
    : m_impl(std::make_unique<Impl>(std::move(model), std::move(labels), activation, options)) {}

LiveClassifier LiveClassifier::fromCheckpoint(const std::filesystem::path& path,
                                              const LiveOptions& options) {
    ModelCheckpoint ckpt = loadModel(path);
    return LiveClassifier(std::move(ckpt.model), std::move(ckpt.labels),
                          activationFromMetadata(ckpt.metadata), options);
}

LiveClassifier::~LiveClassifier() = default;
LiveClassifier::LiveClassifier(LiveClassifier&&) noexcept = default;
LiveClassifier& LiveClassifier::operator=(LiveClassifier&&) noexcept = default;

const LiveOptions& LiveClassifier::options() const noexcept { return m_impl->options; }
const LivePrecision& LiveClassifier::precision() const noexcept { return m_impl->precision; }
int LiveClassifier::sampleRate() const noexcept { return m_impl->classifier.sampleRate(); }
std::string LiveClassifier::label(int cls) const {
    return cls == kBackgroundClass ? "background" : m_impl->classifier.label(cls);
}

std::vector<LiveUpdate> LiveClassifier::push(const float* samples, std::size_t count) {
    auto& d = *m_impl;
    std::vector<LiveUpdate> updates;
    for (std::size_t i = 0; i < count;) {
        // Feed up to the next update point, so each update sees exactly its window.
        const auto untilUpdate = static_cast<std::size_t>(d.nextUpdate - d.received);
        const std::size_t n = std::min(count - i, untilUpdate);
        d.buffer.insert(d.buffer.end(), samples + i, samples + i + n);
        while (d.buffer.size() > d.window)
            d.buffer.pop_front();
        d.received += static_cast<std::int64_t>(n);
        i += n;
        if (d.received == d.nextUpdate) {
            updates.push_back(d.update(std::chrono::steady_clock::now()));
            d.nextUpdate += static_cast<std::int64_t>(d.hop);
        }
    }
    return updates;
}

std::optional<LiveUpdate> LiveClassifier::pushLatest(const float* samples, std::size_t count,
                                                     std::chrono::steady_clock::time_point arrived) {
    auto& d = *m_impl;
    const std::size_t keep = std::min(count, d.window);
    d.buffer.insert(d.buffer.end(), samples + (count - keep), samples + count);
    while (d.buffer.size() > d.window)
        d.buffer.pop_front();
    d.received += static_cast<std::int64_t>(count);
    if (d.received < d.nextUpdate)
        return std::nullopt;
    const auto hop = static_cast<std::int64_t>(d.hop);
    const std::int64_t due = (d.received - d.nextUpdate) / hop + 1;
    d.nextUpdate += due * hop;
    LiveUpdate u = d.update(arrived);
    u.skipped = static_cast<int>(due - 1);
    return u;
}

std::vector<LiveUpdate> LiveClassifier::poll(AudioSource& source) {
    if (source.sampleRate() != sampleRate())
        throw Error(ErrorCode::InvalidArgument, "the source delivers " + std::to_string(source.sampleRate()) +
                                                    " Hz; live classification needs " +
                                                    std::to_string(sampleRate()),
                    source.name());
    std::vector<LiveUpdate> updates;
    std::vector<float> block(4096);
    for (;;) {
        const std::size_t n = source.read(block.data(), block.size());
        if (n == 0)
            break;
        auto more = push(block.data(), n);
        updates.insert(updates.end(), std::make_move_iterator(more.begin()),
                       std::make_move_iterator(more.end()));
        if (n < block.size() || source.finished())
            break;
    }
    return updates;
}

void LiveClassifier::reset() {
    auto& d = *m_impl;
    d.buffer.clear();
    d.received = 0;
    d.nextUpdate = static_cast<std::int64_t>(d.window);
    d.smoothed.clear();
}

}  // namespace patchout
