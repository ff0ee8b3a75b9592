#include "patchout/features.h"

#include "patchout/audio_file.h"
#include "patchout/error.h"
#include "patchout/resampler.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace patchout {

void FeatureOptions::validate() const {
    auto bad = [](const std::string& what) { throw Error(ErrorCode::InvalidArgument, what); };
    if (sample_rate < kMinSampleRate || sample_rate > kMaxSampleRate)
        bad("sample_rate " + std::to_string(sample_rate) + " out of range");
    if (n_fft < 16 || n_fft > 65536)
        bad("n_fft must be in 16..65536");
    if (win_length < 1 || win_length > n_fft)
        bad("win_length must be in 1..n_fft");
    if (hop_length < 1)
        bad("hop_length must be >= 1");
    if (preemphasis < 0 || preemphasis >= 1)
        bad("preemphasis must be in [0, 1)");
    if (frequency_scale == FrequencyScale::Mel && n_mels < 1)
        bad("n_mels must be >= 1");
    if (log == LogMode::Ln && !(log_offset > 0))
        bad("log_offset must be > 0");
    if (log == LogMode::Db && !(db_floor > 0))
        bad("db_floor must be > 0");
    if (normalize_div == 0)
        bad("normalize_div must not be 0");
}

FeatureOptions featurePreset(const std::string& name) {
    FeatureOptions o;  // the defaults are PaSST's AudioSet front end
    if (name == "passt-32k")
        return o;
    if (name == "mel-db-32k" || name == "linear-db-32k") {
        o.preemphasis = 0;
        o.win_length = 1024;
        o.window = WindowKind::HannPeriodic;
        o.f_max = 0;
        o.mel_scale = MelScale::Slaney;
        o.mel_norm = MelNorm::Slaney;
        o.log = LogMode::Db;
        o.normalize_add = 0;
        o.normalize_div = 1;
        if (name == "linear-db-32k")
            o.frequency_scale = FrequencyScale::Linear;
        return o;
    }
    throw Error(ErrorCode::InvalidArgument, "unknown feature preset '" + name +
                                                "' (passt-32k, mel-db-32k, linear-db-32k)");
}

std::vector<std::string> featurePresetNames() { return {"passt-32k", "mel-db-32k", "linear-db-32k"}; }

void Features::append(const Features& more) {
    if (more.n_frames == 0)
        return;
    if (n_frames == 0) {
        *this = more;
        return;
    }
    if (more.n_bins != n_bins)
        throw Error(ErrorCode::InvalidArgument, "cannot append features with " +
                                                    std::to_string(more.n_bins) + " bins to " +
                                                    std::to_string(n_bins));
    data.insert(data.end(), more.data.begin(), more.data.end());
    n_frames += more.n_frames;
}

std::vector<float> Features::binMajor() const {
    std::vector<float> out(data.size());
    for (int t = 0; t < n_frames; ++t)
        for (int b = 0; b < n_bins; ++b)
            out[static_cast<std::size_t>(b) * n_frames + t] = at(b, t);
    return out;
}

struct StreamingFeatureExtractor::Impl {
    FeatureOptions options;
    Stft stft;
    std::optional<MelFilterbank> mel;
    int pad = 0;
    // The centre-padded signal from absolute padded index `bufferStart` on.
    std::vector<float> buffer;
    std::int64_t bufferStart = 0;
    std::int64_t nextFrame = 0;
    std::int64_t samplesIn = 0;   // pre-emphasised samples received
    bool leftPadded = false;
    bool havePrevious = false;
    float previous = 0.f;
    std::vector<float> spectrum;

    explicit Impl(const FeatureOptions& o)
        : options(o), stft(StftOptions{o.n_fft, o.win_length, o.hop_length, o.window, o.center, o.power}),
          pad(o.center ? o.n_fft / 2 : 0), spectrum(static_cast<std::size_t>(o.n_fft / 2 + 1)) {
        options.validate();
        if (o.frequency_scale == FrequencyScale::Mel)
            mel.emplace(MelOptions{o.n_mels, o.n_fft, o.sample_rate, o.f_min, o.f_max, o.mel_scale,
                                   o.mel_norm});
        leftPadded = pad == 0;
    }

    Features empty() const {
        Features f;
        f.n_bins = options.numBins();
        f.frame_rate = static_cast<double>(options.sample_rate) / options.hop_length;
        f.frequency_scale = options.frequency_scale;
        f.log = options.log;
        // 10 log10(x) = (10 / ln 10) ln(x); the final (x + add) / div scales units by div.
        const double perLogUnit = options.log == LogMode::Db   ? 1.0
                                  : options.log == LogMode::Ln ? 10.0 / std::log(10.0)
                                                               : 0.0;
        f.db_per_unit = perLogUnit * options.normalize_div;
        if (mel) {
            f.bin_frequencies = mel->centerFrequencies();
        } else {
            f.bin_frequencies.resize(static_cast<std::size_t>(f.n_bins));
            for (int k = 0; k < f.n_bins; ++k)
                f.bin_frequencies[static_cast<std::size_t>(k)] =
                    static_cast<double>(k) * options.sample_rate / options.n_fft;
        }
        return f;
    }

    void addSamples(const float* x, std::size_t count) {
        const float a = static_cast<float>(options.preemphasis);
        buffer.reserve(buffer.size() + count);
        for (std::size_t i = 0; i < count; ++i) {
            if (a > 0.f) {
                // PaSST's conv1d([-a, 1]) without padding: y[n] = x[n+1] - a x[n].
                if (!havePrevious) {
                    havePrevious = true;
                    previous = x[i];
                    continue;
                }
                buffer.push_back(x[i] - a * previous);
                previous = x[i];
            } else {
                buffer.push_back(x[i]);
            }
            ++samplesIn;
        }
        if (!leftPadded && samplesIn > pad)
            addLeftPadding();
    }

    void addLeftPadding() {
        // Reflect without repeating the edge: y[pad], ..., y[1] go before y[0].
        std::vector<float> left(static_cast<std::size_t>(pad));
        for (int i = 0; i < pad; ++i)
            left[static_cast<std::size_t>(i)] = buffer[static_cast<std::size_t>(pad - i)];
        buffer.insert(buffer.begin(), left.begin(), left.end());
        leftPadded = true;
    }

    void finishSignal() {
        if (samplesIn == 0)
            return;
        if (!leftPadded) {
            // Too short to reflect: zero-extend to pad + 1 samples first.
            buffer.resize(static_cast<std::size_t>(pad + 1), 0.f);
            samplesIn = pad + 1;
            addLeftPadding();
        }
        const std::size_t end = buffer.size();
        for (int i = 0; i < pad; ++i)
            buffer.push_back(buffer[end - 2 - static_cast<std::size_t>(i)]);
    }

    Features emitFrames() {
        Features out = empty();
        if (!leftPadded)
            return out;
        const std::int64_t hop = options.hop_length, nfft = options.n_fft;
        const std::int64_t available = bufferStart + static_cast<std::int64_t>(buffer.size());
        const std::int64_t frames =
            available >= nfft ? std::max<std::int64_t>(0, (available - nfft) / hop + 1 - nextFrame) : 0;
        out.n_frames = static_cast<int>(frames);
        out.data.resize(static_cast<std::size_t>(frames) * out.n_bins);
        for (std::int64_t f = 0; f < frames; ++f, ++nextFrame) {
            const float* frame = buffer.data() + (nextFrame * hop - bufferStart);
            float* dst = out.data.data() + f * out.n_bins;
            stft.frame(frame, spectrum.data());
            if (mel)
                mel->apply(spectrum.data(), dst);
            else
                std::copy(spectrum.begin(), spectrum.end(), dst);
            scale(dst, out.n_bins);
        }
        // Keep what later frames need, and always the last pad + 1 samples for the right reflection.
        std::int64_t keepFrom = std::min(nextFrame * hop, available - pad - 1);
        keepFrom = std::max(keepFrom, bufferStart);
        buffer.erase(buffer.begin(), buffer.begin() + (keepFrom - bufferStart));
        bufferStart = keepFrom;
        return out;
    }

    void scale(float* v, int n) const {
        const auto& o = options;
        const float add = static_cast<float>(o.normalize_add);
        const float div = static_cast<float>(o.normalize_div);
        for (int i = 0; i < n; ++i) {
            float x = v[i];
            if (o.log == LogMode::Ln)
                x = std::log(x + static_cast<float>(o.log_offset));
            else if (o.log == LogMode::Db)
                x = 10.f * std::log10(std::max(x, static_cast<float>(o.db_floor)));
            v[i] = (x + add) / div;
        }
    }

    void reset() {
        buffer.clear();
        bufferStart = 0;
        nextFrame = 0;
        samplesIn = 0;
        leftPadded = pad == 0;
        havePrevious = false;
        previous = 0.f;
    }
};

StreamingFeatureExtractor::StreamingFeatureExtractor(const FeatureOptions& options)
    : m_impl(std::make_unique<Impl>(options)) {}
StreamingFeatureExtractor::~StreamingFeatureExtractor() = default;
StreamingFeatureExtractor::StreamingFeatureExtractor(StreamingFeatureExtractor&&) noexcept = default;
StreamingFeatureExtractor& StreamingFeatureExtractor::operator=(StreamingFeatureExtractor&&) noexcept = default;

const FeatureOptions& StreamingFeatureExtractor::options() const noexcept { return m_impl->options; }

Features StreamingFeatureExtractor::push(const float* samples, std::size_t count) {
    m_impl->addSamples(samples, count);
    return m_impl->emitFrames();
}

Features StreamingFeatureExtractor::finish() {
    m_impl->finishSignal();
    Features out = m_impl->emitFrames();
    m_impl->reset();
    return out;
}

void StreamingFeatureExtractor::reset() { m_impl->reset(); }
Features StreamingFeatureExtractor::emptyFeatures() const { return m_impl->empty(); }

FeatureExtractor::FeatureExtractor(const FeatureOptions& options) : m_stream(options) {}
FeatureExtractor::~FeatureExtractor() = default;
FeatureExtractor::FeatureExtractor(FeatureExtractor&&) noexcept = default;
FeatureExtractor& FeatureExtractor::operator=(FeatureExtractor&&) noexcept = default;

const FeatureOptions& FeatureExtractor::options() const noexcept { return m_stream.options(); }

Features FeatureExtractor::compute(const Waveform& wave) {
    if (wave.empty())
        throw Error(ErrorCode::InvalidArgument, "cannot compute features of an empty waveform");
    if (wave.sample_rate <= 0)
        throw Error(ErrorCode::InvalidArgument, "waveform has no sample rate");
    m_stream.reset();
    if (wave.sample_rate != options().sample_rate) {
        const Waveform resampled = resample(wave, options().sample_rate);
        Features f = m_stream.push(resampled.samples.data(), resampled.size());
        f.append(m_stream.finish());
        return f;
    }
    Features f = m_stream.push(wave.samples.data(), wave.size());
    f.append(m_stream.finish());
    return f;
}

std::vector<Features> FeatureExtractor::computeBatch(const std::vector<Waveform>& waves) {
    std::vector<Features> out;
    out.reserve(waves.size());
    for (const auto& w : waves)
        out.push_back(compute(w));
    return out;
}

}  // namespace patchout
