// PGM files: header parsing, maxval rescaling, P5 and P2 bodies.
#include "nnn/data/pgm.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <queue>
#include <set>
#include <sstream>

#include "nnn/util/error.h"
#include "nnn/util/files.h"

namespace nnn {

namespace {

// Reads the next header token, skipping whitespace and # comments.
std::string token(const std::string& bytes, size_t& pos) {
  while (pos < bytes.size()) {
    if (bytes[pos] == '#') {
      while (pos < bytes.size() && bytes[pos] != '\n') ++pos;
    } else if (std::isspace(static_cast<unsigned char>(bytes[pos]))) {
      ++pos;
    } else {
      break;
    }
  }
  const size_t start = pos;
  while (pos < bytes.size() && !std::isspace(static_cast<unsigned char>(bytes[pos]))) ++pos;
  return bytes.substr(start, pos - start);
}

int64_t header_number(const std::string& bytes, size_t& pos, const std::string& path,
                      const char* what) {
  const std::string t = token(bytes, pos);
  NNN_CHECK(!t.empty() && t.find_first_not_of("0123456789") == std::string::npos, path,
            ": bad PGM header: expected the ", what, ", found ", quoted(t, 20));
  NNN_CHECK(t.size() <= 9, path, ": bad PGM header: the ", what, " has ", t.size(),
            " digits; at most 9");
  return std::stoll(t);
}

}  // namespace

GreyImage read_pgm(const std::string& path) { return parse_pgm(read_file(path), path); }

GreyImage parse_pgm(const std::string& bytes, const std::string& path) {
  size_t pos = 0;
  const std::string magic = token(bytes, pos);
  NNN_CHECK(magic == "P5" || magic == "P2", path,
            ": not a PGM image (expected the magic P5 or P2, found ", quoted(magic, 8), ")");
  GreyImage image;
  image.width = header_number(bytes, pos, path, "width");
  image.height = header_number(bytes, pos, path, "height");
  const int64_t maxval = header_number(bytes, pos, path, "maximum value");
  NNN_CHECK(image.width > 0 && image.height > 0, path, ": empty image (", image.width, "x",
            image.height, ")");
  NNN_CHECK(image.width <= 16384 && image.height <= 16384, path, ": image too large (", image.width,
            "x", image.height, ")");
  NNN_CHECK(maxval >= 1 && maxval <= 255, path, ": maximum value ", maxval,
            " is not supported (8-bit PGM needs 1..255)");
  const auto count = static_cast<size_t>(image.width * image.height);
  // The header's size is checked against the bytes present before anything
  // is allocated: a small body cannot claim a huge image.
  const size_t rest = bytes.size() > pos ? bytes.size() - pos : 0;
  if (magic == "P5") {
    NNN_CHECK(rest >= count + 1, path, ": truncated: ", count, " pixels announced, ",
              rest > 0 ? rest - 1 : 0, " present");
  } else {
    // P2: each pixel takes a digit and a separator at least.
    NNN_CHECK(rest + 1 >= 2 * count, path, ": truncated: ", count, " pixels announced, at most ",
              (rest + 1) / 2, " present");
  }
  image.pixels.resize(count);
  if (magic == "P5") {
    ++pos;  // the single whitespace after maxval
    for (size_t i = 0; i < count; ++i) image.pixels[i] = static_cast<uint8_t>(bytes[pos + i]);
  } else {
    for (size_t i = 0; i < count; ++i) {
      const std::string t = token(bytes, pos);
      NNN_CHECK(!t.empty(), path, ": truncated: ", count, " pixels announced, ", i, " present");
      NNN_CHECK(t.find_first_not_of("0123456789") == std::string::npos, path, ": pixel ", i, " is ",
                quoted(t, 20), ", not a number");
      NNN_CHECK(t.size() <= 9, path, ": pixel ", i, " has ", t.size(),
                " digits, above the maximum ", maxval);
      const int64_t v = std::stoll(t);
      NNN_CHECK(v <= maxval, path, ": pixel ", i, " is ", v, ", above the maximum ", maxval);
      image.pixels[i] = static_cast<uint8_t>(v);
    }
  }
  if (maxval != 255) {
    for (auto& p : image.pixels) p = static_cast<uint8_t>(std::lround(255.0 * p / maxval));
  }
  return image;
}

std::string encode_pgm(const GreyImage& image) {
  NNN_CHECK(image.width > 0 && image.height > 0 &&
                static_cast<int64_t>(image.pixels.size()) == image.width * image.height,
            "encode_pgm: inconsistent image (", image.width, "x", image.height, ", ",
            image.pixels.size(), " pixels)");
  std::string bytes =
      "P5\n" + std::to_string(image.width) + " " + std::to_string(image.height) + "\n255\n";
  bytes.append(image.pixels.begin(), image.pixels.end());
  return bytes;
}

void write_pgm(const std::string& path, const GreyImage& image) {
  write_file_atomically(path, encode_pgm(image));
}

}  // namespace nnn
