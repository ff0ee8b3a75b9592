#include "commands.h"
#include "output.h"

#include "patchout/audio_file.h"
#include "patchout/audio_source.h"
#include "patchout/error.h"
#include "patchout/features.h"
#include "patchout/resampler.h"
#include "patchout/speech.h"

#include <iostream>

namespace patchout::cli {
namespace {

struct FeaturesArgs {
    std::string input;
    std::string out;
    std::string preset = "passt-32k";
    std::string colourMap = "viridis";
    double rangeDb = 80.0;
};

struct SynthArgs {
    std::string text;
    std::string signal;
    std::string out;
    std::string voice = "en";
    int rate = 32000;
    double duration = 2.0;
    double frequency = 440.0;
    double endFrequency = 12000.0;
};

void runFeatures(const FeaturesArgs& a) {
    FeatureExtractor extractor(featurePreset(a.preset));
    const Waveform wave = loadAudio(a.input, {.target_rate = extractor.options().sample_rate});
    const Features f = extractor.compute(wave);
    writeFeatures(a.out, f, a.colourMap, a.rangeDb);
    std::cout << a.input << ": " << wave.durationSeconds() << " s -> " << f.n_bins << " x "
              << f.n_frames << " (" << a.preset << ") written to " << a.out << "\n";
}

void runSynth(const SynthArgs& a) {
    Waveform wave;
    if (!a.text.empty()) {
        SpeechOptions speech;
        speech.voice = a.voice;
        wave = synthesizeSpeech(a.text, speech);
    } else {
        SignalOptions s;
        if (a.signal == "sine") s.kind = SignalKind::Sine;
        else if (a.signal == "chirp") s.kind = SignalKind::Chirp;
        else if (a.signal == "noise") s.kind = SignalKind::WhiteNoise;
        else if (a.signal == "silence") s.kind = SignalKind::Silence;
        else throw Error(ErrorCode::InvalidArgument, "give --text or --signal sine|chirp|noise|silence");
        s.sample_rate = a.rate;
        s.duration_s = a.duration;
        s.frequency_hz = a.frequency;
        s.end_frequency_hz = a.endFrequency;
        wave = synthesize(s);
    }
    if (wave.sample_rate != a.rate)
        wave = resample(wave, a.rate);
    saveWav(a.out, wave);
    std::cout << "wrote " << a.out << " (" << wave.durationSeconds() << " s, " << wave.sample_rate
              << " Hz)\n";
}

}  // namespace

void addAudioCommands(CLI::App& app) {
    static FeaturesArgs fa;
    auto* features = app.add_subcommand("features", "Compute features of an audio file and write "
                                                    "them as a picture (.png), .csv or raw .f32");
    features->add_option("input", fa.input, "Audio file (WAV, FLAC, OGG, MP3, ...)")->required();
    features->add_option("--out,-o", fa.out, "Output file: .png, .csv or .f32")->required();
    features->add_option("--preset", fa.preset, "Feature preset")
        ->capture_default_str()
        ->check(CLI::IsMember(featurePresetNames()));
    features->add_option("--colour_map", fa.colourMap, "viridis, magma or grey")->capture_default_str();
    features->add_option("--range_db", fa.rangeDb, "Dynamic range shown, dB")->capture_default_str();
    features->callback([] { runFeatures(fa); });

    static SynthArgs sa;
    auto* synth = app.add_subcommand("synth", "Write speech (espeak-ng) or a test signal to a WAV file");
    synth->add_option("--text", sa.text, "Words to speak with espeak-ng");
    synth->add_option("--signal", sa.signal, "sine, chirp, noise or silence");
    synth->add_option("--voice", sa.voice, "espeak-ng voice")->capture_default_str();
    synth->add_option("--sample_rate", sa.rate, "Output sample rate")->capture_default_str();
    synth->add_option("--duration", sa.duration, "Signal duration in seconds")->capture_default_str();
    synth->add_option("--frequency", sa.frequency, "Sine / chirp start frequency, Hz")->capture_default_str();
    synth->add_option("--end_frequency", sa.endFrequency, "Chirp end frequency, Hz")->capture_default_str();
    synth->add_option("--out,-o", sa.out, "Output WAV file");
    static bool listVoices = false;
    synth->add_flag("--list_voices", listVoices, "List the espeak-ng voices and exit");
    synth->callback([] {
        if (listVoices) {
            for (const auto& v : listSpeechVoices(""))
                std::cout << v << "\n";
            return;
        }
        if (sa.out.empty())
            throw Error(ErrorCode::InvalidArgument, "--out is required");
        runSynth(sa);
    });

    auto* devices = app.add_subcommand("devices", "List audio input devices (PortAudio)");
    devices->callback([] {
        const auto list = listInputDevices();
        if (list.empty())
            std::cout << "no audio input device found (the workbench still works on files and "
                         "the synthetic source)\n";
        for (const auto& d : list)
            std::cout << (d.is_default ? "* " : "  ") << d.index << ": " << d.name << " ["
                      << d.host_api << "], " << d.max_input_channels << " ch, "
                      << d.default_sample_rate << " Hz\n";
    });
}

}  // namespace patchout::cli
