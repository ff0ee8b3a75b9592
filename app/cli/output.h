// Small helpers shared by CLI commands: writing feature blocks and pictures atomically.
#pragma once

#include "patchout/features.h"

#include <filesystem>
#include <string>

namespace patchout::cli {

// Writes features as .png (colour-mapped picture), .csv (one row per frame) or .f32 (raw float32,
// bin-major [n_bins x n_frames], the layout of the reference fixtures), chosen by extension.
void writeFeatures(const std::filesystem::path& path, const Features& features,
                   const std::string& colourMap = "viridis", double rangeDb = 80.0);

}  // namespace patchout::cli
