#include "patchout/ui/colour_map.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace patchout::ui {
namespace {

// Eleven evenly spaced samples of matplotlib's maps, interpolated linearly.
constexpr std::array<QRgb, 11> kViridis = {0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c,
                                           0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725};
constexpr std::array<QRgb, 11> kMagma = {0x000004, 0x140e36, 0x3b0f70, 0x641a80, 0x8c2981, 0xb73779,
                                         0xde4968, 0xf7705c, 0xfe9f6d, 0xfecf92, 0xfcfdbf};

QRgb interpolate(const std::array<QRgb, 11>& stops, double t) {
    const double x = std::clamp(t, 0.0, 1.0) * (stops.size() - 1);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(x), stops.size() - 2);
    const double f = x - static_cast<double>(i);
    auto mix = [f](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * f)); };
    const QRgb a = stops[i], b = stops[i + 1];
    return qRgb(mix(qRed(a), qRed(b)), mix(qGreen(a), qGreen(b)), mix(qBlue(a), qBlue(b)));
}

}  // namespace

ColourMap colourMapFromName(const QString& name) {
    if (name.compare(QLatin1String("magma"), Qt::CaseInsensitive) == 0)
        return ColourMap::Magma;
    if (name.compare(QLatin1String("grey"), Qt::CaseInsensitive) == 0 ||
        name.compare(QLatin1String("gray"), Qt::CaseInsensitive) == 0)
        return ColourMap::Grey;
    return ColourMap::Viridis;
}

QString colourMapName(ColourMap map) {
    switch (map) {
    case ColourMap::Viridis: return QStringLiteral("viridis");
    case ColourMap::Magma: return QStringLiteral("magma");
    case ColourMap::Grey: return QStringLiteral("grey");
    }
    return QStringLiteral("viridis");
}

QStringList colourMapNames() {
    return {QStringLiteral("viridis"), QStringLiteral("magma"), QStringLiteral("grey")};
}

QColor colourAt(ColourMap map, double t) {
    switch (map) {
    case ColourMap::Viridis: return QColor(interpolate(kViridis, t));
    case ColourMap::Magma: return QColor(interpolate(kMagma, t));
    case ColourMap::Grey: {
        const int v = static_cast<int>(std::lround(std::clamp(t, 0.0, 1.0) * 255));
        return QColor(v, v, v);
    }
    }
    return {};
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

QImage renderFeatures(const Features& features, const ColourMapParams& params) {
    QImage image(std::max(1, features.n_frames), std::max(1, features.n_bins), QImage::Format_RGB32);
    image.fill(colourAt(params.map, 0.0));
    if (features.n_frames == 0 || features.n_bins == 0)
        return image;
    const auto [low, high] = displayRange(features, params);
    std::array<QRgb, 256> lut{};
    for (std::size_t i = 0; i < lut.size(); ++i)
        lut[i] = colourAt(params.map, static_cast<double>(i) / 255.0).rgb();
    const double scale = 255.0 / (high - low);
    for (int b = 0; b < features.n_bins; ++b) {
        auto* row = reinterpret_cast<QRgb*>(image.scanLine(features.n_bins - 1 - b));
        for (int t = 0; t < features.n_frames; ++t) {
            const double v = (features.at(b, t) - low) * scale;
            row[t] = lut[static_cast<std::size_t>(std::clamp(v, 0.0, 255.0))];
        }
    }
    return image;
}

QColor categoryColour(int index) {
    static const QColor colours[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                     QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75),
                                     QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),
                                     QColor(23, 190, 207)};
    const int i = std::max(index, 0);
    const QColor c = colours[i % 10];
    return i < 10 ? c : c.lighter(100 + 30 * (i / 10));
}

}  // namespace patchout::ui
