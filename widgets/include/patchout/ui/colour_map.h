// Colour maps and the Features -> QImage renderer shared by SpectrogramView and the CLI's
// `patchout features --out mel.png`. Like Sonic Visualiser's renderer, it takes a parameters
// struct and a block of features and knows nothing of how they were made.
#pragma once

#include "patchout/features.h"

#include <QColor>
#include <QImage>
#include <QString>
#include <QStringList>

#include <limits>
#include <utility>

namespace patchout::ui {

enum class ColourMap { Viridis, Magma, Grey };

ColourMap colourMapFromName(const QString& name);  // unknown names give Viridis
QString colourMapName(ColourMap map);
QStringList colourMapNames();
// Colour at position t in [0, 1] (clamped).
QColor colourAt(ColourMap map, double t);
// Distinct colours for categories (classes, labels): Tableau 10, then the same ten lighter.
QColor categoryColour(int index);

struct ColourMapParams {
    ColourMap map = ColourMap::Viridis;
    double range_db = 80.0;  // shown dynamic range below the maximum, in dB
    // Fixed maximum (in the features' own units); NaN = the block's maximum.
    double max_value = std::numeric_limits<double>::quiet_NaN();
};

// The value range [low, high] a block is drawn with: range_db below the maximum, converted to the
// features' units with Features::db_per_unit (non-logarithmic features: minimum to maximum).
std::pair<double, double> displayRange(const Features& features, const ColourMapParams& params);

// One pixel per bin and frame, lowest frequency at the bottom.
QImage renderFeatures(const Features& features, const ColourMapParams& params);

}  // namespace patchout::ui
