#include "patchout/colour_map.h"

#include "patchout/error.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace patchout {
namespace {

// Eleven evenly spaced samples of matplotlib's maps, interpolated linearly.
constexpr std::array<std::uint32_t, 11> kViridis = {0x440154, 0x482475, 0x414487, 0x355f8d,
                                                    0x2a788e, 0x21918c, 0x22a884, 0x44bf70,
                                                    0x7ad151, 0xbddf26, 0xfde725};
constexpr std::array<std::uint32_t, 11> kMagma = {0x000004, 0x140e36, 0x3b0f70, 0x641a80,
                                                  0x8c2981, 0xb73779, 0xde4968, 0xf7705c,
                                                  0xfe9f6d, 0xfecf92, 0xfcfdbf};

double clampUnit(double t) { return std::isnan(t) ? 0.0 : std::clamp(t, 0.0, 1.0); }

std::uint32_t interpolate(const std::array<std::uint32_t, 11>& stops, double t) {
    const double x = clampUnit(t) * (stops.size() - 1);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(x), stops.size() - 2);
    const double f = x - static_cast<double>(i);
    const std::uint32_t a = stops[i], b = stops[i + 1];
    std::uint32_t out = 0;
    for (int shift : {16, 8, 0}) {
        const int ca = static_cast<int>((a >> shift) & 0xff);
        const int cb = static_cast<int>((b >> shift) & 0xff);
        out |= static_cast<std::uint32_t>(std::lround(ca + (cb - ca) * f)) << shift;
    }
    return out;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

const char* colourMapId(ColourMap map) {
    switch (map) {
    case ColourMap::Viridis: return "viridis";
    case ColourMap::Magma: return "magma";
    case ColourMap::Grey: return "grey";
    }
    return "viridis";
}

std::vector<std::string> colourMapIds() { return {"viridis", "magma", "grey"}; }

ColourMap colourMapFromId(std::string_view name) {
    for (ColourMap map : {ColourMap::Viridis, ColourMap::Magma, ColourMap::Grey})
        if (equalsIgnoringCase(name, colourMapId(map)))
            return map;
    if (equalsIgnoringCase(name, "gray"))
        return ColourMap::Grey;
    throw Error(ErrorCode::InvalidArgument,
                "unknown colour map '" + std::string(name) + "' (viridis, magma, grey)");
}

std::uint32_t colourRgb(ColourMap map, double t) {
    switch (map) {
    case ColourMap::Viridis: return interpolate(kViridis, t);
    case ColourMap::Magma: return interpolate(kMagma, t);
    case ColourMap::Grey: {
        const auto v = static_cast<std::uint32_t>(std::lround(clampUnit(t) * 255));
        return v << 16 | v << 8 | v;
    }
    }
    return 0;
}

std::pair<double, double> displayRange(const Features& features, const ColourMapParams& params) {
    double high = params.max_value;
    double low = 0;
    if (features.data.empty())
        return {0.0, 1.0};
    const auto [mn, mx] = std::minmax_element(features.data.begin(), features.data.end());
    if (std::isnan(high))
        high = *mx;
    if (features.db_per_unit > 0)
        low = high - params.range_db / features.db_per_unit;
    else
        low = *mn;
    if (!(high > low))
        low = high - 1.0;
    return {low, high};
}

RgbImage renderFeaturesRgb(const Features& features, const ColourMapParams& params) {
    RgbImage image(std::max(1, features.n_frames), std::max(1, features.n_bins));
    if (features.n_frames == 0 || features.n_bins == 0) {
        image.setRgb(0, 0, colourRgb(params.map, 0.0));
        return image;
    }
    const auto [low, high] = displayRange(features, params);
    std::array<std::uint32_t, 256> lut{};
    for (std::size_t i = 0; i < lut.size(); ++i)
        lut[i] = colourRgb(params.map, static_cast<double>(i) / 255.0);
    const double scale = 255.0 / (high - low);
    for (int b = 0; b < features.n_bins; ++b) {
        const int y = features.n_bins - 1 - b;
        for (int t = 0; t < features.n_frames; ++t) {
            const double v = (features.at(b, t) - low) * scale;  // NaN data: the colour at 0
            const auto i = std::isnan(v) ? 0 : static_cast<std::size_t>(std::clamp(v, 0.0, 255.0));
            image.setRgb(t, y, lut[i]);
        }
    }
    return image;
}

}  // namespace patchout
