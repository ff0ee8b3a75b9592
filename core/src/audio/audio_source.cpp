#include "patchout/audio_source.h"

#include "patchout/audio_file.h"
#include "patchout/error.h"

#include <cmath>
#include <numbers>
#include <random>

namespace patchout {
namespace {

// Generates sample n of a signal; shared by synthesize() and the endless SyntheticSource so both
// produce the same samples.
class SignalGenerator {
public:
    explicit SignalGenerator(const SignalOptions& o) : m_o(o), m_rng(o.seed) {
        if (o.sample_rate < kMinSampleRate || o.sample_rate > kMaxSampleRate)
            throw Error(ErrorCode::InvalidArgument,
                        "sample rate " + std::to_string(o.sample_rate) + " out of range");
    }
    float next() {
        const double t = static_cast<double>(m_n++) / m_o.sample_rate;
        constexpr double twoPi = 2.0 * std::numbers::pi;
        switch (m_o.kind) {
        case SignalKind::Sine:
            return static_cast<float>(m_o.amplitude * std::sin(twoPi * m_o.frequency_hz * t));
        case SignalKind::Chirp: {
            // Linear sweep f(t) = f0 + (f1 - f0) t / T; phase = 2 pi (f0 t + (f1 - f0) t^2 / 2T).
            const double T = m_o.duration_s > 0 ? m_o.duration_s : 1.0;
            const double tt = std::fmod(t, T);
            const double k = (m_o.end_frequency_hz - m_o.frequency_hz) / T;
            return static_cast<float>(m_o.amplitude *
                                      std::sin(twoPi * (m_o.frequency_hz * tt + 0.5 * k * tt * tt)));
        }
        case SignalKind::WhiteNoise:
            return static_cast<float>(m_o.amplitude * m_normal(m_rng));
        case SignalKind::Silence:
            return 0.f;
        }
        return 0.f;
    }

private:
    SignalOptions m_o;
    std::int64_t m_n = 0;
    std::mt19937_64 m_rng;
    std::normal_distribution<double> m_normal{0.0, 1.0};
};

class SyntheticSource final : public AudioSource {
public:
    explicit SyntheticSource(const SignalOptions& o)
        : m_options(o), m_gen(o),
          m_total(o.duration_s > 0 ? static_cast<std::int64_t>(o.duration_s * o.sample_rate) : -1) {}
    std::string name() const override { return "synthetic"; }
    int sampleRate() const override { return m_options.sample_rate; }
    std::size_t read(float* out, std::size_t maxSamples) override {
        std::size_t n = maxSamples;
        if (m_total >= 0)
            n = static_cast<std::size_t>(std::min<std::int64_t>(n, m_total - m_done));
        for (std::size_t i = 0; i < n; ++i)
            out[i] = m_gen.next();
        m_done += static_cast<std::int64_t>(n);
        return n;
    }
    bool finished() const override { return m_total >= 0 && m_done >= m_total; }

private:
    SignalOptions m_options;
    SignalGenerator m_gen;
    std::int64_t m_total;
    std::int64_t m_done = 0;
};

class FileSource final : public AudioSource {
public:
    FileSource(const std::filesystem::path& path, int rate)
        : m_name(path.filename().string()), m_reader(path, LoadOptions{.target_rate = rate}) {}
    std::string name() const override { return m_name; }
    int sampleRate() const override { return m_reader.sampleRate(); }
    std::size_t read(float* out, std::size_t maxSamples) override {
        return m_reader.read(out, maxSamples);
    }
    bool finished() const override { return m_reader.atEnd(); }

private:
    std::string m_name;
    AudioFileReader m_reader;
};

class NullSource final : public AudioSource {
public:
    explicit NullSource(int rate) : m_rate(rate) {}
    std::string name() const override { return "none"; }
    int sampleRate() const override { return m_rate; }
    std::size_t read(float*, std::size_t) override { return 0; }
    bool finished() const override { return true; }

private:
    int m_rate;
};

}  // namespace

Waveform synthesize(const SignalOptions& options) {
    if (!(options.duration_s > 0))
        throw Error(ErrorCode::InvalidArgument, "synthesize needs a positive duration");
    SignalGenerator gen(options);
    Waveform wave;
    wave.sample_rate = options.sample_rate;
    wave.samples.resize(static_cast<std::size_t>(options.duration_s * options.sample_rate));
    for (auto& s : wave.samples)
        s = gen.next();
    return wave;
}

std::unique_ptr<AudioSource> makeSyntheticSource(const SignalOptions& options) {
    return std::make_unique<SyntheticSource>(options);
}

std::unique_ptr<AudioSource> makeFileSource(const std::filesystem::path& path, int target_rate) {
    return std::make_unique<FileSource>(path, target_rate);
}

std::unique_ptr<AudioSource> makeNullSource(int sample_rate) {
    return std::make_unique<NullSource>(sample_rate);
}

}  // namespace patchout
