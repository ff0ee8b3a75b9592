// Sample-rate conversion with libsoxr at high quality (its "HQ" recipe: 20-bit, 95% passband).
// resample() converts a whole waveform; Resampler converts a stream in pieces with exactly the same
// output as one call over the concatenated input.
#pragma once

#include "patchout/waveform.h"

#include <memory>
#include <vector>

namespace patchout {

Waveform resample(const Waveform& wave, int target_rate);

class Resampler {
public:
    Resampler(int input_rate, int output_rate);
    ~Resampler();
    Resampler(Resampler&&) noexcept;
    Resampler& operator=(Resampler&&) noexcept;

    // Appends converted samples of `count` new input samples to `out`.
    void process(const float* in, std::size_t count, std::vector<float>& out);
    // Flushes the filter's delay line at the end of the stream.
    void finish(std::vector<float>& out);

    int inputRate() const noexcept { return m_inputRate; }
    int outputRate() const noexcept { return m_outputRate; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    int m_inputRate;
    int m_outputRate;
};

}  // namespace patchout
