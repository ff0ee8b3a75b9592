#include "patchout/resampler.h"

#include "patchout/error.h"

#include <soxr.h>

namespace patchout {

struct Resampler::Impl {
    soxr_t soxr = nullptr;
    double ratio = 1.0;
    ~Impl() {
        if (soxr)
            soxr_delete(soxr);
    }
};

Resampler::Resampler(int input_rate, int output_rate)
    : m_impl(std::make_unique<Impl>()), m_inputRate(input_rate), m_outputRate(output_rate) {
    if (input_rate <= 0 || output_rate <= 0)
        throw Error(ErrorCode::InvalidArgument, "sample rates must be positive (got " +
                                                    std::to_string(input_rate) + " -> " +
                                                    std::to_string(output_rate) + ")");
    soxr_error_t error = nullptr;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    m_impl->soxr = soxr_create(input_rate, output_rate, 1, &error, &io, &quality, nullptr);
    if (error)
        throw Error(ErrorCode::Internal, std::string("libsoxr: ") + error);
    m_impl->ratio = static_cast<double>(output_rate) / input_rate;
}

Resampler::~Resampler() = default;
Resampler::Resampler(Resampler&&) noexcept = default;
Resampler& Resampler::operator=(Resampler&&) noexcept = default;

void Resampler::process(const float* in, std::size_t count, std::vector<float>& out) {
    // soxr may take only part of the input when the output room runs out: loop until all is used.
    while (count > 0) {
        const std::size_t start = out.size();
        const std::size_t room = static_cast<std::size_t>(count * m_impl->ratio) + 256;
        out.resize(start + room);
        std::size_t used = 0, produced = 0;
        soxr_error_t error =
            soxr_process(m_impl->soxr, in, count, &used, out.data() + start, room, &produced);
        if (error)
            throw Error(ErrorCode::Internal, std::string("libsoxr: ") + error);
        out.resize(start + produced);
        in += used;
        count -= used;
    }
}

void Resampler::finish(std::vector<float>& out) {
    for (;;) {
        const std::size_t start = out.size();
        constexpr std::size_t room = 4096;
        out.resize(start + room);
        std::size_t produced = 0;
        soxr_error_t error =
            soxr_process(m_impl->soxr, nullptr, 0, nullptr, out.data() + start, room, &produced);
        if (error)
            throw Error(ErrorCode::Internal, std::string("libsoxr: ") + error);
        out.resize(start + produced);
        if (produced < room)
            break;
    }
}

Waveform resample(const Waveform& wave, int target_rate) {
    if (wave.sample_rate == target_rate)
        return wave;
    Resampler resampler(wave.sample_rate, target_rate);
    Waveform out;
    out.sample_rate = target_rate;
    out.samples.reserve(static_cast<std::size_t>(wave.size() * static_cast<double>(target_rate) /
                                                  wave.sample_rate) + 64);
    resampler.process(wave.samples.data(), wave.size(), out.samples);
    resampler.finish(out.samples);
    return out;
}

}  // namespace patchout
