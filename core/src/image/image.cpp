#include "patchout/image.h"

#include "patchout/error.h"
#include "patchout/files.h"

#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>
#include <ostream>
#include <string>

namespace patchout {
namespace {

// libpng reports errors by longjmp. It only ever jumps out of libpng and out of the two callbacks
// below, which hold no C++ objects, back to encode(), whose only C++ locals are made before setjmp:
// no destructor is skipped. Exceptions are thrown once control is back in C++ code.
struct PngState {
    std::ostream* out = nullptr;
    char message[256] = {};
};

void onPngError(png_structp png, png_const_charp message) {
    auto* state = static_cast<PngState*>(png_get_error_ptr(png));
    std::strncpy(state->message, message != nullptr ? message : "libpng error",
                 sizeof state->message - 1);
    png_longjmp(png, 1);
}

void onPngWarning(png_structp, png_const_charp) {}

void writeBytes(png_structp png, png_bytep data, png_size_t size) {
    auto* state = static_cast<PngState*>(png_get_io_ptr(png));
    if (!state->out->write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size)))
        png_error(png, "write failed");
}

void flushBytes(png_structp png) {
    auto* state = static_cast<PngState*>(png_get_io_ptr(png));
    state->out->flush();
}

// True when the whole PNG was written; false with state.message set otherwise.
bool encode(png_structp png, png_infop info, const RgbImage& image, png_bytepp rows,
            PngState& state) {
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_set_write_fn(png, &state, writeBytes, flushBytes);
    png_set_IHDR(png, info, static_cast<png_uint_32>(image.width),
                 static_cast<png_uint_32>(image.height), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
    return true;
}

}  // namespace

RgbImage::RgbImage(int w, int h)
    : width(std::max(0, w)), height(std::max(0, h)),
      pixels(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3, 0) {}

std::uint32_t RgbImage::rgb(int x, int y) const noexcept {
    const std::uint8_t* p = pixels.data() + (static_cast<std::size_t>(y) * width + x) * 3;
    return static_cast<std::uint32_t>(p[0]) << 16 | static_cast<std::uint32_t>(p[1]) << 8 | p[2];
}

void RgbImage::setRgb(int x, int y, std::uint32_t rgb) noexcept {
    std::uint8_t* p = pixels.data() + (static_cast<std::size_t>(y) * width + x) * 3;
    p[0] = static_cast<std::uint8_t>(rgb >> 16);
    p[1] = static_cast<std::uint8_t>(rgb >> 8);
    p[2] = static_cast<std::uint8_t>(rgb);
}

RgbImage scaleNearest(const RgbImage& image, int factor_x, int factor_y) {
    if (factor_x < 1 || factor_y < 1)
        throw Error(ErrorCode::InvalidArgument,
                    "scale factors must be at least 1, got " + std::to_string(factor_x) + " x " +
                        std::to_string(factor_y));
    RgbImage out(image.width * factor_x, image.height * factor_y);
    const std::size_t inRow = static_cast<std::size_t>(image.width) * 3;
    const std::size_t outRow = static_cast<std::size_t>(out.width) * 3;
    for (int y = 0; y < image.height; ++y) {
        const std::uint8_t* src = image.pixels.data() + y * inRow;
        std::uint8_t* first = out.pixels.data() + static_cast<std::size_t>(y) * factor_y * outRow;
        for (int x = 0; x < image.width; ++x)
            for (int k = 0; k < factor_x; ++k)
                std::memcpy(first + (static_cast<std::size_t>(x) * factor_x + k) * 3, src + x * 3,
                            3);
        for (int k = 1; k < factor_y; ++k)
            std::memcpy(first + k * outRow, first, outRow);
    }
    return out;
}

void writePng(const std::filesystem::path& path, const RgbImage& image) {
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        throw Error(ErrorCode::InvalidArgument,
                    "cannot write an empty or inconsistent image (" + std::to_string(image.width) +
                        " x " + std::to_string(image.height) + ")",
                    path.string());
    std::vector<png_bytep> rows(static_cast<std::size_t>(image.height));
    for (int y = 0; y < image.height; ++y)
        rows[static_cast<std::size_t>(y)] = const_cast<png_bytep>(
            image.pixels.data() + static_cast<std::size_t>(y) * image.width * 3);
    writeFileAtomically(path, [&](std::ostream& out) {
        PngState state;
        state.out = &out;
        png_structp png =
            png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, onPngError, onPngWarning);
        png_infop info = png != nullptr ? png_create_info_struct(png) : nullptr;
        if (info == nullptr) {
            png_destroy_write_struct(&png, nullptr);
            throw Error(ErrorCode::Internal, "libpng could not start (out of memory)",
                        path.string());
        }
        const bool ok = encode(png, info, image, rows.data(), state);
        png_destroy_write_struct(&png, &info);
        if (!ok)
            throw Error(ErrorCode::Io, std::string("could not encode PNG: ") + state.message,
                        path.string());
    });
}

}  // namespace patchout
