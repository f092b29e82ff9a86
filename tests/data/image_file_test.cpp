// Image files on OpenCV: PNG and BMP round trips, JPEG within its loss,
// colour to grey, and every malformed or hostile file refused in one line
// that names it. The encoders are libpng's and libjpeg's, through OpenCV
// (the browser test also reads Chromium's own PNG and JPEG).
#include "nnn/data/image_file.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/test_util.h"

namespace nnn {
namespace {

using testing::expect_error;

// A 28x20 image with a gradient and a bright bar: every value differs
// from its neighbours somewhere.
GreyImage pattern() {
  GreyImage image;
  image.width = 28;
  image.height = 20;
  for (int64_t y = 0; y < image.height; ++y) {
    for (int64_t x = 0; x < image.width; ++x) {
      image.pixels.push_back(static_cast<uint8_t>(x >= 10 && x < 14 ? 250 : (x * 7 + y * 3) % 200));
    }
  }
  return image;
}

using ImageFileTest = testing::TempDirTest;

TEST_F(ImageFileTest, LosslessFormatsRoundTripAndJpegStaysClose) {
  const GreyImage image = pattern();
  for (const ImageFormat format : {ImageFormat::kPng, ImageFormat::kBmp, ImageFormat::kPgm}) {
    const std::string bytes = encode_image(image, format);
    EXPECT_EQ(sniff_image(bytes), format) << to_string(format);
    const GreyImage back = read_image(write(std::string("a.") + to_string(format), bytes));
    EXPECT_EQ(back.width, 28);
    EXPECT_EQ(back.height, 20);
    EXPECT_EQ(back.pixels, image.pixels) << to_string(format);
  }
  const std::string jpeg = encode_image(image, ImageFormat::kJpeg, 95);
  ASSERT_EQ(sniff_image(jpeg), ImageFormat::kJpeg);
  const ImageSize size = image_header_size(jpeg, ImageFormat::kJpeg, "j");
  EXPECT_EQ(size.width, 28);
  EXPECT_EQ(size.height, 20);
  const GreyImage back = decode_image(jpeg, "j");
  ASSERT_EQ(back.pixels.size(), image.pixels.size());
  double error = 0;
  for (size_t i = 0; i < back.pixels.size(); ++i) {
    error += std::abs(static_cast<double>(back.pixels[i]) - image.pixels[i]);
  }
  EXPECT_LT(error / static_cast<double>(back.pixels.size()), 4.0) << "mean absolute error";
  EXPECT_GT(error, 0.0) << "JPEG is lossy: an exact copy would mean it was not JPEG";
}

TEST_F(ImageFileTest, ColourAndSixteenBitBecomeEightBitGrey) {
  // A colour PNG: blue, green and red halves, grey by OpenCV's weights
  // (0.114 B + 0.587 G + 0.299 R).
  cv::Mat colour(4, 6, CV_8UC3);
  for (int x = 0; x < 6; ++x) {
    for (int y = 0; y < 4; ++y) {
      colour.at<cv::Vec3b>(y, x) = x < 2   ? cv::Vec3b(200, 0, 0)
                                   : x < 4 ? cv::Vec3b(0, 200, 0)
                                           : cv::Vec3b(0, 0, 200);
    }
  }
  std::vector<uchar> png;
  ASSERT_TRUE(cv::imencode(".png", colour, png));
  const GreyImage grey = decode_image(std::string(png.begin(), png.end()), "colour.png");
  ASSERT_EQ(grey.pixels.size(), 24u);
  EXPECT_NEAR(grey.at(0, 0), 0.114 * 200, 1.0);
  EXPECT_NEAR(grey.at(2, 1), 0.587 * 200, 1.0);
  EXPECT_NEAR(grey.at(5, 3), 0.299 * 200, 1.0);
  // 16-bit grey: 0, 32768 and 65535 become 0, 128 and 255.
  cv::Mat deep(1, 3, CV_16UC1);
  deep.at<uint16_t>(0, 0) = 0;
  deep.at<uint16_t>(0, 1) = 32768;
  deep.at<uint16_t>(0, 2) = 65535;
  ASSERT_TRUE(cv::imencode(".png", deep, png));
  const GreyImage eight = decode_image(std::string(png.begin(), png.end()), "deep.png");
  EXPECT_EQ(eight.pixels, (std::vector<uint8_t>{0, 128, 255}));
}

TEST_F(ImageFileTest, MalformedAndHostileFilesAreNamed) {
  const std::string png = encode_image(pattern(), ImageFormat::kPng);
  const std::string jpeg = encode_image(pattern(), ImageFormat::kJpeg);
  expect_error([&] { read_image(write("empty.png", "")); },
               "empty.png: empty file (expected a PNG, JPEG, BMP or PGM image)");
  expect_error([&] { read_image(write("a.gif", "GIF89a\x01\x00")); },
               "a.gif: not a PNG, JPEG, BMP or PGM image (its first bytes are 47 49 46 38)");
  expect_error([&] { read_image(write("cut.png", png.substr(0, 12))); },
               "cut.png: truncated PNG (no IHDR header)");
  // A PNG whose header claims 100000 x 100000: refused before decoding.
  std::string huge = png;
  for (const size_t at : {16u, 20u}) {
    huge[at] = 0, huge[at + 1] = 1, huge[at + 2] = '\x86', huge[at + 3] = '\xa0';
  }
  expect_error([&] { read_image(write("huge.png", huge)); },
               "huge.png: PNG too large (100000x100000; at most 16384 a side");
  std::string wide = png;  // 16384 x 16384: within a side, over the pixels
  for (const size_t at : {16u, 20u})
    wide[at] = 0, wide[at + 1] = 0, wide[at + 2] = '\x40', wide[at + 3] = 0;
  expect_error([&] { read_image(write("wide.png", wide)); },
               "wide.png: PNG too large (16384x16384");
  // Its data cut off or damaged.
  expect_error([&] { read_image(write("half.png", png.substr(0, png.size() / 2))); },
               "half.png: truncated PNG (it does not end with its IEND chunk)");
  expect_error([&] { read_image(write("half.jpg", jpeg.substr(0, jpeg.size() - 40))); },
               "half.jpg: truncated JPEG (it does not end with its end-of-image marker)");
  const std::string bmp = encode_image(pattern(), ImageFormat::kBmp);
  expect_error([&] { read_image(write("half.bmp", bmp.substr(0, bmp.size() - 100))); },
               "half.bmp: truncated BMP (");
  std::string damaged = png;
  for (size_t i = 40; i < damaged.size() - 12; ++i) damaged[i] = static_cast<char>(i * 31);
  expect_error([&] { read_image(write("damaged.png", damaged)); },
               "damaged.png: corrupt PNG (the checksum of its chunk at byte");
  // Damage inside a JPEG's or BMP's data decodes to a damaged picture (they
  // have no checksums) of the size announced, or is refused; never a crash.
  for (const ImageFormat format : {ImageFormat::kJpeg, ImageFormat::kBmp}) {
    std::string bytes = encode_image(pattern(), format);
    for (size_t i = bytes.size() / 2; i < bytes.size() - 2; i += 3) bytes[i] = static_cast<char>(i);
    try {
      EXPECT_EQ(decode_image(bytes, "damaged").pixels.size(), 28u * 20u);
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("damaged: ", 0), 0u) << e.what();
    }
  }
  expect_error([&] { read_image(write("cut.jpg", jpeg.substr(0, 20))); },
               "cut.jpg: truncated JPEG");
  expect_error([&] { read_image(write("zero.bmp", std::string("BM") + std::string(40, '\0'))); },
               "zero.bmp: empty BMP (0x0)");
  expect_error([&] { read_image(write("missing.png", png).append("-not-there")); },
               "missing.png-not-there");
  // PGM stays nnn's own reader, with its messages.
  expect_error([&] { read_image(write("bad.pgm", "P5\n2 2\n255\n")); }, "bad.pgm: truncated");
}

// Every prefix of a real PNG, JPEG and BMP is refused in nnn's words or
// read; none crashes or escapes as a library exception.
TEST_F(ImageFileTest, EveryPrefixIsReadOrRefused) {
  for (const ImageFormat format : {ImageFormat::kPng, ImageFormat::kJpeg, ImageFormat::kBmp}) {
    const std::string bytes = encode_image(pattern(), format);
    for (size_t n = 0; n < bytes.size(); n += 7) {
      try {
        const GreyImage image = decode_image(bytes.substr(0, n), "prefix");
        EXPECT_EQ(image.pixels.size(), 28u * 20u);
      } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("prefix: ", 0), 0u) << e.what();
      }
    }
  }
}

}  // namespace
}  // namespace nnn
