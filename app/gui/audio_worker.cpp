#include "audio_worker.h"

#include "model_worker.h"

#include "patchout/audio_file.h"
#include "patchout/error.h"
#include "patchout/resampler.h"

#include <QTimer>

#include <algorithm>
#include <cmath>

namespace patchout::ui {
namespace {

constexpr int kSampleRate = 32000;  // every feature preset works at 32 kHz

std::filesystem::path toPath(const QString& s) { return std::filesystem::path(s.toStdString()); }

// The default sample rate of input device `index` (-1: the default input), 0 when unknown.
int deviceDefaultRate(int index) {
    for (const AudioDeviceInfo& d : listInputDevices())
        if (d.index == index || (index < 0 && d.is_default))
            return static_cast<int>(d.default_sample_rate);
    return 0;
}

}  // namespace

QString describeError(const std::exception& error, const QString& subject) {
    // patchout::Error's what() reads "context: message"; when the caller already names the
    // context (the file), repeat only the message.
    if (const auto* e = dynamic_cast<const Error*>(&error);
        e != nullptr && !subject.isEmpty() && QString::fromStdString(e->context()) == subject)
        return QString::fromStdString(e->message());
    return QString::fromStdString(exceptionMessage(error));
}

AudioWorker::AudioWorker(QObject* parent) : QObject(parent), m_timer(new QTimer(this)) {
    qRegisterMetaType<Features>();
    qRegisterMetaType<Waveform>();
    qRegisterMetaType<SourceChoice>();
    m_timer->setInterval(kPollMs);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &AudioWorker::poll);
}

AudioWorker::~AudioWorker() {
    m_timer->stop();
    if (m_source)
        m_source->stop();
}

void AudioWorker::startStream(const SourceChoice& choice, const QString& preset) {
    try {
        std::unique_ptr<AudioSource> source;
        if (choice.kind == SourceKind::Microphone) {
            MicrophoneOptions mic;
            mic.device = choice.device;
            mic.sample_rate = kSampleRate;
            try {
                source = makeMicrophoneSource(mic);
            } catch (const Error& e) {
                // Many devices only run at 44.1 or 48 kHz: open at the device's own rate and
                // resample here; if that fails too, the first message says more.
                const int own = deviceDefaultRate(choice.device);
                if (e.code() != ErrorCode::Device || own <= 0 || own == kSampleRate)
                    throw;
                mic.sample_rate = own;
                try {
                    source = makeMicrophoneSource(mic);
                } catch (const Error&) {
                    throw e;
                }
            }
        } else if (choice.kind == SourceKind::Synthetic) {
            source = makeSyntheticSource(syntheticSignal(choice.signal));
        } else if (!choice.stream_path.empty()) {
            source = makeFileSource(choice.stream_path, kSampleRate);
        } else {
            throw Error(ErrorCode::InvalidArgument, "a file is loaded, not streamed");
        }
        startSource(std::move(source), preset);
    } catch (const std::exception& e) {
        Q_EMIT failed(tr("Cannot start the source: %1").arg(describeError(e)));
    }
}

void AudioWorker::startSource(std::unique_ptr<AudioSource> source, const QString& preset) {
    stopStream();
    try {
        const FeatureOptions options = featurePreset(preset.toStdString());
        m_resampler.reset();
        if (source->sampleRate() != options.sample_rate)
            m_resampler.emplace(source->sampleRate(), options.sample_rate);
        m_extractor.emplace(options);
        if (m_model != nullptr)
            m_model->resetLive();  // a new stream: no window or smoothing carried over
        source->start();
        m_source = std::move(source);
    } catch (const std::exception& e) {
        m_extractor.reset();
        m_resampler.reset();
        Q_EMIT failed(tr("Cannot start the source: %1").arg(describeError(e)));
        return;
    }
    m_delivered = 0;
    m_clock.start();
    m_timer->start();
    Q_EMIT streamStarted(QString::fromStdString(m_source->name()), m_extractor->emptyFeatures());
}

void AudioWorker::poll() {
    if (!m_source)
        return;
    try {
        const int rate = m_source->sampleRate();
        std::size_t want = 0;
        if (m_source->isLive()) {
            want = static_cast<std::size_t>(rate);  // whatever arrived, up to a second
        } else {
            // Non-live sources produce instantly: pace them to the wall clock so they look live.
            const auto due = static_cast<std::int64_t>(m_clock.elapsed() * static_cast<double>(rate) / 1000.0);
            want = static_cast<std::size_t>(std::clamp<std::int64_t>(due - m_delivered, 0, rate));
        }
        m_buffer.resize(want);
        const std::size_t read = want > 0 ? m_source->read(m_buffer.data(), want) : 0;
        m_delivered += static_cast<std::int64_t>(read);
        m_buffer.resize(read);
        if (m_resampler && read > 0) {
            m_resampled.clear();
            m_resampler->process(m_buffer.data(), read, m_resampled);
            m_buffer.swap(m_resampled);
        }
        // From here on the samples are at the features' rate.
        const std::size_t got = m_buffer.size();
        if (got > 0) {
            double sum = 0, peak = 0;
            for (std::size_t i = 0; i < got; ++i) {
                sum += static_cast<double>(m_buffer[i]) * m_buffer[i];
                peak = std::max(peak, static_cast<double>(std::abs(m_buffer[i])));
            }
            Q_EMIT levels(std::sqrt(sum / static_cast<double>(got)), peak);
            if (recording()) {
                m_recorded.samples.insert(m_recorded.samples.end(), m_buffer.begin(), m_buffer.end());
                if (m_recorded.durationSeconds() >= kMaxRecordSeconds)
                    stopRecording();  // saved; the stream goes on
            }
            const Features frames = m_extractor->push(m_buffer.data(), got);
            if (frames.n_frames > 0)
                Q_EMIT featuresReady(frames);
            if (m_model != nullptr)
                m_model->feed(m_buffer.data(), got, m_extractor->options().sample_rate);
        }
        if (m_source->finished())
            finishStream();
    } catch (const std::exception& e) {
        Q_EMIT failed(tr("The audio stream stopped: %1").arg(describeError(e)));
        stopStream();
    }
}

void AudioWorker::finishStream() {
    const Features last = m_extractor->finish();
    if (last.n_frames > 0)
        Q_EMIT featuresReady(last);
    stopStream();
}

void AudioWorker::stopStream() {
    if (!m_source)
        return;
    m_timer->stop();
    stopRecording();
    try {
        m_source->stop();
    } catch (const std::exception&) {
        // A device that fails while stopping is closed below all the same.
    }
    m_source.reset();
    m_extractor.reset();
    m_resampler.reset();
    Q_EMIT streamStopped();
}

void AudioWorker::startRecording(const QString& path) {
    if (!m_source) {
        Q_EMIT failed(tr("Start a live source before recording."));
        return;
    }
    m_recorded = {};
    m_recorded.sample_rate = m_extractor->options().sample_rate;  // recorded after resampling
    m_recordPath = path;
    Q_EMIT recordingStarted(path);
}

void AudioWorker::stopRecording() {
    if (!recording())
        return;
    const QString path = m_recordPath;
    m_recordPath.clear();
    try {
        if (m_recorded.empty())
            throw Error(ErrorCode::InvalidArgument, "nothing was recorded", path.toStdString());
        saveWav(toPath(path), m_recorded);  // atomic: a crash never leaves half a file
        Q_EMIT recordingSaved(path, m_recorded.durationSeconds());
    } catch (const std::exception& e) {
        Q_EMIT failed(tr("Could not save the recording: %1").arg(describeError(e)));
    }
    m_recorded = {};
}

void AudioWorker::loadFile(const QString& path, const QString& preset) {
    m_cancel.store(false);
    try {
        const FeatureOptions options = featurePreset(preset.toStdString());
        if (path != m_loadedPath || m_loaded.empty()) {
            m_loaded = {};
            m_loadedPath.clear();
            AudioFileReader reader(toPath(path), LoadOptions{.target_rate = options.sample_rate});
            const auto total = static_cast<qint64>(std::ceil(reader.info().durationSeconds() * options.sample_rate));
            Waveform wave;
            wave.sample_rate = reader.sampleRate();
            wave.samples.reserve(static_cast<std::size_t>(std::max<qint64>(total, 0)));
            std::vector<float> block(static_cast<std::size_t>(options.sample_rate) * 5);
            while (!reader.atEnd()) {
                if (m_cancel.load()) {
                    Q_EMIT jobFinished(true);
                    return;
                }
                const std::size_t n = reader.read(block.data(), block.size());
                if (n == 0)
                    break;
                wave.samples.insert(wave.samples.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n));
                Q_EMIT progress(static_cast<qint64>(wave.size()), 2 * total, tr("Decoding %1").arg(path));
            }
            if (wave.empty())
                throw Error(ErrorCode::BadFormat, "the file holds no audio", path.toStdString());
            m_loaded = std::move(wave);
            m_loadedPath = path;
        }
        StreamingFeatureExtractor extractor(options);
        Features features = extractor.emptyFeatures();
        const auto total = static_cast<qint64>(m_loaded.size());
        const std::size_t block = static_cast<std::size_t>(options.sample_rate) * 10;
        for (std::size_t i = 0; i < m_loaded.size(); i += block) {
            if (m_cancel.load()) {
                Q_EMIT jobFinished(true);
                return;
            }
            features.append(extractor.push(m_loaded.samples.data() + i, std::min(block, m_loaded.size() - i)));
            Q_EMIT progress(total + static_cast<qint64>(i), 2 * total, tr("Computing features"));
        }
        features.append(extractor.finish());
        Q_EMIT fileLoaded(path, m_loaded, features);
        Q_EMIT jobFinished(false);
    } catch (const std::exception& e) {
        Q_EMIT failed(tr("Cannot open %1: %2").arg(path, describeError(e, path)));
        Q_EMIT jobFinished(false);
    }
}

}  // namespace patchout::ui
