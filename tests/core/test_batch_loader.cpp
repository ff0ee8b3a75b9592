// The batch loader: shapes and layout, crop/pad, seeded order and crops, class-balanced sampling,
// sharding, background errors and cancellation, mixup on waveforms.
#include "data_support.h"
#include "patchout/batch_loader.h"
#include "patchout/error.h"
#include "test_support.h"

#include <chrono>
#include <cmath>
#include <numeric>
#include <set>
#include <thread>

using namespace patchout;
using patchout::test::TempDir;
using patchout::test::writeTone;
namespace fs = std::filesystem;

namespace {

// `n[c]` clips of class c, lengths varying from 0.1 s to 0.7 s.
Dataset tones(const fs::path& root, const std::vector<int>& n) {
    std::string csv = "filename,label\n";
    int k = 0;
    for (std::size_t c = 0; c < n.size(); ++c)
        for (int i = 0; i < n[c]; ++i, ++k) {
            const std::string name = "c" + std::to_string(c) + "_" + std::to_string(i) + ".wav";
            writeTone(root / name, 200 + 37 * k, 0.1 + 0.1 * (k % 7), 16000);
            csv += name + ",k" + std::to_string(c) + "\n";
        }
    test::writeText(root / "labels.csv", csv);
    return readDataset(root);
}

std::vector<std::size_t> all(const Dataset& ds) {
    std::vector<std::size_t> v(ds.clips.size());
    std::iota(v.begin(), v.end(), 0);
    return v;
}

std::vector<Batch> epoch(BatchLoader& loader, int e) {
    loader.startEpoch(e);
    std::vector<Batch> out;
    while (auto b = loader.next())
        out.push_back(std::move(*b));
    return out;
}

FeatureOptions smallFeatures() {
    FeatureOptions o = featurePreset("passt-32k");
    o.n_mels = 32;
    return o;
}

}  // namespace

TEST(BatchLoader, ShapesLayoutAndTargets) {
    TempDir dir;
    const Dataset ds = tones(dir / "ds", {3, 4});
    FeatureCache cache(dir / "cache", smallFeatures());
    BatchLoader loader(ds, all(ds), cache, {.batch_size = 3, .frames = 20, .shuffle = false, .random_crop = false});
    EXPECT_EQ(loader.batchesPerEpoch(), 3u);
    const auto batches = epoch(loader, 0);
    ASSERT_EQ(batches.size(), 3u);
    EXPECT_EQ(batches[2].size, 1);
    const Batch& b = batches[0];
    EXPECT_EQ(b.size, 3);
    EXPECT_EQ(b.n_bins, 32);
    EXPECT_EQ(b.frames, 20);
    EXPECT_EQ(b.n_classes, 2);
    ASSERT_EQ(b.features.size(), 3u * 32 * 20);
    ASSERT_EQ(b.targets.size(), 3u * 2);
    // Item 1 is clip 1 (no shuffle), its features bin-major and cropped from frame 0.
    EXPECT_EQ(b.clips, (std::vector<std::size_t>{0, 1, 2}));
    const Features f = cache.get(ds.clipPath(1));
    const float silence = silenceValue(cache.options());
    for (int bin : {0, 7, 31})
        for (int t : {0, 5, 19}) {
            const float got = b.features[(1 * 32 + bin) * 20 + t];
            EXPECT_EQ(got, t < f.n_frames ? f.at(bin, t) : silence) << bin << "," << t;
        }
    for (int i = 0; i < b.size; ++i) {
        const int label = ds.clips[b.clips[i]].labels[0];
        EXPECT_EQ(b.labels[i], label);
        EXPECT_EQ(b.targets[i * 2 + label], 1.f);
        EXPECT_EQ(b.targets[i * 2 + 1 - label], 0.f);
    }
    BatchLoader dropping(ds, all(ds), cache, {.batch_size = 3, .frames = 20, .drop_last = true});
    EXPECT_EQ(dropping.batchesPerEpoch(), 2u);
    EXPECT_EQ(epoch(dropping, 0).size(), 2u);
}

TEST(BatchLoader, WaveformMixupMixesAudioAndTargets) {
    // Class 0 hums at 500 Hz, class 1 whistles at 6 kHz: a mixed item has both in its features.
    TempDir dir;
    std::string csv = "filename,label\n";
    for (int i = 0; i < 4; ++i) {
        writeTone(dir / "ds" / ("low" + std::to_string(i) + ".wav"), 500, 0.5, 16000);
        writeTone(dir / "ds" / ("high" + std::to_string(i) + ".wav"), 6000, 0.5, 16000);
        csv += "low" + std::to_string(i) + ".wav,low\nhigh" + std::to_string(i) + ".wav,high\n";
    }
    test::writeText(dir / "ds" / "labels.csv", csv);
    const Dataset ds = readDataset(dir / "ds");
    FeatureCache cache(dir / "cache", smallFeatures());
    const BatchLoaderOptions options{.batch_size = 8, .frames = 40, .shuffle = false, .random_crop = false,
                                     .seed = 5, .waveform_mixup_alpha = 1.0, .waveform_mixup_prob = 1.0};
    BatchLoader loader(ds, all(ds), cache, options);
    const Batch b = epoch(loader, 0).at(0);
    // The loudest bin of each pure tone.
    auto loudestBin = [&](std::size_t clip) {
        const Features f = cache.get(ds.clipPath(clip));
        int best = 0;
        for (int bin = 1; bin < f.n_bins; ++bin)
            if (f.at(bin, 10) > f.at(best, 10))
                best = bin;
        return best;
    };
    const int low = ds.classes[0] == "low" ? 0 : 1;
    std::size_t lowClip = 0, highClip = 0;
    for (std::size_t c = 0; c < ds.clips.size(); ++c)
        (ds.clips[c].labels[0] == low ? lowClip : highClip) = c;
    const int lowBin = loudestBin(lowClip), highBin = loudestBin(highClip);
    ASSERT_NE(lowBin, highBin);
    const float pureHighAtLowBin = cache.get(ds.clipPath(highClip)).at(lowBin, 10);
    int mixed = 0;
    for (int i = 0; i < b.size; ++i) {
        const float own = b.targets[i * 2 + b.labels[i]], other = b.targets[i * 2 + 1 - b.labels[i]];
        EXPECT_NEAR(own + other, 1.0f, 1e-6f);
        EXPECT_GE(own, 0.5f);  // lambda = max(lambda, 1 - lambda) goes to the item's own clip
        if (other > 0.05f && b.labels[i] != low) {
            // A whistle mixed with a hum: the hum's band is lit, unlike in any pure whistle.
            ++mixed;
            const float atLowBin = b.features[(static_cast<std::size_t>(i) * b.n_bins + lowBin) * 40 + 10];
            EXPECT_GT(atLowBin, pureHighAtLowBin + 1.0f) << "item " << i << " target " << other;
        }
    }
    EXPECT_GT(mixed, 0);
    // Seeded: the same epoch twice gives the same batch.
    BatchLoader again(ds, all(ds), cache, options);
    const Batch b2 = epoch(again, 0).at(0);
    EXPECT_EQ(b2.features, b.features);
    EXPECT_EQ(b2.targets, b.targets);
    BatchLoaderOptions bad = options;
    bad.waveform_mixup_prob = 1.5;
    EXPECT_THROW(bad.validate(), Error);
}

TEST(BatchLoader, CropOrPadAndSilence) {
    Features f;
    f.n_bins = 2;
    f.n_frames = 4;
    f.data = {0, 10, 1, 11, 2, 12, 3, 13};  // frame-major: frame t = {t, 10 + t}
    EXPECT_EQ(cropOrPad(f, 2, 1, -9), (std::vector<float>{1, 2, 11, 12}));
    EXPECT_EQ(cropOrPad(f, 6, 0, -9), (std::vector<float>{0, 1, 2, 3, -9, -9, 10, 11, 12, 13, -9, -9}));
    EXPECT_EQ(cropOrPad(f, 2, 3, -9), (std::vector<float>{3, -9, 13, -9}));
    EXPECT_THROW(cropOrPad(f, 0, 0, 0), Error);
    // Silence under the PaSST recipe: (ln(1e-5) + 4.5) / 5.
    EXPECT_NEAR(silenceValue(featurePreset("passt-32k")), (std::log(1e-5) + 4.5) / 5, 1e-6);
    // And it is what the extractor gives for digital silence.
    FeatureOptions o = featurePreset("passt-32k");
    Waveform zeros;
    zeros.sample_rate = o.sample_rate;
    zeros.samples.assign(3200, 0.f);
    const Features s = FeatureExtractor(o).compute(zeros);
    EXPECT_NEAR(s.at(10, 3), silenceValue(o), 1e-5);
}

TEST(BatchLoader, SeededOrderAndCropsAreReproducible) {
    TempDir dir;
    const Dataset ds = tones(dir / "ds", {5, 5});
    FeatureCache cache(dir / "cache", smallFeatures());
    const BatchLoaderOptions o{.batch_size = 4, .frames = 8, .seed = 3};
    BatchLoader a(ds, all(ds), cache, o);
    BatchLoader b(ds, all(ds), cache, o);
    const auto ea = epoch(a, 1);
    const auto eb = epoch(b, 1);
    ASSERT_EQ(ea.size(), eb.size());
    for (std::size_t i = 0; i < ea.size(); ++i) {
        EXPECT_EQ(ea[i].clips, eb[i].clips);
        EXPECT_EQ(ea[i].features, eb[i].features);
    }
    EXPECT_NE(a.epochOrder(1), a.epochOrder(2));
    auto order = a.epochOrder(1);
    std::sort(order.begin(), order.end());
    EXPECT_EQ(order, all(ds));  // a permutation: every clip once
    // Random crops: over epochs, a long clip is cut at more than one place.
    std::set<float> firstValues;
    for (int e = 0; e < 6; ++e)
        for (const auto& batch : epoch(a, e))
            for (int i = 0; i < batch.size; ++i)
                if (batch.clips[i] == 6)  // 0.7 s: 71 frames > 8
                    firstValues.insert(batch.features[static_cast<std::size_t>(i) * 32 * 8 + 5 * 8]);
    EXPECT_GT(firstValues.size(), 1u);
}

TEST(BatchLoader, BalancedSamplingEvensOutClasses) {
    TempDir dir;
    const Dataset ds = tones(dir / "ds", {18, 2});
    FeatureCache cache(dir / "cache", smallFeatures());
    const auto w = balancedWeights(ds, all(ds));
    EXPECT_NEAR(w[0], 1.0 / 18, 1e-12);
    EXPECT_NEAR(w[19], 1.0 / 2, 1e-12);
    BatchLoader plain(ds, all(ds), cache, {.batch_size = 5, .frames = 4, .seed = 1});
    BatchLoader balanced(ds, all(ds), cache, {.batch_size = 5, .frames = 4, .balanced = true, .seed = 1});
    std::size_t minority = 0, total = 0;
    for (int e = 0; e < 50; ++e)
        for (auto i : balanced.epochOrder(e)) {
            minority += ds.clips[i].labels[0] == 1;
            ++total;
        }
    EXPECT_EQ(total, 50u * 20);
    EXPECT_NEAR(static_cast<double>(minority) / total, 0.5, 0.06);
    std::size_t plainMinority = 0;
    for (auto i : plain.epochOrder(0))
        plainMinority += ds.clips[i].labels[0] == 1;
    EXPECT_EQ(plainMinority, 2u);
    EXPECT_EQ(epoch(balanced, 0).size(), 4u);
}

TEST(BatchLoader, BalancedWeightsForMultiLabel) {
    Dataset ds;
    ds.classes = {"a", "b", "c"};
    for (const auto& labels : std::vector<std::vector<int>>{{0}, {0}, {0}, {0, 1}, {2}, {}}) {
        Clip c;
        c.labels = labels;
        ds.clips.push_back(c);
    }
    const auto w = balancedWeights(ds, {0, 1, 2, 3, 4, 5});
    EXPECT_NEAR(w[0], 0.25, 1e-12);
    EXPECT_NEAR(w[3], 0.25 + 1.0, 1e-12);
    EXPECT_NEAR(w[4], 1.0, 1e-12);
    EXPECT_NEAR(w[5], 0.25, 1e-12);  // no labels: the smallest weight
}

TEST(BatchLoader, ShardsSplitTheEpochDisjointly) {
    TempDir dir;
    const Dataset ds = tones(dir / "ds", {4, 3});
    FeatureCache cache(dir / "cache", smallFeatures());
    BatchLoader r0(ds, all(ds), cache, {.frames = 4, .shard_index = 0, .shard_count = 2, .seed = 9});
    BatchLoader r1(ds, all(ds), cache, {.frames = 4, .shard_index = 1, .shard_count = 2, .seed = 9});
    auto a = r0.epochOrder(4);
    auto b = r1.epochOrder(4);
    EXPECT_EQ(a.size(), 4u);
    EXPECT_EQ(b.size(), 3u);
    EXPECT_EQ(r0.itemsPerEpoch(), 4u);
    EXPECT_EQ(r1.itemsPerEpoch(), 3u);
    EXPECT_EQ(r1.options().shard_index, 1);
    std::set<std::size_t> both(a.begin(), a.end());
    both.insert(b.begin(), b.end());
    EXPECT_EQ(both.size(), 7u);
    EXPECT_THROW(BatchLoader(ds, all(ds), cache, {.shard_index = 2, .shard_count = 2}), Error);
}

TEST(BatchLoader, WorkerErrorsReachTheConsumer) {
    TempDir dir;
    Dataset ds = tones(dir / "ds", {2, 2});
    FeatureCache cache(dir / "cache", smallFeatures());
    test::writeGarbage(ds.clipPath(3));  // broken after validation
    BatchLoader loader(ds, all(ds), cache, {.batch_size = 2, .frames = 4, .shuffle = false});
    loader.startEpoch(0);
    EXPECT_TRUE(loader.next().has_value());  // clips 0, 1
    EXPECT_THROW(loader.next(), Error);
    EXPECT_FALSE(loader.next().has_value());
    EXPECT_THROW(BatchLoader(ds, {99}, cache), Error);
    EXPECT_THROW(BatchLoader(ds, all(ds), cache, {.batch_size = 0}), Error);
}

// A clip damaged after the dataset was read is left out of its batch and listed, once, while the
// failures stay within max_skipped_share; past it, or at 0, the error stops the loader.
TEST(BatchLoader, UndecodableClipsAreSkippedAndListedUpToAShare) {
    TempDir dir;
    Dataset ds = tones(dir / "ds", {5, 5});
    FeatureCache cache(dir / "cache", smallFeatures());
    test::writeGarbage(ds.clipPath(3));
    BatchLoader loader(ds, all(ds), cache, {.batch_size = 4, .frames = 4, .shuffle = false, .max_skipped_share = 0.1});
    for (int e = 0; e < 2; ++e) {
        const auto batches = epoch(loader, e);
        ASSERT_EQ(batches.size(), 3u);  // never a batch fewer: ranks must take the same steps
        EXPECT_EQ(batches[0].size, 3);
        EXPECT_EQ(batches[0].clips, (std::vector<std::size_t>{0, 1, 2}));
        EXPECT_EQ(batches[1].size + batches[2].size, 6);
    }
    const auto skipped = loader.skipped();
    ASSERT_EQ(skipped.size(), 1u);  // once, though both epochs met it
    EXPECT_EQ(skipped[0].path, ds.clipPath(3));
    EXPECT_FALSE(skipped[0].reason.empty());

    test::writeGarbage(ds.clipPath(7));  // 2 of 10 > 10%
    BatchLoader strictish(ds, all(ds), cache, {.batch_size = 4, .frames = 4, .shuffle = false, .max_skipped_share = 0.1});
    strictish.startEpoch(0);
    try {
        while (strictish.next()) {
        }
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("2 of 10 training clips could not be decoded"), std::string::npos) << e.what();
    }
    EXPECT_THROW(BatchLoader(ds, all(ds), cache, {.max_skipped_share = 1.5}), Error);
}

TEST(BatchLoader, QueueIsBoundedAndCancelStopsTheWorker) {
    TempDir dir;
    const Dataset ds = tones(dir / "ds", {6, 6});
    FeatureCache cache(dir / "cache", smallFeatures());
    BatchLoader loader(ds, all(ds), cache, {.batch_size = 1, .frames = 4, .prefetch_batches = 2});
    loader.startEpoch(0);
    // Give the worker time to fill its queue; it must stop at 2 batches (2 clips computed).
    for (int i = 0; i < 200 && cache.stats().misses < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_LE(cache.stats().misses, 3u);  // two queued plus at most the one being assembled
    EXPECT_TRUE(loader.next().has_value());
    loader.cancel();
    EXPECT_FALSE(loader.next().has_value());
    // A new epoch after cancel works and yields every item.
    EXPECT_EQ(epoch(loader, 1).size(), 12u);
}
