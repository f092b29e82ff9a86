// From video to plate reading: the generator (determinism, ground truth
// that matches the pixels), the tracker (follows a moving plate, reports a
// hidden one as lost and finds it again), crops of the reader's shape,
// video files on disk and their errors, and end to end: a tiny reader
// trained on synthetic shapes reads tracked plates (no downloaded data).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "nnn/data/frame_set.h"
#include "nnn/data/idx.h"
#include "nnn/data/image_file.h"
#include "nnn/experiments/video.h"
#include "nnn/runtime/parallel.h"
#include "nnn/train/loaded_run.h"
#include "nnn/train/run.h"
#include "nnn/util/files.h"
#include "nnn/video/video_io.h"
#include "tests/shapes.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

VideoOptions clean_options() {
  VideoOptions o;
  o.noise_std = 0;
  o.defocus = 0;
  o.motion_blur = 0;
  o.contrast = 1;
  o.occlusion = 0;
  o.digits = 3;
  o.frames = 5;
  return o;
}

class VideoTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    configure_threads(1);
    std::tie(images_, labels_) = testing::shape_tensors(64, 5);
  }
  // Trains the experiment `yaml` (written to NAME.yaml) into path("run");
  // returns the training log.
  std::string train_run(const std::string& name, const std::string& yaml) const {
    std::ofstream(path(name + ".yaml")) << yaml;
    RunOptions options;
    options.config_path = path(name + ".yaml");
    options.out = path("run");
    std::ostringstream log;
    run_training(options, log);
    return log.str();
  }
  torch::Tensor images_, labels_;
};

TEST_F(VideoTest, GeneratorIsDeterministicAndItsTruthMatchesThePixels) {
  VideoOptions o = VideoOptions::preset("medium");
  o.seed = 11;
  const SyntheticVideo a = make_video(images_, labels_, o), b = make_video(images_, labels_, o);
  EXPECT_TRUE(torch::equal(a.frames, b.frames));
  EXPECT_EQ(a.reading, b.reading);
  ASSERT_EQ(a.truth.size(), 6u);
  o.seed = 12;
  EXPECT_FALSE(torch::equal(make_video(images_, labels_, o).frames, a.frames));
  EXPECT_EQ(a.frames.sizes(), (std::vector<int64_t>{6, 240, 320}));
  EXPECT_GE(a.frames.min().item<double>(), 0.0);
  EXPECT_LE(a.frames.max().item<double>(), 1.0);
  for (size_t k = 0; k < a.digit_rows.size(); ++k) {
    EXPECT_EQ(a.reading[k] - '0', labels_[a.digit_rows[k]].item<int64_t>());
  }

  // Without blur, noise or low light, the true corners cut out the plate
  // image itself; and every corner lies inside the frame.
  VideoOptions c = clean_options();
  c.seed = 3;
  const SyntheticVideo clean = make_video(images_, labels_, c);
  const auto plate = render_plate_image(images_.index_select(0, torch::tensor(clean.digit_rows)));
  for (int64_t t = 0; t < c.frames; ++t) {
    const FrameTruth& f = clean.truth[static_cast<size_t>(t)];
    const auto cut = rectify_plate(clean.frames[t], f.corners, c.digits);
    // The outermost pixel ring is half background after bilinear sampling.
    const double error = (cut - plate)
                             .abs()
                             .narrow(0, 2, kPlateHeight - 4)
                             .narrow(1, 2, plate.size(1) - 4)
                             .mean()
                             .item<double>();
    EXPECT_LT(error, 0.06) << "frame " << t + 1;
    EXPECT_NEAR(f.box.w, f.scale * static_cast<double>(plate_width(3)), 1e-9);
    EXPECT_NEAR(f.box.cx(), f.cx, 1e-9);
    for (const auto& corner : f.corners) {
      EXPECT_GT(corner[0], 0);
      EXPECT_LT(corner[0], 320);
      EXPECT_GT(corner[1], 0);
      EXPECT_LT(corner[1], 240);
    }
  }
  EXPECT_GT(clean.truth.back().scale, clean.truth.front().scale);  // approaching
  expect_error([] { VideoOptions::preset("extreme"); },
               "difficulty: expected easy, medium or hard");
  VideoOptions bad = clean_options();
  bad.digits = 12;
  bad.scale_end = 3;
  expect_error([&] { make_video(images_, labels_, bad); }, "does not fit a scene 320 pixels wide");
}

TEST_F(VideoTest, TrackerFollowsThePlateAndReportsItLostWhileHidden) {
  VideoOptions o = VideoOptions::preset("easy");
  o.digits = 3;
  o.frames = 8;
  int64_t good = 0, total = 0;
  for (uint64_t seed = 0; seed < 4; ++seed) {
    o.seed = seed;
    const SyntheticVideo video = make_video(images_, labels_, o);
    const auto steps = track_plate(video.frames, video.truth[0].box);
    for (int64_t t = 1; t < o.frames; ++t) {
      const auto& s = steps[static_cast<size_t>(t)];
      EXPECT_FALSE(s.lost) << "seed " << seed << " frame " << t + 1;
      good += iou(s.box, video.truth[static_cast<size_t>(t)].box) > 0.7;
      ++total;
      EXPECT_NEAR(s.degrees, video.truth[static_cast<size_t>(t)].degrees, 2.0);
    }
  }
  EXPECT_EQ(good, total) << "frames with IoU > 0.7";

  // Frames 4 and 5 with the plate painted over: lost there, found after.
  o.seed = 9;
  SyntheticVideo video = make_video(images_, labels_, o);
  for (int64_t t : {3, 4}) {
    const Box& b = video.truth[static_cast<size_t>(t)].box;
    const auto x0 = static_cast<int64_t>(b.x) - 10, y0 = static_cast<int64_t>(b.y) - 10;
    video.frames[t]
        .narrow(0, y0, static_cast<int64_t>(b.h) + 20)
        .narrow(1, x0, static_cast<int64_t>(b.w) + 20)
        .fill_(0.3);
  }
  const auto steps = track_plate(video.frames, video.truth[0].box);
  EXPECT_TRUE(steps[3].lost);
  EXPECT_TRUE(steps[4].lost);
  for (int64_t t : {5, 6, 7}) {
    EXPECT_FALSE(steps[static_cast<size_t>(t)].lost) << "frame " << t + 1;
    EXPECT_GT(iou(steps[static_cast<size_t>(t)].box, video.truth[static_cast<size_t>(t)].box), 0.5);
  }
  // Detection finds a plate in a clean frame.
  VideoOptions c = clean_options();
  int64_t found = 0;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    c.seed = seed;
    const SyntheticVideo v = make_video(images_, labels_, c);
    found += iou(detect_plate(v.frames[0], 3), v.truth[0].box) > 0.5;
  }
  EXPECT_GE(found, 4) << "of 5 plates detected";
  // A box outside the frame is refused.
  expect_error(
      [&] {
        track_plate(video.frames, Box{300, 10, 60, 20});
      },
      "is not inside the 320x240 frame");
}

TEST_F(VideoTest, KeyBoxesStartTheTrackAgainWhereAPersonCorrectsIt) {
  // The plate painted over in frames 4 and 5: lost there. A key box on
  // frame 6 (a person's correction) starts a fresh tracker there; the frames
  // before it are tracked as without it.
  VideoOptions o = VideoOptions::preset("easy");
  o.digits = 3;
  o.frames = 8;
  o.seed = 9;
  SyntheticVideo video = make_video(images_, labels_, o);
  for (int64_t t : {3, 4}) {
    const Box& b = video.truth[static_cast<size_t>(t)].box;
    video.frames[t]
        .narrow(0, static_cast<int64_t>(b.y) - 10, static_cast<int64_t>(b.h) + 20)
        .narrow(1, static_cast<int64_t>(b.x) - 10, static_cast<int64_t>(b.w) + 20)
        .fill_(0.3);
  }
  const Box first = video.truth[0].box, sixth = video.truth[5].box;
  const TrackedPlate keyed = track_from_keys(video.frames, 3, {{0, first}, {5, sixth}});
  ASSERT_EQ(keyed.steps.size(), 8u);
  EXPECT_FALSE(keyed.detected);
  const auto before = track_plate(video.frames.slice(0, 0, 5), first);
  const auto after = track_plate(video.frames.slice(0, 5, 8), sixth);
  for (size_t t = 0; t < 8; ++t) {
    const TrackStep& want = t < 5 ? before[t] : after[t - 5];
    EXPECT_EQ(keyed.steps[t].box.x, want.box.x) << "frame " << t + 1;
    EXPECT_EQ(keyed.steps[t].lost, want.lost) << "frame " << t + 1;
  }
  EXPECT_TRUE(keyed.steps[3].lost);
  EXPECT_FALSE(keyed.steps[5].lost);
  EXPECT_EQ(keyed.steps[5].box.x, sixth.x);
  EXPECT_EQ(keyed.cell_frames, (std::vector<int64_t>{0, 1, 2, 5, 6, 7}));
  // Without a key on frame 1, frame 1 is detected.
  const TrackedPlate detected = track_from_keys(video.frames, 3, {{5, sixth}});
  EXPECT_TRUE(detected.detected);
  EXPECT_EQ(detected.steps[5].box.x, sixth.x);
  expect_error(
      [&] {
        track_from_keys(video.frames, 3, {{5, sixth}, {2, first}});
      },
      "track: key box 2 (frame 3) must come after key box 1 (frame 6)");
  expect_error(
      [&] {
        track_from_keys(video.frames, 3, {{0, first}, {8, sixth}});
      },
      "track: key box 2 is for frame 9 but the video has frames 1 to 8");

  // label_frames records the boxes in the video's own pixels: frames read
  // at half size (scale 0.5) record boxes twice as large.
  LabelOptions options;
  options.plate = video.reading;
  options.frames = 6;
  options.keys = {{0, first}, {5, sixth}};
  const LabelResult result =
      label_frames(video.frames, "upload:v.mp4#1f", options, path("set"), 0.5);
  EXPECT_EQ(result.frames, (std::vector<int64_t>{0, 1, 2, 5, 6, 7}));
  const FrameSet set = read_frame_set(path("set"));
  ASSERT_EQ(set.size(), 3);
  EXPECT_EQ(set.rows[0].video, "upload:v.mp4#1f");
  EXPECT_EQ(set.rows[0].frames, (std::vector<int64_t>{1, 2, 3, 6, 7, 8}));
  const std::string sixth_text = fmt::format("{:.1f},{:.1f},{:.1f},{:.1f}", sixth.x * 2,
                                             sixth.y * 2, sixth.w * 2, sixth.h * 2);
  EXPECT_NE(set.rows[0].boxes.find(";" + sixth_text + ";"), std::string::npos) << set.rows[0].boxes;
  // Tracked in too few frames: the hint names the correction.
  options.keys = {{0, first}};
  options.frames = 8;
  expect_error([&] { label_frames(video.frames, "v", options, path("set")); },
               "v: the plate was tracked in 6 of its 8 frames; --frames 8 needs 8 (lower --frames, "
               "or give the box where the tracker lost it)");
  EXPECT_EQ(read_frame_set(path("set")).size(), 3);
}

TEST_F(VideoTest, OpenCvTrackersFollowTheSamePlates) {
  // OpenCV's CSRT, KCF and MIL behind the same interface: step 0 is the
  // start box, later steps an axis-aligned box without a score, the same
  // every time; on easy videos each keeps frames overlapping the true box.
  VideoOptions o = VideoOptions::preset("easy");
  o.digits = 3;
  o.frames = 8;
  for (TrackerMethod method : {TrackerMethod::kCsrt, TrackerMethod::kKcf, TrackerMethod::kMil}) {
    TrackerOptions options;
    options.method = method;
    int64_t good = 0, total = 0;
    for (uint64_t seed = 0; seed < 4; ++seed) {
      o.seed = seed;
      const SyntheticVideo video = make_video(images_, labels_, o);
      const auto steps = track_plate(video.frames, video.truth[0].box, options);
      ASSERT_EQ(steps.size(), 8u);
      EXPECT_EQ(steps[0].box.x, video.truth[0].box.x);
      for (int64_t t = 0; t < o.frames; ++t) {
        const auto& s = steps[static_cast<size_t>(t)];
        EXPECT_TRUE(std::isnan(s.score));
        EXPECT_EQ(s.degrees, 0.0);
        if (t == 0) continue;
        good += !s.lost && iou(s.box, video.truth[static_cast<size_t>(t)].box) > 0.5;
        ++total;
      }
      // The same twice: OpenCV's trackers are deterministic.
      const auto again = track_plate(video.frames, video.truth[0].box, options);
      for (size_t t = 0; t < steps.size(); ++t)
        EXPECT_EQ(again[t].box.x, steps[t].box.x) << to_string(method) << " frame " << t + 1;
    }
    // Boxes in the frame's coordinates, following the plate (at random,
    // hardly one frame would overlap): CSRT and MIL keep all 28 here, KCF
    // 19 (its box keeps its size as the plate approaches; it lags behind,
    // then reports the plate lost).
    EXPECT_GE(good, total / 2) << to_string(method) << ": frames with IoU > 0.5";
    // Crops from its boxes, levelled by level_angle.
    o.seed = 1;
    const SyntheticVideo video = make_video(images_, labels_, o);
    const TrackedPlate tracked = track_and_cut(video.frames, 3, &video.truth[0].box, options);
    EXPECT_EQ(tracked.plates.size(), 8u);
    EXPECT_EQ(tracked.cells.size(), tracked.cell_frames.size());
    expect_error(
        [&] {
          track_plate(video.frames, Box{330, 10, 60, 20}, options);
        },
        "the start box 330,10,60,20 has no area inside the 320x240 frame");
  }
  EXPECT_EQ(parse_tracker_method("kcf", "--tracker"), TrackerMethod::kKcf);
  EXPECT_EQ(to_string(TrackerMethod::kMil), "mil");
  expect_error([] { parse_tracker_method("goturn", "--tracker"); },
               "--tracker is 'goturn'; expected nnn, csrt, kcf or mil");
}

TEST_F(VideoTest, LabelledVideosBecomeAFrameSetThatTrains) {
  // nnn label on generated videos (the plate's reading known): K samples
  // per video, each the digit's crops in the first F tracked frames, equal
  // to what the tracker cut; then nnn train on the frame set, split by
  // video.
  VideoOptions o = VideoOptions::preset("easy");
  o.digits = 3;
  o.frames = 5;
  LabelOptions options;
  options.frames = 4;
  for (uint64_t v = 0; v < 10; ++v) {
    o.seed = 100 + v;
    const SyntheticVideo video = make_video(images_, labels_, o);
    const std::string dir = path("videos/v" + std::to_string(v));
    write_video(dir, video, VideoContainer::kNone);
    options.plate = video.reading;
    options.keys = {{0, video.truth[0].box}};
    const LabelResult result = label_video(dir, options, path("set"));
    EXPECT_EQ(result.part, path("set") + fmt::format("/part_{:04d}", v + 1));
    EXPECT_EQ(result.frames, (std::vector<int64_t>{0, 1, 2, 3}));
    if (v == 0) {
      const FrameSet set = read_frame_set(path("set"));
      ASSERT_EQ(set.frames.sizes(), (std::vector<int64_t>{3, 4, 784}));
      // What the tracker cuts from the frames on disk (8-bit PGM).
      const TrackedPlate tracked = track_and_cut(read_video(dir), 3, &video.truth[0].box);
      for (int64_t k = 0; k < 3; ++k) {
        EXPECT_EQ(set.rows[static_cast<size_t>(k)].label,
                  video.reading[static_cast<size_t>(k)] - '0');
        EXPECT_EQ(set.rows[static_cast<size_t>(k)].digit, k + 1);
        EXPECT_EQ(set.rows[static_cast<size_t>(k)].frames, (std::vector<int64_t>{1, 2, 3, 4}));
        EXPECT_EQ(set.rows[static_cast<size_t>(k)].video, fs::weakly_canonical(dir).string());
        for (int64_t f = 0; f < 4; ++f) {
          const auto cut =
              torch::tensor(tracked.cells[static_cast<size_t>(f)][static_cast<size_t>(k)]);
          EXPECT_LE((set.frames[k][f].to(torch::kFloat32) / 255 - cut).abs().max().item<double>(),
                    0.5 / 255 + 1e-6);
        }
      }
    }
  }
  EXPECT_EQ(read_frame_set(path("set")).size(), 30);
  // Bad plates and too few tracked frames: named, nothing appended.
  options.keys.clear();
  options.plate = "12a";
  expect_error([&] { label_video(path("videos/v0"), options, path("set")); },
               "--plate must be the plate's digits (1 to 12 of 0-9); found '12a'");
  options.plate = "123";
  options.frames = 6;
  expect_error([&] { label_video(path("videos/v0"), options, path("set")); },
               "frames; --frames 6 needs 6");
  EXPECT_EQ(read_frame_set(path("set")).size(), 30);

  // Trained on it: 8 videos' 24 samples, 2 videos held out.
  const std::string log = train_run(
      "frames",
      std::string("name: tracked_crops\nseed: 3\ndevice: cpu\nthreads: 1\n") +
          "model:\n  input_size: 784\n  output_size: 10\n  steps: 4\n  hidden: 32\n" +
          "  wiring: {adjacency: [[8]]}\n" + "data:\n  dataset: frame_set\n  path: " + path("set") +
          "\n  frames: 4\n  test_fraction: 0.2\n" +
          "train:\n  epochs: 3\n  batch_size: 8\n  lr: 0.005\n  log_every: 1000\nloss:\n  steps: "
          "all\n");
  EXPECT_NE(log.find("24 train / 6 test samples"), std::string::npos) << log;
  const LoadedRun loaded = load_run(path("run"));
  EXPECT_EQ(loaded.config.data.dataset(), DatasetKind::kFrameSet);
  EXPECT_TRUE(fs::exists(path("run/metrics.jsonl")));
}

TEST_F(VideoTest, CropsHaveTheReadersShape) {
  VideoOptions o = VideoOptions::preset("medium");
  o.digits = 3;
  o.seed = 4;
  const SyntheticVideo video = make_video(images_, labels_, o);
  const TrackedPlate tracked = track_and_cut(video.frames, 3, &video.truth[0].box);
  ASSERT_EQ(tracked.steps.size(), 6u);
  ASSERT_EQ(tracked.cells.size(), tracked.cell_frames.size());
  ASSERT_FALSE(tracked.cells.empty());
  for (const auto& frame : tracked.cells) {
    ASSERT_EQ(frame.size(), 3u);
    for (const auto& cell : frame) {
      ASSERT_EQ(cell.size(), 784u);
      for (float v : cell) ASSERT_TRUE(v >= 0 && v <= 1);
    }
  }
  expect_error(
      [&] {
        digit_cells(torch::zeros({36, 50}), 3);
      },
      "expected a rectified plate of 3 digits");
}

TEST_F(VideoTest, VideosOnDiskAndTheirErrors) {
  VideoOptions o = clean_options();
  o.seed = 2;
  const SyntheticVideo video = make_video(images_, labels_, o);
  EXPECT_EQ(write_video(path("v"), video, VideoContainer::kNone), "");
  const auto frames = read_video(path("v"));
  ASSERT_EQ(frames.sizes(), video.frames.sizes());
  EXPECT_LT((frames - video.frames).abs().max().item<double>(), 0.5 / 255 + 1e-6);  // 8-bit
  std::string reading;
  const auto truth = read_truth(path("v"), &reading);
  ASSERT_EQ(truth.size(), video.truth.size());
  EXPECT_EQ(reading, video.reading);
  EXPECT_NEAR(truth[2].box.w, video.truth[2].box.w, 1e-3);
  EXPECT_NEAR(truth[2].corners[1][0], video.truth[2].corners[1][0], 1e-3);

  // Shrunk on reading (the Label tab's frames): the longer side 160, each
  // pixel the mean of the 2x2 it covers (320x240 -> 160x120).
  double scale = 0;
  const auto small = read_video(path("v"), 100, 160, &scale);
  EXPECT_EQ(scale, 0.5);
  ASSERT_EQ(small.sizes(), (std::vector<int64_t>{frames.size(0), 120, 160}));
  const auto pooled = torch::avg_pool2d(frames.unsqueeze(1), 2).squeeze(1);
  EXPECT_LT((small - pooled).abs().max().item<double>(), 1.0 / 255 + 1e-6);  // 8-bit rounding
  EXPECT_TRUE(torch::equal(read_video(path("v"), 100, 320, &scale), frames));
  EXPECT_EQ(scale, 1.0);

  fs::create_directories(path("empty"));
  expect_error([&] { read_video(path("empty")); },
               "no image frames (.png, .jpg, .jpeg, .bmp or .pgm) in this directory");
  // The same frames as PNG files (lossless: equal) and as JPEG (close), in
  // a folder beside a file that is not a frame.
  fs::create_directories(path("png"));
  fs::create_directories(path("jpeg"));
  for (int64_t t = 0; t < video.frames.size(0); ++t) {
    const GreyImage frame = read_pgm(path(fmt::format("v/frame_{:03d}.pgm", t + 1)));
    std::ofstream(path(fmt::format("png/frame_{:03d}.PNG", t + 1)), std::ios::binary)
        << encode_image(frame, ImageFormat::kPng);
    std::ofstream(path(fmt::format("jpeg/frame_{:03d}.jpg", t + 1)), std::ios::binary)
        << encode_image(frame, ImageFormat::kJpeg, 95);
  }
  std::ofstream(path("png/notes.txt")) << "not a frame";
  EXPECT_TRUE(torch::equal(read_video(path("png")), frames));
  EXPECT_LT((read_video(path("jpeg")) - frames).abs().mean().item<double>(), 0.01);
  EXPECT_TRUE(torch::equal(read_video(path("png/frame_002.PNG")), frames.narrow(0, 1, 1)));
  std::ofstream(path("png/frame_003.PNG")) << "GIF89a";
  expect_error([&] { read_video(path("png")); },
               "frame_003.PNG: not a PNG, JPEG, BMP or PGM image");
  expect_error([&] { read_video(path("nope")); }, "no such file or directory");
  fs::create_directories(path("mixed"));
  fs::copy_file(path("v/frame_001.pgm"), path("mixed/frame_001.pgm"),
                fs::copy_options::overwrite_existing);
  write_pgm(path("mixed/frame_002.pgm"), GreyImage{10, 10, std::vector<uint8_t>(100)});
  expect_error([&] { read_video(path("mixed")); },
               "frame_002.pgm is 10x10 but " + path("mixed/frame_001.pgm") +
                   " is 320x240: every frame of a video must have the same size");
  fs::create_directories(path("gap"));
  for (const char* name : {"frame_001.pgm", "frame_002.pgm", "frame_004.pgm"}) {
    fs::copy_file(path("v/frame_001.pgm"), path("gap") + "/" + name);
  }
  expect_error([&] { read_video(path("gap")); },
               "frame 3 is missing (frame_002.pgm is followed by frame_004.pgm)");
  fs::create_directories(path("broken"));
  std::ofstream(path("broken/frame_001.pgm")) << "P5\n320 240\n255\nxyz";
  expect_error([&] { read_video(path("broken")); }, "frame_001.pgm: truncated");
  // Through each container and back (OpenCV's videoio on FFmpeg): H.264
  // in MP4 and MKV, Motion JPEG in AVI; lossy, close, every frame there.
  for (const auto& [container, name] :
       {std::pair{VideoContainer::kMp4, "video.mp4"}, std::pair{VideoContainer::kMkv, "video.mkv"},
        std::pair{VideoContainer::kAvi, "video.avi"}}) {
    EXPECT_EQ(write_video(path("v"), video, container), path(std::string("v/") + name));
    const auto decoded = read_video(path(std::string("v/") + name));
    ASSERT_EQ(decoded.sizes(), video.frames.sizes()) << name;
    EXPECT_LT((decoded - video.frames).abs().mean().item<double>(), 0.03) << name;
    EXPECT_FALSE(fs::exists(path(std::string("v/video.partial") + std::string(name).substr(5))));
  }
  EXPECT_EQ(parse_video_container("mkv", "--container"), VideoContainer::kMkv);
  expect_error([] { parse_video_container("webm", "--container"); },
               "--container is 'webm'; expected none, mp4, mkv or avi");
  expect_error(
      [&] {
        write_video_file(path("odd.mp4"), torch::zeros({2, 31, 40}));
      },
      "odd.mp4: frames of 40x31 cannot be encoded: width and height must be even");
  expect_error(
      [&] {
        write_video_file(path("clip.webm"), torch::zeros({2, 32, 40}));
      },
      "clip.webm: a video file must end in .mp4, .mkv or .avi");
  // Files that are not videos: text, nothing, the first half of an MP4.
  std::ofstream(path("clip.mp4")) << "not a video";
  expect_error([&] { read_video(path("clip.mp4")); },
               "clip.mp4: not a video file that FFmpeg can decode");
  std::ofstream(path("empty.mkv")).flush();
  expect_error([&] { read_video(path("empty.mkv")); },
               "empty.mkv: not a video file that FFmpeg can decode");
  const std::string whole = read_file(path("v/video.mp4"));
  std::ofstream(path("half.mp4"), std::ios::binary) << whole.substr(0, whole.size() / 2);
  try {  // FFmpeg may open the half and decode what is there, or refuse it
    const auto half = read_video(path("half.mp4"));
    EXPECT_LE(half.size(0), video.frames.size(0));
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("half.mp4"), std::string::npos) << e.what();
  }
  expect_error([&] { read_video(path("v/video.mp4"), 3); }, "more than 3 frames; at most 3");
  // Cameras: an index that no device has, and indices out of range.
  expect_error([] { read_video("camera:63"); }, "camera:63: camera 63 could not be opened");
  expect_error([] { read_video("camera:64"); }, "expected camera:N with N a camera index");
  expect_error([] { read_video("camera:x"); }, "expected camera:N with N a camera index");
  expect_error([] { parse_box("1,2,3", "--init"); },
               "--init: expected x,y,w,h (four numbers), found '1,2,3'");
  expect_error([] { parse_box("1,2,0,4", "--init"); }, "the width and height must be > 0");
  expect_error([] { parse_box("1,2,x,4", "--init"); }, "found '1,2,x,4'");
  std::ofstream(path("v/truth.tsv")) << "frame\tbad\n";
  expect_error([&] { read_truth(path("v"), nullptr); },
               "not a truth.tsv written by nnn make-video");
}

TEST_F(VideoTest, TinyReaderReadsTrackedPlates) {
  // A reader of the four shapes, trained on degraded frames of them.
  for (const auto& [name, n, seed] : {std::tuple{"train", 512, 1}, {"test", 64, 2}}) {
    IdxArray labels;
    const IdxArray images = testing::shapes(n, seed, &labels);
    write_idx(path(std::string(name) + "-images"), images);
    write_idx(path(std::string(name) + "-labels"), labels);
  }
  train_run("reader",
            std::string("name: shape_reader\nseed: 3\ndevice: cpu\nthreads: 1\n") +
                "model:\n  input_size: 784\n  output_size: 4\n  steps: 4\n  hidden: 32\n" +
                "  wiring: {adjacency: [[8]]}\n" + "data:\n  dataset: idx\n  train_images: " +
                path("train-images") + "\n  train_labels: " + path("train-labels") +
                "\n  test_images: " + path("test-images") +
                "\n  test_labels: " + path("test-labels") + "\n  normalize: unit\n  frames: 4\n" +
                "  degrade: {blur_sigma: 0.8, noise_std: 0.15, shift: 1.0, contrast: 0.7}\n" +
                "train:\n  epochs: 4\n  batch_size: 32\n  lr: 0.005\n  log_every: 1000\nloss:\n  "
                "steps: all\n");
  LoadedRun run = load_run(path("run"));

  VideoOptions o = VideoOptions::preset("easy");
  o.digits = 3;
  o.frames = 4;
  int64_t right = 0, total = 0;
  for (uint64_t seed = 0; seed < 4; ++seed) {
    o.seed = seed;
    const SyntheticVideo video = make_video(images_, labels_, o);
    const TrackedPlate tracked = track_and_cut(video.frames, 3, &video.truth[0].box);
    const auto after = read_after_each_frame(run, tracked.cells);
    ASSERT_FALSE(after.empty());
    const auto& p = after.back();
    for (size_t k = 0; k < 3; ++k) {
      const auto best = std::max_element(p[k].begin(), p[k].end()) - p[k].begin();
      right += best == video.reading[k] - '0';
      ++total;
    }
  }
  EXPECT_GE(right, total * 3 / 4) << right << " of " << total << " digits read right";

  // What `nnn read-video` reads, with annotated frames.
  o.seed = 1;
  const SyntheticVideo clip = make_video(images_, labels_, o);
  write_video(path("clip"), clip, VideoContainer::kNone);
  const VideoReading reading = read_video_plate(path("run"), path("clip"), 3, nullptr);
  // The clip's truth.tsv: the plate and a box per frame to compare with.
  EXPECT_EQ(reading.track.truth_reading, clip.reading);
  ASSERT_EQ(reading.track.truth_iou.size(), 4u);
  EXPECT_GT(reading.track.truth_iou[0], 0.5);
  ASSERT_EQ(reading.frames.size(), 4u);
  EXPECT_TRUE(reading.frames[3].read);
  EXPECT_EQ(reading.frames[3].frames_read, 4);
  EXPECT_EQ(reading.readings.size(), 4u);
  ASSERT_NE(reading.answer(), nullptr);
  EXPECT_EQ(reading.answer(), &reading.readings.back());
  EXPECT_EQ(reading.stopped, 0);
  write_annotated(reading, path("out"));
  EXPECT_TRUE(fs::exists(path("out/annotated/frame_004.pgm")));
  const std::string tsv = read_file(path("out/track.tsv"));
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), 5);  // the header and 4 frames
  // Anytime: any confidence stops after the first frame read; certainty is
  // never reached, and the answer is then the last reading.
  const VideoReading early = read_video_plate(path("run"), path("clip"), 3, nullptr, 1e-9);
  EXPECT_EQ(early.stopped, 1);
  EXPECT_EQ(early.frames.size(), 1u);
  EXPECT_EQ(early.answer(), &early.readings.front());
  const VideoReading never = read_video_plate(path("run"), path("clip"), 3, nullptr, 1.0);
  EXPECT_EQ(never.stopped, 0);
  EXPECT_EQ(never.frames.size(), 4u);
  EXPECT_EQ(never.answer(), &never.readings.back());
  EXPECT_THROW(read_video_plate(path("run"), path("clip"), 3, nullptr, 1.5), Error);
}

}  // namespace
}  // namespace nnn
