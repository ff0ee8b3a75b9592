#include "patchout/ui/colour_map.h"

#include "patchout/error.h"

#include <algorithm>

namespace patchout::ui {

ColourMap colourMapFromName(const QString& name) {
    try {
        return colourMapFromId(name.toStdString());
    } catch (const Error&) {
        return ColourMap::Viridis;
    }
}

QString colourMapName(ColourMap map) { return QString::fromLatin1(colourMapId(map)); }

QStringList colourMapNames() {
    QStringList names;
    for (const std::string& id : colourMapIds())
        names << QString::fromStdString(id);
    return names;
}

QColor colourAt(ColourMap map, double t) { return QColor(QRgb(0xff000000u | colourRgb(map, t))); }

QImage renderFeatures(const Features& features, const ColourMapParams& params) {
    const RgbImage rgb = renderFeaturesRgb(features, params);
    // The QImage only borrows the bytes; the conversion copies them before `rgb` goes.
    return QImage(rgb.pixels.data(), rgb.width, rgb.height, rgb.width * 3, QImage::Format_RGB888)
        .convertToFormat(QImage::Format_RGB32);
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
