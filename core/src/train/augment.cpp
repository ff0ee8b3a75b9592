#include "train/augment.h"

#include "data/portable_random.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace patchout {

AugmentOptions fromScratchAugment() {
    AugmentOptions a;
    a.mixup_alpha = 0;
    a.roll_frames = 10;
    a.gain_db = 6;
    a.freq_shift_bins = 4;
    a.time_masks = 0;
    a.freq_masks = 0;
    return a;
}

double featureUnitsPerDb(const FeatureOptions& f) {
    const double div = f.normalize_div != 0 ? f.normalize_div : 1.0;
    if (f.log == LogMode::Ln)
        return std::log(10.0) / 10.0 / div;
    if (f.log == LogMode::Db)
        return 1.0 / div;
    return 0.0;
}

bool SpecAugmentMasks::hides(int bin, int frame) const noexcept {
    const auto covers = [](const std::vector<Band>& bands, int i) {
        return std::any_of(bands.begin(), bands.end(),
                           [i](const Band& b) { return i >= b.start && i < b.start + b.width; });
    };
    return covers(time, frame) || covers(freq, bin);
}

std::vector<bool> SpecAugmentMasks::covered(const std::vector<Band>& bands, int n) {
    std::vector<bool> hit(static_cast<std::size_t>(std::max(n, 0)), false);
    for (const Band& b : bands)
        for (int i = std::max(b.start, 0); i < std::min(b.start + b.width, n); ++i)
            hit[static_cast<std::size_t>(i)] = true;
    return hit;
}

double SpecAugmentMasks::hiddenShare(int bins, int frames) const noexcept {
    if (bins <= 0 || frames <= 0)
        return 0;
    // Covered frames span every bin, covered bins every frame; their overlap counts once.
    const auto count = [](const std::vector<bool>& hit) { return static_cast<double>(std::count(hit.begin(), hit.end(), true)); };
    const double t = count(covered(time, frames)), f = count(covered(freq, bins));
    return (t * bins + f * frames - t * f) / (static_cast<double>(bins) * frames);
}

SpecAugmentMasks drawSpecAugmentMasks(const AugmentOptions& a, std::int64_t bins, std::int64_t frames,
                                      std::mt19937_64& rng) {
    // The distributions and their order are part of a run's resume format (a test pins them).
    SpecAugmentMasks masks;
    for (int m = 0; m < a.time_masks && a.time_mask_frames > 0; ++m) {
        const auto w = std::uniform_int_distribution<std::int64_t>(0, std::min<std::int64_t>(
                                                                          a.time_mask_frames, frames))(rng);
        const auto t0 = std::uniform_int_distribution<std::int64_t>(0, frames - w)(rng);
        masks.time.push_back({static_cast<int>(t0), static_cast<int>(w)});
    }
    for (int m = 0; m < a.freq_masks && a.freq_mask_bins > 0; ++m) {
        const auto w = std::uniform_int_distribution<std::int64_t>(0, std::min<std::int64_t>(a.freq_mask_bins, bins))(rng);
        const auto f0 = std::uniform_int_distribution<std::int64_t>(0, bins - w)(rng);
        masks.freq.push_back({static_cast<int>(f0), static_cast<int>(w)});
    }
    return masks;
}

SpecAugmentMasks drawSpecAugmentMasks(const AugmentOptions& a, int bins, int frames, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    return drawSpecAugmentMasks(a, static_cast<std::int64_t>(bins), static_cast<std::int64_t>(frames), rng);
}

void augment(torch::Tensor& x, torch::Tensor& y, const AugmentOptions& a, const FeatureOptions& f,
             std::mt19937_64& rng) {
    const std::int64_t batch = x.size(0), bins = x.size(1), frames = x.size(2);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double perDb = featureUnitsPerDb(f);
    for (std::int64_t b = 0; b < batch; ++b) {
        torch::Tensor xb = x[b];
        if (a.gain_db > 0) {
            const double db = (2 * unit(rng) - 1) * a.gain_db;
            if (f.log == LogMode::None)
                xb.mul_(std::pow(10.0, db / 10.0));
            else
                xb.add_(db * perDb);
        }
        if (a.roll_frames > 0) {
            const auto shift = static_cast<std::int64_t>(
                std::uniform_int_distribution<int>(-a.roll_frames, a.roll_frames)(rng));
            if (shift != 0)
                xb.copy_(torch::roll(xb, {shift}, {1}));
        }
        if (a.freq_shift_bins > 0) {
            const auto shift = std::uniform_int_distribution<std::int64_t>(
                -std::min<std::int64_t>(a.freq_shift_bins, bins - 1),
                std::min<std::int64_t>(a.freq_shift_bins, bins - 1))(rng);
            if (shift > 0) {  // up: bin f takes bin f - shift, the lowest bin fills the gap
                xb.slice(0, shift).copy_(xb.slice(0, 0, bins - shift).clone());
                xb.slice(0, 0, shift).copy_(xb.slice(0, shift, shift + 1).expand({shift, frames}));
            } else if (shift < 0) {
                const std::int64_t s = -shift;
                xb.slice(0, 0, bins - s).copy_(xb.slice(0, s).clone());
                xb.slice(0, bins - s).copy_(xb.slice(0, bins - s - 1, bins - s).expand({s, frames}));
            }
        }
        const SpecAugmentMasks masks = drawSpecAugmentMasks(a, bins, frames, rng);
        for (const auto& band : masks.time)
            xb.slice(1, band.start, band.start + band.width).zero_();
        for (const auto& band : masks.freq)
            xb.slice(0, band.start, band.start + band.width).zero_();
    }
    if (a.mixup_alpha > 0 && batch > 1 && unit(rng) < a.mixup_prob) {
        double lambda = data::betaSample(rng, a.mixup_alpha);
        lambda = std::max(lambda, 1.0 - lambda);
        std::vector<std::int64_t> perm(static_cast<std::size_t>(batch));
        std::iota(perm.begin(), perm.end(), 0);
        std::shuffle(perm.begin(), perm.end(), rng);
        const torch::Tensor index = torch::tensor(perm, torch::kLong);
        x = x * lambda + x.index_select(0, index) * (1.0 - lambda);
        y = y * lambda + y.index_select(0, index) * (1.0 - lambda);
    }
}

}  // namespace patchout
