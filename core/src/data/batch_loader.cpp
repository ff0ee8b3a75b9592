#include "patchout/batch_loader.h"

#include "data/portable_random.h"
#include "patchout/audio_file.h"
#include "patchout/error.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace patchout {

void BatchLoaderOptions::validate() const {
    auto bad = [](const std::string& what) { throw Error(ErrorCode::InvalidArgument, what); };
    if (batch_size < 1)
        bad("batch_size must be >= 1");
    if (frames < 1)
        bad("frames must be >= 1");
    if (prefetch_batches < 1)
        bad("prefetch_batches must be >= 1");
    if (shard_count < 1 || shard_index < 0 || shard_index >= shard_count)
        bad("shard_index must be in 0..shard_count-1");
    if (!(waveform_mixup_alpha >= 0))
        bad("waveform_mixup_alpha must be >= 0");
    if (!(waveform_mixup_prob >= 0 && waveform_mixup_prob <= 1))
        bad("waveform_mixup_prob must be in [0, 1]");
    if (!(max_skipped_share >= 0 && max_skipped_share <= 1))
        bad("max_skipped_share must be in [0, 1]");
}

float silenceValue(const FeatureOptions& o) {
    double v = 0;  // the power of silence
    if (o.log == LogMode::Ln)
        v = std::log(o.log_offset);
    else if (o.log == LogMode::Db)
        v = 10.0 * std::log10(o.db_floor);
    return static_cast<float>((v + o.normalize_add) / o.normalize_div);
}

std::vector<float> cropOrPad(const Features& f, int frames, int offset, float pad_value) {
    if (frames < 1 || offset < 0)
        throw Error(ErrorCode::InvalidArgument, "cropOrPad: frames must be >= 1 and offset >= 0");
    std::vector<float> out(static_cast<std::size_t>(f.n_bins) * frames, pad_value);
    const int n = std::max(0, std::min(frames, f.n_frames - offset));
    for (int b = 0; b < f.n_bins; ++b)
        for (int t = 0; t < n; ++t)
            out[static_cast<std::size_t>(b) * frames + t] = f.at(b, offset + t);
    return out;
}

std::vector<double> balancedWeights(const Dataset& dataset, const std::vector<std::size_t>& indices) {
    const auto counts = dataset.classCounts(indices);
    std::vector<double> w(indices.size(), 0.0);
    double smallest = 0;
    for (std::size_t i = 0; i < indices.size(); ++i) {
        for (int l : dataset.clips.at(indices[i]).labels)
            w[i] += 1.0 / static_cast<double>(counts[static_cast<std::size_t>(l)]);
        if (w[i] > 0 && (smallest == 0 || w[i] < smallest))
            smallest = w[i];
    }
    for (auto& x : w)
        if (x == 0)
            x = smallest > 0 ? smallest : 1.0;
    return w;
}

struct BatchLoader::Impl {
    BatchLoaderOptions options;
    FeatureCache* cache = nullptr;
    std::vector<std::size_t> indices;
    std::vector<fs::path> paths;             // per entry of `indices`
    std::vector<std::vector<int>> labels;    // per entry of `indices`
    std::vector<double> cumulative;          // balanced sampling
    int n_classes = 0;
    int n_bins = 0;
    float pad = 0;
    std::unique_ptr<FeatureExtractor> extractor;  // waveform mixup: features of the mixes

    std::mutex mutex;
    std::condition_variable changed;
    std::deque<Batch> queue;
    bool done = true;
    bool stop = false;
    std::exception_ptr error;
    std::vector<FileError> skipped;  // under `mutex`
    std::thread worker;
    int epoch = 0;

    // Positions into `indices` for one epoch.
    std::vector<std::size_t> order(int e) const {
        std::vector<std::size_t> pos(indices.size());
        if (options.balanced && !indices.empty()) {
            std::mt19937_64 rng(data::mixSeed(options.seed, static_cast<std::uint64_t>(e), 0xba1a));
            const double total = cumulative.back();
            for (auto& p : pos) {
                const double u = data::uniform01(rng) * total;
                p = static_cast<std::size_t>(
                    std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
                p = std::min(p, indices.size() - 1);
            }
        } else {
            for (std::size_t i = 0; i < pos.size(); ++i)
                pos[i] = i;
            if (options.shuffle) {
                std::mt19937_64 rng(data::mixSeed(options.seed, static_cast<std::uint64_t>(e), 0x5f1e));
                data::portableShuffle(pos, rng);
            }
        }
        if (options.shard_count > 1) {
            std::vector<std::size_t> mine;
            for (std::size_t i = static_cast<std::size_t>(options.shard_index); i < pos.size();
                 i += static_cast<std::size_t>(options.shard_count))
                mine.push_back(pos[i]);
            pos.swap(mine);
        }
        return pos;
    }

    std::size_t batches(std::size_t items) const {
        const auto b = static_cast<std::size_t>(options.batch_size);
        return options.drop_last ? items / b : (items + b - 1) / b;
    }

    void stopWorker() {
        {
            std::lock_guard lock(mutex);
            stop = true;
        }
        changed.notify_all();
        if (worker.joinable())
            worker.join();
        std::lock_guard lock(mutex);
        queue.clear();
        done = true;
    }

    // The features of item k (clip p) of epoch e: from the cache, or, when waveform mixup picks
    // the item, of its audio mixed with a random clip's (then `target` is mixed too).
    Features itemFeatures(int e, std::size_t k, const std::vector<std::size_t>& pos, std::size_t p,
                          std::vector<float>& target) {
        if (options.waveform_mixup_alpha <= 0 || pos.size() < 2)
            return cache->get(paths[p]);
        std::mt19937_64 rng(data::mixSeed(options.seed, static_cast<std::uint64_t>(e), 0x31c0000000ULL + k));
        if (data::uniform01(rng) >= options.waveform_mixup_prob)
            return cache->get(paths[p]);
        const std::size_t q = pos[data::uniformIndex(rng, pos.size())];
        double lambda = data::betaSample(rng, options.waveform_mixup_alpha);
        lambda = std::max(lambda, 1.0 - lambda);
        const LoadOptions load{.target_rate = cache->options().sample_rate};
        Waveform a = loadAudio(paths[p], load);
        const Waveform b = loadAudio(paths[q], load);
        const std::size_t na = a.samples.size(), nb = b.samples.size();
        // b's window: a random stretch of it when longer, placed at a random place when shorter.
        const std::size_t from = nb > na ? data::uniformIndex(rng, nb - na + 1) : 0;
        const std::size_t at = nb < na ? data::uniformIndex(rng, na - nb + 1) : 0;
        const auto l = static_cast<float>(lambda);
        for (std::size_t i = 0; i < na; ++i)
            a.samples[i] *= l;
        for (std::size_t i = 0; i < std::min(na, nb); ++i)
            a.samples[at + i] += (1.f - l) * b.samples[from + i];
        for (auto& t : target)
            t *= l;
        for (int c : labels[q])
            target[static_cast<std::size_t>(c)] += 1.f - l;
        if (!extractor)
            extractor = std::make_unique<FeatureExtractor>(cache->options());
        return extractor->compute(a);
    }

    // Lists the clip (once) and goes on, or rethrows once more than max_skipped_share have failed.
    void skip(const Error& error, std::size_t p) {
        const bool decoding = error.code() == ErrorCode::FileNotFound ||
                              error.code() == ErrorCode::BadFormat || error.code() == ErrorCode::Unsupported;
        if (!decoding)
            throw;
        std::lock_guard lock(mutex);
        // With waveform mixup the failing file may be the partner clip: the error names it.
        const fs::path path = error.context().empty() ? paths[p] : fs::path(error.context());
        const bool known = std::any_of(skipped.begin(), skipped.end(),
                                       [&](const FileError& f) { return f.path == path; });
        if (!known)
            skipped.push_back({path, error.message()});
        const double allowed = options.max_skipped_share * static_cast<double>(indices.size());
        if (static_cast<double>(skipped.size()) > allowed)
            throw Error(ErrorCode::Dataset,
                        std::to_string(skipped.size()) + " of " + std::to_string(indices.size()) +
                            " training clips could not be decoded, more than the " +
                            std::to_string(static_cast<int>(options.max_skipped_share * 100 + 0.5)) +
                            "% allowed; the last: " + path.string() + ": " + error.message());
    }

    void run(int e) {
        try {
            const auto pos = order(e);
            const std::size_t nBatches = batches(pos.size());
            const auto bs = static_cast<std::size_t>(options.batch_size);
            for (std::size_t b = 0; b < nBatches; ++b) {
                Batch batch;
                batch.index = static_cast<std::int64_t>(b);
                batch.frames = options.frames;
                batch.n_classes = n_classes;
                batch.n_bins = n_bins;
                const std::size_t end = std::min(pos.size(), (b + 1) * bs);
                for (std::size_t k = b * bs; k < end; ++k) {
                    {
                        std::lock_guard lock(mutex);
                        if (stop)
                            return;
                    }
                    const std::size_t p = pos[k];
                    std::vector<float> target(static_cast<std::size_t>(n_classes), 0.f);
                    for (int l : labels[p])
                        target[static_cast<std::size_t>(l)] = 1.f;
                    Features f;
                    try {
                        f = itemFeatures(e, k, pos, p, target);
                    } catch (const Error& error) {
                        skip(error, p);  // rethrows when too many clips have failed
                        continue;
                    }
                    if (batch.n_bins == 0)
                        batch.n_bins = f.n_bins;
                    int offset = 0;
                    if (options.random_crop && f.n_frames > options.frames) {
                        std::mt19937_64 rng(data::mixSeed(options.seed, static_cast<std::uint64_t>(e),
                                                          0xc0000000ULL + k));
                        offset = static_cast<int>(data::uniformIndex(
                            rng, static_cast<std::uint64_t>(f.n_frames - options.frames + 1)));
                    }
                    const auto item = cropOrPad(f, options.frames, offset, pad);
                    batch.features.insert(batch.features.end(), item.begin(), item.end());
                    batch.targets.insert(batch.targets.end(), target.begin(), target.end());
                    batch.labels.push_back(labels[p].empty() ? -1 : labels[p].front());
                    batch.clips.push_back(indices[p]);
                    ++batch.size;
                }
                // Ranks of a data-parallel run take the same steps: a batch is never dropped.
                if (batch.size == 0)
                    throw Error(ErrorCode::Dataset, "no clip of training batch " + std::to_string(b + 1) +
                                                        " could be decoded (" + skipped.back().path.string() +
                                                        ": " + skipped.back().reason + ")");
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] {
                    return stop || queue.size() < static_cast<std::size_t>(options.prefetch_batches);
                });
                if (stop)
                    return;
                queue.push_back(std::move(batch));
                changed.notify_all();
            }
        } catch (...) {
            std::lock_guard lock(mutex);
            error = std::current_exception();
        }
        {
            std::lock_guard lock(mutex);
            done = true;
        }
        changed.notify_all();
    }
};

BatchLoader::BatchLoader(const Dataset& dataset, std::vector<std::size_t> indices, FeatureCache& cache,
                         const BatchLoaderOptions& options)
    : m_impl(std::make_unique<Impl>()) {
    options.validate();
    m_impl->options = options;
    m_impl->cache = &cache;
    m_impl->n_classes = static_cast<int>(dataset.classes.size());
    m_impl->n_bins = cache.options().numBins();
    m_impl->pad = silenceValue(cache.options());
    for (std::size_t i : indices) {
        if (i >= dataset.clips.size())
            throw Error(ErrorCode::InvalidArgument,
                        "clip index " + std::to_string(i) + " is outside the dataset (" +
                            std::to_string(dataset.clips.size()) + " clips)");
        m_impl->paths.push_back(dataset.clipPath(i));
        m_impl->labels.push_back(dataset.clips[i].labels);
    }
    m_impl->indices = std::move(indices);
    if (options.balanced) {
        double sum = 0;
        for (double w : balancedWeights(dataset, m_impl->indices))
            m_impl->cumulative.push_back(sum += w);
    }
}

BatchLoader::~BatchLoader() { m_impl->stopWorker(); }

const BatchLoaderOptions& BatchLoader::options() const noexcept { return m_impl->options; }

std::size_t BatchLoader::itemsPerEpoch() const { return m_impl->order(0).size(); }

std::size_t BatchLoader::batchesPerEpoch() const { return m_impl->batches(itemsPerEpoch()); }

std::vector<std::size_t> BatchLoader::epochOrder(int epoch) const {
    auto pos = m_impl->order(epoch);
    for (auto& p : pos)
        p = m_impl->indices[p];
    return pos;
}

void BatchLoader::startEpoch(int epoch) {
    m_impl->stopWorker();
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->stop = false;
        m_impl->done = false;
        m_impl->error = nullptr;
        m_impl->epoch = epoch;
    }
    m_impl->worker = std::thread([impl = m_impl.get(), epoch] { impl->run(epoch); });
}

std::optional<Batch> BatchLoader::next() {
    std::unique_lock lock(m_impl->mutex);
    m_impl->changed.wait(lock, [&] {
        return !m_impl->queue.empty() || m_impl->done || m_impl->stop || m_impl->error;
    });
    if (!m_impl->queue.empty()) {
        Batch b = std::move(m_impl->queue.front());
        m_impl->queue.pop_front();
        m_impl->changed.notify_all();
        return b;
    }
    if (m_impl->error) {
        auto e = m_impl->error;
        m_impl->error = nullptr;
        std::rethrow_exception(e);
    }
    return std::nullopt;
}

void BatchLoader::cancel() { m_impl->stopWorker(); }

std::vector<FileError> BatchLoader::skipped() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->skipped;
}

}  // namespace patchout
