// PGM files (good and malformed), digit normalisation, plate splitting and
// best-first readings on a hand-made probability table.
#include "nnn/data/pgm.h"
#include "nnn/data/digit_image.h"
#include "nnn/data/plate_readings.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

using PgmTest = testing::TempDirTest;

TEST_F(PgmTest, ReadsBinaryAndAsciiAndRoundTrips) {
  const auto p5 = write("a.pgm", std::string("P5\n# a comment\n3 2\n255\n") +
                                     std::string("\x01\x02\x03\x04\x05\xff", 6));
  const GreyImage a = read_pgm(p5);
  EXPECT_EQ(a.width, 3);
  EXPECT_EQ(a.height, 2);
  EXPECT_EQ(a.pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 255}));
  const GreyImage b = read_pgm(write("b.pgm", "P2 2 2 15\n0 15\n5 10\n"));
  EXPECT_EQ(b.pixels, (std::vector<uint8_t>{0, 255, 85, 170}));  // rescaled from maxval 15
  write_pgm((dir_ / "c.pgm").string(), a);
  EXPECT_EQ(read_pgm((dir_ / "c.pgm").string()).pixels, a.pixels);
}

TEST_F(PgmTest, MalformedFilesAreNamed) {
  expect_error([&] { read_pgm(write("png.pgm", "\x89PNG....")); }, "png.pgm: not a PGM image");
  expect_error([&] { read_pgm(write("hdr.pgm", "P5 3 x 255\n")); },
               "hdr.pgm: bad PGM header: expected the height, found 'x'");
  expect_error([&] { read_pgm(write("empty.pgm", "P5 0 3 255\n")); },
               "empty.pgm: empty image (0x3)");
  expect_error([&] { read_pgm(write("deep.pgm", "P5 1 1 65535\n\x01\x02")); },
               "deep.pgm: maximum value 65535 is not supported");
  expect_error([&] { read_pgm(write("short.pgm", "P5 4 4 255\nabc")); },
               "short.pgm: truncated: 16 pixels announced, 3 present");
  expect_error([&] { read_pgm(write("ascii.pgm", "P2 2 1 255\n7")); },
               "ascii.pgm: truncated: 2 pixels announced, at most 1 present");
  // A small body that claims a huge image is refused before any allocation.
  expect_error([&] { read_pgm(write("claims.pgm", "P5 16384 16384 255\nab")); },
               "claims.pgm: truncated: 268435456 pixels announced, 2 present");
  expect_error([&] { read_pgm(write("claims2.pgm", "P2 16384 16384 255\n1 2 3")); },
               "claims2.pgm: truncated: 268435456 pixels announced, at most 3 present");
  expect_error([&] { read_pgm((dir_ / "missing.pgm").string()); }, "cannot read");
  // Numbers too long for 64 bits (std::stoll threw std::out_of_range).
  expect_error([&] { read_pgm(write("wide.pgm", "P5 99999999999999999999 1 255\n")); },
               "wide.pgm: bad PGM header: the width has 20 digits; at most 9");
  expect_error([&] { read_pgm(write("pixel.pgm", "P2 1 1 255\n99999999999999999999\n")); },
               "pixel.pgm: pixel 0 has 20 digits, above the maximum 255");
}

TEST(Digit, NormalisedLikeMnist) {
  // A dark bar on a white 40x60 photo: inverted, scaled to 20 pixels high,
  // centred in 28x28.
  GreyImage photo;
  photo.width = 40;
  photo.height = 60;
  photo.pixels.assign(40 * 60, 255);
  for (int64_t y = 10; y < 50; ++y) {
    for (int64_t x = 18; x < 22; ++x) photo.pixels[static_cast<size_t>(y * 40 + x)] = 0;
  }
  const auto d = to_mnist_digit(photo);
  ASSERT_EQ(d.size(), 784u);
  double mass = 0, my = 0, mx = 0;
  int64_t rows_with_ink = 0;
  for (int64_t y = 0; y < 28; ++y) {
    bool ink = false;
    for (int64_t x = 0; x < 28; ++x) {
      const double v = d[static_cast<size_t>(y * 28 + x)];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
      ink = ink || v > 0.5;
    }
    rows_with_ink += ink;
  }
  EXPECT_EQ(rows_with_ink, 20);
  EXPECT_NEAR(mx / mass, 14.0, 0.6);
  EXPECT_NEAR(my / mass, 14.0, 0.6);
  EXPECT_EQ(d[0], 0.0f);  // the white background became black
}

TEST(Plate, SplitsIntoEqualCells) {
  GreyImage plate;
  plate.width = 12;
  plate.height = 2;
  for (int64_t y = 0; y < 2; ++y) {
    for (int64_t x = 0; x < 12; ++x) plate.pixels.push_back(static_cast<uint8_t>(x));
  }
  const auto cells = split_plate(plate, 3, "p.pgm");
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[1].width, 4);
  EXPECT_EQ(cells[1].at(0, 1), 4);
  EXPECT_EQ(cells[2].at(3, 0), 11);
  expect_error([&] { split_plate(plate, 4, "p.pgm"); },
               "p.pgm: a plate of 4 digits needs at least 16 pixels of width; the image is 12x2");
  GreyImage strip;
  strip.width = 112;
  strip.height = 28;
  strip.pixels.assign(112 * 28, 0);
  EXPECT_EQ(split_plate(strip, 4, "s.pgm").size(), 4u);
  expect_error([&] { split_plate(strip, 9, "s.pgm"); },
               "s.pgm: 9 digits in a 112x28 image give cells 12 pixels wide and 28 high");
}

TEST(Plate, BestFirstReadings) {
  // Digit 0: 7 (0.6) or 1 (0.4); digit 1: 3 (0.5), 8 (0.35), 5 (0.15).
  std::vector<std::vector<double>> p(2, std::vector<double>(10, 0.0));
  p[0][7] = 0.6;
  p[0][1] = 0.4;
  p[1][3] = 0.5;
  p[1][8] = 0.35;
  p[1][5] = 0.15;
  const auto r = best_readings(p, 5);
  ASSERT_EQ(r.size(), 5u);
  const std::vector<std::string> digits = {"73", "78", "13", "18", "75"};
  const std::vector<double> probs = {0.30, 0.21, 0.20, 0.14, 0.09};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(r[i].digits, digits[i]) << i;
    EXPECT_NEAR(r[i].probability, probs[i], 1e-12) << i;
  }
  for (size_t i = 1; i < r.size(); ++i) EXPECT_LE(r[i].probability, r[i - 1].probability);
  EXPECT_EQ(best_readings(p, 100).size(), 100u);  // 10 x 10 readings exist
  // A digit without classes or a non-finite probability is an error (the
  // sort would otherwise read out of bounds or misorder).
  expect_error([&] { best_readings({{0.5}, {}}, 3); }, "best_readings: digit 2 has no classes");
  expect_error(
      [&] {
        best_readings({{0.5, std::nan("")}}, 3);
      },
      "best_readings: digit 1 has probability nan");
}

TEST(Plate, HostileDigitCounts) {
  GreyImage plate;
  plate.width = 40;
  plate.height = 10;
  plate.pixels.assign(400, 0);
  expect_error([&] { split_plate(plate, int64_t{1} << 62, "p.pgm"); },
               "p.pgm: a plate of 4611686018427387904 digits needs at least 1.84467e+19 pixels");
}

}  // namespace
}  // namespace nnn
