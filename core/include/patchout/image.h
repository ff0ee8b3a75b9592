// RgbImage: an 8-bit RGB picture in plain memory, and writePng to save one. The CLI writes its
// pictures (`patchout features --out mel.png`) with these alone, so it needs no Qt; the widgets
// wrap the same pixels in a QImage. Colour-mapped renderings of features are in colour_map.h.
// Thread-safety: plain values and free functions; images may be shared read-only between threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace patchout {

struct RgbImage {
    int width = 0;
    int height = 0;
    // width * height * 3 bytes: R, G, B per pixel, rows from the top down, no padding.
    std::vector<std::uint8_t> pixels;

    RgbImage() = default;
    // Black picture of the given size (negative sizes are taken as 0).
    RgbImage(int width, int height);

    // The pixel at column x, row y (0 = top) as 0xRRGGBB. No bounds check.
    std::uint32_t rgb(int x, int y) const noexcept;
    void setRgb(int x, int y, std::uint32_t rgb) noexcept;
};

// Each pixel becomes a factor_x x factor_y block (nearest neighbour, so every pixel still shows
// one value). Error(InvalidArgument) when a factor is below 1.
RgbImage scaleNearest(const RgbImage& image, int factor_x, int factor_y);

// Writes `image` as an 8-bit RGB PNG, atomically (patchout/files.h). Error(InvalidArgument) for
// an empty image, Error(Io) naming `path` when the file cannot be written.
void writePng(const std::filesystem::path& path, const RgbImage& image);

}  // namespace patchout
