#include "patchout/embedder.h"

#include "infer/masked_forward.h"
#include "model/passt_module.h"
#include "patchout/audio_file.h"
#include "patchout/checkpoint.h"
#include "patchout/classifier.h"
#include "patchout/error.h"
#include "patchout/features.h"
#include "patchout/files.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <ostream>

namespace fs = std::filesystem;

namespace patchout {

const char* poolingName(Pooling pooling) {
    switch (pooling) {
    case Pooling::Cls: return "cls";
    case Pooling::Dist: return "dist";
    case Pooling::ClsDist: return "cls-dist";
    case Pooling::PatchMean: return "patch-mean";
    case Pooling::Head: return "head";
    }
    return "cls-dist";
}

Pooling poolingFromName(const std::string& name) {
    for (Pooling p : {Pooling::Cls, Pooling::Dist, Pooling::ClsDist, Pooling::PatchMean, Pooling::Head})
        if (name == poolingName(p))
            return p;
    throw Error(ErrorCode::InvalidArgument,
                "pooling must be cls, dist, cls-dist or patch-mean, got \"" + name + "\"");
}

struct Embedder::Impl {
    PaSSTModel model;
    EmbedOptions options;
    FeatureOptions features = featurePreset("passt-32k");
    int window = 0;
    int hop = 0;

    Impl(PaSSTModel m, const EmbedOptions& o) : model(std::move(m)), options(o) {
        const auto& mo = model.options();
        if (mo.n_mels != features.n_mels || mo.in_chans != 1)
            throw Error(ErrorCode::Model, "the embedder feeds one-channel 128-mel log-mels");
        if (options.block < -1 || options.block >= mo.depth)
            throw Error(ErrorCode::InvalidArgument, "block " + std::to_string(options.block) +
                                                        " does not exist: the model has " +
                                                        std::to_string(mo.depth) + " blocks");
        if (options.pooling == Pooling::Head)
            options.pooling = mo.head_pooling == HeadPooling::Patches ? Pooling::PatchMean : Pooling::ClsDist;
        if (options.pooling == Pooling::Dist && !mo.distilled)
            throw Error(ErrorCode::Model, "the model has no distillation token");
        const double rate = static_cast<double>(features.sample_rate) / features.hop_length;
        window = options.window_s > 0 ? static_cast<int>(std::lround(options.window_s * rate)) : mo.input_frames;
        if (window > mo.input_frames || window < mo.patch_size)
            throw Error(ErrorCode::InvalidArgument, "window_s must lie between one patch and the model's input");
        hop = options.hop_s > 0 ? std::max(1, static_cast<int>(std::lround(options.hop_s * rate))) : window;
        model.setDevice(resolveComputeDevice(options.device));
        model.setTraining(false);
    }

    double frameRate() const { return static_cast<double>(features.sample_rate) / features.hop_length; }

    // Runs each window of `wave` and hands its tokens to `use`.
    template <class Use>
    void forEachWindow(const Waveform& wave, Use&& use) {
        if (wave.empty())
            throw Error(ErrorCode::InvalidArgument, "empty waveform");
        FeatureExtractor extractor(features);
        const Features f = extractor.compute(wave);
        const auto& mo = model.options();
        for (const auto& span : windowSpans(f.n_frames, window, hop, mo.patch_size)) {
            auto x = torch::zeros({1, 1, mo.n_mels, window}, torch::kFloat32);
            auto acc = x.accessor<float, 4>();
            for (int t = 0; t < span.valid; ++t)
                for (int b = 0; b < mo.n_mels; ++b)
                    acc[0][0][b][t] = f.at(b, static_cast<int>(span.start) + t);
            torch::InferenceMode inference;
            auto enc = maskedEncode(*model.module(), x.to(model.module()->cls_token.device()), {span.valid},
                                    {.patchout_t = 0, .patchout_f = 0, .stop_after_block = options.block});
            enc.tokens = enc.tokens.to(torch::kCPU);  // read on the host
            enc.keep = enc.keep.to(torch::kCPU);
            use(span, enc);
        }
    }
};

Embedder::Embedder(PaSSTModel model, const EmbedOptions& options)
    : m_impl(std::make_unique<Impl>(std::move(model), options)) {}

Embedder Embedder::fromCheckpoint(const fs::path& path, const EmbedOptions& options) {
    return Embedder(loadModel(path).model, options);
}

Embedder::~Embedder() = default;
Embedder::Embedder(Embedder&&) noexcept = default;
Embedder& Embedder::operator=(Embedder&&) noexcept = default;

const EmbedOptions& Embedder::options() const noexcept { return m_impl->options; }
int Embedder::dim() const noexcept { return m_impl->model.options().embed_dim; }
int Embedder::sampleRate() const noexcept { return m_impl->features.sample_rate; }

std::vector<float> Embedder::embed(const Waveform& wave) {
    const int e = dim();
    std::vector<double> sum(static_cast<std::size_t>(e), 0.0);
    int windows = 0;
    const Pooling pooling = m_impl->options.pooling;
    m_impl->forEachWindow(wave, [&](const WindowSpan&, const MaskedTokens& enc) {
        const auto tokens = enc.tokens[0];  // [N, E]
        torch::Tensor pooled;
        const bool distilled = enc.prefix == 2;
        switch (pooling) {
        case Pooling::Cls: pooled = tokens[0]; break;
        case Pooling::Dist: pooled = tokens[1]; break;
        case Pooling::ClsDist: pooled = distilled ? (tokens[0] + tokens[1]) / 2 : tokens[0]; break;
        case Pooling::Head:  // resolved to ClsDist or PatchMean by the constructor
        case Pooling::PatchMean: {
            const auto keep = enc.keep[0].slice(0, enc.prefix).to(torch::kFloat32);
            pooled = (tokens.slice(0, enc.prefix) * keep.unsqueeze(1)).sum(0) / keep.sum();
            break;
        }
        }
        pooled = pooled.contiguous();
        for (int i = 0; i < e; ++i)
            sum[static_cast<std::size_t>(i)] += pooled.data_ptr<float>()[i];
        ++windows;
    });
    std::vector<float> out(static_cast<std::size_t>(e));
    for (int i = 0; i < e; ++i)
        out[static_cast<std::size_t>(i)] = static_cast<float>(sum[static_cast<std::size_t>(i)] / windows);
    return out;
}

std::vector<float> Embedder::embedFile(const fs::path& audio) {
    return embed(loadAudio(audio, {.target_rate = sampleRate()}));
}

EmbeddingMatrix Embedder::embedFiles(const std::vector<fs::path>& audio, const JobControl* job,
                                     std::vector<FileError>* skipped) {
    EmbeddingMatrix m;
    m.dim = dim();
    m.data.reserve(audio.size() * static_cast<std::size_t>(m.dim));
    std::int64_t done = 0;
    for (const auto& file : audio) {
        try {
            const auto v = embedFile(file);
            m.data.insert(m.data.end(), v.begin(), v.end());
            ++m.rows;
        } catch (const Error& e) {
            if (skipped == nullptr || e.code() == ErrorCode::Cancelled)
                throw;
            skipped->push_back({file, e.message()});
        }
        ++done;
        if (job != nullptr) {
            job->report({.step = done, .total = static_cast<std::int64_t>(audio.size()), .message = "files", .metrics = {}});
            job->throwIfCancelled();
        }
    }
    return m;
}

TimestampEmbeddings Embedder::timestamps(const Waveform& wave) {
    TimestampEmbeddings out;
    out.embeddings.dim = dim();
    const auto& mo = m_impl->model.options();
    const double frameMs = 1000.0 / m_impl->frameRate();
    double lastMs = -1;
    m_impl->forEachWindow(wave, [&](const WindowSpan& span, const MaskedTokens& enc) {
        const auto grid = enc.tokens[0].slice(0, enc.prefix).reshape({enc.freq, enc.time, dim()});
        const auto perTime = grid.mean(0).contiguous();  // [T, E]
        const int real = span.valid < mo.patch_size ? 1 : (span.valid - mo.patch_size) / mo.stride_t + 1;
        for (int t = 0; t < std::min(real, enc.time); ++t) {
            const double ms = (static_cast<double>(span.start) + t * mo.stride_t + mo.patch_size / 2.0) * frameMs;
            if (ms <= lastMs)  // overlapping windows: keep the first window's column
                continue;
            lastMs = ms;
            out.timestamps_ms.push_back(ms);
            const float* row = perTime.data_ptr<float>() + static_cast<std::int64_t>(t) * dim();
            out.embeddings.data.insert(out.embeddings.data.end(), row, row + dim());
            ++out.embeddings.rows;
        }
    });
    return out;
}

namespace {
constexpr char kMagic[8] = {'P', 'T', 'E', 'M', 'B', '0', '0', '1'};
}

void saveEmbeddingMatrix(const fs::path& path, const EmbeddingMatrix& m) {
    if (m.data.size() != static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.dim))
        throw Error(ErrorCode::InvalidArgument, "matrix data does not match rows x dim", path.string());
    writeFileAtomically(path, [&](std::ostream& out) {
        const std::int64_t rows = m.rows, dim = m.dim;
        out.write(kMagic, 8);
        out.write(reinterpret_cast<const char*>(&rows), 8);
        out.write(reinterpret_cast<const char*>(&dim), 8);
        out.write(reinterpret_cast<const char*>(m.data.data()),
                  static_cast<std::streamsize>(m.data.size() * sizeof(float)));
    });
}

EmbeddingMatrix loadEmbeddingMatrix(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::FileNotFound, "cannot open embedding matrix", path.string());
    char magic[8] = {};
    std::int64_t rows = 0, dim = 0;
    in.read(magic, 8);
    in.read(reinterpret_cast<char*>(&rows), 8);
    in.read(reinterpret_cast<char*>(&dim), 8);
    if (!in || std::memcmp(magic, kMagic, 8) != 0)
        throw Error(ErrorCode::BadFormat, "not an embedding matrix (bad header)", path.string());
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (rows < 0 || dim < 1 || dim > (1 << 20) ||
        size != 24 + static_cast<std::uintmax_t>(rows) * static_cast<std::uintmax_t>(dim) * 4)
        throw Error(ErrorCode::BadFormat,
                    "embedding matrix of " + std::to_string(rows) + " x " + std::to_string(dim) +
                        " does not match the file size " + std::to_string(size) + " (truncated?)",
                    path.string());
    EmbeddingMatrix m;
    m.rows = rows;
    m.dim = static_cast<int>(dim);
    m.data.resize(static_cast<std::size_t>(rows * dim));
    in.read(reinterpret_cast<char*>(m.data.data()), static_cast<std::streamsize>(m.data.size() * 4));
    if (!in)
        throw Error(ErrorCode::BadFormat, "embedding matrix is truncated", path.string());
    return m;
}

void writeProjectorFiles(const fs::path& dir, const EmbeddingMatrix& m,
                         const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::string>>& metadata) {
    if (static_cast<std::int64_t>(metadata.size()) != m.rows)
        throw Error(ErrorCode::InvalidArgument, "one metadata row per embedding is needed", dir.string());
    for (const auto& row : metadata)
        if (row.size() != columns.size())
            throw Error(ErrorCode::InvalidArgument, "metadata rows need one value per column", dir.string());
    auto clean = [](std::string s) {
        for (auto& c : s)
            if (c == '\t' || c == '\n' || c == '\r')
                c = ' ';
        return s;
    };
    writeFileAtomically(dir / "tensors.tsv", [&](std::ostream& out) {
        out.precision(7);
        for (std::int64_t r = 0; r < m.rows; ++r) {
            for (int c = 0; c < m.dim; ++c)
                out << (c ? "\t" : "") << m.row(r)[c];
            out << '\n';
        }
    });
    writeFileAtomically(dir / "metadata.tsv", [&](std::ostream& out) {
        for (std::size_t c = 0; c < columns.size(); ++c)
            out << (c ? "\t" : "") << clean(columns[c]);
        out << '\n';
        for (const auto& row : metadata) {
            for (std::size_t c = 0; c < row.size(); ++c)
                out << (c ? "\t" : "") << clean(row[c]);
            out << '\n';
        }
    });
    saveEmbeddingMatrix(dir / "embeddings.bin", m);
}

}  // namespace patchout
