#include "patchout/speech.h"

#include "patchout/error.h"

#include <espeak-ng/speak_lib.h>

#include <mutex>

namespace patchout {
namespace {

std::mutex& espeakMutex() {
    static std::mutex m;
    return m;
}

// espeak-ng is initialised once per process (synchronous mode: synthesis returns audio through a
// callback, nothing is played).
int ensureEspeak() {
    static int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, 0);
    if (rate <= 0)
        throw Error(ErrorCode::Unsupported, "espeak-ng could not start (is espeak-ng-data installed?)");
    return rate;
}

int collect(short* wav, int count, espeak_EVENT* events) {
    if (wav != nullptr && count > 0) {
        auto* out = static_cast<std::vector<float>*>(events->user_data);
        for (int i = 0; i < count; ++i)
            out->push_back(static_cast<float>(wav[i]) / 32768.0f);
    }
    return 0;
}

}  // namespace

Waveform synthesizeSpeech(const std::string& text, const SpeechOptions& options) {
    std::lock_guard lock(espeakMutex());
    const int rate = ensureEspeak();
    espeak_SetSynthCallback(collect);
    if (espeak_SetVoiceByName(options.voice.c_str()) != EE_OK)
        throw Error(ErrorCode::Unsupported, "espeak-ng has no voice '" + options.voice + "'");
    espeak_SetParameter(espeakRATE, options.words_per_minute, 0);
    espeak_SetParameter(espeakPITCH, options.pitch, 0);
    espeak_SetParameter(espeakRANGE, options.pitch_range, 0);
    espeak_SetParameter(espeakWORDGAP, options.gap_ms / 10, 0);
    Waveform wave;
    wave.sample_rate = rate;
    if (espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr,
                     &wave.samples) != EE_OK)
        throw Error(ErrorCode::Unsupported, "espeak-ng failed to speak '" + text + "'");
    espeak_Synchronize();
    if (wave.samples.empty())
        throw Error(ErrorCode::Unsupported, "espeak-ng produced no audio for '" + text + "'");
    return wave;
}

std::vector<std::string> listSpeechVoices(const std::string& language) {
    std::lock_guard lock(espeakMutex());
    ensureEspeak();
    espeak_VOICE spec{};
    spec.languages = language.c_str();
    std::vector<std::string> names;
    for (const espeak_VOICE** v = espeak_ListVoices(language.empty() ? nullptr : &spec);
         v != nullptr && *v != nullptr; ++v)
        names.emplace_back((*v)->name);
    return names;
}

std::string espeakVersion() {
    const char* path = nullptr;
    return espeak_Info(&path);
}

}  // namespace patchout
