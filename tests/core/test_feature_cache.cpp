// The on-disk feature cache: same features as computing directly, hits on the second read, keys
// that follow file content and recipe, corrupt entries detected and recomputed.
#include "data_support.h"
#include "patchout/error.h"
#include "patchout/feature_cache.h"
#include "test_support.h"

#include <fstream>

using namespace patchout;
using patchout::test::TempDir;
using patchout::test::writeTone;
namespace fs = std::filesystem;

namespace {

Features direct(const fs::path& audio, const FeatureOptions& o) {
    return FeatureExtractor(o).compute(loadAudio(audio, {.target_rate = o.sample_rate}));
}

std::size_t filesIn(const fs::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir))
        ++n;
    return n;
}

}  // namespace

TEST(FeatureCache, MissThenHitGivesTheDirectFeatures) {
    TempDir dir;
    writeTone(dir / "a.wav", 440, 0.5, 16000);  // resampled to 32 kHz on the way
    const FeatureOptions o = featurePreset("passt-32k");
    FeatureCache cache(dir / "cache", o);
    const Features want = direct(dir / "a.wav", o);
    const Features first = cache.get(dir / "a.wav");
    const Features second = cache.get(dir / "a.wav");
    EXPECT_EQ(cache.stats().misses, 1u);
    EXPECT_EQ(cache.stats().hits, 1u);
    for (const Features* f : {&first, &second}) {
        ASSERT_EQ(f->n_bins, want.n_bins);
        ASSERT_EQ(f->n_frames, want.n_frames);
        EXPECT_EQ(f->data, want.data);
        EXPECT_EQ(f->bin_frequencies, want.bin_frequencies);
        EXPECT_EQ(f->frame_rate, want.frame_rate);
    }
    EXPECT_TRUE(fs::exists(cache.entryPath(dir / "a.wav")));
    EXPECT_EQ(filesIn(dir / "cache"), 1u);
    // A second cache object over the same folder finds the entry (later epochs, later runs).
    FeatureCache again(dir / "cache", o);
    again.get(dir / "a.wav");
    EXPECT_EQ(again.stats().hits, 1u);
    EXPECT_EQ(again.stats().misses, 0u);
}

TEST(FeatureCache, KeyFollowsContentNotName) {
    TempDir dir;
    writeTone(dir / "a.wav", 440);
    fs::copy_file(dir / "a.wav", dir / "copy.wav");
    writeTone(dir / "b.wav", 880);
    FeatureCache cache(dir / "cache", featurePreset("passt-32k"));
    EXPECT_EQ(cache.entryPath(dir / "a.wav"), cache.entryPath(dir / "copy.wav"));
    EXPECT_NE(cache.entryPath(dir / "a.wav"), cache.entryPath(dir / "b.wav"));
    EXPECT_EQ(fileContentHash(dir / "a.wav"), fileContentHash(dir / "copy.wav"));
    // Rewriting a file changes its entry.
    const auto before = cache.entryPath(dir / "a.wav");
    writeTone(dir / "a.wav", 1000, 0.3);
    EXPECT_NE(cache.entryPath(dir / "a.wav"), before);
    EXPECT_THROW(fileContentHash(dir / "absent.wav"), Error);
}

TEST(FeatureCache, KeyFollowsEveryOption) {
    const FeatureOptions base = featurePreset("passt-32k");
    const auto h = featureOptionsHash(base);
    EXPECT_EQ(h, featureOptionsHash(featurePreset("passt-32k")));
    FeatureOptions o = base;
    o.n_mels = 64;
    EXPECT_NE(featureOptionsHash(o), h);
    o = base;
    o.preemphasis = 0.9700001;
    EXPECT_NE(featureOptionsHash(o), h);
    o = base;
    o.hop_length = 160;
    EXPECT_NE(featureOptionsHash(o), h);
    o = base;
    o.log = LogMode::Db;
    EXPECT_NE(featureOptionsHash(o), h);
    EXPECT_NE(featureOptionsHash(featurePreset("mel-db-32k")), h);
}

TEST(FeatureCache, CorruptEntriesAreRecomputedNotTrusted) {
    TempDir dir;
    writeTone(dir / "a.wav", 440, 0.3);
    FeatureCache cache(dir / "cache", featurePreset("passt-32k"));
    const Features good = cache.get(dir / "a.wav");
    const fs::path entry = cache.entryPath(dir / "a.wav");
    const std::string bytes = test::readText(entry);

    // One flipped byte in the data, a truncated file, and an empty file.
    std::string flipped = bytes;
    flipped[bytes.size() / 2] ^= 0x40;
    for (const std::string& bad : {flipped, bytes.substr(0, bytes.size() - 100), std::string()}) {
        test::writeText(entry, bad);
        EXPECT_THROW(readFeatureCacheEntry(entry), Error);
        const Features f = cache.get(dir / "a.wav");
        EXPECT_EQ(f.data, good.data);
        EXPECT_EQ(test::readText(entry), bytes) << "the entry was not rewritten";
    }
    EXPECT_EQ(cache.stats().corrupt, 3u);
    EXPECT_EQ(cache.stats().misses, 1u);
}

TEST(FeatureCache, EntryRoundTripAndBadInput) {
    TempDir dir;
    Features f;
    f.n_bins = 3;
    f.n_frames = 2;
    f.data = {1, 2, 3, 4, 5, 6};
    f.bin_frequencies = {100, 200, 300};
    f.frame_rate = 100;
    f.db_per_unit = 5;
    f.log = LogMode::Db;
    f.frequency_scale = FrequencyScale::Linear;
    writeFeatureCacheEntry(dir / "x.feat", f);
    const Features g = readFeatureCacheEntry(dir / "x.feat");
    EXPECT_EQ(g.data, f.data);
    EXPECT_EQ(g.bin_frequencies, f.bin_frequencies);
    EXPECT_EQ(g.frame_rate, 100);
    EXPECT_EQ(g.db_per_unit, 5);
    EXPECT_EQ(g.log, LogMode::Db);
    EXPECT_EQ(g.frequency_scale, FrequencyScale::Linear);
    f.data.pop_back();
    EXPECT_THROW(writeFeatureCacheEntry(dir / "y.feat", f), Error);
    EXPECT_THROW(readFeatureCacheEntry(dir / "absent.feat"), Error);
}

TEST(FeatureCache, UndecodableAudioIsAnErrorAndNotCached) {
    TempDir dir;
    test::writeGarbage(dir / "bad.wav");
    FeatureCache cache(dir / "cache", featurePreset("passt-32k"));
    EXPECT_THROW(cache.get(dir / "bad.wav"), Error);
    EXPECT_EQ(filesIn(dir / "cache"), 0u);
    FeatureOptions bad = featurePreset("passt-32k");
    bad.n_mels = 0;
    EXPECT_THROW(FeatureCache(dir / "c2", bad), Error);
    EXPECT_EQ(cache.dir(), dir / "cache");
    EXPECT_EQ(cache.options().n_mels, 128);
}
