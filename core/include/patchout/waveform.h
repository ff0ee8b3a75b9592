// Waveform: mono float samples at a known rate, the currency of the audio front end.
#pragma once

#include <cstddef>
#include <vector>

namespace patchout {

struct Waveform {
    std::vector<float> samples;  // mono, nominally in [-1, 1]
    int sample_rate = 0;

    std::size_t size() const noexcept { return samples.size(); }
    bool empty() const noexcept { return samples.empty(); }
    double durationSeconds() const noexcept {
        return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0;
    }
};

}  // namespace patchout
