// Colour maps and the Features -> RgbImage renderer: the one copy of the colour tables and of the
// value range a block is drawn with. The CLI writes its pictures with it (image.h's writePng);
// SpectrogramView and the other views use it through patchout/ui/colour_map.h (QColor, QImage).
// Like Sonic Visualiser's renderer it takes a parameters struct and a block of features and knows
// nothing of how they were made.
// The functions here carry names of their own (colourRgb, colourMapId, renderFeaturesRgb) because
// the Qt wrappers in patchout::ui take the same arguments: same names would make every
// unqualified call in the widgets ambiguous through argument-dependent lookup.
#pragma once

#include "patchout/features.h"
#include "patchout/image.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace patchout {

enum class ColourMap { Viridis, Magma, Grey };

// The names used in settings and on the command line: "viridis", "magma", "grey".
const char* colourMapId(ColourMap map);
std::vector<std::string> colourMapIds();
// Case-insensitive; "gray" is "grey". Error(InvalidArgument) listing the names otherwise.
ColourMap colourMapFromId(std::string_view name);

// Colour at position t in [0, 1] (clamped; NaN gives the colour at 0) as 0xRRGGBB.
std::uint32_t colourRgb(ColourMap map, double t);

struct ColourMapParams {
    ColourMap map = ColourMap::Viridis;
    double range_db = 80.0;  // shown dynamic range below the maximum, in dB
    // Fixed maximum (in the features' own units); NaN = the block's maximum.
    double max_value = std::numeric_limits<double>::quiet_NaN();
};

// The value range [low, high] a block is drawn with: range_db below the maximum, converted to the
// features' units with Features::db_per_unit (non-logarithmic features: minimum to maximum).
// Always low < high; an empty block gives [0, 1].
std::pair<double, double> displayRange(const Features& features, const ColourMapParams& params);

// One pixel per bin and frame, lowest frequency at the bottom; values at or below `low` of
// displayRange get the colour at 0, at or above `high` the colour at 1. An empty block gives a
// 1 x 1 picture in the colour at 0.
RgbImage renderFeaturesRgb(const Features& features, const ColourMapParams& params);

}  // namespace patchout
