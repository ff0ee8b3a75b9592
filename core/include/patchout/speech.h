// Speech synthesis with espeak-ng, for the built-in demo data and for tests ("say 'seven' at 22 kHz").
// Thread-safety: calls are serialised internally (espeak-ng has global state).
#pragma once

#include "patchout/waveform.h"

#include <string>
#include <vector>

namespace patchout {

struct SpeechOptions {
    std::string voice = "en";  // espeak-ng voice name, e.g. "en", "en-us", "en+f3", "de"
    int words_per_minute = 160;  // espeak-ng rate, 80..450
    int pitch = 50;              // 0..99
    int pitch_range = 50;        // 0..99
    int gap_ms = 0;              // pause between words
};

// Speaks `text` and returns the waveform at espeak-ng's native rate (22050 Hz). Throws
// Error(Unsupported) when espeak-ng or the voice is not available.
Waveform synthesizeSpeech(const std::string& text, const SpeechOptions& options = {});
std::vector<std::string> listSpeechVoices(const std::string& language = "en");
std::string espeakVersion();

}  // namespace patchout
