// Speech through the espeak-ng program rather than its library: the library keeps synthesis state
// between utterances (the same word comes out a few samples different on every call), while a
// fresh process speaks the same bytes every time, which the demo data needs to be reproducible.
#include "patchout/speech.h"

#include "base/process.h"
#include "patchout/audio_file.h"
#include "patchout/error.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace patchout {
namespace {

constexpr const char* kProgram = "espeak-ng";

[[noreturn]] void notAvailable(const std::string& what) {
    throw Error(ErrorCode::Unsupported,
                what + " (is the espeak-ng package installed? packaging/install-deps.sh installs it)");
}

}  // namespace

Waveform synthesizeSpeech(const std::string& text, const SpeechOptions& options) {
    if (text.empty())
        throw Error(ErrorCode::InvalidArgument, "nothing to speak");
    if (options.words_per_minute < 80 || options.words_per_minute > 450 || options.pitch < 0 ||
        options.pitch > 99 || options.gap_ms < 0 || options.amplitude < 0 || options.amplitude > 200)
        throw Error(ErrorCode::InvalidArgument,
                    "speech options out of range (words_per_minute 80..450, pitch 0..99, "
                    "amplitude 0..200, gap_ms >= 0)");
    // The program silently falls back to its default voice; an unknown voice is the caller's error.
    static const std::vector<std::string> voices = listSpeechVoices("");
    const std::string base = options.voice.substr(0, options.voice.find('+'));
    if (std::find(voices.begin(), voices.end(), base) == voices.end())
        throw Error(ErrorCode::Unsupported, "espeak-ng has no voice '" + options.voice +
                                                "' (patchout synth --list-voices shows them)");
    static std::atomic<unsigned> counter{0};
    const fs::path wav = fs::temp_directory_path() /
                         ("patchout-speech-" + std::to_string(::getpid()) + "-" +
                          std::to_string(counter++) + ".wav");
    const auto result = detail::runProgram(
        {kProgram, "-v", options.voice, "-s", std::to_string(options.words_per_minute), "-p",
         std::to_string(options.pitch), "-a", std::to_string(options.amplitude), "-g",
         std::to_string(options.gap_ms / 10), "-w", wav.string(), "--stdin"},
        text);
    std::error_code ec;
    if (result.exit_code != 0 || !fs::exists(wav, ec) || fs::file_size(wav, ec) <= 44) {
        fs::remove(wav, ec);
        if (result.exit_code == -1)
            notAvailable("cannot run espeak-ng");
        throw Error(ErrorCode::Unsupported,
                    "espeak-ng could not speak '" + text + "' with voice '" + options.voice + "'");
    }
    Waveform wave;
    try {
        wave = loadAudio(wav);
    } catch (...) {
        fs::remove(wav, ec);
        throw;
    }
    fs::remove(wav, ec);
    return wave;
}

std::vector<std::string> listSpeechVoices(const std::string& language) {
    const auto result = detail::runProgram({kProgram, "--voices=" + language});
    if (result.exit_code != 0)
        notAvailable("cannot list espeak-ng voices");
    std::vector<std::string> names;
    std::istringstream lines(result.output);
    std::string line;
    std::getline(lines, line);  // header: Pty Language Age/Gender VoiceName File Other Languages
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string priority, code, gender, name, file;
        if (!(fields >> priority >> code >> gender >> name >> file) || file.rfind("mb/", 0) == 0)
            continue;  // MBROLA voices need separate, non-free data: left out
        names.push_back(code);
        // "Other Languages" such as "(en 2)" are names espeak-ng accepts for this voice too.
        std::string rest;
        std::getline(fields, rest);
        for (std::size_t open = rest.find('('); open != std::string::npos; open = rest.find('(', open + 1))
            names.push_back(rest.substr(open + 1, rest.find_first_of(" )", open) - open - 1));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::string espeakVersion() {
    const auto result = detail::runProgram({kProgram, "--version"});
    if (result.exit_code != 0)
        return "not available";
    std::istringstream words(result.output);
    std::string word, previous;
    while (words >> word) {
        if (previous == "text-to-speech:")
            return word;
        previous = word;
    }
    return result.output;
}

}  // namespace patchout
