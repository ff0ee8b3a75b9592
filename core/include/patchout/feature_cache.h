// Feature cache on disk: the features of an audio file under a feature recipe are computed once
// (decode, resample, STFT, mel) and kept in <dir>/<content hash>-<options hash>.feat, so later
// epochs only read a small file. Entries are written atomically and carry a checksum; an entry
// that does not check out is recomputed and rewritten, never trusted.
// Thread-safety: get() may be called from several threads at once.
#pragma once

#include "patchout/features.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace patchout {

// A stable hash of every field of the recipe (changes whenever the features would change).
std::uint64_t featureOptionsHash(const FeatureOptions& options);
// FNV-1a 64 of the file's bytes. Throws Error(FileNotFound) when it cannot be read.
std::uint64_t fileContentHash(const std::filesystem::path& path);

struct FeatureCacheStats {
    std::size_t hits = 0;     // served from disk
    std::size_t misses = 0;   // computed (absent entry)
    std::size_t corrupt = 0;  // entry present but bad: recomputed
    // Entries that could not be written (disk full, read-only folder): the features were still
    // returned, the next run computes them again. The first such error, as one line.
    std::size_t unwritten = 0;
    std::string unwritten_error{};
};

class FeatureCache {
public:
    // Creates `dir` when missing. Throws Error(InvalidArgument) for invalid options.
    FeatureCache(std::filesystem::path dir, const FeatureOptions& options);
    ~FeatureCache();
    FeatureCache(const FeatureCache&) = delete;
    FeatureCache& operator=(const FeatureCache&) = delete;

    const std::filesystem::path& dir() const noexcept;
    const FeatureOptions& options() const noexcept;

    // The features of `audio` (loaded mono, resampled to options().sample_rate): from the cache
    // when a valid entry exists, else computed and stored. Errors from decoding propagate.
    Features get(const std::filesystem::path& audio);
    // Where the entry of `audio` lives (whether or not it exists yet).
    std::filesystem::path entryPath(const std::filesystem::path& audio);
    FeatureCacheStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Reads one entry file; throws Error(BadFormat) when it is truncated, altered or not an entry.
Features readFeatureCacheEntry(const std::filesystem::path& entry);
// Writes one entry file atomically (the cache does this; exposed for tools and tests).
void writeFeatureCacheEntry(const std::filesystem::path& entry, const Features& features);

}  // namespace patchout
