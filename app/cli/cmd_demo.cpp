// `patchout demo`: the README's main job on built-in data. It speaks the digits with espeak-ng,
// writes the recording and its PaSST log-mel picture to a run folder, and opens the workbench on
// it when a display is available.
#include "commands.h"
#include "output.h"

#include "patchout/audio_file.h"
#include "patchout/features.h"
#include "patchout/resampler.h"
#include "patchout/speech.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace patchout::cli {
namespace {

struct DemoArgs {
    std::string out = "runs/demo";
    bool noGui = false;
};

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

    const fs::path gui = siblingProgram("patchout-workbench");
    const char* display = std::getenv("DISPLAY");
    if (!a.noGui && display != nullptr && *display != '\0' && fs::exists(gui)) {
        std::cout << "Opening the workbench on " << wav.string() << "\n";
        std::cout.flush();
        ::execl(gui.c_str(), gui.c_str(), fs::absolute(wav).c_str(), static_cast<char*>(nullptr));
        std::cerr << "could not start " << gui.string() << "\n";
    } else {
        std::cout << "No display (or --no-gui): open the picture above, or run "
                  << gui.string() << " " << wav.string() << " on a desktop.\n";
    }
}

}  // namespace

void addDemoCommand(CLI::App& app) {
    static DemoArgs a;
    auto* cmd = app.add_subcommand("demo", "Main job on built-in data: speak the digits, compute "
                                           "PaSST features, open them in the workbench");
    cmd->add_option("--out,-o", a.out, "Run folder")->capture_default_str();
    cmd->add_flag("--no-gui", a.noGui, "Do not open the workbench");
    cmd->callback([] { runDemo(a); });
}

}  // namespace patchout::cli
