// The run area of core: training recipes by name, RunPaths (the run folder's layout), the field
// table of TrainOptions and what resume takes from config.json, and the run jobs (evaluate, embed,
// measure speed) on a small run trained here from tones.
#include "data_support.h"
#include "patchout/checkpoint.h"
#include "patchout/error.h"
#include "patchout/recipes.h"
#include "patchout/report.h"
#include "patchout/run_folder.h"
#include "patchout/run_jobs.h"
#include "patchout/trainer.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <set>

using namespace patchout;
using patchout::test::TempDir;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// One epoch of passt-micro: a run folder with config.json, metrics and checkpoints.
fs::path trainTinyRun(const fs::path& dir) {
    const Dataset ds = test::toneDataset(dir / "tones");
    TrainOptions o = trainRecipe("from-scratch");
    o.epochs = 1;
    o.batch_size = 4;
    o.warmup_steps = 1;
    o.cache_dir = dir / "cache";
    train(ds, defaultTrainSplit(ds), o, dir / "run");
    return dir / "run";
}

}  // namespace

TEST(Recipes, ByName) {
    const auto names = trainRecipeNames();
    ASSERT_EQ(names, (std::vector<std::string>{"from-scratch", "fine-tune"}));
    const TrainOptions scratch = trainRecipe("from-scratch");
    EXPECT_EQ(scratch.preset, "passt-micro");
    EXPECT_DOUBLE_EQ(scratch.lr, 1e-3);
    EXPECT_EQ(scratch.epochs, 50);
    EXPECT_EQ(trainOptionsToJson(scratch),
              trainOptionsToJson([] {
                  TrainOptions o = trainRecipe("from-scratch");
                  o.augment = fromScratchAugment();
                  return o;
              }()));
    EXPECT_DOUBLE_EQ(scratch.augment.mixup_alpha, 0.0);
    EXPECT_EQ(scratch.augment.time_masks, 0);
    // fine-tune is PaSST's recipe: the TrainOptions defaults, mixup and masks on.
    EXPECT_EQ(trainOptionsToJson(trainRecipe("fine-tune")), trainOptionsToJson(TrainOptions{}));
    EXPECT_GT(trainRecipe("fine-tune").augment.mixup_alpha, 0.0);
    try {
        trainRecipe("fast");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("from-scratch, fine-tune"), std::string::npos) << e.what();
    }
    EXPECT_EQ(defaultRecipeName({}), "from-scratch");
    EXPECT_EQ(defaultRecipeName("runs/a/checkpoints/best.safetensors"), "fine-tune");  // unreadable: another model
    // An encoder of `patchout pretrain` trains on with the from-scratch recipe; other models fine-tune.
    TempDir dir;
    const PaSSTModel model(passtPreset("passt-micro"));
    saveModel(dir / "pretrained.safetensors", model, {}, {{"trainer", "patchout pretrain"}});
    saveModel(dir / "trained.safetensors", model, {}, {{"trainer", "patchout train"}});
    EXPECT_EQ(defaultRecipeName(dir / "pretrained.safetensors"), "from-scratch");
    EXPECT_EQ(defaultRecipeName(dir / "trained.safetensors"), "fine-tune");
}

TEST(RunPaths, LayoutAndTheRunOfACheckpoint) {
    TempDir dir;
    const RunPaths run(dir / "r");
    EXPECT_EQ(run.config(), dir / "r" / "config.json");
    EXPECT_EQ(run.metrics(), dir / "r" / "metrics.jsonl");
    EXPECT_EQ(run.state(), dir / "r" / "checkpoints" / "state.pt");
    EXPECT_EQ(run.bestModel(), dir / "r" / "checkpoints" / "best.safetensors");
    EXPECT_EQ(run.lastModel(), dir / "r" / "checkpoints" / "last.safetensors");
    EXPECT_EQ(run.eval(), dir / "r" / "eval");
    EXPECT_EQ(run.embeddings(), dir / "r" / "embeddings");
    EXPECT_EQ(run.cache(), dir / "r" / "cache");
    // A model file is in a run only beside a config.json, in checkpoints/.
    EXPECT_TRUE(RunPaths::ofCheckpoint(run.bestModel()).empty());
    test::writeText(run.config(), "{}");
    EXPECT_EQ(RunPaths::ofCheckpoint(run.bestModel()).dir, run.dir);
    EXPECT_TRUE(RunPaths::ofCheckpoint(dir / "r" / "best.safetensors").empty());
}

TEST(TrainOptionsTable, EveryFieldOnceAndInTheJson) {
    TrainOptions o;
    std::set<std::string> names;
    int fields = 0;
    visitTrainOptions(o, [&](const char* group, const char* name, auto&, const char* help, ResumeRule) {
        ++fields;
        EXPECT_TRUE(names.insert(name).second) << "a flag name twice: " << name;
        EXPECT_GT(std::string(help).size(), 3u) << name;
        const json j = json::parse(trainOptionsToJson(o));
        EXPECT_TRUE(*group ? j.at(group).contains(name) : j.contains(name)) << name;
    });
    EXPECT_EQ(fields, 59);  // TrainOptions' fields (patchout's 3 and augment's 11 included)
    // Every field has a flag: the AdamW betas and epsilon too.
    for (const char* name : {"beta1", "beta2", "eps", "world_size", "rank"})
        EXPECT_TRUE(names.count(name)) << name;
}

TEST(TrainOptionsTable, ResumeTakesTheRunsOptionsAndRefusesContradictions) {
    TrainOptions saved;
    saved.preset = "passt-micro";
    saved.lr = 1e-3;
    saved.log_every_steps = 5;
    saved.max_steps = 3;
    TrainOptions given;  // what a call asks for: only the fields named count
    given.preset = "passt-mini";
    given.log_every_steps = 20;
    given.max_steps = 0;
    // Bookkeeping may change; PerCall ones are never taken from the run.
    TrainOptions o = resumeTrainOptions(saved, given, {"log_every_steps"});
    EXPECT_EQ(o.preset, "passt-micro");
    EXPECT_DOUBLE_EQ(o.lr, 1e-3);
    EXPECT_EQ(o.log_every_steps, 20);
    EXPECT_EQ(o.max_steps, 0);
    EXPECT_TRUE(o.resume);
    // A named Fixed field that equals the run's is fine; one that differs names both values.
    given.preset = "passt-micro";
    EXPECT_NO_THROW(resumeTrainOptions(saved, given, {"preset"}));
    given.preset = "passt-mini";
    try {
        resumeTrainOptions(saved, given, {"preset", "log_every_steps"});
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        const std::string what = e.what();
        EXPECT_NE(what.find("preset"), std::string::npos) << what;
        EXPECT_NE(what.find("passt-micro"), std::string::npos) << what;
        EXPECT_NE(what.find("passt-mini"), std::string::npos) << what;
    }
    given.augment.gain_db = 1;
    const auto found = resumeContradictions(saved, given);
    ASSERT_EQ(found.size(), 3u);  // in table order; `given` also keeps the default lr
    EXPECT_EQ(found[0].rfind("preset:", 0), 0u) << found[0];
    EXPECT_EQ(found[1].rfind("lr:", 0), 0u) << found[1];
    EXPECT_EQ(found[2].rfind("augment.gain_db:", 0), 0u) << found[2];
    EXPECT_TRUE(resumeContradictions(saved, saved).empty());
}

TEST(RunJobs, ResumeWithOtherOptionsIsRefusedNamingBoth) {
    TempDir dir;
    const Dataset ds = test::toneDataset(dir / "tones");
    TrainOptions o = trainRecipe("from-scratch");
    o.epochs = 2;
    o.batch_size = 4;
    o.max_steps = 1;
    o.cache_dir = dir / "cache";
    train(ds, defaultTrainSplit(ds), o, dir / "run");
    EXPECT_EQ(readRunState(dir / "run").step, 1);
    const TrainOptions back = readRunOptions(dir / "run");
    EXPECT_EQ(back.preset, "passt-micro");
    EXPECT_TRUE(back.resume);
    TrainOptions other = o;
    other.resume = true;
    other.max_steps = 0;
    other.preset = "passt-mini";
    try {
        train(ds, defaultTrainSplit(ds), other, dir / "run");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        const std::string what = e.what();
        EXPECT_NE(what.find("passt-micro"), std::string::npos) << what;
        EXPECT_NE(what.find("passt-mini"), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;  // one line, no backtrace
    }
    // The run's own options continue it.
    const TrainResult r = train(ds, defaultTrainSplit(ds), resumeTrainOptions(back, o, {}), dir / "run");
    EXPECT_TRUE(r.finished);
}

TEST(RunJobs, EvaluateAndEmbedARunIntoItsFolder) {
    TempDir dir;
    const fs::path run = trainTinyRun(dir.path());
    std::vector<Progress> seen;
    JobControl job([&](const Progress& p) { seen.push_back(p); });
    const EvaluateResult e = evaluateRun(run, {}, &job);
    EXPECT_EQ(e.out, RunPaths(run).eval());
    EXPECT_EQ(e.split_name, "own");
    EXPECT_EQ(e.report.n_clips, 4u);  // the test clips: every third of 6 per class
    EXPECT_FALSE(seen.empty());
    for (const char* f : {"predictions.csv", "report.json", "report.md", "confusion.csv"})
        EXPECT_TRUE(fs::is_regular_file(e.out / f)) << f;
    EXPECT_FALSE(readRunFolder(run).eval_dir.empty());
    // The report names the clips it scored; the Evaluate view reads that back.
    EXPECT_EQ(e.report.options.clips, "the test clips of split own");
    EXPECT_EQ(reportClips(e.out), "the test clips of split own");
    EXPECT_NE(test::readText(e.out / "report.md").find("4 clips (the test clips of split own)"), std::string::npos);
    EXPECT_EQ(reportClips(dir / "nowhere"), "");
    test::writeText(dir / "broken" / "report.json", "{not json");
    EXPECT_EQ(reportClips(dir / "broken"), "");
    // The same through evaluateCheckpoint on another split, with the run's best model as baseline.
    EvaluateOptions all;
    all.split = "all";
    all.baseline = RunPaths(run).bestModel();
    all.comparison.n_bootstrap = 50;
    const EvaluateResult a =
        evaluateCheckpoint(RunPaths(run).lastModel(), readDataset(dir / "tones"), dir / "all", all);
    EXPECT_EQ(a.report.n_clips, 12u);
    EXPECT_EQ(a.report.options.clips, "every clip of the dataset");
    ASSERT_TRUE(a.comparison.has_value());
    EXPECT_EQ(a.comparison->n_common, 12u);
    // The comparison comes back from report.json as written (the Evaluate view shows its verdict).
    const std::optional<BaselineComparison> back = readReportComparison(dir / "all");
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->n_common, 12u);
    EXPECT_EQ(back->baseline_source, a.comparison->baseline_source);
    ASSERT_EQ(back->metrics.size(), a.comparison->metrics.size());
    for (std::size_t i = 0; i < back->metrics.size(); ++i) {
        EXPECT_EQ(back->metrics[i].name, a.comparison->metrics[i].name);
        EXPECT_DOUBLE_EQ(back->metrics[i].ci_low, a.comparison->metrics[i].ci_low);
    }
    EXPECT_DOUBLE_EQ(back->mcnemar.p_value, a.comparison->mcnemar.p_value);
    EXPECT_EQ(comparisonVerdict(*back).text, comparisonVerdict(*a.comparison).text);
    EXPECT_FALSE(readReportComparison(dir / "nowhere").has_value());
    EXPECT_FALSE(readReportComparison(dir / "broken").has_value());

    const EmbedResult m = embedRun(run, {}, "pca");
    EXPECT_EQ(m.rows, 12);
    EXPECT_EQ(m.projection, "pca");
    const EmbedRecipe recipe = readEmbedRecipe(m.out);
    EXPECT_EQ(recipe.checkpoint, fs::absolute(RunPaths(run).bestModel()));
    EXPECT_EQ(recipe.projection, "pca");
    EXPECT_FALSE(readRunFolder(run).embeddings_dir.empty());
    EXPECT_THROW(readEmbedRecipe(dir / "nowhere"), Error);
    EXPECT_THROW(embedRun(run, {}, "umap"), Error);
    EXPECT_TRUE(readFileErrors(m.out / "errors.csv").empty());
    // A damaged file among the clips: left out of the embeddings, listed beside them.
    test::writeText(dir / "broken.wav", "RIFF but nothing more");
    const std::vector<fs::path> files = {readDataset(dir / "tones").clipPath(0), dir / "broken.wav",
                                         readDataset(dir / "tones").clipPath(1)};
    const EmbedResult some = embedFilesToFolder(RunPaths(run).bestModel(), files, {}, {"a", "b", "c"}, dir / "emb");
    EXPECT_EQ(some.rows, 2);
    ASSERT_EQ(some.skipped.size(), 1u);
    EXPECT_EQ(readFileErrors(dir / "emb" / "errors.csv").front().path, dir / "broken.wav");
    EXPECT_EQ(test::readText(dir / "emb" / "metadata.tsv").find("\tb"), std::string::npos);
    EXPECT_THROW(embedFilesToFolder(RunPaths(run).bestModel(), files, {}, {"a", "b", "c"}, dir / "emb2", {}, "auto",
                                    nullptr, /*strict=*/true),
                 Error);
    const EmbedResult none = embedFilesToFolder(RunPaths(run).bestModel(), {dir / "broken.wav"}, {}, {"b"}, dir / "emb3");
    EXPECT_EQ(none.rows, 0);
    EXPECT_FALSE(fs::exists(dir / "emb3" / "embeddings.bin"));
    // A run without a model, and a cancelled job.
    EXPECT_THROW(evaluateRun(dir / "tones"), Error);
    JobControl stop;
    stop.cancel();
    try {
        evaluateRun(run, {}, &stop);
        ADD_FAILURE() << "not cancelled";
    } catch (const Error& err) {
        EXPECT_EQ(err.code(), ErrorCode::Cancelled) << err.what();
    }
    // A clip damaged after the dataset was read: evaluation scores the others, says so in the
    // report and lists it (reading the dataset again would refuse it, naming the file).
    const Dataset tones = readDataset(dir / "tones");
    test::writeGarbage(dir / "tones" / tones.clips[0].path);
    EvaluateOptions everyClip;
    everyClip.split = "all";
    const EvaluateResult partial = evaluateCheckpoint(RunPaths(run).bestModel(), tones, dir / "eval-bad", everyClip);
    EXPECT_EQ(partial.report.n_clips, 11u);
    ASSERT_EQ(partial.skipped.size(), 1u);
    EXPECT_EQ(readFileErrors(dir / "eval-bad" / "errors.csv").size(), 1u);
    EXPECT_NE(partial.report.options.clips.find("1 of them not decodable"), std::string::npos);
    everyClip.strict = true;
    EXPECT_THROW(evaluateCheckpoint(RunPaths(run).bestModel(), tones, dir / "eval-strict", everyClip), Error);
}

// One way to score a clip: the test accuracy and loss train() logs for its last model are eval's
// on the same checkpoint and split.
TEST(RunJobs, TrainingScoresTheTestClipsAsEvalDoes) {
    TempDir dir;
    const fs::path run = trainTinyRun(dir.path());
    json logged;
    std::ifstream in(RunPaths(run).metrics());
    for (std::string line; std::getline(in, line);)
        if (const json j = json::parse(line); j.value("type", "") == "test")
            logged = j["test"];
    ASSERT_FALSE(logged.is_null());
    const EvaluateResult e = evaluateCheckpoint(RunPaths(run).lastModel(), readDataset(dir / "tones"), dir / "eval", {});
    EXPECT_EQ(logged["examples"].get<std::size_t>(), e.report.n_clips);
    EXPECT_DOUBLE_EQ(logged["accuracy"].get<double>(), e.report.accuracy);
    EXPECT_NEAR(logged["loss"].get<double>(), e.report.log_loss, 1e-4);
}

// The verdict says plainly which side of the baseline the model is, from the interval.
TEST(RunJobs, ComparisonVerdictFollowsTheInterval) {
    BaselineComparison c;
    c.confidence = 0.95;
    c.mcnemar.p_value = 0.012;
    EXPECT_EQ(comparisonVerdict(c).kind, ComparisonVerdict::Kind::None);
    EXPECT_EQ(comparisonVerdict(c).text, "");
    c.metrics = {{.name = "macro_f1", .delta = 0.1, .ci_low = 0.05, .ci_high = 0.15},
                 {.name = "accuracy", .ours = 0.9, .baseline = 0.825, .delta = 0.075, .ci_low = 0.025, .ci_high = 0.125}};
    ComparisonVerdict v = comparisonVerdict(c);
    EXPECT_EQ(v.kind, ComparisonVerdict::Kind::Beats);
    EXPECT_EQ(v.text, "the model beats the baseline: accuracy +7.5 points [+2.5, +12.5] (95% interval), McNemar p = 0.0120");
    c.metrics[1].ci_low = -0.01;
    v = comparisonVerdict(c);
    EXPECT_EQ(v.kind, ComparisonVerdict::Kind::Unclear);
    EXPECT_NE(v.text.find("DOES NOT CLEARLY BEAT"), std::string::npos) << v.text;
    EXPECT_NE(v.text.find("it includes 0"), std::string::npos) << v.text;
    c.metrics[1] = {.name = "accuracy", .delta = -0.05, .ci_low = -0.1, .ci_high = -0.01};
    EXPECT_EQ(comparisonVerdict(c).kind, ComparisonVerdict::Kind::Below);
    // Multi-label reports have mAP.
    c.metrics = {{.name = "mAP", .delta = 0.02, .ci_low = 0.01, .ci_high = 0.03}};
    EXPECT_EQ(comparisonVerdict(c).text.rfind("the model beats the baseline: mAP +2.0 points", 0), 0u);
}

TEST(RunJobs, MeasureSpeedTimesWindows) {
    PaSSTOptions po = passtPreset("passt-micro");
    po.num_classes = 2;
    Classifier classifier(PaSSTModel(po), {"a", "b"}, ScoreActivation::Softmax);
    const SpeedMeasurement s = measureSpeed(classifier, {.min_runs = 3, .max_runs = 4, .seconds = 0.0});
    EXPECT_EQ(s.runs, 3);
    EXPECT_GT(s.median_ms, 0.0);
    EXPECT_GE(s.p90_ms, s.median_ms);
    EXPECT_NEAR(s.window_s, 1.0, 0.02);  // passt-micro's 100 frames
    EXPECT_GT(s.realTimeFactor(), 0.0);
}
