// LiveClassifier: updates every hop over the last window, the energy gate's background class,
// exponential smoothing, thresholds and latency, fed sample by sample or from an AudioSource.
#include "patchout/live_classifier.h"

#include "patchout/audio_source.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/system_info.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace patchout;

namespace {

LiveClassifier microLive(const LiveOptions& options) {
    return LiveClassifier(PaSSTModel(passtPreset("passt-micro"), 3), {}, ScoreActivation::Sigmoid, options);
}

// 1 s of silence, then 3 s of a 600 Hz sine.
std::vector<float> silenceThenTone() {
    std::vector<float> s(32000, 0.0f);
    const auto tone = synthesize({.kind = SignalKind::Sine, .duration_s = 3.0, .frequency_hz = 600.0});
    s.insert(s.end(), tone.samples.begin(), tone.samples.end());
    return s;
}

}  // namespace

TEST(LiveClassifier, UpdatesEveryHopWithGateAndSmoothing) {
    LiveClassifier live = microLive({.window_s = 1.0, .hop_s = 0.25, .smoothing = 0.4, .threshold = 0.0});
    const auto samples = silenceThenTone();
    std::vector<LiveUpdate> updates;
    for (std::size_t i = 0; i < samples.size(); i += 1000) {  // uneven against the 8000-sample hop
        auto u = live.push(samples.data() + i, std::min<std::size_t>(1000, samples.size() - i));
        updates.insert(updates.end(), u.begin(), u.end());
    }
    // Updates at 1.0, 1.25, ..., 4.0 s.
    ASSERT_EQ(updates.size(), 13u);
    EXPECT_DOUBLE_EQ(updates[0].time_s, 1.0);
    EXPECT_DOUBLE_EQ(updates[12].time_s, 4.0);
    EXPECT_TRUE(updates[0].silent);  // the silent first second is background
    EXPECT_EQ(updates[0].best, kBackgroundClass);
    EXPECT_EQ(live.label(kBackgroundClass), "background");
    for (float s : updates[0].raw)
        EXPECT_EQ(s, 0.0f);
    for (std::size_t k = 1; k < updates.size(); ++k) {
        EXPECT_FALSE(updates[k].silent) << k;
        EXPECT_GT(updates[k].level_db, -20.0);
        EXPECT_NE(updates[k].best, kBackgroundClass);  // threshold 0: some class is active
        EXPECT_GE(updates[k].latency_ms, 0.0);
        for (std::size_t c = 0; c < updates[k].scores.size(); ++c)
            EXPECT_NEAR(updates[k].scores[c],
                        0.4 * updates[k].raw[c] + 0.6 * updates[k - 1].scores[c], 1e-6);
    }
    // Once the window holds only the tone, raw scores no longer change.
    const auto d = test::maxAbsDiff(updates[8].raw, updates[12].raw);
    EXPECT_LT(d.max_abs, 1e-4);
    EXPECT_GT(test::maxAbsDiff(updates[8].scores, updates[1].scores).max_abs, 0.0);
}

TEST(LiveClassifier, PushLatestSkipsWhatALaggingConsumerMissed) {
    const LiveOptions options{.window_s = 1.0, .hop_s = 0.25, .smoothing = 1.0, .threshold = 0.0};
    LiveClassifier lagging = microLive(options);
    const auto samples = silenceThenTone();
    const auto arrived = std::chrono::steady_clock::now() - std::chrono::milliseconds(40);
    // Nothing is due before a whole window arrived.
    EXPECT_FALSE(lagging.pushLatest(samples.data(), 31999, arrived).has_value());
    // One sample completes the first window: one update, nothing skipped.
    auto first = lagging.pushLatest(samples.data() + 31999, 1, arrived);
    ASSERT_TRUE(first.has_value());
    EXPECT_DOUBLE_EQ(first->time_s, 1.0);
    EXPECT_EQ(first->skipped, 0);
    EXPECT_TRUE(first->silent);
    EXPECT_GE(first->latency_ms, 40.0);  // measured from when the samples arrived
    // 2.1 s at once (the consumer lagged): due at 1.25 ... 3.0 s = 8 updates, 7 skipped; the
    // window classified is the newest second, the same as push() sees at 3.1 s.
    auto late = lagging.pushLatest(samples.data() + 32000, 67200, arrived);
    ASSERT_TRUE(late.has_value());
    EXPECT_EQ(late->skipped, 7);
    EXPECT_NEAR(late->time_s, 3.1, 1e-9);
    EXPECT_FALSE(late->silent);
    std::vector<float> newest(samples.begin() + 99200 - 32000, samples.begin() + 99200);
    LiveClassifier fresh = microLive(options);
    const auto same = fresh.push(newest.data(), newest.size());
    ASSERT_EQ(same.size(), 1u);
    EXPECT_LT(test::maxAbsDiff(late->raw, same[0].raw).max_abs, 1e-5);
    // The next update is due one hop after the last skipped one (3.25 s), not after 3.1 s.
    EXPECT_FALSE(lagging.pushLatest(samples.data() + 99200, 4799, arrived).has_value());
    auto next = lagging.pushLatest(samples.data() + 103999, 1, arrived);
    ASSERT_TRUE(next.has_value());
    EXPECT_DOUBLE_EQ(next->time_s, 3.25);
    EXPECT_EQ(next->skipped, 0);
}

TEST(LiveClassifier, PollsASourceAndResets) {
    LiveClassifier live = microLive({.hop_s = 0.5, .threshold = 1.1});
    auto source = makeSyntheticSource({.kind = SignalKind::Chirp, .duration_s = 2.0});
    std::vector<LiveUpdate> updates;
    while (!source->finished()) {
        auto u = live.poll(*source);
        updates.insert(updates.end(), u.begin(), u.end());
    }
    ASSERT_EQ(updates.size(), 3u);  // 1.0, 1.5, 2.0 s
    for (const auto& u : updates)
        EXPECT_EQ(u.best, kBackgroundClass);  // nothing reaches a threshold above 1
    live.reset();
    const std::vector<float> half(16000, 0.1f);
    EXPECT_TRUE(live.push(half.data(), half.size()).empty());
    auto wrongRate = makeNullSource(16000);
    EXPECT_THROW(live.poll(*wrongRate), Error);
    EXPECT_THROW(microLive({.hop_s = 0}), Error);
    EXPECT_THROW(microLive({.smoothing = 0}), Error);
    EXPECT_THROW(microLive({.window_s = 5.0}), Error);
}

TEST(LiveClassifier, FromCheckpoint) {
    test::TempDir dir;
    saveModel(dir / "m.safetensors", PaSSTModel(passtPreset("passt-micro"), 2), {},
              {{"task", "single-label"}});
    LiveClassifier live = LiveClassifier::fromCheckpoint(dir / "m.safetensors", {.threshold = 0.0});
    const auto tone = synthesize({.kind = SignalKind::Sine, .duration_s = 1.0});
    const auto u = live.push(tone.samples.data(), tone.samples.size());
    ASSERT_EQ(u.size(), 1u);
    double sum = 0;
    for (float s : u[0].raw)
        sum += s;
    EXPECT_NEAR(sum, 1.0, 1e-5);  // softmax from the metadata
    EXPECT_EQ(live.sampleRate(), 32000);
    EXPECT_DOUBLE_EQ(live.options().hop_s, 0.25);
}

TEST(LiveClassifier, EachClassDecidesAtItsOwnThreshold) {
    // The same stream three times: all classes at 0, then the top class out of reach (threshold 1.1)
    // while the others stay at 0: the best active class is then another one.
    const auto samples = silenceThenTone();
    auto lastUpdate = [&](const LiveOptions& o) {
        LiveClassifier live = microLive(o);
        const auto updates = live.push(samples.data(), samples.size());
        return updates.back();
    };
    const LiveUpdate open = lastUpdate({.smoothing = 1.0, .threshold = 0.0});
    ASSERT_NE(open.best, kBackgroundClass);
    std::vector<double> own(open.scores.size(), 0.0);
    own[static_cast<std::size_t>(open.best)] = 1.1;
    const LiveUpdate picky = lastUpdate({.smoothing = 1.0, .threshold = 0.0, .class_thresholds = own});
    EXPECT_NE(picky.best, kBackgroundClass);
    EXPECT_NE(picky.best, open.best);
    EXPECT_LE(picky.best_score, open.best_score);
    own.assign(open.scores.size(), 1.1);  // nobody reaches theirs: background
    EXPECT_EQ(lastUpdate({.smoothing = 1.0, .threshold = 0.0, .class_thresholds = own}).best, kBackgroundClass);
}

TEST(LiveClassifier, RunsAtThePrecisionAskedOrTheFasterOne) {
    const auto samples = silenceThenTone();
    auto lastRaw = [&](LiveClassifier& live) { return live.push(samples.data(), samples.size()).back().raw; };
    LiveClassifier single = microLive({.smoothing = 1.0, .precision = "fp32"});
    EXPECT_FALSE(single.precision().bf16);
    EXPECT_EQ(single.precision().fp32_ms, 0.0);  // asked, not measured
    const std::vector<float> fp32 = lastRaw(single);
    LiveClassifier half = microLive({.smoothing = 1.0, .precision = "bf16"});
    EXPECT_TRUE(half.precision().bf16);
    const std::vector<float> bf16 = lastRaw(half);
    ASSERT_EQ(bf16.size(), fp32.size());
    float largest = 0;
    for (std::size_t c = 0; c < fp32.size(); ++c)
        largest = std::max(largest, std::abs(bf16[c] - fp32[c]));
    EXPECT_GT(largest, 0.0f);   // autocast did run
    EXPECT_LT(largest, 0.02f);  // and stayed close
    LiveClassifier faster = microLive({.smoothing = 1.0, .precision = "auto"});
    const LivePrecision& chosen = faster.precision();
    if (detectCpuFeatures().avx512_bf16) {
        ASSERT_GT(chosen.fp32_ms, 0.0);
        ASSERT_GT(chosen.bf16_ms, 0.0);
        EXPECT_EQ(chosen.bf16, chosen.bf16_ms < chosen.fp32_ms);
    } else {
        EXPECT_FALSE(chosen.bf16);  // nothing to gain: not measured
        EXPECT_EQ(chosen.bf16_ms, 0.0);
    }
    // The classifier kept is the one chosen: its scores are those of that precision.
    const std::vector<float> kept = lastRaw(faster);
    const std::vector<float>& expected = chosen.bf16 ? bf16 : fp32;
    ASSERT_EQ(kept.size(), expected.size());
    for (std::size_t c = 0; c < kept.size(); ++c)
        EXPECT_NEAR(kept[c], expected[c], 1e-6f);
    test::expectError([] { microLive({.precision = "fp16"}); }, ErrorCode::InvalidArgument, "fp32, bf16 or auto");
}
