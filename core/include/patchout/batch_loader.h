// Batches for training and evaluation without LibTorch in the interface: a worker thread reads
// clips through the FeatureCache, crops or pads them to the model's frames (random crop seeded by
// (seed, epoch, position)) and queues finished batches (bounded) while the trainer computes.
// With waveform mixup, an item's audio is mixed with another clip's before its features are
// computed (PaSST's recipe; those items bypass the cache).
// Batches are flat float vectors [B, n_bins, frames] (bin-major, the layout PaSST takes) plus
// multi-hot targets; the trainer wraps them in tensors. Class-balanced sampling draws clips with
// replacement, weighted by the inverse frequency of their labels (multi-label: summed).
// Thread-safety: one consumer thread calls startEpoch()/next(); cancel() may come from any thread.
#pragma once

#include "patchout/dataset.h"
#include "patchout/feature_cache.h"
#include "patchout/file_errors.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace patchout {

struct BatchLoaderOptions {
    int batch_size = 32;
    int frames = 100;            // every item is cropped / padded to this many frames
    bool shuffle = true;         // a new order each epoch (ignored when balanced)
    bool random_crop = true;     // false: items longer than `frames` keep their start
    bool balanced = false;       // class-balanced sampling (with replacement)
    bool drop_last = false;      // drop a last, smaller batch
    int prefetch_batches = 4;    // queue capacity
    int shard_index = 0;         // this process reads every shard_count-th item from shard_index
    int shard_count = 1;
    std::uint64_t seed = 0;
    // Mixup on waveforms: with probability waveform_mixup_prob an item's audio a is mixed with
    // the audio b of a random clip of the epoch, l a + (1 - l) b (b cropped or zero-padded to a's
    // length at a random place), l ~ Beta(alpha, alpha), l = max(l, 1 - l); targets mix alike.
    // 0: off.
    double waveform_mixup_alpha = 0;
    double waveform_mixup_prob = 1.0;
    // A clip that cannot be read or decoded (FileNotFound, BadFormat, Unsupported) is left out of
    // its batch and listed in skipped(), until more than this share of the loader's clips has
    // failed: then its error stops the loader. 0: the first failure stops it.
    double max_skipped_share = 0.05;

    void validate() const;  // Error(InvalidArgument) naming the bad field
};

struct Batch {
    std::int64_t index = 0;  // position in the epoch
    int size = 0;
    int n_bins = 0;
    int frames = 0;
    int n_classes = 0;
    std::vector<float> features;  // [size, n_bins, frames]
    std::vector<float> targets;   // [size, n_classes], 1 for each label
    std::vector<int> labels;      // the first label of each item (-1 when it has none)
    std::vector<std::size_t> clips;  // indices into Dataset::clips
};

// The value silence has under `options` (what padding should look like to the model).
float silenceValue(const FeatureOptions& options);

// Crops or pads `features` to `frames` starting at `offset` (frames past the end are
// `pad_value`), returned bin-major [n_bins, frames].
std::vector<float> cropOrPad(const Features& features, int frames, int offset, float pad_value);

// Class-balanced sampling weight of each clip in `indices`: sum over its labels of
// 1 / (clips of that label among `indices`); clips without labels get the smallest weight.
std::vector<double> balancedWeights(const Dataset& dataset, const std::vector<std::size_t>& indices);

class BatchLoader {
public:
    // Keeps a copy of what it needs from `dataset`; `cache` must outlive the loader.
    BatchLoader(const Dataset& dataset, std::vector<std::size_t> indices, FeatureCache& cache,
                const BatchLoaderOptions& options = {});
    ~BatchLoader();  // cancels and joins the worker
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;

    const BatchLoaderOptions& options() const noexcept;
    std::size_t itemsPerEpoch() const;
    std::size_t batchesPerEpoch() const;
    // The clip indices of an epoch in the order they will be batched (after sharding).
    std::vector<std::size_t> epochOrder(int epoch) const;

    // Starts producing the batches of `epoch` in the background (stopping a previous epoch).
    void startEpoch(int epoch);
    // The next batch, waiting for the worker if needed; std::nullopt at the end of the epoch or
    // after cancel(). An error in the worker (a file that cannot be decoded) is rethrown here.
    std::optional<Batch> next();
    // Stops the worker; next() then returns std::nullopt.
    void cancel();
    // The clips left out so far (each once, in the order they failed), with the reason.
    std::vector<FileError> skipped() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace patchout
