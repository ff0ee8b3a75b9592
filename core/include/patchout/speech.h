// Speech synthesis with espeak-ng, for the built-in demo data and for tests ("say 'seven' at 22 kHz").
// Each call runs the espeak-ng program, so the same text and options give the same samples every
// time, in any order. Thread-safety: reentrant.
#pragma once

#include "patchout/waveform.h"

#include <string>
#include <vector>

namespace patchout {

struct SpeechOptions {
    std::string voice = "en";  // espeak-ng voice name, e.g. "en", "en-us", "en+f3", "de"
    int words_per_minute = 160;  // espeak-ng rate, 80..450
    int pitch = 50;              // 0..99
    int amplitude = 100;         // 0..200
    int gap_ms = 0;              // pause between words
};

// Speaks `text` and returns the waveform at espeak-ng's native rate (22050 Hz). Throws
// Error(Unsupported) when espeak-ng or the voice is not available.
// Voices: language codes from listSpeechVoices() ("en", "en-us", "en-gb-scotland", ...), optionally
// with a variant ("en+f3", "en-us+m2").
Waveform synthesizeSpeech(const std::string& text, const SpeechOptions& options = {});
// Language codes of the installed voices for `language` ("" = all), MBROLA voices left out.
std::vector<std::string> listSpeechVoices(const std::string& language = "en");
std::string espeakVersion();

}  // namespace patchout
