// `patchout demo`: the README's main job on built-in data. It speaks the digits with espeak-ng,
// writes the recording and its PaSST log-mel picture, generates the synth-words dataset, trains
// passt-micro on it (a few minutes on 2 cores; --quick: a few steps), reports the accuracy on the
// voices training never heard, evaluates the best model on them into the run's eval/ folder, and
// opens the workbench on the recording and the run when a display is available (else prints
// where the run folder is).
#include "commands.h"
#include "output.h"
#include "progress_bar.h"

#include "patchout/audio_file.h"
#include "patchout/features.h"
#include "patchout/recipes.h"
#include "patchout/resampler.h"
#include "patchout/run_jobs.h"
#include "patchout/speech.h"
#include "patchout/synth_words.h"
#include "patchout/text.h"
#include "patchout/trainer.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct DemoArgs {
    std::string out = "runs/demo";
    bool noGui = false;
    bool quick = false;
    int epochs = 0;  // 0: the demo's default
};

// The from-scratch recipe (core recipes.h, docs/training.md): passt-micro, roll / gain / frequency
// shift, lr 1e-3, one epoch of warm-up, cosine decay. 50 epochs of 38 steps: 93.8-98.8% on the
// held-out voices in 6 minutes on 2 cores (30 epochs: 88.8% in 4).
TrainOptions demoTrainOptions(const DemoArgs& a, const fs::path& cache) {
    TrainOptions o = trainRecipe("from-scratch");
    if (a.epochs > 0 || a.quick)
        o.epochs = a.epochs > 0 ? a.epochs : 1;
    if (a.quick)
        o.warmup_steps = 1;
    o.cache_dir = cache;
    o.log_every_steps = 5;
    return o;
}

fs::path trainDemo(const DemoArgs& a) {
    const fs::path data = fs::path(a.out) / (a.quick ? "synth-words-quick" : "synth-words");
    if (!fs::exists(data / "labels.csv")) {
        SynthWordsOptions so;
        so.overwrite = true;
        if (a.quick) {  // a taste: 10 training voices, one take each
            so.train_voices.resize(10);
            so.takes_per_voice = 1;
        }
        ProgressBar bar("speak", true);
        JobControl job([&](const Progress& p) {
            Progress q = p;
            q.message = "clips";
            bar.update(q);
        });
        const SynthWordsResult made = makeSynthWords(data, so, &job);
        bar.finish();
        std::cout << "Generated the synth-words dataset: " << made.clips << " clips in "
                  << fs::absolute(made.dir).string() << "\n";
    }
    const Dataset ds = readDataset(data);
    const DatasetSplit split = splitByDataset(ds);
    const fs::path run = fs::path(a.out) / "run";
    std::error_code ec;
    fs::remove_all(run, ec);  // each demo trains afresh
    const TrainOptions o = demoTrainOptions(a, fs::path(a.out) / "feature-cache");
    std::cout << "Training " << o.preset << " on " << split.train.size() << " clips (" << ds.classes.size()
              << " words, " << o.epochs << " epochs); validation and test voices are never heard "
              << "in training\n"
              << std::flush;
    ProgressBar bar("train", true);
    JobControl job([&](const Progress& p) { bar.update(p); });
    const TrainResult r = train(ds, split, o, run, &job);
    bar.finish();
    std::printf("Held-out voices accuracy: %.1f%% on %zu test clips (trained %s, %lld steps)\n",
                100.0 * r.test.accuracy, r.test.examples, formatDuration(r.seconds).c_str(),
                static_cast<long long>(r.steps));
    printFloor(r);
    if (a.quick)
        std::cout << "(--quick trains a few steps only: the accuracy above is not the demo's)\n";
    // The run's eval/ folder (the workbench's Evaluate view and report.md read it) and its
    // embeddings/ (the Embeddings view; `patchout similar --index RUN/embeddings`): what `patchout
    // eval --run` and `patchout embed --run` write, for the best model (epoch by validation voices).
    {
        ProgressBar evalBar("eval", true);
        JobControl evalJob([&](const Progress& p) { evalBar.update(p); });
        const EvaluateResult e = evaluateRun(run, {}, &evalJob);
        evalBar.finish();
        std::printf("Best model (epoch by validation voices) on the test voices: %.1f%%, macro F1 %.3f; "
                    "report in %s\n",
                    100.0 * e.report.accuracy, e.report.classification.macro.f1,
                    fs::absolute(e.out / "report.md").c_str());
    }
    {
        ProgressBar embedBar("embed", true);
        JobControl embedJob([&](const Progress& p) { embedBar.update(p); });
        const EmbedResult m = embedRun(run, {}, "auto", &embedJob);
        embedBar.finish();
        std::cout << "Embedded the " << m.rows << " clips (" << m.dim << "-d, " << m.projection
                  << " map): " << fs::absolute(m.out).string() << "\n";
    }
    std::cout << "Run folder: " << fs::absolute(run).string() << "\n";
    return run;
}

fs::path siblingProgram(const char* name) {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path(name) : self.parent_path() / name;
}

void runDemo(const DemoArgs& a) {
    const FeatureOptions preset = featurePreset("passt-32k");
    const fs::path dir = a.out;
    Waveform words;
    words.sample_rate = preset.sample_rate;
    const char* voices[] = {"en", "en-us", "en+f3"};
    int i = 0;
    for (const char* word : {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                             "nine"}) {
        SpeechOptions speech;
        speech.voice = voices[i++ % 3];
        const Waveform w = resample(synthesizeSpeech(word, speech), preset.sample_rate);
        words.samples.insert(words.samples.end(), w.samples.begin(), w.samples.end());
        words.samples.insert(words.samples.end(), preset.sample_rate / 10, 0.f);
    }
    const fs::path wav = dir / "words.wav";
    saveWav(wav, words);
    const Features mel = FeatureExtractor(preset).compute(words);
    const fs::path png = dir / "words-logmel.png";
    writeFeatures(png, mel);
    std::cout << "Spoke the ten digits with espeak-ng: " << fs::absolute(wav).string() << " ("
              << words.durationSeconds() << " s)\n"
              << "PaSST log-mel (" << mel.n_bins << " x " << mel.n_frames
              << "): " << fs::absolute(png).string() << "\n";
    const fs::path run = trainDemo(a);

    const fs::path gui = siblingProgram("patchout-workbench");
    const char* display = std::getenv("DISPLAY");
    if (!a.noGui && display != nullptr && *display != '\0' && fs::exists(gui)) {
        std::cout << "Opening the workbench on " << wav.string() << " and the run\n";
        std::cout.flush();
        const std::string runArg = fs::absolute(run).string();
        ::execl(gui.c_str(), gui.c_str(), "--run", runArg.c_str(), "--view", "listen",
                fs::absolute(wav).c_str(), static_cast<char*>(nullptr));
        std::cerr << "could not start " << gui.string() << "\n";
    } else {
        std::cout << "No display (or --no-gui): the run folder is " << fs::absolute(run).string()
                  << " (model in checkpoints/best.safetensors, evaluation in eval/, embeddings in embeddings/); on a "
                     "desktop run "
                  << gui.string() << " --run " << fs::absolute(run).string() << " " << wav.string()
                  << "\n";
    }
}

}  // namespace

void addDemoCommand(CLI::App& app) {
    static DemoArgs a;
    auto* cmd = app.add_subcommand("demo", "Main job on built-in data: speak words with espeak-ng, "
                                           "train passt-micro on them, open the workbench");
    cmd->add_option("--out,-o", a.out, "Run folder")->capture_default_str();
    cmd->add_flag("--no_gui", a.noGui, "Do not open the workbench");
    cmd->add_flag("--quick", a.quick, "A tiny dataset and one epoch (for tests), not the real demo");
    cmd->add_option("--epochs", a.epochs, "Training epochs (0: the demo's 50; --quick: 1)")
        ->capture_default_str();
    cmd->callback([] { runDemo(a); });
}

}  // namespace patchout::cli
