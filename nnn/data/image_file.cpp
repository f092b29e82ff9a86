// Image files on OpenCV's codecs.
#include "nnn/data/image_file.h"

#include <fmt/format.h>
#include <zlib.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <vector>

#include "nnn/util/enum_names.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/limits.h"

namespace nnn {

namespace {

bool starts_with(const std::string& bytes, const char* magic, size_t size) {
  return bytes.size() >= size && std::memcmp(bytes.data(), magic, size) == 0;
}

uint32_t big_endian(const std::string& b, size_t at, size_t size) {
  uint32_t v = 0;
  for (size_t i = 0; i < size; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

uint32_t little_endian(const std::string& b, size_t at, size_t size) {
  uint32_t v = 0;
  for (size_t i = size; i-- > 0;) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

// The first SOF segment's size: markers FF xx, each but the standalone
// ones followed by a 2-byte length that counts itself.
ImageSize jpeg_size(const std::string& b, const std::string& name) {
  size_t at = 2;
  while (at + 4 <= b.size()) {
    if (static_cast<uint8_t>(b[at]) != 0xFF) break;
    const auto marker = static_cast<uint8_t>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      at += 2;
      continue;
    }
    const size_t length = big_endian(b, at + 2, 2);
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      NNN_CHECK(at + 9 <= b.size(), name, ": truncated JPEG (its frame header is cut short)");
      return {static_cast<int64_t>(big_endian(b, at + 7, 2)),
              static_cast<int64_t>(big_endian(b, at + 5, 2))};
    }
    NNN_CHECK(marker != 0xD9 && marker != 0xDA, name,
              ": not a readable JPEG (no frame header before its data)");
    NNN_CHECK(length >= 2, name, ": corrupt JPEG (a segment of length ", length, ")");
    at += 2 + length;
  }
  throw Error(name + ": truncated JPEG (it ends before its frame header)");
}

// A file cut short is refused here, in nnn's words: OpenCV's decoders
// print their own message on stderr when their input ends early. A PNG ends
// with its IEND chunk, a JPEG with its EOI marker; an uncompressed BMP holds
// its rows from its data offset on.
// `size` is the header's (image_header_size).
void require_whole(const std::string& b, ImageFormat format, const ImageSize& size,
                   const std::string& name) {
  switch (format) {
    case ImageFormat::kPng: {
      static const std::string kIend("\0\0\0\0IEND\xAE\x42\x60\x82", 12);
      NNN_CHECK(b.size() >= 45 && b.compare(b.size() - 12, 12, kIend) == 0, name,
                ": truncated PNG (it does not end with its IEND chunk)");
      // Every chunk whole and its CRC right: damage is refused here, where
      // libpng would print its own message.
      int data_chunks = 0;
      for (size_t at = 8; at < b.size();) {
        NNN_CHECK(at + 12 <= b.size(), name, ": corrupt PNG (a chunk cut short at byte ", at, ")");
        const uint64_t length = big_endian(b, at, 4);
        NNN_CHECK(length <= b.size() - at - 12, name, ": corrupt PNG (a chunk of ", length,
                  " bytes at byte ", at, " runs past the end)");
        const auto* data = reinterpret_cast<const Bytef*>(b.data() + at + 4);
        const uLong crc = crc32(crc32(0L, Z_NULL, 0), data, static_cast<uInt>(length + 4));
        NNN_CHECK(crc == big_endian(b, at + 8 + length, 4), name,
                  ": corrupt PNG (the checksum of its chunk at byte ", at, " is wrong)");
        const std::string type = b.substr(at + 4, 4);
        NNN_CHECK((type == "IHDR") == (at == 8) && (type == "IEND") == (at + 12 == b.size()), name,
                  ": corrupt PNG (its ", quoted(type, 4), " chunk at byte ", at,
                  " is out of place)");
        data_chunks += type == "IDAT";
        at += 12 + length;
      }
      NNN_CHECK(data_chunks > 0, name, ": corrupt PNG (no IDAT chunk: no pixel data)");
      return;
    }
    case ImageFormat::kJpeg:
      NNN_CHECK(b.size() >= 4 && static_cast<uint8_t>(b[b.size() - 2]) == 0xFF &&
                    static_cast<uint8_t>(b[b.size() - 1]) == 0xD9,
                name, ": truncated JPEG (it does not end with its end-of-image marker)");
      return;
    case ImageFormat::kBmp: {
      // The header fields OpenCV's reader asserts on, checked first.
      const uint32_t header = little_endian(b, 14, 4);
      const bool core = header == 12;
      NNN_CHECK(core || header == 40 || header == 52 || header == 56 || header == 64 ||
                    header == 108 || header == 124,
                name, ": not a readable BMP (an unknown header of ", header, " bytes)");
      NNN_CHECK(b.size() >= 14 + header, name, ": truncated BMP (its header is cut short)");
      const uint64_t offset = little_endian(b, 10, 4);
      const uint32_t planes = little_endian(b, core ? 22 : 26, 2);
      const uint32_t bits = little_endian(b, core ? 24 : 28, 2);
      const uint32_t compression = core ? 0 : little_endian(b, 30, 4);
      const uint32_t colours = core ? 0 : little_endian(b, 46, 4);
      NNN_CHECK(planes == 1 &&
                    (bits == 1 || bits == 4 || bits == 8 || bits == 16 || bits == 24 || bits == 32),
                name, ": not a readable BMP (", planes, " planes of ", bits, " bits)");
      // Run-length coded BMPs are refused: OpenCV's reader of them runs past
      // a short file with a message of its own. Cameras and editors write
      // uncompressed ones.
      NNN_CHECK(compression != 1 && compression != 2, name,
                ": a run-length coded BMP is not read; save it uncompressed or as PNG");
      NNN_CHECK(compression == 0 || (compression == 3 && (bits == 16 || bits == 32)), name,
                ": not a readable BMP (compression ", compression, " with ", bits,
                " bits a pixel)");
      NNN_CHECK(colours <= 256, name, ": corrupt BMP (", colours, " palette colours)");
      // The palette (up to 8 bits a pixel) and the bit masks lie between the
      // header and the pixel data.
      const uint64_t palette =
          bits <= 8 ? (colours ? colours : (1u << bits)) * (core ? 3u : 4u) : 0;
      const uint64_t masks = compression == 3 && header == 40 ? 12 : 0;
      NNN_CHECK(offset >= 14 + header + palette + masks && offset <= b.size(), name,
                ": corrupt BMP (its pixel data at byte ", offset, " of ", b.size(), ")");
      if (size.width <= 0 || size.height <= 0) return;
      const uint64_t row = (uint64_t{bits} * static_cast<uint64_t>(size.width) + 31) / 32 * 4;
      const uint64_t need = offset + row * static_cast<uint64_t>(size.height);
      NNN_CHECK(b.size() >= need, name, ": truncated BMP (", need, " bytes announced, ", b.size(),
                " present)");
      return;
    }
    case ImageFormat::kPgm:
      return;
  }
}

}  // namespace

const std::string& to_string(ImageFormat format) {
  static const std::vector<std::string> kNames = {"PGM", "PNG", "JPEG", "BMP"};
  return enum_name(kNames, format);
}

bool is_image_file_name(const std::string& path) {
  const std::string ext = lowercase_extension(path);
  return ext == ".pgm" || ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

std::optional<ImageFormat> sniff_image(const std::string& bytes) {
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n", 8)) return ImageFormat::kPng;
  if (starts_with(bytes, "\xFF\xD8\xFF", 3)) return ImageFormat::kJpeg;
  if (starts_with(bytes, "BM", 2)) return ImageFormat::kBmp;
  // P5 and P2 are PGM; the other Netpbm kinds (P6 colour, ...) go to the
  // PGM reader too, which names them in its refusal.
  if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '7') {
    return ImageFormat::kPgm;
  }
  return std::nullopt;
}

ImageSize image_header_size(const std::string& b, ImageFormat format, const std::string& name) {
  switch (format) {
    case ImageFormat::kPng:
      // Signature, then the IHDR chunk: length, type, width, height.
      NNN_CHECK(b.size() >= 24 && b.compare(12, 4, "IHDR") == 0, name,
                ": truncated PNG (no IHDR header)");
      return {static_cast<int64_t>(big_endian(b, 16, 4)),
              static_cast<int64_t>(big_endian(b, 20, 4))};
    case ImageFormat::kJpeg:
      return jpeg_size(b, name);
    case ImageFormat::kBmp: {
      NNN_CHECK(b.size() >= 26, name, ": truncated BMP (its header is cut short)");
      const uint32_t header = little_endian(b, 14, 4);
      if (header == 12) {  // OS/2 BITMAPCOREHEADER: 16-bit sizes
        return {static_cast<int64_t>(little_endian(b, 18, 2)),
                static_cast<int64_t>(little_endian(b, 20, 2))};
      }
      // Width and height are signed; a negative height is a top-down image.
      const auto width = static_cast<int32_t>(little_endian(b, 18, 4));
      const auto height = static_cast<int32_t>(little_endian(b, 22, 4));
      return {width, height < 0 ? -static_cast<int64_t>(height) : height};
    }
    case ImageFormat::kPgm:
      break;
  }
  throw Error(name + ": no header size for this format");
}

GreyImage decode_image(const std::string& bytes, const std::string& name) {
  const auto format = sniff_image(bytes);
  if (!format) {
    NNN_CHECK(!bytes.empty(), name, ": empty file (expected a PNG, JPEG, BMP or PGM image)");
    std::string first;
    for (size_t i = 0; i < bytes.size() && i < 4; ++i) {
      first += fmt::format("{}{:02x}", i ? " " : "", static_cast<uint8_t>(bytes[i]));
    }
    throw Error(name + ": not a PNG, JPEG, BMP or PGM image (its first bytes are " + first + ")");
  }
  if (*format == ImageFormat::kPgm) return parse_pgm(bytes, name);
  const std::string& kind = to_string(*format);
  const ImageSize size = image_header_size(bytes, *format, name);
  NNN_CHECK(size.width > 0 && size.height > 0, name, ": empty ", kind, " (", size.width, "x",
            size.height, ")");
  NNN_CHECK(size.width <= limits::kMaxImageSide && size.height <= limits::kMaxImageSide &&
                size.width * size.height <= limits::kMaxImagePixels,
            name, ": ", kind, " too large (", size.width, "x", size.height, "; at most ",
            limits::kMaxImageSide, " a side and ", limits::kMaxImagePixels, " pixels)");
  require_whole(bytes, *format, size, name);
  cv::Mat grey;
  try {
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    grey = cv::imdecode(raw, cv::IMREAD_GRAYSCALE);
  } catch (const cv::Exception&) {
    grey = cv::Mat();  // reported below, in nnn's words
  }
  NNN_CHECK(!grey.empty() && grey.type() == CV_8UC1, name, ": not a readable ", kind,
            " (corrupt or truncated data)");
  NNN_CHECK(grey.cols == size.width && grey.rows == size.height, name, ": corrupt ", kind,
            " (its header says ", size.width, "x", size.height, ", its data ", grey.cols, "x",
            grey.rows, ")");
  GreyImage image;
  image.width = grey.cols;
  image.height = grey.rows;
  image.pixels.resize(static_cast<size_t>(image.width * image.height));
  for (int y = 0; y < grey.rows; ++y) {
    std::memcpy(image.pixels.data() + static_cast<size_t>(y) * static_cast<size_t>(grey.cols),
                grey.ptr<uint8_t>(y), static_cast<size_t>(grey.cols));
  }
  return image;
}

GreyImage read_image(const std::string& path) { return decode_image(read_file(path), path); }

std::string encode_image(const GreyImage& image, ImageFormat format, int quality) {
  NNN_CHECK(image.width > 0 && image.height > 0 &&
                image.pixels.size() == static_cast<size_t>(image.width * image.height),
            "encode_image: ", image.width, "x", image.height, " with ", image.pixels.size(),
            " pixels");
  if (format == ImageFormat::kPgm) return encode_pgm(image);
  NNN_CHECK(quality >= 1 && quality <= 100, "JPEG quality must be 1 to 100; got ", quality);
  const cv::Mat mat(static_cast<int>(image.height), static_cast<int>(image.width), CV_8UC1,
                    const_cast<uint8_t*>(image.pixels.data()));
  std::vector<uchar> out;
  const std::vector<int> params = format == ImageFormat::kJpeg
                                      ? std::vector<int>{cv::IMWRITE_JPEG_QUALITY, quality}
                                      : std::vector<int>{};
  const char* ext = format == ImageFormat::kPng    ? ".png"
                    : format == ImageFormat::kJpeg ? ".jpg"
                                                   : ".bmp";
  NNN_CHECK(cv::imencode(ext, mat, out, params), "OpenCV could not encode a ", to_string(format));
  return {out.begin(), out.end()};
}

}  // namespace nnn
