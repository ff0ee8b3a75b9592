// Classifier: windows and their timestamps, batching with masks (a padded window scores as if run
// alone), streaming equals in-memory, aggregation, activation from checkpoint metadata, bf16,
// inference patchout, result files, and a ten-minute recording.
#include "patchout/classifier.h"

#include "infer/masked_forward.h"
#include "patchout/audio_file.h"
#include "patchout/audio_source.h"
#include "patchout/batch_loader.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/features.h"
#include "patchout/passt.h"
#include "patchout/system_info.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

using namespace patchout;
using patchout::test::maxAbsDiff;
using patchout::test::TempDir;
namespace fs = std::filesystem;

namespace {

// A waveform of consecutive 1.25 s segments: sines, chirps, noise and silence in turn, so windows
// see different content.
Waveform testSignal(double seconds, std::uint64_t seed = 1) {
    Waveform wave;
    wave.sample_rate = 32000;
    const double segment = 1.25;
    int i = 0;
    while (wave.durationSeconds() < seconds - 1e-9) {
        SignalOptions o;
        o.duration_s = std::min(segment, seconds - wave.durationSeconds());
        if (o.duration_s * 32000 < 1)
            break;
        o.kind = static_cast<SignalKind>(i % 4);
        o.frequency_hz = 200.0 + 150.0 * (i % 7);
        o.seed = seed + static_cast<std::uint64_t>(i);
        o.amplitude = 0.3;
        const auto part = synthesize(o);
        wave.samples.insert(wave.samples.end(), part.samples.begin(), part.samples.end());
        ++i;
    }
    return wave;
}

Classifier microClassifier(InferOptions options = {}, std::uint64_t seed = 3) {
    return Classifier(PaSSTModel(passtPreset("passt-micro"), seed), {}, ScoreActivation::Sigmoid,
                      options);
}

// The naive path: one window at a time through PaSSTModel::forward, sigmoid.
std::vector<float> naiveScores(const PaSSTModel& model, const Features& f, std::int64_t start, int frames) {
    Features w = f;
    w.n_frames = frames;
    w.data.assign(f.data.begin() + start * f.n_bins, f.data.begin() + (start + frames) * f.n_bins);
    const auto out = model.forward({w});
    std::vector<float> s;
    for (float l : out.logits)
        s.push_back(1.0f / (1.0f + std::exp(-l)));
    return s;
}

}  // namespace

TEST(Classifier, WindowSpansCoverTheClip) {
    // 60001 frames, window 100. Hop = window: 600 full windows; the one frame left is shorter
    // than a patch and is dropped.
    auto spans = windowSpans(60001, 100, 100, 16);
    ASSERT_EQ(spans.size(), 600u);
    EXPECT_EQ(spans.back().start, 59900);
    EXPECT_EQ(spans.back().valid, 100);
    // Hop 50: 1199 full windows (last at 59900) then [59950, 60001), 51 frames.
    spans = windowSpans(60001, 100, 50, 16);
    ASSERT_EQ(spans.size(), 1200u);
    EXPECT_EQ(spans[1199].start, 59950);
    EXPECT_EQ(spans[1199].valid, 51);
    // Shorter than a window: one padded window.
    spans = windowSpans(40, 100, 50, 16);
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(spans[0].valid, 40);
    // Exactly one window, nothing left.
    EXPECT_EQ(windowSpans(100, 100, 25, 16).size(), 1u);
    EXPECT_TRUE(windowSpans(0, 100, 50, 16).empty());
    EXPECT_THROW(windowSpans(10, 0, 5, 1), Error);
}

// The count the progress total uses: the same as the spans, without making 2^40 / hop of them
// for a header that claims so (found by classifying fuzz_audio's Ogg input: 17 GB, bad_alloc).
TEST(Classifier, WindowCountEqualsTheSpansWithoutMakingThem) {
    for (std::int64_t n : {0, 1, 15, 16, 40, 99, 100, 101, 115, 116, 149, 150, 151, 250, 60001})
        for (int hop : {1, 7, 25, 50, 100, 130})
            for (int minFrames : {1, 16})
                EXPECT_EQ(windowCount(n, 100, hop, minFrames), static_cast<std::int64_t>(windowSpans(n, 100, hop, minFrames).size()))
                    << n << " " << hop << " " << minFrames;
    EXPECT_EQ(windowCount(std::int64_t{1} << 40, 100, 50, 16), ((std::int64_t{1} << 40) - 100) / 50 + 1 + 1);
    EXPECT_THROW(windowCount(10, 100, 0, 1), Error);
}

TEST(Classifier, TopKAndAggregation) {
    const auto top = topK({0.1f, 0.9f, 0.5f, 0.9f}, 3);
    ASSERT_EQ(top.size(), 3u);
    EXPECT_EQ(top[0].first, 1);  // ties: lower index first
    EXPECT_EQ(top[1].first, 3);
    EXPECT_EQ(top[2].first, 2);
    EXPECT_EQ(topK({0.1f, 0.2f}, 5).size(), 2u);
    std::vector<WindowResult> w(2);
    w[0].scores = {0.2f, 0.8f};
    w[1].scores = {0.6f, 0.4f};
    const auto mean = aggregateScores(w, Aggregation::Mean);
    const auto max = aggregateScores(w, Aggregation::Max);
    EXPECT_FLOAT_EQ(mean[0], 0.4f);
    EXPECT_FLOAT_EQ(mean[1], 0.6f);
    EXPECT_FLOAT_EQ(max[0], 0.6f);
    EXPECT_FLOAT_EQ(max[1], 0.8f);
    EXPECT_EQ(aggregationFromName("max"), Aggregation::Max);
    EXPECT_STREQ(aggregationName(Aggregation::Mean), "mean");
    EXPECT_THROW(aggregationFromName("median"), Error);
}

TEST(Classifier, ActivationFromMetadata) {
    EXPECT_EQ(activationFromMetadata({}), ScoreActivation::Sigmoid);
    EXPECT_EQ(activationFromMetadata({{"task", "multi-label"}}), ScoreActivation::Sigmoid);
    EXPECT_EQ(activationFromMetadata({{"task", "single-label"}}), ScoreActivation::Softmax);
    EXPECT_STREQ(activationName(ScoreActivation::Softmax), "softmax");
    try {
        activationFromMetadata({{"task", "regression"}});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Model);
        EXPECT_NE(std::string(e.what()).find("regression"), std::string::npos);
    }
}

TEST(Classifier, KeptPositionsAreEvenlySpread) {
    EXPECT_EQ(keptPositions(4, 0), (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(keptPositions(9, 3), (std::vector<int>{0, 2, 3, 5, 6, 8}));  // drops 1, 4, 7
    EXPECT_THROW(keptPositions(4, 4), Error);
}

// Both heads: the class tokens, and the mean of the patch tokens (where padding must be left out of
// the mean as well as out of attention).
class ClassifierPooling : public ::testing::TestWithParam<HeadPooling> {};

TEST_P(ClassifierPooling, BatchedAndPaddedWindowsEqualTheNaivePath) {
    PaSSTOptions mo = passtPreset("passt-micro");
    mo.head_pooling = GetParam();
    // 2.8 s: pre-emphasis leaves 89599 samples, frames = 89599 / 320 + 1 = 280; windows [0,100)
    // [100,200) and [200,280), the last padded (80 frames is within 1.3x of 100: same batch).
    const Waveform wave = testSignal(2.8);
    PaSSTModel reference(mo, 3);
    Classifier classifier(PaSSTModel(mo, 3), {}, ScoreActivation::Sigmoid, {.batch_size = 8});
    const ClipResult r = classifier.classify(wave, "clip");
    ASSERT_EQ(r.windows.size(), 3u);
    EXPECT_EQ(classifier.stats().batches, 1);
    EXPECT_EQ(classifier.stats().padded_windows, 1);
    EXPECT_DOUBLE_EQ(r.windows[2].start_s, 2.0);
    EXPECT_NEAR(r.windows[2].end_s, 2.8, 1e-4);  // the clip's duration (one sample short of 2.8 s)
    const Features f = FeatureExtractor(featurePreset("passt-32k")).compute(wave);
    ASSERT_EQ(f.n_frames, 280);
    const std::int64_t starts[] = {0, 100, 200};
    const int lengths[] = {100, 100, 80};
    for (int i = 0; i < 3; ++i) {
        const auto expected = naiveScores(reference, f, starts[i], lengths[i]);
        const auto d = maxAbsDiff(r.windows[static_cast<std::size_t>(i)].scores, expected);
        EXPECT_LT(d.max_abs, 1e-5) << "window " << i << " class " << d.index;
    }
    // Without the mask the padding would change the last window: the mask matters.
    PaSSTModel plain(mo, 3);
    Features padded = f;
    padded.n_frames = 100;
    padded.data.assign(f.data.begin() + 200 * f.n_bins, f.data.end());
    padded.data.resize(static_cast<std::size_t>(100) * f.n_bins, 0.0f);
    const auto unmasked = plain.forward({padded});
    std::vector<float> unmaskedScores;
    for (float l : unmasked.logits)
        unmaskedScores.push_back(1.0f / (1.0f + std::exp(-l)));
    EXPECT_GT(maxAbsDiff(unmaskedScores, r.windows[2].scores).max_abs, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Heads, ClassifierPooling,
                         ::testing::Values(HeadPooling::Tokens, HeadPooling::Patches),
                         [](const auto& info) { return headPoolingName(info.param); });

TEST(Classifier, PadWithSilenceRunsTheWindowAsTrainingPadsIt) {
    // 0.55 s = 55 frames: one short window, filled with the features of silence to 100 frames
    // and run whole (no mask), as the trainer's loader pads a short clip.
    const Waveform wave = testSignal(0.55);
    PaSSTModel reference(passtPreset("passt-micro"), 3);
    Classifier classifier(PaSSTModel(passtPreset("passt-micro"), 3), {}, ScoreActivation::Sigmoid,
                          {.pad_with_silence = true});
    const ClipResult r = classifier.classify(wave, "clip");
    ASSERT_EQ(r.windows.size(), 1u);
    EXPECT_NEAR(r.windows[0].end_s, 0.55, 1e-4);
    EXPECT_EQ(classifier.stats().padded_windows, 0);  // nothing masked
    const FeatureOptions fo = featurePreset("passt-32k");
    Features f = FeatureExtractor(fo).compute(wave);
    ASSERT_LT(f.n_frames, 100);
    f.data.resize(static_cast<std::size_t>(100) * f.n_bins, silenceValue(fo));
    f.n_frames = 100;
    const auto expected = naiveScores(reference, f, 0, 100);
    EXPECT_LT(maxAbsDiff(r.windows[0].scores, expected).max_abs, 1e-5);
    // The default masks instead, which scores differently.
    Classifier masked = microClassifier();
    EXPECT_GT(maxAbsDiff(masked.classify(wave).windows[0].scores, expected).max_abs, 1e-5);
}

TEST(Classifier, StreamedSourceEqualsInMemory) {
    const Waveform wave = testSignal(7.3);
    Classifier a = microClassifier({.hop_s = 0.25, .batch_size = 5, .read_block = 777});
    Classifier b = microClassifier({.hop_s = 0.25, .batch_size = 64});
    struct VectorSource final : AudioSource {
        const Waveform& w;
        std::size_t pos = 0;
        explicit VectorSource(const Waveform& wave) : w(wave) {}
        std::string name() const override { return "vector"; }
        int sampleRate() const override { return w.sample_rate; }
        std::size_t read(float* out, std::size_t n) override {
            n = std::min(n, w.samples.size() - pos);
            std::copy_n(w.samples.data() + pos, n, out);
            pos += n;
            return n;
        }
        bool finished() const override { return pos >= w.samples.size(); }
    } source(wave);
    const ClipResult streamed = a.classifySource(source, "stream");
    const ClipResult whole = b.classify(wave);
    // frames = 233599 / 320 + 1 = 730: full windows at 0, 25, ..., 625 (26), then [650, 730).
    ASSERT_EQ(streamed.windows.size(), 27u);
    ASSERT_EQ(whole.windows.size(), streamed.windows.size());
    for (std::size_t i = 0; i < whole.windows.size(); ++i) {
        EXPECT_DOUBLE_EQ(streamed.windows[i].start_s, whole.windows[i].start_s);
        EXPECT_DOUBLE_EQ(streamed.windows[i].end_s, whole.windows[i].end_s);
        EXPECT_LT(maxAbsDiff(streamed.windows[i].scores, whole.windows[i].scores).max_abs, 1e-5);
    }
    EXPECT_DOUBLE_EQ(streamed.windows.back().end_s, 7.3);
    EXPECT_GE(a.stats().batches, 6);
}

TEST(Classifier, SingleLabelCheckpointGivesSoftmax) {
    TempDir dir;
    PaSSTModel model(passtPreset("passt-micro"), 5);
    std::vector<std::string> labels;
    for (int i = 0; i < 10; ++i)
        labels.push_back("w" + std::to_string(i));
    saveModel(dir / "m.safetensors", model, labels, {{"task", "single-label"}});
    Classifier c = Classifier::fromCheckpoint(dir / "m.safetensors", {.top_k = 3});
    EXPECT_EQ(c.activation(), ScoreActivation::Softmax);
    EXPECT_EQ(c.label(4), "w4");
    const auto r = c.classify(testSignal(3.0));
    for (const auto& w : r.windows) {
        double sum = 0;
        for (float s : w.scores)
            sum += s;
        EXPECT_NEAR(sum, 1.0, 1e-5);
    }
    ASSERT_EQ(r.top.size(), 3u);
    EXPECT_GE(r.top[0].second, r.top[1].second);

    saveModel(dir / "bad.safetensors", model, labels, {{"task", "ranking"}});
    try {
        Classifier::fromCheckpoint(dir / "bad.safetensors");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Model);
        EXPECT_NE(e.context().find("bad.safetensors"), std::string::npos);
    }
}

TEST(Classifier, RejectsBadOptions) {
    EXPECT_THROW(microClassifier({.window_s = 2.0}), Error);   // longer than the 1 s model input
    EXPECT_THROW(microClassifier({.window_s = 0.05}), Error);  // shorter than a patch
    EXPECT_THROW(microClassifier({.batch_size = -1}), Error);
    // Automatic batch size: 32 windows of passt-micro's 110 tokens, PaSST-S's 1,190-token
    // windows one by one.
    EXPECT_EQ(microClassifier({.batch_size = 0}).batchSize(), 32);
    EXPECT_EQ(microClassifier({.batch_size = 5}).batchSize(), 5);
    PaSSTOptions s = passtPreset("passt-s");
    s.depth = 1;  // the shape is what matters, not the weights
    EXPECT_EQ(Classifier(PaSSTModel(s), {}, ScoreActivation::Sigmoid).batchSize(), 1);
    EXPECT_THROW(microClassifier({.patchout_t = 9}), Error);   // 9 time columns in 1 s
    Classifier c = microClassifier();
    EXPECT_THROW(c.classify(Waveform{}), Error);
}

TEST(Classifier, InferencePatchoutChangesScoresButStaysValid) {
    const Waveform wave = testSignal(3.0);
    Classifier full = microClassifier();
    Classifier dropped = microClassifier({.patchout_t = 4, .patchout_f = 3});
    const auto a = full.classify(wave);
    const auto b = dropped.classify(wave);
    ASSERT_EQ(a.windows.size(), b.windows.size());
    EXPECT_GT(maxAbsDiff(a.scores, b.scores).max_abs, 1e-6);
    for (const auto& w : b.windows)
        for (float s : w.scores)
            EXPECT_TRUE(s > 0.0f && s < 1.0f);
}

TEST(Classifier, Bf16StaysCloseToFp32) {
    const Waveform wave = testSignal(4.0);
    Classifier fp32 = microClassifier({.hop_s = 0.5});
    Classifier bf16 = microClassifier({.hop_s = 0.5, .bf16 = true});
    const std::vector<ClipResult> a = {fp32.classify(wave)};
    const std::vector<ClipResult> b = {bf16.classify(wave)};
    const PrecisionReport report = comparePrecision(a, b);
    EXPECT_EQ(report.windows, 7);  // 400 frames: 7 full windows (hop 50), nothing left
    EXPECT_GT(report.max_score_diff, 0.0);  // autocast really ran in bfloat16
    EXPECT_LT(report.max_score_diff, 0.05);
    EXPECT_GE(report.top1_agreement, 0.5);
    const PrecisionReport same = comparePrecision(a, a);
    EXPECT_DOUBLE_EQ(same.max_score_diff, 0.0);
    EXPECT_DOUBLE_EQ(same.top1_agreement, 1.0);
    EXPECT_THROW(comparePrecision(a, {}), Error);
}

TEST(Classifier, RunsWhereItsDeviceSaysAndRefusesAMissingGpu) {
    const Waveform wave = testSignal(2.0);
    Classifier cpu = microClassifier({.device = "cpu"});
    Classifier automatic = microClassifier({.device = "auto"});
    const auto a = cpu.classify(wave);
    const auto b = automatic.classify(wave);
    ASSERT_EQ(a.windows.size(), b.windows.size());
    EXPECT_EQ(cpu.device(), ComputeDevice::Cpu);
    EXPECT_EQ(automatic.device(), cudaStatus().usable() ? ComputeDevice::Cuda : ComputeDevice::Cpu);
    if (cudaStatus().usable()) {
        EXPECT_LT(maxAbsDiff(a.scores, b.scores).max_abs, 1e-4);  // the GPU agrees with the CPU
    } else {
        EXPECT_EQ(maxAbsDiff(a.scores, b.scores).max_abs, 0.0);  // auto is the CPU here
        try {
            microClassifier({.device = "cuda"});
            ADD_FAILURE() << "--device cuda without CUDA must be refused";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::Unsupported);
            EXPECT_NE(e.message().find("use --device cpu or auto"), std::string::npos) << e.message();
        }
    }
    EXPECT_THROW(microClassifier({.device = "gpu"}), Error);
}

TEST(Classifier, CollectsFilesAndWritesResults) {
    TempDir dir;
    std::filesystem::create_directories(dir / "sub");
    saveWav(dir / "sub" / "b.wav", testSignal(2.2, 7));
    saveWav(dir / "a.wav", testSignal(0.4, 9));
    { std::ofstream(dir / "notes.txt") << "not audio"; }
    const auto files = collectAudioFiles({dir.path()});
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].filename(), "a.wav");
    EXPECT_THROW(collectAudioFiles({dir / "missing"}), Error);

    Classifier c = microClassifier({.top_k = 2});
    const auto results = c.classifyFiles(files);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].windows.size(), 1u);  // 0.4 s: one padded window
    EXPECT_EQ(results[1].windows.size(), 3u);  // 2.2 s: 220 frames -> 2 full + [200, 220)
    // Windows of both files, batched by similar length: {20 frames}, {40}, {100, 100}.
    EXPECT_EQ(c.stats().batches, 3);

    writeResults(dir / "r.csv", results, c);
    std::ifstream csv(dir / "r.csv");
    std::string line;
    int rows = 0, clipRows = 0;
    std::getline(csv, line);
    EXPECT_EQ(line, "file,kind,start_s,end_s,rank,class,label,score");
    while (std::getline(csv, line)) {
        ++rows;
        clipRows += line.find(",clip,") != std::string::npos;
    }
    EXPECT_EQ(rows, (1 + 3) * 2 + 2 * 2);
    EXPECT_EQ(clipRows, 4);

    writeResults(dir / "r.json", results, c);
    std::ifstream jf(dir / "r.json");
    const auto doc = nlohmann::json::parse(jf);
    EXPECT_EQ(doc["activation"], "sigmoid");
    ASSERT_EQ(doc["files"].size(), 2u);
    EXPECT_EQ(doc["files"][1]["windows"].size(), 3u);
    EXPECT_EQ(doc["files"][1]["scores"].size(), 10u);
    EXPECT_THROW(writeResults(dir / "r.txt", results, c), Error);

    JobControl job;
    job.cancel();
    try {
        c.classifyFiles(files, &job);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Cancelled);
    }
}

TEST(Classifier, ParallelPassesEqualOneAtATimeAndRestoreTheThreads) {
    TempDir dir;
    std::vector<std::filesystem::path> files;
    for (int i = 0; i < 6; ++i) {
        files.push_back(dir / ("clip" + std::to_string(i) + ".wav"));
        saveWav(files.back(), testSignal(0.6 + 0.9 * i, static_cast<std::uint64_t>(i)));
    }
    configureThreads({.torch_threads = 1, .blas_threads = 2});
    const ThreadOptions before = currentThreads();
    // Batches of 2 windows: 20 windows give several flushes with several batches each.
    Classifier one = microClassifier({.batch_size = 2, .workers = 1});
    Classifier two = microClassifier({.batch_size = 2, .workers = 2});
    const auto a = one.classifyFiles(files);
    const auto b = two.classifyFiles(files);
    EXPECT_EQ(one.stats().workers, 1);
    EXPECT_EQ(two.stats().workers, 2);
    EXPECT_EQ(one.stats().windows, two.stats().windows);
    const PrecisionReport same = comparePrecision(a, b);
    EXPECT_EQ(same.windows, one.stats().windows);
    EXPECT_LT(same.max_score_diff, 1e-6);
    EXPECT_EQ(same.top1_agreement, 1.0);
    const ThreadOptions after = currentThreads();
    EXPECT_EQ(after.torch_threads, before.torch_threads);
    EXPECT_EQ(after.blas_threads, before.blas_threads);
    // A job cancelled at its first batch (passes of the next group may be running) leaves
    // neither running passes nor changed settings behind.
    JobControl job([&job](const Progress&) { job.cancel(); });
    EXPECT_THROW(two.classifyFiles(files, &job), Error);
    EXPECT_EQ(currentThreads().blas_threads, before.blas_threads);
    EXPECT_EQ(two.classify(testSignal(1.0, 3), "after").windows.size(), 1u);
}

TEST(Classifier, StaysUsableAfterAFileFails) {
    TempDir dir;
    saveWav(dir / "good.wav", testSignal(1.5, 7));
    Classifier c = microClassifier();
    std::int64_t reports = 0;
    {
        // The job lives only as long as the failing call, as a GUI worker's does.
        JobControl job([&reports](const Progress&) { ++reports; });
        EXPECT_THROW(c.classifyFiles({dir / "good.wav", dir / "missing.wav"}, &job), Error);
    }
    // Later calls neither report to the job that ended nor see its windows.
    const ClipResult clip = c.classify(testSignal(1.0, 3), "after");
    EXPECT_EQ(clip.windows.size(), 1u);
    const auto again = c.classifyFiles({dir / "good.wav"});
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].windows.size(), 2u);
    EXPECT_EQ(reports, 0);
}

TEST(Classifier, SkipsBadFilesAndKeepsTheGoodOnes) {
    TempDir dir;
    saveWav(dir / "a.wav", testSignal(2.5, 7));
    saveWav(dir / "d.wav", testSignal(0.7, 8));
    { std::ofstream(dir / "b.wav"); }                          // empty
    { std::ofstream(dir / "c.wav") << "RIFF\x10\0\0\0WAVEjunkjunk"; }  // a header and nothing after
    { std::ofstream(dir / "notes.txt") << "not audio"; }
    const std::vector<fs::path> files = {dir / "a.wav", dir / "b.wav", dir / "c.wav", dir / "notes.txt",
                                         dir / "d.wav", dir / "missing.wav"};
    // Batches of 2 windows: the good files' windows share batches across the bad ones.
    Classifier c = microClassifier({.batch_size = 2});
    std::vector<FileError> skipped;
    const auto results = c.classifyFiles(files, nullptr, &skipped);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].name, (dir / "a.wav").string());
    EXPECT_EQ(results[1].name, (dir / "d.wav").string());
    ASSERT_EQ(skipped.size(), 4u);
    EXPECT_EQ(skipped[0].path, dir / "b.wav");
    EXPECT_NE(skipped[0].reason.find("empty"), std::string::npos) << skipped[0].reason;
    EXPECT_EQ(skipped[3].path, dir / "missing.wav");
    for (const FileError& e : skipped)
        EXPECT_FALSE(e.reason.empty());
    // The good files score as they do alone.
    Classifier alone = microClassifier({.batch_size = 2});
    const PrecisionReport same = comparePrecision(alone.classifyFiles({dir / "a.wav", dir / "d.wav"}), results);
    EXPECT_LT(same.max_score_diff, 1e-6);
    // Without a list the first bad file ends the job; a cancelled job is never a skipped file.
    EXPECT_THROW(c.classifyFiles(files), Error);
    JobControl stop;
    stop.cancel();
    skipped.clear();
    EXPECT_THROW(c.classifyFiles(files, &stop, &skipped), Error);
}

TEST(Classifier, TenMinuteRecordingWithTimestamps) {
    TempDir dir;
    const Waveform wave = testSignal(600.0, 11);
    ASSERT_EQ(wave.samples.size(), 600u * 32000u);
    saveWav(dir / "ten_minutes.wav", wave, WavEncoding::Float32);
    int reports = 0;
    std::int64_t lastTotal = 0;
    JobControl job([&](const Progress& p) {
        ++reports;
        lastTotal = p.total;
    });
    Classifier c = microClassifier({.hop_s = 0.5, .batch_size = 64, .aggregation = Aggregation::Max});
    const auto results = c.classifyFiles({dir / "ten_minutes.wav"}, &job);
    ASSERT_EQ(results.size(), 1u);
    const auto& r = results[0];
    EXPECT_DOUBLE_EQ(r.duration_s, 600.0);
    // 19,199,999 samples after pre-emphasis: 60000 frames; window 100, hop 50: 1199 windows,
    // the last one ending exactly at 600 s.
    ASSERT_EQ(r.windows.size(), 1199u);
    EXPECT_EQ(lastTotal, 1199);  // the estimate from the header is exact
    EXPECT_EQ(reports, (1199 + 63) / 64);
    EXPECT_EQ(c.stats().padded_windows, 0);
    for (std::size_t k = 0; k < r.windows.size(); ++k) {
        ASSERT_NEAR(r.windows[k].start_s, 0.5 * static_cast<double>(k), 1e-9) << k;
        ASSERT_NEAR(r.windows[k].end_s, std::min(0.5 * static_cast<double>(k) + 1.0, 600.0), 1e-9) << k;
        ASSERT_EQ(r.windows[k].scores.size(), 10u);
    }
    // Max aggregation equals the per-class maximum over windows, and its top-k is sorted.
    for (int cls = 0; cls < 10; ++cls) {
        float m = 0;
        for (const auto& w : r.windows)
            m = std::max(m, w.scores[static_cast<std::size_t>(cls)]);
        EXPECT_FLOAT_EQ(r.scores[static_cast<std::size_t>(cls)], m);
    }
    EXPECT_EQ(r.top.size(), 5u);
    // The streamed file gives the windows the in-memory classification gives (spot checks).
    Classifier memory = microClassifier({.hop_s = 0.5, .batch_size = 64});
    Waveform head;
    head.sample_rate = 32000;
    head.samples.assign(wave.samples.begin(), wave.samples.begin() + 32000 * 20);
    const auto first = memory.classify(head);
    for (std::size_t k = 0; k < 30; ++k)
        EXPECT_LT(maxAbsDiff(first.windows[k].scores, r.windows[k].scores).max_abs, 1e-5) << k;
    // Windows differ along the recording (the content changes every 1.25 s).
    EXPECT_GT(maxAbsDiff(r.windows[0].scores, r.windows[3].scores).max_abs, 1e-6);
}
