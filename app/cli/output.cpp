#include "output.h"

#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/ui/colour_map.h"

#include <QBuffer>
#include <QByteArray>

#include <iomanip>
#include <ostream>

namespace patchout::cli {

void writeFeatures(const std::filesystem::path& path, const Features& features,
                   const std::string& colourMap, double rangeDb) {
    const std::string ext = path.extension().string();
    if (ext == ".png") {
        ui::ColourMapParams params;
        params.map = ui::colourMapFromName(QString::fromStdString(colourMap));
        params.range_db = rangeDb;
        QImage image = ui::renderFeatures(features, params);
        // Readable at a glance: at least 3 pixels per mel bin and 2 per frame (nearest neighbour,
        // so every pixel is still one value).
        const int sx = std::max(1, 1024 / std::max(1, image.width()));
        const int sy = std::max(1, 384 / std::max(1, image.height()));
        image = image.scaled(image.width() * std::min(sx, 4), image.height() * std::min(sy, 4));
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        if (!image.save(&buffer, "PNG"))
            throw Error(ErrorCode::Io, "could not encode PNG", path.string());
        writeFileAtomically(path, [&](std::ostream& out) {
            out.write(bytes.constData(), bytes.size());
        });
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

}  // namespace patchout::cli
