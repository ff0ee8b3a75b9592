#include "patchout/feature_cache.h"

#include "data/portable_random.h"
#include "patchout/audio_file.h"
#include "patchout/error.h"
#include "patchout/files.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace fs = std::filesystem;

namespace patchout {
namespace {

constexpr char kMagic[4] = {'P', 'W', 'F', 'C'};
constexpr std::uint32_t kVersion = 1;

std::string hex(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

template <typename T>
void put(std::string& out, const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

struct Reader {
    const std::string& bytes;
    std::size_t pos = 0;
    template <typename T>
    T get() {
        if (pos + sizeof(T) > bytes.size())
            throw Error(ErrorCode::BadFormat, "truncated feature cache entry");
        T v;
        std::memcpy(&v, bytes.data() + pos, sizeof(T));
        pos += sizeof(T);
        return v;
    }
};

}  // namespace

std::uint64_t featureOptionsHash(const FeatureOptions& o) {
    // Hex floats: exact, so 0.97 and 0.9700001 differ.
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "v1 sr=%d pre=%a nfft=%d win=%d hop=%d wk=%d c=%d pow=%a fs=%d mels=%d fmin=%a "
                  "fmax=%a ms=%d mn=%d log=%d lo=%a dbf=%a add=%a div=%a",
                  o.sample_rate, o.preemphasis, o.n_fft, o.win_length, o.hop_length,
                  static_cast<int>(o.window), o.center ? 1 : 0, o.power,
                  static_cast<int>(o.frequency_scale), o.n_mels, o.f_min, o.f_max,
                  static_cast<int>(o.mel_scale), static_cast<int>(o.mel_norm),
                  static_cast<int>(o.log), o.log_offset, o.db_floor, o.normalize_add,
                  o.normalize_div);
    return data::fnv1a64(buf, std::strlen(buf));
}

std::uint64_t fileContentHash(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::FileNotFound, "cannot open file", path.string());
    std::uint64_t h = 0xcbf29ce484222325ULL;
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h = data::fnv1a64(buf.data(), static_cast<std::size_t>(in.gcount()), h);
    }
    if (in.bad())
        throw Error(ErrorCode::Io, "cannot read file", path.string());
    return h;
}

void writeFeatureCacheEntry(const fs::path& entry, const Features& f) {
    if (f.n_bins <= 0 || f.n_frames < 0 ||
        f.data.size() != static_cast<std::size_t>(f.n_bins) * f.n_frames ||
        f.bin_frequencies.size() != static_cast<std::size_t>(f.n_bins))
        throw Error(ErrorCode::InvalidArgument, "features with inconsistent sizes", entry.string());
    std::string bytes;
    bytes.append(kMagic, 4);
    put(bytes, kVersion);
    put(bytes, static_cast<std::int32_t>(f.n_bins));
    put(bytes, static_cast<std::int32_t>(f.n_frames));
    put(bytes, f.frame_rate);
    put(bytes, static_cast<std::int32_t>(f.frequency_scale));
    put(bytes, static_cast<std::int32_t>(f.log));
    put(bytes, f.db_per_unit);
    bytes.append(reinterpret_cast<const char*>(f.bin_frequencies.data()),
                 f.bin_frequencies.size() * sizeof(double));
    bytes.append(reinterpret_cast<const char*>(f.data.data()), f.data.size() * sizeof(float));
    put(bytes, data::fnv1a64(bytes.data(), bytes.size()));
    writeFileAtomically(entry, [&](std::ostream& out) {
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    });
}

Features readFeatureCacheEntry(const fs::path& entry) {
    std::ifstream in(entry, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::FileNotFound, "no cache entry", entry.string());
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        if (bytes.size() < 4 + 8 || std::memcmp(bytes.data(), kMagic, 4) != 0)
            throw Error(ErrorCode::BadFormat, "not a feature cache entry");
        std::uint64_t stored;
        std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
        if (stored != data::fnv1a64(bytes.data(), bytes.size() - 8))
            throw Error(ErrorCode::BadFormat, "checksum mismatch (altered or truncated)");
        Reader r{bytes, 4};
        if (r.get<std::uint32_t>() != kVersion)
            throw Error(ErrorCode::BadFormat, "unknown cache entry version");
        Features f;
        f.n_bins = r.get<std::int32_t>();
        f.n_frames = r.get<std::int32_t>();
        f.frame_rate = r.get<double>();
        const auto scale = r.get<std::int32_t>();
        const auto log = r.get<std::int32_t>();
        f.db_per_unit = r.get<double>();
        if (f.n_bins <= 0 || f.n_frames < 0 || scale < 0 || scale > 1 || log < 0 || log > 2)
            throw Error(ErrorCode::BadFormat, "impossible header values");
        f.frequency_scale = static_cast<FrequencyScale>(scale);
        f.log = static_cast<LogMode>(log);
        const std::size_t nb = static_cast<std::size_t>(f.n_bins);
        const std::size_t nd = nb * static_cast<std::size_t>(f.n_frames);
        if (r.pos + nb * sizeof(double) + nd * sizeof(float) + 8 != bytes.size())
            throw Error(ErrorCode::BadFormat, "size does not match the header");
        f.bin_frequencies.resize(nb);
        std::memcpy(f.bin_frequencies.data(), bytes.data() + r.pos, nb * sizeof(double));
        r.pos += nb * sizeof(double);
        f.data.resize(nd);
        std::memcpy(f.data.data(), bytes.data() + r.pos, nd * sizeof(float));
        return f;
    } catch (const Error& e) {
        throw Error(e.code(), e.message(), entry.string());
    }
}

struct FeatureCache::Impl {
    fs::path dir;
    FeatureOptions options;
    std::string optionsKey;
    mutable std::mutex mutex;  // stats, memo, extractor
    FeatureCacheStats stats;
    struct Memo {
        std::uintmax_t size;
        fs::file_time_type mtime;
        std::uint64_t hash;
    };
    std::map<std::string, Memo> memo;  // path -> content hash while the file is unchanged
    std::unique_ptr<FeatureExtractor> extractor;

    std::uint64_t contentHash(const fs::path& audio) {
        std::error_code ec;
        const auto size = fs::file_size(audio, ec);
        if (ec)
            throw Error(ErrorCode::FileNotFound, "cannot read audio file", audio.string());
        const auto mtime = fs::last_write_time(audio, ec);
        {
            std::lock_guard lock(mutex);
            auto it = memo.find(audio.string());
            if (it != memo.end() && it->second.size == size && it->second.mtime == mtime)
                return it->second.hash;
        }
        const std::uint64_t h = fileContentHash(audio);
        std::lock_guard lock(mutex);
        memo[audio.string()] = {size, mtime, h};
        return h;
    }
};

FeatureCache::FeatureCache(fs::path dir, const FeatureOptions& options)
    : m_impl(std::make_unique<Impl>()) {
    options.validate();
    m_impl->dir = std::move(dir);
    m_impl->options = options;
    m_impl->optionsKey = hex(featureOptionsHash(options));
    std::error_code ec;
    fs::create_directories(m_impl->dir, ec);
    if (ec)
        throw Error(ErrorCode::Io, "cannot create the cache folder: " + ec.message(),
                    m_impl->dir.string());
}

FeatureCache::~FeatureCache() = default;

const fs::path& FeatureCache::dir() const noexcept { return m_impl->dir; }
const FeatureOptions& FeatureCache::options() const noexcept { return m_impl->options; }

fs::path FeatureCache::entryPath(const fs::path& audio) {
    return m_impl->dir / (hex(m_impl->contentHash(audio)) + "-" + m_impl->optionsKey + ".feat");
}

Features FeatureCache::get(const fs::path& audio) {
    const fs::path entry = entryPath(audio);
    bool corrupt = false;
    std::error_code ec;
    if (fs::exists(entry, ec)) {
        try {
            Features f = readFeatureCacheEntry(entry);
            std::lock_guard lock(m_impl->mutex);
            ++m_impl->stats.hits;
            return f;
        } catch (const Error&) {
            corrupt = true;  // recomputed below and overwritten
        }
    }
    LoadOptions load;
    load.target_rate = m_impl->options.sample_rate;
    const Waveform wave = loadAudio(audio, load);
    Features f;
    {
        std::lock_guard lock(m_impl->mutex);
        if (!m_impl->extractor)
            m_impl->extractor = std::make_unique<FeatureExtractor>(m_impl->options);
        f = m_impl->extractor->compute(wave);
        ++(corrupt ? m_impl->stats.corrupt : m_impl->stats.misses);
    }
    // The cache only saves time: a disk that is full or read-only costs the next run, not this one.
    try {
        writeFeatureCacheEntry(entry, f);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::Io)
            throw;
        std::lock_guard lock(m_impl->mutex);
        if (m_impl->stats.unwritten++ == 0)
            m_impl->stats.unwritten_error = e.what();
    }
    return f;
}

FeatureCacheStats FeatureCache::stats() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->stats;
}

}  // namespace patchout
