// Random draws that give the same numbers with every standard library: std::mt19937_64 is fully
// specified, but std::uniform_*_distribution and std::shuffle are not, and the data pipeline
// promises the same bytes and the same batches for a given seed everywhere.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace patchout::data {

// Mixes several values into one seed (splitmix64 finaliser), so (seed, epoch, batch) streams differ.
inline std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) {
    std::uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1) + 0xbf58476d1ce4e5b9ULL * (c + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// FNV-1a, 64 bit: a stable hash of bytes (std::hash differs between library versions).
inline std::uint64_t fnv1a64(const void* data, std::size_t n,
                             std::uint64_t h = 0xcbf29ce484222325ULL) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

// Uniform in [0, n) without modulo bias (rejection).
inline std::uint64_t uniformIndex(std::mt19937_64& rng, std::uint64_t n) {
    if (n <= 1)
        return 0;
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x;
    do {
        x = rng();
    } while (x >= limit);
    return x % n;
}

// Uniform in [0, 1) with 53 random bits.
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Standard normal (Box-Muller).
inline double standardNormal(std::mt19937_64& rng) {
    double u1 = uniform01(rng);
    while (u1 <= 0.0)
        u1 = uniform01(rng);
    const double u2 = uniform01(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Beta(a, a) from two gamma draws (mixup's lambda). std::gamma_distribution: the same on every
// libstdc++, not across standard libraries.
inline double betaSample(std::mt19937_64& rng, double a) {
    std::gamma_distribution<double> g(a, 1.0);
    const double x = g(rng), y = g(rng);
    return x + y > 0 ? x / (x + y) : 0.5;
}

template <typename T>
void portableShuffle(std::vector<T>& v, std::mt19937_64& rng) {
    for (std::size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[uniformIndex(rng, i)]);
}

}  // namespace patchout::data
