#include "output.h"

#include "patchout/colour_map.h"
#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/image.h"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <ostream>

namespace patchout::cli {

void writeFeatures(const std::filesystem::path& path, const Features& features,
                   const std::string& colourMap, double rangeDb) {
    const std::string ext = path.extension().string();
    if (ext == ".png") {
        ColourMapParams params;
        params.map = colourMapFromId(colourMap);
        params.range_db = rangeDb;
        const RgbImage image = renderFeaturesRgb(features, params);
        // Readable at a glance: blown up by whole factors towards 1024 x 384 pixels (3 per bin of a
        // 128-bin log-mel), at most 4x, nearest neighbour, so every pixel is still one value.
        const int sx = std::max(1, 1024 / std::max(1, image.width));
        const int sy = std::max(1, 384 / std::max(1, image.height));
        writePng(path, scaleNearest(image, std::min(sx, 4), std::min(sy, 4)));
    } else if (ext == ".csv") {
        writeFileAtomically(path, [&](std::ostream& out) {
            out << "time_s";
            for (double f : features.bin_frequencies)
                out << "," << std::fixed << std::setprecision(1) << f << "Hz";
            out << "\n" << std::setprecision(6);
            for (int t = 0; t < features.n_frames; ++t) {
                out << std::fixed << t / features.frame_rate << std::defaultfloat;
                for (int b = 0; b < features.n_bins; ++b)
                    out << "," << features.at(b, t);
                out << "\n";
            }
        });
    } else if (ext == ".f32") {
        const auto data = features.binMajor();
        writeFileAtomically(path, [&](std::ostream& out) {
            out.write(reinterpret_cast<const char*>(data.data()),
                      static_cast<std::streamsize>(data.size() * sizeof(float)));
        });
    } else {
        throw Error(ErrorCode::InvalidArgument, "unknown output type '" + ext + "' (.png, .csv, .f32)",
                    path.string());
    }
}

int reportSkipped(const std::vector<FileError>& skipped, std::size_t files, const std::filesystem::path& errors) {
    for (const FileError& e : skipped)
        std::cerr << "patchout: warning: skipped " << e.path.string() << ": " << e.reason << "\n";
    if (!skipped.empty())
        std::cerr << "patchout: " << skipped.size() << " of " << files << " files skipped"
                  << (errors.empty() ? std::string() : ", listed in " + errors.string()) << "\n";
    if (skipped.empty())
        return 0;
    return skipped.size() >= files ? kExitNothingWorked : kExitSomeSkipped;
}

int reportLeftOutRows(const Dataset& dataset) {
    for (const DatasetProblem& p : dataset.problems)
        std::cerr << "patchout: warning: " << p.describe() << "\n";
    if (dataset.skipped_rows == 0)
        return 0;
    std::cerr << "patchout: " << dataset.skipped_rows << " dataset row" << (dataset.skipped_rows == 1 ? "" : "s")
              << " left out (--skip_bad_rows); " << dataset.clips.size() << " clips used\n";
    return kExitSomeSkipped;
}

}  // namespace patchout::cli
