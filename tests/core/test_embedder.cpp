// Embedder: pooled scene embeddings (cls, dist, their mean, patch mean, any block), per-timestamp
// embeddings with times in ms, the projector files and the binary matrix (with its errors).
#include "patchout/embedder.h"

#include "model/passt_module.h"
#include "patchout/audio_file.h"
#include "patchout/audio_source.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/features.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace patchout;

namespace {

Waveform tone(double seconds, double hz = 500.0) {
    return synthesize({.kind = SignalKind::Sine, .duration_s = seconds, .frequency_hz = hz});
}

}  // namespace

TEST(Embedder, HeadPoolingEqualsTheModelFeatures) {
    // One full window: the default (head) embedding is the model's own `features` output, for a
    // class-token head (cls-dist) and a patch-mean head alike.
    const Waveform wave = tone(1.0);
    Features f = FeatureExtractor(featurePreset("passt-32k")).compute(wave);
    f.n_frames = 100;
    f.data.resize(100u * 128u);
    for (HeadPooling head : {HeadPooling::Tokens, HeadPooling::Patches}) {
        PaSSTOptions o = passtPreset("passt-micro");
        o.head_pooling = head;
        PaSSTModel reference(o, 4);
        Embedder embedder(PaSSTModel(o, 4));
        EXPECT_EQ(embedder.dim(), 64);
        const auto out = reference.forward({f});
        EXPECT_LT(test::maxAbsDiff(embedder.embed(wave), out.features).max_abs, 1e-5);
        const Pooling same = head == HeadPooling::Tokens ? Pooling::ClsDist : Pooling::PatchMean;
        Embedder explicitPooling(PaSSTModel(o, 4), {.pooling = same});
        EXPECT_LT(test::maxAbsDiff(explicitPooling.embed(wave), out.features).max_abs, 1e-5);
    }
    EXPECT_EQ(poolingFromName("head"), Pooling::Head);
}

TEST(Embedder, PoolingsAndBlocksDiffer) {
    const Waveform wave = tone(2.6, 900.0);
    std::vector<std::vector<float>> all;
    for (Pooling p : {Pooling::Cls, Pooling::Dist, Pooling::ClsDist, Pooling::PatchMean}) {
        Embedder embedder(PaSSTModel(passtPreset("passt-micro"), 4), {.pooling = p});
        all.push_back(embedder.embed(wave));
        ASSERT_EQ(all.back().size(), 64u);
    }
    // cls-dist is the mean of cls and dist (averaged over the same windows).
    for (std::size_t i = 0; i < 64; ++i)
        EXPECT_NEAR(all[2][i], (all[0][i] + all[1][i]) / 2, 1e-5);
    EXPECT_GT(test::maxAbsDiff(all[0], all[3]).max_abs, 1e-4);
    Embedder block0(PaSSTModel(passtPreset("passt-micro"), 4), {.block = 0});
    EXPECT_GT(test::maxAbsDiff(block0.embed(wave), all[2]).max_abs, 1e-4);
    EXPECT_THROW(Embedder(PaSSTModel(passtPreset("passt-micro"), 4), {.block = 2}), Error);
    EXPECT_EQ(poolingFromName("patch-mean"), Pooling::PatchMean);
    EXPECT_STREQ(poolingName(Pooling::Dist), "dist");
    EXPECT_THROW(poolingFromName("max"), Error);
    Embedder e(PaSSTModel(passtPreset("passt-micro"), 4));
    EXPECT_THROW(e.embed(Waveform{}), Error);
}

TEST(Embedder, TimestampEmbeddingsFollowThePatchColumns) {
    // 2.5 s: 251 frames -> windows [0,100) [100,200) [200,251); 9 + 9 + 4 real columns.
    Embedder embedder(PaSSTModel(passtPreset("passt-micro"), 4));
    const auto ts = embedder.timestamps(tone(2.5));
    ASSERT_EQ(ts.timestamps_ms.size(), 22u);
    EXPECT_EQ(ts.embeddings.rows, 22);
    EXPECT_EQ(ts.embeddings.dim, 64);
    EXPECT_EQ(ts.embeddings.data.size(), 22u * 64u);
    EXPECT_DOUBLE_EQ(ts.timestamps_ms[0], 80.0);   // patch 16 frames: centre at frame 8 = 80 ms
    EXPECT_DOUBLE_EQ(ts.timestamps_ms[1], 180.0);  // stride 10 frames = 100 ms
    EXPECT_DOUBLE_EQ(ts.timestamps_ms[9], 1080.0); // second window starts at 1 s
    EXPECT_DOUBLE_EQ(ts.timestamps_ms[21], 2380.0);
}

TEST(Embedder, ProjectorFilesAndBinaryMatrix) {
    test::TempDir dir;
    EmbeddingMatrix m{.rows = 3, .dim = 2, .data = {1, 2, 3, 4, 5.5f, -6}};
    writeProjectorFiles(dir / "emb", m, {"file", "label"}, {{"a.wav", "x"}, {"b.wav", "y"}, {"c\t.wav", "x"}});
    std::ifstream t(dir / "emb" / "tensors.tsv");
    std::string line;
    std::getline(t, line);
    EXPECT_EQ(line, "1\t2");
    std::ifstream meta(dir / "emb" / "metadata.tsv");
    std::getline(meta, line);
    EXPECT_EQ(line, "file\tlabel");
    std::getline(meta, line);
    std::getline(meta, line);
    std::getline(meta, line);
    EXPECT_EQ(line, "c .wav\tx");
    const auto back = loadEmbeddingMatrix(dir / "emb" / "embeddings.bin");
    EXPECT_EQ(back.rows, 3);
    EXPECT_EQ(back.dim, 2);
    EXPECT_EQ(back.data, m.data);
    EXPECT_THROW(writeProjectorFiles(dir / "bad", m, {"file"}, {{"a"}}), Error);

    // Truncated and foreign files are clear errors naming the file.
    std::filesystem::resize_file(dir / "emb" / "embeddings.bin", 30);
    try {
        loadEmbeddingMatrix(dir / "emb" / "embeddings.bin");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadFormat);
        EXPECT_NE(e.context().find("embeddings.bin"), std::string::npos);
    }
    { std::ofstream(dir / "foreign.bin") << "hello, this is not a matrix at all"; }
    EXPECT_THROW(loadEmbeddingMatrix(dir / "foreign.bin"), Error);
    EXPECT_THROW(loadEmbeddingMatrix(dir / "missing.bin"), Error);
}

TEST(Embedder, FromCheckpointAndFile) {
    test::TempDir dir;
    saveModel(dir / "m.safetensors", PaSSTModel(passtPreset("passt-micro"), 6));
    saveWav(dir / "a.wav", tone(1.5));
    Embedder e = Embedder::fromCheckpoint(dir / "m.safetensors", {.pooling = Pooling::PatchMean});
    EXPECT_EQ(e.options().pooling, Pooling::PatchMean);
    EXPECT_EQ(e.sampleRate(), 32000);
    const auto v = e.embedFile(dir / "a.wav");
    ASSERT_EQ(v.size(), 64u);
    double norm = 0;
    for (float x : v)
        norm += x * x;
    EXPECT_GT(norm, 0.0);
}

TEST(Embedder, EmbedFilesStacksRowsInOrderWithProgress) {
    test::TempDir dir;
    saveModel(dir / "m.safetensors", PaSSTModel(passtPreset("passt-micro"), 6));
    saveWav(dir / "low.wav", tone(1.0, 300.0));
    saveWav(dir / "high.wav", tone(0.7, 3000.0));
    Embedder e = Embedder::fromCheckpoint(dir / "m.safetensors");
    std::vector<std::int64_t> steps;
    JobControl job([&](const Progress& p) { steps.push_back(p.step); });
    const EmbeddingMatrix m = e.embedFiles({dir / "low.wav", dir / "high.wav"}, &job);
    ASSERT_EQ(m.rows, 2);
    ASSERT_EQ(m.dim, 64);
    EXPECT_EQ(std::vector<float>(m.row(0), m.row(0) + 64), e.embedFile(dir / "low.wav"));
    EXPECT_EQ(std::vector<float>(m.row(1), m.row(1) + 64), e.embedFile(dir / "high.wav"));
    EXPECT_EQ(steps, (std::vector<std::int64_t>{1, 2}));
    JobControl cancelled;
    cancelled.cancel();
    EXPECT_THROW(e.embedFiles({dir / "low.wav"}, &cancelled), Error);
    EXPECT_THROW(e.embedFiles({dir / "missing.wav"}), Error);
}
