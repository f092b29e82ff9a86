// Frame sets (nnn/data/frame_set.h): parts appended whole and read back in
// order, a killed append leaves nothing, and every disagreement between a
// part's files is named; data.dataset: frame_set splits them by video and
// the batch loader hands out the recorded frames.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "nnn/data/batch_loader.h"
#include "nnn/data/frame_set.h"
#include "nnn/data/idx.h"
#include "nnn/data/load_data.h"
#include "nnn/util/files.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

class FrameSetTest : public testing::TempDirTest {
 protected:
  // n samples of F frames whose pixels say which sample and frame they are.
  static torch::Tensor crops(int64_t n, int64_t frames, int64_t first) {
    auto x = torch::empty({n, frames, 28, 28}, torch::kUInt8);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t f = 0; f < frames; ++f) x[i][f].fill_((first + i) * 10 + f);
    }
    return x;
  }
  static std::vector<FrameSetRow> rows(int64_t n, int64_t frames, const std::string& video) {
    std::vector<FrameSetRow> out;
    for (int64_t i = 0; i < n; ++i) {
      FrameSetRow row;
      row.label = i % 10;
      row.plate = "0123456789";
      row.digit = i + 1;
      row.video = video;
      for (int64_t f = 0; f < frames; ++f) row.frames.push_back(f + 2);
      row.boxes = "1.0,2.0,3.0,4.0";
      out.push_back(row);
    }
    return out;
  }
};

TEST_F(FrameSetTest, PartsAppendWholeAndReadBackInOrder) {
  const std::string set = path("set");
  EXPECT_EQ(append_frame_set(set, crops(3, 4, 0), rows(3, 4, "a.mp4")), set + "/part_0001");
  EXPECT_EQ(append_frame_set(set, crops(2, 4, 3), rows(2, 4, "b.mp4")), set + "/part_0002");
  const FrameSet read = read_frame_set(set);
  ASSERT_EQ(read.frames.sizes(), (std::vector<int64_t>{5, 4, 784}));
  EXPECT_TRUE(
      torch::equal(read.frames, torch::cat({crops(3, 4, 0), crops(2, 4, 3)}).view({5, 4, 784})));
  EXPECT_EQ(read.labels[4].item<int64_t>(), 1);
  EXPECT_EQ(read.rows[3].video, "b.mp4");
  EXPECT_EQ(read.rows[3].frames, (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(read.rows[3].boxes, "1.0,2.0,3.0,4.0");

  // A killed append: its .partial folder is never read, and the next
  // append clears it.
  fs::create_directories(set + "/part_0003.partial");
  std::ofstream(set + "/part_0003.partial/manifest.tsv") << "half";
  EXPECT_EQ(read_frame_set(set).size(), 5);
  EXPECT_EQ(append_frame_set(set, crops(1, 4, 5), rows(1, 4, "c.mp4")), set + "/part_0003");
  EXPECT_FALSE(fs::exists(set + "/part_0003.partial"));
  EXPECT_EQ(read_frame_set(set).size(), 6);
  expect_error([&] { append_frame_set(set, crops(1, 5, 0), rows(1, 5, "d.mp4")); },
               "holds samples of 4 frames; these have 5");
  auto bad = rows(1, 4, "d.mp4");
  bad[0].video = "a\tb";
  expect_error([&] { append_frame_set(set, crops(1, 4, 0), bad); }, "a tab or line break in");
}

TEST_F(FrameSetTest, DisagreementsAreNamed) {
  expect_error([&] { read_frame_set(path("none")); }, "none: no such dataset folder");
  fs::create_directories(path("empty"));
  expect_error([&] { read_frame_set(path("empty")); }, "no samples (no part_NNNN folders");
  const std::string set = path("set");
  append_frame_set(set, crops(2, 3, 0), rows(2, 3, "a.mp4"));
  const std::string manifest = set + "/part_0001/manifest.tsv";
  const std::string good = read_file(manifest);
  // Another version, a label that disagrees, a missing row.
  write_file_atomically(manifest,
                        "# nnn frame set, version 9\n" + good.substr(good.find('\n') + 1));
  expect_error([&] { read_frame_set(set); }, "not a frame set this nnn reads");
  std::string relabelled = good;
  relabelled[relabelled.find("\n0\t") + 1] = '7';
  write_file_atomically(manifest, relabelled);
  expect_error([&] { read_frame_set(set); }, "manifest.tsv:3: label 7 but");
  write_file_atomically(manifest, good.substr(0, good.rfind('\n', good.size() - 2) + 1));
  expect_error([&] { read_frame_set(set); }, "1 rows for the 2 samples of");
  write_file_atomically(manifest, good);
  IdxArray wrong;
  wrong.dims = {2, 3, 27, 28};
  wrong.data.assign(2 * 3 * 27 * 28, 0);
  write_idx(set + "/part_0001/frames-idx4-ubyte", wrong);
  expect_error([&] { read_frame_set(set); }, "expected uint8 frames [n, F, 28, 28]");
}

TEST_F(FrameSetTest, LoadsSplitByVideoAndFeedsTheRecordedFrames) {
  const std::string set = path("set");
  for (int v = 0; v < 5; ++v) {
    append_frame_set(set, crops(2, 3, 2 * v), rows(2, 3, "video" + std::to_string(v) + ".mp4"));
  }
  DataConfig config = data_config_of(DatasetKind::kFrameSet);
  config.source = FrameSetFolder{set, "", 0.4};
  expect_error([&] { load_data(config, 1); },
               "data.frames is 1 but the frame set holds 3 frames per sample: set data.frames: 3");
  config.frames.count = 3;
  const DataSplit split = load_data(config, 1);
  ASSERT_EQ(split.train.frames.sizes(), (std::vector<int64_t>{3, 6, 784}));  // 3 videos
  ASSERT_EQ(split.test.frames.sizes(), (std::vector<int64_t>{3, 4, 784}));   // 2 held out
  EXPECT_TRUE(split.train.recorded_frames);
  EXPECT_EQ(split.train.classes, 10);
  // Unit normalisation of the bytes; inputs are frame 1.
  EXPECT_TRUE(torch::allclose(split.train.inputs, split.train.frames[0]));
  // A sample's frames differ by 1/255 per frame, as written.
  EXPECT_NEAR((split.test.frames[2][0][0] - split.test.frames[0][0][0]).item<double>(), 2 / 255.0,
              1e-6);
  // Each sample's video on one side only: samples come in pairs per video,
  // and a pair's first pixel says which.
  std::set<int64_t> train_videos, test_videos;
  for (int64_t i = 0; i < 6; ++i) {
    train_videos.insert(std::lround(split.train.frames[0][i][0].item<double>() * 255) / 20);
  }
  for (int64_t i = 0; i < 4; ++i) {
    test_videos.insert(std::lround(split.test.frames[0][i][0].item<double>() * 255) / 20);
  }
  EXPECT_EQ(train_videos.size(), 3u);
  EXPECT_EQ(test_videos.size(), 2u);
  for (int64_t v : test_videos) EXPECT_EQ(train_videos.count(v), 0u) << "video " << v;
  // The loader hands out the recorded frames of its rows, fed as asked.
  FrameOptions sequence;
  sequence.count = 3;
  BatchLoader loader(split.train, 4, /*shuffle=*/true, 9, torch::kCPU, 0, sequence);
  loader.start_epoch(1);
  const auto [x, y] = loader.batch(0);
  const auto order = loader.order(1).narrow(0, 0, 4);
  EXPECT_TRUE(torch::equal(x, split.train.frames.index_select(1, order)));
  EXPECT_TRUE(torch::equal(y, split.train.labels.index_select(0, order)));
  FrameOptions average = sequence;
  average.feed = FrameFeed::kAverage;
  BatchLoader averaged(split.train, 4, true, 9, torch::kCPU, 0, average);
  averaged.start_epoch(1);
  EXPECT_TRUE(
      torch::allclose(averaged.batch(0).first, split.train.frames.index_select(1, order).mean(0)));
  // Standard normalisation (its statistics from a copy loaded without
  // frames, which keeps the stated F) and the test digits make-video takes.
  DataConfig standard = config;
  standard.normalize = Normalization::kStandard;
  EXPECT_NEAR(load_data(standard, 1).train.inputs.mean().item<double>(), 0.0, 1e-4);
  EXPECT_EQ(load_test_digits(config, 1).size(), 4);
  // A separate test set may not share a video with the training set.
  append_frame_set(path("test"), crops(1, 3, 0), rows(1, 3, "video2.mp4"));
  config.source = FrameSetFolder{set, path("test"), 0.2};
  expect_error([&] { load_data(config, 1); }, "video 'video2.mp4' is in both");
}

}  // namespace
}  // namespace nnn
