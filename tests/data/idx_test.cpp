// IDX files (good, truncated, wrong magic, bad type, over-long, count
// mismatch, corrupt gzip), CSV tables, the batch loader and augmentation.
#include "nnn/data/idx.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "nnn/data/augment.h"
#include "nnn/data/batch_loader.h"
#include "nnn/data/load_data.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

class IdxTest : public testing::TempDirTest {
 protected:
  void write_bytes(const std::string& name, const std::vector<uint8_t>& bytes) const {
    std::ofstream(path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  // 3 images of 2x2 and 3 labels.
  void write_pair(const std::string& images, const std::string& labels,
                  int64_t label_count = 3) const {
    IdxArray x;
    x.dims = {3, 2, 2};
    for (int i = 0; i < 12; ++i) x.data.push_back(static_cast<uint8_t>(i * 20));
    write_idx(path(images), x);
    IdxArray y;
    y.dims = {label_count};
    for (int64_t i = 0; i < label_count; ++i) y.data.push_back(static_cast<uint8_t>(i % 3));
    write_idx(path(labels), y);
  }
};

TEST_F(IdxTest, RoundTripPlainAndGzipAllTypes) {
  for (const char* name : {"a.idx", "a.idx.gz"}) {
    IdxArray bytes;
    bytes.dims = {2, 3};
    bytes.data = {1, 2, 3, 250, 251, 252};
    write_idx(path(name), bytes);
    const IdxArray back = read_idx(path(name));
    EXPECT_EQ(back.dims, bytes.dims);
    EXPECT_EQ(back.data, bytes.data);
  }
  IdxArray ints;
  ints.type = IdxType::kInt32;
  ints.dims = {2};
  const int32_t values[2] = {-7, 123456789};
  ints.data.assign(reinterpret_cast<const uint8_t*>(values),
                   reinterpret_cast<const uint8_t*>(values) + 8);
  write_idx(path("i.idx"), ints);
  const IdxArray back = read_idx(path("i.idx"));
  EXPECT_EQ(back.type, IdxType::kInt32);
  EXPECT_EQ(reinterpret_cast<const int32_t*>(back.data.data())[1], 123456789);
  // Big-endian on disk: 0x075BCD15 after the 8-byte header.
  std::ifstream raw(path("i.idx"), std::ios::binary);
  std::vector<char> file((std::istreambuf_iterator<char>(raw)), std::istreambuf_iterator<char>());
  ASSERT_EQ(file.size(), 16u);
  EXPECT_EQ(static_cast<uint8_t>(file[12]), 0x07);
  EXPECT_EQ(static_cast<uint8_t>(file[15]), 0x15);
}

TEST_F(IdxTest, DefectsAreNamed) {
  write_bytes("short_header", {0, 0, 8});
  expect_error([&] { read_idx(path("short_header")); },
               "short_header: truncated IDX header (3 of 4 bytes)");
  write_bytes("magic", {1, 2, 8, 1, 0, 0, 0, 1, 5});
  expect_error([&] { read_idx(path("magic")); }, "magic: not an IDX file");
  write_bytes("type", {0, 0, 7, 1, 0, 0, 0, 1, 5});
  expect_error([&] { read_idx(path("type")); }, "type: unknown IDX element type 0x7");
  write_bytes("dims", {0, 0, 8, 2, 0, 0, 0, 1});
  expect_error([&] { read_idx(path("dims")); },
               "dims: truncated IDX header (2 dimensions announced, 1 present)");
  write_bytes("short_data", {0, 0, 8, 1, 0, 0, 0, 4, 1, 2});
  expect_error([&] { read_idx(path("short_data")); },
               "short_data: truncated IDX data: the header announces 4 bytes, the file holds 2");
  write_bytes("long_data", {0, 0, 8, 1, 0, 0, 0, 1, 1, 2});
  expect_error([&] { read_idx(path("long_data")); },
               "long_data: the file holds more data than its IDX header announces");
  expect_error([&] { read_idx(path("missing")); }, "cannot read IDX file");
  // A gzip file cut in the middle.
  write_pair("x.gz", "y.gz");
  std::ifstream in(path("x.gz"), std::ios::binary);
  std::vector<uint8_t> gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  gz.resize(gz.size() / 2);
  write_bytes("cut.gz", gz);
  EXPECT_THROW(read_idx(path("cut.gz")), Error);
}

TEST_F(IdxTest, PairsBecomeDatasets) {
  write_pair("x.gz", "y.gz");
  const Dataset d = load_idx_pair(path("x.gz"), path("y.gz"));
  EXPECT_EQ(d.inputs.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(d.inputs[1][0].item<float>(), 80.0f);
  EXPECT_EQ(d.labels[2].item<int64_t>(), 2);
  EXPECT_EQ(d.classes, 3);
  write_pair("x2.gz", "y2.gz", /*label_count=*/4);
  expect_error([&] { load_idx_pair(path("x2.gz"), path("y2.gz")); },
               "x2.gz holds 3 samples but " + path("y2.gz") + " holds 4 labels");
}

TEST_F(IdxTest, IdxDatasetFromConfigNormalises) {
  write_pair("tx", "ty");
  write_pair("tx2", "ty2");
  DataConfig config;
  config.source = IdxFiles{path("tx"), path("ty"), path("tx"), path("ty")};
  config.normalize = Normalization::kUnit;
  const DataSplit split = load_data(config, 0);
  EXPECT_FLOAT_EQ(split.train.inputs.max().item<float>(), 220.0f / 255.0f);
  config.normalize = Normalization::kStandard;
  const DataSplit standard = load_data(config, 0);
  EXPECT_NEAR(standard.train.inputs.mean().item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(standard.train.inputs.std().item<double>(), 1.0, 1e-6);
  const Dataset like = load_idx_like(config, 0, path("tx"), path("ty"));
  EXPECT_TRUE(torch::allclose(like.inputs, standard.test.inputs));
  // The statistics a run records normalise exactly as the fresh ones, with
  // the training files gone.
  ASSERT_TRUE(standard.standard.known());
  config.standard = standard.standard;
  fs::remove(path("tx"));
  const Dataset recorded = load_idx_like(config, 0, path("tx2"), path("ty2"));
  EXPECT_TRUE(torch::equal(recorded.inputs, like.inputs));
}

TEST_F(IdxTest, MnistFolderMissingSaysHowToGetIt) {
  DataConfig config;
  config.source = MnistFolder{path("nowhere")};
  expect_error([&] { load_data(config, 0); }, "run scripts/setup.sh");
}

TEST_F(IdxTest, CsvTables) {
  std::ofstream(path("t.csv")) << "height,weight,label\n1.5,2,0\n3,4.25,1\n\n5,6,1\n";
  const Dataset d = load_csv(path("t.csv"), -1);
  EXPECT_EQ(d.inputs.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_FLOAT_EQ(d.inputs[1][1].item<float>(), 4.25f);
  EXPECT_EQ(d.labels[2].item<int64_t>(), 1);
  std::ofstream(path("first.csv")) << "2,1.5,3\n0,4,5\n";
  const Dataset first = load_csv(path("first.csv"), 0);  // label in column 1
  EXPECT_EQ(first.labels[0].item<int64_t>(), 2);
  EXPECT_FLOAT_EQ(first.inputs[1][1].item<float>(), 5.0f);
  std::ofstream(path("bad.csv")) << "1,2,0\n3,x,1\n";
  expect_error([&] { load_csv(path("bad.csv"), -1); },
               "bad.csv:2: field 2 is 'x'; expected a number");
  std::ofstream(path("ragged.csv")) << "1,2,0\n3,1\n";
  expect_error([&] { load_csv(path("ragged.csv"), -1); },
               "ragged.csv:2: 2 fields but earlier rows have 3");
  // Non-finite values are refused at load, naming the row and the field.
  std::ofstream(path("nan.csv")) << "1,2,0\n3,nan,1\n";
  expect_error([&] { load_csv(path("nan.csv"), -1); },
               "nan.csv:2: field 2 is 'nan'; expected a finite number");
  std::ofstream(path("inf.csv")) << "1,-inf,0\n";
  expect_error([&] { load_csv(path("inf.csv"), -1); }, "inf.csv:1: field 2 is '-inf'");
  std::ofstream(path("label.csv")) << "1,2,0.5\n";
  expect_error([&] { load_csv(path("label.csv"), -1); },
               "label.csv:1: label 0.5 in column 3 is not a class index");
  // Found by fuzzing: a label beyond int64 (was undefined behaviour), a
  // field with control characters (shown escaped, on one line).
  std::ofstream(path("huge.csv")) << "1,2,1e300\n";
  expect_error([&] { load_csv(path("huge.csv"), -1); },
               "huge.csv:1: label 1e+300 in column 3 is beyond the largest class index");
  std::ofstream(path("ctrl.csv")) << "1,2,0\n1,\"a\tb\x01\",0\n";
  expect_error([&] { load_csv(path("ctrl.csv"), -1); },
               "ctrl.csv:2: field 2 is '\"a\\tb\\x01\"'; expected a number");
  DataConfig config;
  CsvFile table;
  table.path = path("t.csv");
  table.test_fraction = 0.34;
  config.source = table;
  const DataSplit split = load_data(config, 1);
  EXPECT_EQ(split.train.size() + split.test.size(), 3);
  EXPECT_EQ(split.test.size(), 1);
}

TEST(BatchLoader, ShufflingIsAFunctionOfSeedAndEpoch) {
  Dataset d;
  d.inputs = torch::arange(10, torch::kFloat32).view({10, 1});
  d.labels = torch::arange(10, torch::kLong);
  d.classes = 10;
  BatchLoader a(d, 4, true, 7, torch::kCPU);
  BatchLoader b(d, 4, true, 7, torch::kCPU);
  BatchLoader c(d, 4, true, 8, torch::kCPU);
  EXPECT_EQ(a.batches(), 3);
  EXPECT_TRUE(torch::equal(a.order(1), b.order(1)));
  EXPECT_FALSE(torch::equal(a.order(1), a.order(2)));
  EXPECT_FALSE(torch::equal(a.order(1), c.order(1)));
  EXPECT_TRUE(torch::equal(std::get<0>(a.order(3).sort()), torch::arange(10, torch::kLong)));
  a.start_epoch(2);
  std::vector<int64_t> seen;
  for (int64_t i = 0; i < a.batches(); ++i) {
    const auto [x, y] = a.batch(i);
    EXPECT_TRUE(torch::equal(x.view({-1}).to(torch::kLong), y));  // rows stay paired
    for (int64_t k = 0; k < y.size(0); ++k) seen.push_back(y[k].item<int64_t>());
  }
  EXPECT_EQ(seen.size(), 10u);
  const auto order = a.order(2);
  for (size_t k = 0; k < seen.size(); ++k)
    EXPECT_EQ(seen[k], order[static_cast<int64_t>(k)].item<int64_t>());
  BatchLoader plain(d, 4, false, 7, torch::kCPU);
  EXPECT_TRUE(torch::equal(plain.order(5), torch::arange(10, torch::kLong)));
}

TEST(Augment, RandomShiftMovesPixelsAndIsSeeded) {
  auto image = torch::zeros({1, 25});
  image[0][12] = 1.0f;  // centre of a 5x5 image
  const auto batch = image.repeat({64, 1});
  const auto shifted = random_shift(batch, 1, 3);
  EXPECT_TRUE(torch::equal(shifted, random_shift(batch, 1, 3)));
  EXPECT_FALSE(torch::equal(shifted, random_shift(batch, 1, 4)));
  EXPECT_TRUE(torch::equal(shifted.sum(1), torch::ones({64})));  // nothing falls off
  for (int64_t b = 0; b < 64; ++b) {
    const int64_t at = shifted[b].argmax().item<int64_t>();
    EXPECT_LE(std::abs(at / 5 - 2), 1);
    EXPECT_LE(std::abs(at % 5 - 2), 1);
  }
  // A corner pixel shifted outwards disappears (zero fill).
  auto corner = torch::zeros({200, 25});
  corner.select(1, 0).fill_(1.0f);
  EXPECT_LT(random_shift(corner, 1, 5).sum().item<float>(), 200.0f);
  EXPECT_TRUE(torch::equal(random_shift(corner, 0, 5), corner));
}

// Float IDX data with NaN or infinity is refused at load, naming the
// sample and the value; a header whose dimensions multiply beyond memory
// (or beyond 64 bits) is an error before anything is allocated.
TEST_F(IdxTest, HostileHeadersAndNonFiniteFloats) {
  IdxArray x;
  x.type = IdxType::kFloat32;
  x.dims = {2, 3};
  std::vector<float> values = {0, 1, 2, 3, std::numeric_limits<float>::infinity(), 5};
  x.data.resize(values.size() * 4);
  std::memcpy(x.data.data(), values.data(), x.data.size());
  write_idx(path("f.idx"), x);
  IdxArray y;
  y.dims = {2};
  y.data = {0, 1};
  write_idx(path("l.idx"), y);
  expect_error([&] { load_idx_pair(path("f.idx"), path("l.idx")); },
               "f.idx: sample 1, value 1 is inf; the data must be finite numbers");
  // 4 dimensions of 2^32 - 1: the product overflows 64 bits.
  std::ofstream huge(path("huge.idx"), std::ios::binary);
  const unsigned char header[] = {0,    0,    0x08, 4,    0xFF, 0xFF, 0xFF, 0xFF,
                                  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                  0xFF, 0xFF, 0xFF, 0xFF, 1,    2,    3};
  huge.write(reinterpret_cast<const char*>(header), sizeof header);
  huge.close();
  expect_error([&] { read_idx(path("huge.idx")); }, "huge.idx: the IDX header announces");
  // A plausible size with a short file: an error, not a large allocation.
  std::ofstream short_file(path("short.idx"), std::ios::binary);
  const unsigned char short_header[] = {0, 0, 0x08, 1, 0x10, 0, 0, 0, 7, 7};
  short_file.write(reinterpret_cast<const char*>(short_header), sizeof short_header);
  short_file.close();
  expect_error([&] { read_idx(path("short.idx")); }, "short.idx: truncated IDX data");
  // Found by fuzzing: a zero dimension beside huge ones holds nothing, and
  // counting it must not overflow.
  std::ofstream zero(path("zero.idx"), std::ios::binary);
  const unsigned char zero_header[] = {0,    0,    0x08, 3,    0,    0,    0,    0,
                                       0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  zero.write(reinterpret_cast<const char*>(zero_header), sizeof zero_header);
  zero.close();
  const IdxArray empty = read_idx(path("zero.idx"));
  EXPECT_EQ(empty.count(), 0);
  EXPECT_TRUE(empty.data.empty());
  IdxArray flat;
  flat.dims = {2, 0};
  write_idx(path("flat.idx"), flat);
  expect_error([&] { load_idx_pair(path("flat.idx"), path("l.idx")); },
               "flat.idx: dimension 2 of its IDX header is 0");
  IdxArray big_labels;
  big_labels.type = IdxType::kInt32;
  big_labels.dims = {2};
  const int32_t labels[] = {1, 1 << 30};
  big_labels.data.resize(8);
  std::memcpy(big_labels.data.data(), labels, 8);
  write_idx(path("big_labels.idx"), big_labels);
  IdxArray images;
  images.dims = {2, 1};
  images.data = {3, 4};
  write_idx(path("images.idx"), images);
  expect_error([&] { load_idx_pair(path("images.idx"), path("big_labels.idx")); },
               "big_labels.idx: label 1073741824 is beyond the largest class index");
}

}  // namespace
}  // namespace nnn
