// Feature cache and batch loader on FSDD (../shared/data/fsdd): the baseline decodes, resamples
// (8 kHz -> 32 kHz) and computes PaSST log-mels for every clip, as an epoch without a cache would;
// the result reads the same epoch through the warm cache and the prefetching loader.
// Usage: bench_feature_cache [fsdd_dir] [cache_dir]
#include "bench_args.h"
#include "patchout/system_info.h"
#include "patchout_source_paths.h"

#include "patchout/batch_loader.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/feature_cache.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "bench_feature_cache [FSDD_DIR] [CACHE_DIR]\n"
    "One epoch of FSDD's PaSST log-mels computed from the audio (decode, resample, features) against the same\n"
    "epoch read through the warm feature cache and the prefetching batch loader.\n";

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    patchout::bench::checkArgs(argc, argv, kUsage);
    try {
        const fs::path fsdd = argc > 1 ? fs::path(argv[1]) : fs::path(PATCHOUT_SHARED_DIR) / "data/fsdd";
        const fs::path cacheDir = argc > 2 ? fs::path(argv[2])
                                           : fs::temp_directory_path() / "patchout-bench-feature-cache";
        fs::remove_all(cacheDir);
        const auto t0 = Clock::now();
        const patchout::Dataset ds = patchout::readDataset(fsdd);
        const double readS = std::chrono::duration<double>(Clock::now() - t0).count();
        std::vector<std::size_t> all(ds.clips.size());
        std::iota(all.begin(), all.end(), 0);
        patchout::FeatureCache cache(cacheDir, patchout::featurePreset("passt-32k"));
        patchout::BatchLoaderOptions o;
        o.batch_size = 32;
        o.frames = 100;
        patchout::BatchLoader loader(ds, all, cache, o);
        auto epoch = [&](int e) {
            const auto start = Clock::now();
            std::size_t items = 0;
            loader.startEpoch(e);
            while (auto b = loader.next())
                items += static_cast<std::size_t>(b->size);
            return std::pair(items, std::chrono::duration<double>(Clock::now() - start).count());
        };
        const auto [coldItems, cold] = epoch(0);
        const auto [warmItems, warm] = epoch(1);
        const auto s = cache.stats();
        std::printf("dataset: %zu clips, read and validated (headers probed) in %.2f s\n",
                    ds.clips.size(), readS);
        std::printf("baseline (cold epoch: decode + resample + log-mel + write cache): %zu clips in %.2f s (%.0f clips/s)\n",
                    coldItems, cold, coldItems / cold);
        std::printf("result   (warm epoch: cache + prefetching loader):              %zu clips in %.2f s (%.0f clips/s)\n",
                    warmItems, warm, warmItems / warm);
        std::printf("ratio: %.1fx faster; cache hits %zu, misses %zu, corrupt %zu\n", cold / warm, s.hits,
                    s.misses, s.corrupt);
        fs::remove_all(cacheDir);
        return 0;
    } catch (const patchout::Error& e) {
        std::fprintf(stderr, "bench_feature_cache: %s\n", e.what());
        return 1;
    }
}
