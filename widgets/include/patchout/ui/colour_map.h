// Qt wrappers over core's colour maps (patchout/colour_map.h): QColor and QImage for the views
// (SpectrogramView, PatchoutView, EvaluateView, ...), plus the category colours of class plots.
// The tables, displayRange and the renderer live in core once; the CLI writes its pictures from
// the same pixels without Qt.
#pragma once

#include "patchout/colour_map.h"
#include "patchout/features.h"

#include <QColor>
#include <QImage>
#include <QString>
#include <QStringList>

#include <utility>

namespace patchout::ui {

using patchout::ColourMap;
using patchout::ColourMapParams;
using patchout::displayRange;

ColourMap colourMapFromName(const QString& name);  // unknown names give Viridis
QString colourMapName(ColourMap map);
QStringList colourMapNames();
// Colour at position t in [0, 1] (clamped).
QColor colourAt(ColourMap map, double t);
// Distinct colours for categories (classes, labels): Tableau 10, then the same ten lighter.
QColor categoryColour(int index);

// One pixel per bin and frame, lowest frequency at the bottom (core's renderFeaturesRgb as a
// Format_RGB32 image).
QImage renderFeatures(const Features& features, const ColourMapParams& params);

}  // namespace patchout::ui
