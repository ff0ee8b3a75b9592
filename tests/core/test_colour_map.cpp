// Colour maps, displayRange and the Features -> RgbImage renderer (patchout/colour_map.h), and the
// PNG writer (patchout/image.h) the CLI draws its pictures with. Expected colours are the stops of
// matplotlib's tables; the PNG is read back with libpng's simplified API.
#include "patchout/colour_map.h"
#include "patchout/error.h"
#include "patchout/image.h"
#include "test_support.h"

#include <png.h>

#include <cmath>
#include <fstream>
#include <iterator>

using namespace patchout;

namespace {

// A block of n_bins x n_frames whose value is `bin` everywhere (bin 0 lowest), so rows of the
// picture tell which bin they show.
Features rampOverBins(int n_bins, int n_frames) {
    Features f;
    f.n_bins = n_bins;
    f.n_frames = n_frames;
    f.frame_rate = 100;
    for (int t = 0; t < n_frames; ++t)
        for (int b = 0; b < n_bins; ++b)
            f.data.push_back(static_cast<float>(b));
    return f;
}

std::string readBytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint32_t bigEndian32(const std::string& bytes, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i)
        v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
    return v;
}

}  // namespace

TEST(ColourMap, EndsAndMiddleOfEachMap) {
    EXPECT_EQ(colourRgb(ColourMap::Viridis, 0.0), 0x440154u);
    EXPECT_EQ(colourRgb(ColourMap::Viridis, 0.5), 0x21918cu);
    EXPECT_EQ(colourRgb(ColourMap::Viridis, 1.0), 0xfde725u);
    EXPECT_EQ(colourRgb(ColourMap::Magma, 0.0), 0x000004u);
    EXPECT_EQ(colourRgb(ColourMap::Magma, 0.5), 0xb73779u);
    EXPECT_EQ(colourRgb(ColourMap::Magma, 1.0), 0xfcfdbfu);
    EXPECT_EQ(colourRgb(ColourMap::Grey, 0.0), 0x000000u);
    EXPECT_EQ(colourRgb(ColourMap::Grey, 0.5), 0x808080u);  // 127.5 rounds up
    EXPECT_EQ(colourRgb(ColourMap::Grey, 1.0), 0xffffffu);
}

TEST(ColourMap, ClampsAndInterpolatesBetweenStops) {
    for (ColourMap map : {ColourMap::Viridis, ColourMap::Magma, ColourMap::Grey}) {
        EXPECT_EQ(colourRgb(map, -3.0), colourRgb(map, 0.0)) << colourMapId(map);
        EXPECT_EQ(colourRgb(map, 7.0), colourRgb(map, 1.0)) << colourMapId(map);
        EXPECT_EQ(colourRgb(map, std::nan("")), colourRgb(map, 0.0)) << colourMapId(map);
    }
    EXPECT_EQ(colourRgb(ColourMap::Viridis, 0.1), 0x482475u);  // the second stop
    // A quarter of the way from the first stop (0x44, 0x01, 0x54) to the second (0x48, 0x24, 0x75).
    EXPECT_EQ(colourRgb(ColourMap::Viridis, 0.025), 0x450a5cu);
}

TEST(ColourMap, NamesRoundTripCaseInsensitively) {
    EXPECT_EQ(colourMapIds(), (std::vector<std::string>{"viridis", "magma", "grey"}));
    for (const std::string& id : colourMapIds())
        EXPECT_EQ(colourMapId(colourMapFromId(id)), id);
    EXPECT_EQ(colourMapFromId("Magma"), ColourMap::Magma);
    EXPECT_EQ(colourMapFromId("GRAY"), ColourMap::Grey);
    try {
        colourMapFromId("jet");
        FAIL() << "jet is not one of ours";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(e.message().find("viridis, magma, grey"), std::string::npos) << e.message();
    }
}

TEST(ColourMap, DisplayRangeIsRangeDbBelowTheMaximum) {
    Features f = rampOverBins(4, 2);  // values 0..3
    f.db_per_unit = 10;               // one unit is 10 dB
    ColourMapParams params;
    params.range_db = 20;
    EXPECT_EQ(displayRange(f, params), std::make_pair(1.0, 3.0));
    params.max_value = 5;  // a fixed top, as a live view keeps it
    EXPECT_EQ(displayRange(f, params), std::make_pair(3.0, 5.0));

    f.db_per_unit = 0;  // not logarithmic: minimum to maximum, range_db unused
    EXPECT_EQ(displayRange(f, ColourMapParams{}), std::make_pair(0.0, 3.0));
    const Features flat = rampOverBins(1, 3);  // all zero
    EXPECT_EQ(displayRange(flat, ColourMapParams{}), std::make_pair(-1.0, 0.0));  // never empty
    EXPECT_EQ(displayRange(Features{}, ColourMapParams{}), std::make_pair(0.0, 1.0));
}

TEST(ColourMap, RenderPutsTheLowestBinAtTheBottom) {
    const Features f = rampOverBins(3, 4);  // linear values 0, 1, 2 over the bins
    ColourMapParams params;
    params.map = ColourMap::Magma;
    const RgbImage image = renderFeaturesRgb(f, params);
    ASSERT_EQ(image.width, 4);   // frames
    ASSERT_EQ(image.height, 3);  // bins
    ASSERT_EQ(image.pixels.size(), 4u * 3u * 3u);
    for (int x = 0; x < image.width; ++x) {
        EXPECT_EQ(image.rgb(x, 2), colourRgb(ColourMap::Magma, 0.0)) << x;  // bin 0, bottom row
        EXPECT_EQ(image.rgb(x, 1), colourRgb(ColourMap::Magma, 127.0 / 255.0)) << x;
        EXPECT_EQ(image.rgb(x, 0), colourRgb(ColourMap::Magma, 1.0)) << x;  // top bin, top row
    }
    // Bytes are R, G, B from the top-left corner.
    EXPECT_EQ(image.pixels[0], 0xfc);
    EXPECT_EQ(image.pixels[1], 0xfd);
    EXPECT_EQ(image.pixels[2], 0xbf);

    const RgbImage empty = renderFeaturesRgb(Features{}, params);
    ASSERT_EQ(empty.width, 1);
    ASSERT_EQ(empty.height, 1);
    EXPECT_EQ(empty.rgb(0, 0), colourRgb(ColourMap::Magma, 0.0));
}

TEST(Image, ScaleNearestRepeatsEachPixelAsABlock) {
    RgbImage image(2, 1);
    image.setRgb(0, 0, 0x102030);
    image.setRgb(1, 0, 0xa0b0c0);
    const RgbImage big = scaleNearest(image, 3, 2);
    ASSERT_EQ(big.width, 6);
    ASSERT_EQ(big.height, 2);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 6; ++x)
            EXPECT_EQ(big.rgb(x, y), x < 3 ? 0x102030u : 0xa0b0c0u) << x << "," << y;
    EXPECT_THROW(scaleNearest(image, 0, 1), Error);
}

TEST(Image, PngRoundTripKeepsSizeAndPixels) {
    test::TempDir dir;
    const RgbImage image = renderFeaturesRgb(rampOverBins(5, 7), ColourMapParams{});
    const auto path = dir / "ramp.png";
    writePng(path, image);

    const std::string bytes = readBytes(path);
    ASSERT_GT(bytes.size(), 33u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(bytes.substr(12, 4), "IHDR");
    EXPECT_EQ(bigEndian32(bytes, 16), 7u);  // width: frames
    EXPECT_EQ(bigEndian32(bytes, 20), 5u);  // height: bins
    EXPECT_EQ(bytes[24], 8);                // bit depth
    EXPECT_EQ(bytes[25], 2);                // colour type RGB

    png_image decoded{};
    decoded.version = PNG_IMAGE_VERSION;
    ASSERT_NE(png_image_begin_read_from_file(&decoded, path.c_str()), 0) << decoded.message;
    decoded.format = PNG_FORMAT_RGB;
    std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(decoded));
    ASSERT_NE(png_image_finish_read(&decoded, nullptr, pixels.data(), 0, nullptr), 0)
        << decoded.message;
    EXPECT_EQ(pixels, image.pixels);

    // Written atomically: no temporary file is left beside it.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                            std::filesystem::directory_iterator()),
              1);
}

TEST(Image, WritePngReportsAnUnwritablePath) {
    test::TempDir dir;
    {
        std::ofstream(dir / "file") << "not a folder";
    }
    const auto path = dir / "file" / "picture.png";  // a folder that cannot exist (root or not)
    try {
        writePng(path, RgbImage(2, 2));
        FAIL() << "wrote below a regular file";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find("file"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_THROW(writePng(dir / "empty.png", RgbImage{}), Error);
    EXPECT_FALSE(std::filesystem::exists(dir / "empty.png"));
}
