// Explanation maps (explain.h): a planted cause (a model that learnt to tell a 2.95 kHz tone in
// noise from noise alone) puts the largest share of the occlusion map on the frequency row holding
// 2.95 kHz; rollout is a distribution
// over the patches; the picture and the CSV are written; bad windows and names are refused;
// explainFile gives the same map from the files, with where it is strongest; patchoutRobustness
// measures the answer under random masks.
#include "data_support.h"
#include "patchout/audio_file.h"
#include "patchout/checkpoint.h"
#include "patchout/classifier.h"
#include "patchout/error.h"
#include "patchout/explain.h"
#include "patchout/features.h"
#include "patchout/recipes.h"
#include "patchout/trainer.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

using namespace patchout;
using patchout::test::TempDir;
namespace fs = std::filesystem;

namespace {

// Between mel bins 67 and 68 of the passt-32k front end: inside frequency row 6 only (rows are 16
// bins at a stride of 10, so neighbours share 6 bins; bins 66-69 belong to row 6 alone). A tone in
// a shared band would stay visible when either row is left out.
constexpr double kToneHz = 2950;

// 1 s of white noise, with the tone in it or not.
Waveform noisyClip(bool tone, std::uint32_t seed) {
    Waveform w;
    w.sample_rate = 32000;
    w.samples.resize(32000);
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 0.02f);
    for (std::size_t i = 0; i < w.samples.size(); ++i)
        w.samples[i] = noise(rng) + (tone ? 0.5f * static_cast<float>(std::sin(2 * M_PI * kToneHz * static_cast<double>(i) / 32000)) : 0.0f);
    return w;
}

}  // namespace

TEST(Explain, OcclusionFindsThePlantedTone) {
    TempDir dir;
    std::string csv = "filename,label,split\n";
    for (int i = 0; i < 48; ++i)
        for (int tone = 0; tone < 2; ++tone) {
            const std::string name = (tone ? "tone_" : "noise_") + std::to_string(i) + ".wav";
            saveWav(dir / "data" / name, noisyClip(tone == 1, static_cast<std::uint32_t>(2 * i + tone)));
            csv += name + "," + (tone ? "tone" : "noise") + "," + (i % 4 == 3 ? "test" : "train") + "\n";
        }
    test::writeText(dir / "data" / "labels.csv", csv);
    const Dataset ds = readDataset(dir / "data");
    TrainOptions o = trainRecipe("from-scratch");  // no SpecAugment masks: they would hide the tone
    o.epochs = 30;
    // Trained with patchout, as PaSST is: leaving patches out is then what the model is used to, and
    // occlusion by patchout measures the tone rather than the surprise of missing tokens (the same
    // model trained without it put most of the map on the noise rows below 500 Hz).
    o.override_patchout = true;
    o.patchout.s_patchout_t = 2;
    o.patchout.s_patchout_f = 2;
    // No random gain: with it the tone's few decibels can only be told against other bands, and the
    // map rightly spreads over those references too.
    o.augment.gain_db = 0;
    o.batch_size = 8;
    o.warmup_steps = 2;
    o.validation_fraction = 0;
    o.baseline = false;
    o.cache_dir = dir / "cache";
    const TrainResult r = train(ds, splitByDataset(ds), o, dir / "run");
    ASSERT_GE(r.test.accuracy, 0.9) << "the model did not learn the tone; nothing to explain";
    const ModelCheckpoint model = loadModel(r.last_checkpoint);
    const int toneClass = model.labels[0] == "tone" ? 0 : 1;

    FeatureExtractor extractor(featurePreset("passt-32k"));
    // The model's evidence is the band where the tone would be: for "noise" it needs that band to
    // be quiet, so leaving row 6 out of a noise clip costs the noise score most. (For "tone" on a
    // tone clip leaving row 6 out costs little: with the band absent nothing says "noise", and this
    // model answers "tone" by default; removal shows what a score needs, not what it responds to.)
    const Features window = extractor.compute(noisyClip(false, 999));
    ExplainOptions eo;
    eo.method = ExplainMethod::OcclusionFrequency;
    eo.target_class = 1 - toneClass;
    eo.softmax = true;
    const ExplanationMap map = explain(model.model, window, eo);
    EXPECT_EQ(map.freq_patches, 12);
    EXPECT_GT(map.score, 0.5f);
    const std::vector<float> rows = map.rowSums();
    double positive = 0;
    for (float v : rows)
        positive += std::max(0.0f, v);
    const auto best = static_cast<int>(std::max_element(rows.begin(), rows.end()) - rows.begin());
    EXPECT_EQ(best, 6) << "the strongest row should hold 2.95 kHz";
    const double lo = window.bin_frequencies[static_cast<std::size_t>(best * map.stride_f)];
    const double hi = window.bin_frequencies[static_cast<std::size_t>(best * map.stride_f + map.patch_size - 1)];
    EXPECT_LE(lo, kToneHz);
    EXPECT_GE(hi, kToneHz);
    EXPECT_GT(rows[6] / positive, 0.4) << "share of the positive mass on the tone's row";

    // Rollout: a distribution over the 12 x 9 patches.
    eo.method = ExplainMethod::Rollout;
    const ExplanationMap rollout = explain(model.model, window, eo);
    EXPECT_NEAR(std::accumulate(rollout.values.begin(), rollout.values.end(), 0.0), 1.0, 1e-4);
    EXPECT_EQ(rollout.time_patches, 9);
    // Time columns and single patches; the picture and the table.
    eo.method = ExplainMethod::OcclusionPatch;
    const ExplanationMap patches = explain(model.model, window, eo);
    EXPECT_EQ(patches.values.size(), 108u);
    const RgbImage picture = renderExplanation(window, patches);
    EXPECT_EQ(picture.height, 3 * 128);
    writeExplanationCsv(dir / "map.csv", patches, "tone");
    EXPECT_NE(test::readText(dir / "map.csv").find("f,t,value\n0,0,"), std::string::npos);
    EXPECT_EQ(explainMethodFromName(explainMethodName(ExplainMethod::OcclusionTime)), ExplainMethod::OcclusionTime);
    EXPECT_THROW(explainMethodFromName("gradcam"), Error);
    // Windows the model cannot take.
    Features tooLong = extractor.compute(noisyClip(true, 5));
    tooLong.append(tooLong);
    EXPECT_THROW(explain(model.model, tooLong, eo), Error);
    eo.target_class = 7;
    EXPECT_THROW(explain(model.model, window, eo), Error);

    // The same from a file and the model file (what `patchout explain` and the workbench's Explain
    // dialog run): the run's front end, the class by name, where it is strongest in hertz.
    saveWav(dir / "noise.wav", noisyClip(false, 999), WavEncoding::Float32);  // the very samples
    const FileExplanation e = explainFile(dir / "noise.wav", r.last_checkpoint,
                                          {.method = ExplainMethod::OcclusionFrequency, .target_class = "noise"});
    EXPECT_EQ(e.label, "noise");
    EXPECT_EQ(e.map.values, map.values);
    EXPECT_NEAR(e.end_s - e.start_s, 1.0, 0.02);
    ASSERT_EQ(e.strongest_bands.size(), 3u);
    EXPECT_LE(e.strongest_bands[0].from, kToneHz);
    EXPECT_GE(e.strongest_bands[0].to, kToneHz);
    EXPECT_NEAR(e.strongest_bands[0].value, rows[6] / positive, 1e-5);
    EXPECT_GE(e.strongest_bands[0].value, e.strongest_bands[1].value);
    EXPECT_DOUBLE_EQ(e.audio_end_s, e.end_s);  // a full window: nothing padded
    // A clip shorter than the model's input is explained as evaluation scores it: filled with
    // silence to the full window, the same score as the Evaluate view's.
    Waveform shortClip = noisyClip(false, 999);
    shortClip.samples.resize(12800);  // 0.4 s
    saveWav(dir / "short.wav", shortClip, WavEncoding::Float32);
    const FileExplanation padded = explainFile(dir / "short.wav", r.last_checkpoint, {.target_class = "noise"});
    EXPECT_NEAR(padded.end_s, 1.0, 0.02);
    EXPECT_NEAR(padded.audio_end_s, 0.4, 0.02);
    EXPECT_EQ(padded.map.time_patches, 9);
    Classifier scorer = Classifier::fromCheckpoint(r.last_checkpoint, evaluationInferOptions());
    const ClipResult scored = scorer.classify(loadAudio(dir / "short.wav", {.target_rate = 32000}));
    ASSERT_EQ(scored.windows.size(), 1u);
    const int noise = 1 - toneClass;
    EXPECT_NEAR(padded.map.score, scored.scores.at(static_cast<std::size_t>(noise)), 1e-5);
    const FileExplanation masked =
        explainFile(dir / "short.wav", r.last_checkpoint, {.target_class = "noise", .pad_with_silence = false});
    EXPECT_NEAR(masked.end_s, 0.4, 0.02);
    EXPECT_DOUBLE_EQ(masked.audio_end_s, masked.end_s);
    EXPECT_LT(masked.map.time_patches, 9);
    test::expectError([&] { explainFile(dir / "noise.wav", r.last_checkpoint, {.start_s = 5}); },
                      ErrorCode::InvalidArgument, "outside the recording");
    test::expectError([&] { explainFile(dir / "noise.wav", r.last_checkpoint, {.target_class = "cat"}); },
                      ErrorCode::InvalidArgument, "no class 'cat'");

    // Patchout robustness on the same clip: with nothing left out the answer is the whole
    // window's; each share has its masks; the shown mask (two time columns out) is scored.
    PatchoutRobustnessOptions ro;
    ro.drop_shares = {0.0, 0.5, 0.9};
    ro.masks = 8;
    ro.shown_mask = drawPatchoutMask({.s_patchout_t = 2}, 12, 9, 3);
    const PatchoutRobustness rb = patchoutRobustness(dir / "noise.wav", r.last_checkpoint, ro);
    EXPECT_EQ(rb.label, model.labels[static_cast<std::size_t>(rb.top_class)]);
    EXPECT_EQ(rb.patches, 108);
    ASSERT_EQ(rb.points.size(), 3u);
    EXPECT_EQ(rb.points[0].kept_patches, 108);
    EXPECT_EQ(rb.points[1].kept_patches, 54);
    EXPECT_EQ(rb.points[2].kept_patches, 108 - 97);
    EXPECT_DOUBLE_EQ(rb.points[0].same_top_share, 1.0);
    EXPECT_NEAR(rb.points[0].mean_score, rb.full_score, 1e-4);
    for (const auto& p : rb.points) {
        EXPECT_GE(p.same_top_share, 0.0);
        EXPECT_LE(p.same_top_share, 1.0);
        EXPECT_LE(p.min_score, p.mean_score + 1e-9);
        EXPECT_LE(p.mean_score, p.max_score + 1e-9);
    }
    EXPECT_TRUE(rb.shown_scored);
    EXPECT_EQ(rb.shown_kept, 108 - 2 * 12);
    ro.drop_shares = {1.0};
    test::expectError([&] { patchoutRobustness(dir / "noise.wav", r.last_checkpoint, ro); }, ErrorCode::InvalidArgument,
                      "[0, 1)");
}
