// Video plate reading and its measurement.
#include "nnn/experiments/video.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "nnn/data/digit_image.h"
#include "nnn/data/frame_set.h"
#include "nnn/data/load_data.h"
#include "nnn/data/plate_readings.h"
#include "nnn/experiments/palette.h"
#include "nnn/experiments/plates.h"
#include "nnn/runtime/parallel.h"
#include "nnn/train/loaded_run.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/numbers.h"
#include "nnn/util/seeds.h"
#include "nnn/util/svg_plot.h"
#include "nnn/video/video_io.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

// The rectified plate of every step of tracked.steps, and the digit cells
// of those not lost; a tracker that gives no angle (OpenCV's) has its boxes
// levelled by level_angle first.
void cut_tracked_frames(const torch::Tensor& frames, int64_t digits, TrackerMethod method,
                        TrackedPlate& tracked) {
  for (int64_t t = 0; t < frames.size(0); ++t) {
    TrackStep& step = tracked.steps[static_cast<size_t>(t)];
    if (method != TrackerMethod::kNnn && t > 0 && !step.lost) {
      step.degrees = level_angle(frames[t], step.box);
    }
    tracked.plates.push_back(rectify_plate(frames[t], step_corners(step), digits));
    if (!step.lost) {
      tracked.cells.push_back(digit_cells(tracked.plates.back(), digits));
      tracked.cell_frames.push_back(t);
    }
  }
}

}  // namespace

TrackedPlate track_and_cut(const torch::Tensor& frames, int64_t digits, const Box* init,
                           const TrackerOptions& options) {
  std::vector<KeyBox> keys;
  if (init != nullptr) keys.push_back({0, *init});
  return track_from_keys(frames, digits, keys, options);
}

TrackedPlate track_from_keys(const torch::Tensor& frames, int64_t digits,
                             const std::vector<KeyBox>& keys, const TrackerOptions& options) {
  NNN_CHECK(frames.dim() == 3 && frames.size(0) >= 1, "track: expected frames [F, H, W]; got ",
            frames.sizes());
  const int64_t count = frames.size(0);
  for (size_t i = 0; i < keys.size(); ++i) {
    NNN_CHECK(keys[i].frame >= 0 && keys[i].frame < count, "track: key box ", i + 1,
              " is for frame ", keys[i].frame + 1, " but the video has frames 1 to ", count);
    NNN_CHECK(i == 0 || keys[i].frame > keys[i - 1].frame, "track: key box ", i + 1, " (frame ",
              keys[i].frame + 1, ") must come after key box ", i, " (frame ", keys[i - 1].frame + 1,
              "): one box per frame, in frame order");
  }
  TrackedPlate tracked;
  std::vector<KeyBox> starts = keys;
  if (starts.empty() || starts[0].frame != 0) {
    starts.insert(starts.begin(), {0, detect_plate(frames[0], digits, &tracked.detect_score)});
    tracked.detected = true;
  }
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t from = starts[i].frame;
    const int64_t to = i + 1 < starts.size() ? starts[i + 1].frame : count;
    const auto steps = track_plate(frames.slice(0, from, to), starts[i].box, options);
    tracked.steps.insert(tracked.steps.end(), steps.begin(), steps.end());
  }
  cut_tracked_frames(frames, digits, options.method, tracked);
  return tracked;
}

std::vector<DigitProbabilities> read_after_each_frame(LoadedRun& run, const DigitFrames& cells) {
  if (cells.empty()) return {};
  const bool sequence = run.config.data.frames.feed == FrameFeed::kSequence;
  const int64_t d = run.model->distance();
  const int64_t limit = sequence ? run.config.model.steps - d : 64;
  const DigitFrames used(
      cells.begin(), cells.begin() + std::min<int64_t>(static_cast<int64_t>(cells.size()), limit));
  const auto rows = predict_frames(run, used);
  std::vector<DigitProbabilities> out;
  for (size_t n = 1; n <= used.size(); ++n) {
    const size_t row = sequence ? n - 1 + static_cast<size_t>(d) : n - 1;
    out.push_back(rows.at(row).probabilities);
  }
  return out;
}

namespace {

std::string track_row(int64_t t, const TrackStep& s) {
  return fmt::format("{}\t{:.2f}\t{:.2f}\t{:.2f}\t{:.2f}\t{:.4f}\t{}\n", t + 1, s.box.x, s.box.y,
                     s.box.w, s.box.h, s.score, s.lost ? "lost" : "tracked");
}

// track.tsv of the first `frames` steps.
std::string track_tsv(const std::vector<TrackStep>& steps, size_t frames) {
  std::string tsv = "frame\tx\ty\tw\th\tscore\tstatus\n";
  for (size_t t = 0; t < frames; ++t) tsv += track_row(static_cast<int64_t>(t), steps[t]);
  return tsv;
}

}  // namespace

void check_plate_reading(const std::string& plate) {
  NNN_CHECK(!plate.empty() && plate.size() <= 12 && all_digits(plate),
            "label: --plate must be the plate's digits (1 to 12 of 0-9); found ",
            quoted(plate, 20));
}

VideoTrack track_video(const std::string& video, int64_t digits, const Box* init,
                       const TrackerOptions& options) {
  NNN_CHECK(digits >= 1 && digits <= 12, "track: --digits must be 1 to 12; got ", digits);
  VideoTrack track;
  track.video = video;
  track.frames = read_video(video);
  track.tracked = track_and_cut(track.frames, digits, init, options);
  const auto truth = read_truth(video, &track.truth_reading);
  if (static_cast<int64_t>(truth.size()) == track.frames.size(0)) {
    for (size_t t = 0; t < truth.size(); ++t) {
      track.truth_iou.push_back(iou(track.tracked.steps[t].box, truth[t].box));
    }
  }
  return track;
}

std::string video_source(const std::string& video) {
  std::error_code error;
  const fs::path absolute = fs::weakly_canonical(fs::path(video), error);
  return error || video.rfind("camera:", 0) == 0 ? video : absolute.string();
}

LabelResult label_video(const std::string& video, const LabelOptions& options,
                        const std::string& out_dir) {
  check_plate_reading(options.plate);
  LabelResult result = label_frames(read_video(video), video_source(video), options, out_dir);
  result.track.video = video;
  return result;
}

LabelResult label_frames(const torch::Tensor& frames, const std::string& source,
                         const LabelOptions& options, const std::string& out_dir, double scale) {
  const std::string& plate = options.plate;
  check_plate_reading(plate);
  NNN_CHECK(options.frames >= 1 && options.frames <= 1000,
            "label: --frames must be 1 to 1000; got ", options.frames);
  NNN_CHECK(std::isfinite(scale) && scale > 0, "label: the frames' scale must be positive; got ",
            scale);
  const auto digits = static_cast<int64_t>(plate.size());
  LabelResult result;
  result.track.video = source;
  result.track.frames = frames;
  result.track.tracked = track_from_keys(frames, digits, options.keys, options.tracker);
  const TrackedPlate& tracked = result.track.tracked;
  const auto found = static_cast<int64_t>(tracked.cells.size());
  NNN_CHECK(found >= options.frames, source, ": the plate was tracked in ", found, " of its ",
            frames.size(0), " frames; --frames ", options.frames, " needs ", options.frames,
            " (lower --frames, or give the box where the tracker lost it)");
  std::string boxes;
  std::vector<int64_t> numbers;
  for (int64_t f = 0; f < options.frames; ++f) {
    const int64_t t = tracked.cell_frames[static_cast<size_t>(f)];
    result.frames.push_back(t);
    numbers.push_back(t + 1);
    const Box& b = tracked.steps[static_cast<size_t>(t)].box;
    boxes += fmt::format("{}{:.1f},{:.1f},{:.1f},{:.1f}", f ? ";" : "", b.x / scale, b.y / scale,
                         b.w / scale, b.h / scale);
  }
  // [K, F, 28, 28]: digit k of each used frame, as bytes.
  auto crops = torch::empty({digits, options.frames, 28, 28}, torch::kUInt8);
  std::vector<FrameSetRow> rows;
  for (int64_t k = 0; k < digits; ++k) {
    for (int64_t f = 0; f < options.frames; ++f) {
      const auto& cell = tracked.cells[static_cast<size_t>(f)][static_cast<size_t>(k)];
      crops[k][f].copy_(to_bytes(torch::tensor(cell).view({28, 28})));
    }
    FrameSetRow row;
    row.label = plate[static_cast<size_t>(k)] - '0';
    row.plate = plate;
    row.digit = k + 1;
    row.video = source;
    row.frames = numbers;
    row.boxes = boxes;
    rows.push_back(std::move(row));
  }
  result.part = append_frame_set(out_dir, crops, rows);
  return result;
}

void write_track(const VideoTrack& track, const std::string& out_dir) {
  const fs::path dir(out_dir);
  fs::create_directories(dir / "plates");
  fs::create_directories(dir / "digits");
  size_t cell = 0;
  for (size_t t = 0; t < track.tracked.steps.size(); ++t) {
    write_pgm((dir / "plates" / fmt::format("frame_{:03d}.pgm", t + 1)).string(),
              to_grey(track.tracked.plates[t]));
    if (track.tracked.steps[t].lost) continue;
    const auto& cells = track.tracked.cells[cell++];
    for (size_t k = 0; k < cells.size(); ++k) {
      write_pgm((dir / "digits" / fmt::format("frame_{:03d}_{}.pgm", t + 1, k + 1)).string(),
                to_grey(torch::tensor(cells[k]).view({28, 28})));
    }
  }
  write_file_atomically((dir / "track.tsv").string(),
                        track_tsv(track.tracked.steps, track.tracked.steps.size()));
}

VideoReading read_video_plate(const std::string& run_dir, const std::string& video, int64_t digits,
                              const Box* init, double stop_at, const TrackerOptions& options) {
  NNN_CHECK(digits >= 1 && digits <= 12, "read-video: --digits must be 1 to 12; got ", digits);
  NNN_CHECK(stop_at >= 0 && stop_at <= 1,
            "read-video: the stopping confidence must be in (0, 1]; got ", stop_at);
  VideoReading reading;
  reading.track = track_video(video, digits, init, options);
  LoadedRun run = load_run(run_dir);
  reading.run_name = run.config.name;
  reading.feed = run.config.data.frames.feed;
  reading.steps = run.config.model.steps;
  reading.digits = digits;
  reading.stop_at = stop_at;
  reading.readings = read_after_each_frame(run, reading.track.tracked.cells);
  int64_t read = 0;
  const int64_t available = static_cast<int64_t>(reading.readings.size());
  for (const TrackStep& step : reading.track.tracked.steps) {
    VideoReading::Frame frame;
    frame.lost = step.lost;
    frame.read = !step.lost && read < available;
    if (frame.read) ++read;
    frame.frames_read = read;
    reading.frames.push_back(frame);
    if (frame.read && stop_at > 0 &&
        best_readings(reading.readings[static_cast<size_t>(read - 1)], 1).at(0).probability >=
            stop_at) {
      reading.stopped = read;
      break;
    }
  }
  return reading;
}

void write_annotated(const VideoReading& reading, const std::string& out_dir) {
  const fs::path dir(out_dir);
  fs::create_directories(dir / "annotated");
  std::string current;  // the best reading so far
  for (size_t t = 0; t < reading.frames.size(); ++t) {
    const auto& frame = reading.frames[t];
    const TrackStep& s = reading.track.tracked.steps[t];
    if (frame.read) {
      const Reading best =
          best_readings(reading.readings[static_cast<size_t>(frame.frames_read - 1)], 1).at(0);
      current = fmt::format("{} {:.0f}%", best.digits, 100 * best.probability);
    }
    GreyImage image = to_grey(reading.track.frames[static_cast<int64_t>(t)]);
    draw_quad(image, step_corners(s), s.lost ? 0 : 255);
    const std::string label = s.lost ? "lost" : current;
    const auto x = static_cast<int64_t>(s.box.x), y = static_cast<int64_t>(s.box.y) - 14;
    draw_text(image, x + 1, y + 1, label, 2, 0);
    draw_text(image, x, y, label, 2, 255);
    write_pgm((dir / "annotated" / fmt::format("frame_{:03d}.pgm", t + 1)).string(), image);
  }
  write_file_atomically((dir / "track.tsv").string(),
                        track_tsv(reading.track.tracked.steps, reading.frames.size()));
}

std::vector<std::string> make_videos(const DataConfig& data, uint64_t data_seed,
                                     const VideoOptions& options, int64_t count,
                                     const std::string& out_dir, VideoContainer container,
                                     std::ostream& log, DigitSplit digits) {
  NNN_CHECK(count >= 1 && count <= 100000, "make-video: --videos must be 1 to 100000; got ", count);
  options.validate();
  const Dataset source = load_digits(data, data_seed, digits);
  fs::create_directories(out_dir);
  std::vector<std::string> dirs;
  std::string table = "video\treading\tframes\tseed\n";
  std::string file;
  for (int64_t v = 0; v < count; ++v) {
    VideoOptions o = options;
    o.seed = options.seed + static_cast<uint64_t>(v);
    const SyntheticVideo video = make_video(source.inputs, source.labels, o);
    const std::string name = fmt::format("video_{:03d}", v + 1);
    const std::string dir = (fs::path(out_dir) / name).string();
    file = write_video(dir, video, container);
    table += fmt::format("{}\t{}\t{}\t{}\n", name, video.reading, o.frames, o.seed);
    dirs.push_back(dir);
  }
  write_file_atomically((fs::path(out_dir) / "videos.tsv").string(), table);
  log << fmt::format("{} videos of {} frames ({}x{}, {} digits) in {}{}\n", count, options.frames,
                     options.width, options.height, options.digits, out_dir,
                     file.empty()
                         ? " (PGM frames only)"
                         : fmt::format(" (and {} each)", fs::path(file).filename().string()));
  return dirs;
}

namespace {

// Accuracy counters after each number of frames.
struct Scores {
  std::vector<double> digits, plates, top3;  // sums per n
  std::vector<int64_t> count;                // plates scored per n
  void add(size_t n, const DigitProbabilities& p, const std::string& truth) {
    if (digits.size() <= n) {
      digits.resize(n + 1);
      plates.resize(n + 1);
      top3.resize(n + 1);
      count.resize(n + 1);
    }
    const auto best = best_readings(p, 3);
    int right = 0;
    for (size_t k = 0; k < truth.size(); ++k) {
      const auto& q = p[k];
      right +=
          static_cast<int64_t>(std::max_element(q.begin(), q.end()) - q.begin()) == truth[k] - '0';
    }
    digits[n] += static_cast<double>(right) / static_cast<double>(truth.size());
    plates[n] += best[0].digits == truth;
    bool in_top3 = false;
    for (const auto& r : best) in_top3 = in_top3 || r.digits == truth;
    top3[n] += in_top3;
    ++count[n];
  }
  double mean(const std::vector<double>& v, size_t n) const {
    return n < v.size() && count[n] > 0 ? v[n] / static_cast<double>(count[n]) : std::nan("");
  }
};

// One colour per run: its method's (method_colour), or the first colour no
// earlier run took when it has none or shares its method with one.
std::vector<std::string> run_colours(const std::vector<LoadedRun>& runs) {
  const char* spare[] = {"#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f", "#1f77b4"};
  std::vector<std::string> out;
  const auto taken = [&](const std::string& c) {
    return std::find(out.begin(), out.end(), c) != out.end();
  };
  for (const LoadedRun& run : runs) {
    std::string colour = method_colour(method_key(run.config));
    if (colour.empty() || taken(colour)) {
      colour = spare[out.size() % (sizeof spare / sizeof spare[0])];  // repeats past six
      for (const char* c : spare) {
        if (!taken(c)) {
          colour = c;
          break;
        }
      }
    }
    out.push_back(colour);
  }
  return out;
}

}  // namespace

std::string video_evaluation(const std::vector<std::string>& run_dirs, const VideoEvalOptions& o,
                             const std::string& out_dir, std::ostream& log) {
  NNN_CHECK(!run_dirs.empty(), "video-eval: give at least one run");
  NNN_CHECK(o.videos >= 1 && o.videos <= 10000, "video-eval: --videos must be 1 to 10000");
  configure_threads(1);
  std::vector<LoadedRun> runs;
  for (const auto& dir : run_dirs) runs.push_back(load_run(dir));
  const Dataset source = load_test_digits(runs[0].config.data, runs[0].config.seed);
  const auto images = source.inputs.to(torch::kFloat32), labels = source.labels;
  fs::create_directories(out_dir);

  const char* kSources[] = {"tracker", "true boxes", "ideal strips"};
  const std::vector<std::string> colours = run_colours(runs);
  std::string md = fmt::format(
      "# Video plate reading: {} videos per difficulty, {} digits, {} frames (seed {})\n\n",
      o.videos, o.digits, o.frames, o.seed);
  NNN_CHECK(!o.trackers.empty(), "video-eval: give at least one tracker");
  std::string tracking =
      "| difficulty | tracker | mean IoU, frames 2-F | frames tracked (IoU > 0.5) | frames "
      "reported lost | lost but IoU > 0.5 | tracker frames/s (1 thread) |\n| --- | --- | ---: | "
      "---: | ---: | ---: | ---: |\n";
  std::string detection =
      "| difficulty | plate detected in frame 1 (IoU > 0.5) |\n| --- | ---: |\n";
  std::string tracking_csv = "difficulty,tracker,mean_iou,tracked,lost,lost_but_overlapping,fps\n";
  std::string reading_md;
  std::string csv = "difficulty,run,source,frames,digit_accuracy,plate_accuracy,top3\n";
  std::vector<svg::Panel> panels;
  for (const auto& difficulty : o.difficulties) {
    VideoOptions vo = VideoOptions::preset(difficulty);
    vo.digits = o.digits;
    vo.frames = o.frames;
    // Per tracker: IoU sum, frames measured, tracked, lost, lost but
    // overlapping, and the seconds its updates took.
    struct TrackerScore {
      double iou_sum = 0, seconds = 0;
      int64_t measured = 0, tracked_ok = 0, lost = 0, lost_but_ok = 0;
    };
    std::vector<TrackerScore> per_tracker(o.trackers.size());
    int64_t detected_ok = 0;
    // scores[run][source]
    std::vector<std::vector<Scores>> scores(runs.size(), std::vector<Scores>(3));
    for (int64_t v = 0; v < o.videos; ++v) {
      vo.seed = mix_seed(o.seed, static_cast<uint64_t>(v));
      const SyntheticVideo video = make_video(images, labels, vo);
      double detect_score = 0;
      detected_ok +=
          iou(detect_plate(video.frames[0], o.digits, &detect_score), video.truth[0].box) > 0.5;
      // Every tracker on the same video from the same true box; the first
      // one's steps are cut into the crops that are read.
      TrackedPlate tracked;
      for (size_t k = 0; k < o.trackers.size(); ++k) {
        TrackerOptions tracker;
        tracker.method = o.trackers[k];
        const auto start = std::chrono::steady_clock::now();
        std::vector<TrackStep> steps = track_plate(video.frames, video.truth[0].box, tracker);
        TrackerScore& score = per_tracker[k];
        score.seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        for (int64_t t = 1; t < o.frames; ++t) {
          const TrackStep& s = steps[static_cast<size_t>(t)];
          const double overlap = iou(s.box, video.truth[static_cast<size_t>(t)].box);
          score.iou_sum += overlap;
          ++score.measured;
          score.tracked_ok += overlap > 0.5;
          score.lost += s.lost;
          score.lost_but_ok += s.lost && overlap > 0.5;
        }
        if (k == 0) {
          tracked.steps = std::move(steps);
          cut_tracked_frames(video.frames, o.digits, tracker.method, tracked);
        }
      }
      // The three crop sources: the tracker's frames (lost ones skipped),
      // the true corners of every frame, and make-plates' ideal strips.
      DigitFrames truth_cells;
      for (int64_t t = 0; t < o.frames; ++t) {
        truth_cells.push_back(digit_cells(
            rectify_plate(video.frames[t], video.truth[static_cast<size_t>(t)].corners, o.digits),
            o.digits));
      }
      const auto chosen = torch::tensor(video.digit_rows, torch::kLong);
      for (size_t r = 0; r < runs.size(); ++r) {
        const RenderedPlate ideal = render_plate(images, labels, chosen, o.frames,
                                                 runs[r].config.data.frames.degrade, vo.seed);
        DigitFrames ideal_cells;
        for (const GreyImage& strip : ideal.frames) {
          ideal_cells.push_back(frame_digits(strip, o.digits, "strip"));
        }
        const DigitFrames* sources[] = {&tracked.cells, &truth_cells, &ideal_cells};
        for (size_t s = 0; s < 3; ++s) {
          // After n frames of the video: the tracker source has read the
          // tracked ones among them.
          const auto after = read_after_each_frame(runs[r], *sources[s]);
          for (int64_t n = 1; n <= o.frames; ++n) {
            int64_t available = n;
            if (s == 0) {
              available = static_cast<int64_t>(std::count_if(tracked.cell_frames.begin(),
                                                             tracked.cell_frames.end(),
                                                             [&](int64_t f) { return f < n; }));
            }
            available = std::min<int64_t>(available, static_cast<int64_t>(after.size()));
            if (available == 0) continue;
            scores[r][s].add(static_cast<size_t>(n), after[static_cast<size_t>(available - 1)],
                             video.reading);
          }
        }
      }
      if ((v + 1) % 10 == 0)
        log << difficulty << ": " << v + 1 << "/" << o.videos << " videos\n" << std::flush;
    }
    for (size_t k = 0; k < o.trackers.size(); ++k) {
      const TrackerScore& sc = per_tracker[k];
      const auto measured = static_cast<double>(std::max<int64_t>(1, sc.measured));
      const double fps = sc.seconds > 0 ? static_cast<double>(sc.measured) / sc.seconds : 0.0;
      const double mean_iou = sc.iou_sum / measured;
      const double tracked_share = static_cast<double>(sc.tracked_ok) / measured;
      const double lost_share = static_cast<double>(sc.lost) / measured;
      const double lost_ok_share = static_cast<double>(sc.lost_but_ok) / measured;
      const std::string& name = to_string(o.trackers[k]);
      tracking += fmt::format("| {} | {} | {:.3f} | {:.1f}% | {:.1f}% | {:.1f}% | {:.0f} |\n",
                              difficulty, name, mean_iou, 100 * tracked_share, 100 * lost_share,
                              100 * lost_ok_share, fps);
      tracking_csv += fmt::format("{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.1f}\n", difficulty, name,
                                  mean_iou, tracked_share, lost_share, lost_ok_share, fps);
    }
    detection +=
        fmt::format("| {} | {:.1f}% |\n", difficulty,
                    100.0 * static_cast<double>(detected_ok) / static_cast<double>(o.videos));
    reading_md += fmt::format(
        "\n**{}**: plate accuracy after 1 .. {} frames; digit accuracy and truth in the top 3 "
        "after {}\n\n| run | crops |",
        difficulty, o.frames, o.frames);
    for (int64_t n = 1; n <= o.frames; ++n) reading_md += fmt::format(" {} |", n);
    reading_md += " digits | top 3 |\n| --- | --- |";
    for (int64_t n = 0; n < o.frames + 2; ++n) reading_md += " ---: |";
    reading_md += "\n";
    svg::Panel panel;
    panel.title = difficulty;
    panel.x_label = "frames read";
    panel.y_label = "plate accuracy";
    panel.y_min = 0;
    panel.y_max = 1;
    for (size_t r = 0; r < runs.size(); ++r) {
      const std::string name =
          fmt::format("{} ({})", runs[r].config.name, to_string(runs[r].config.data.frames.feed));
      for (size_t s = 0; s < 3; ++s) {
        const Scores& sc = scores[r][s];
        reading_md += fmt::format("| {} | {} |", name, kSources[s]);
        svg::Series series;
        series.label = name + ", " + kSources[s];
        // One colour per run, the method's own where it has one (the NNN
        // red, as in every figure); the crops by line: tracker solid, true
        // boxes dotted, ideal strips dashed.
        series.colour = colours[r];
        series.dash = s == 0 ? "" : s == 1 ? "2,3" : "6,4";
        for (int64_t n = 1; n <= o.frames; ++n) {
          const double plate = sc.mean(sc.plates, static_cast<size_t>(n));
          reading_md += std::isnan(plate) ? " - |" : fmt::format(" {:.1f}% |", 100 * plate);
          series.x.push_back(static_cast<double>(n));
          series.y.push_back(plate);
          csv += fmt::format("{},{},{},{},{:.4f},{:.4f},{:.4f}\n", difficulty, runs[r].config.name,
                             kSources[s], n, sc.mean(sc.digits, static_cast<size_t>(n)), plate,
                             sc.mean(sc.top3, static_cast<size_t>(n)));
        }
        const auto last = static_cast<size_t>(o.frames);
        reading_md += fmt::format(" {:.1f}% | {:.1f}% |\n", 100 * sc.mean(sc.digits, last),
                                  100 * sc.mean(sc.top3, last));
        panel.series.push_back(std::move(series));
      }
    }
    panels.push_back(std::move(panel));
  }
  md += "## Tracking (started from the true box of frame 1)\n\n" + tracking + "\n## Detection\n\n" +
        detection +
        fmt::format(
            "\n## Reading\n\nCrops: *tracker* ({}; the tracked frames only, a lost frame "
            "is skipped), ",
            to_string(o.trackers[0])) +
        "*true boxes* (every frame rectified from its true corners), *ideal strips* (make-plates: "
        "the same digits degraded with the run's own training degradation, no scene).\n" +
        reading_md;
  write_file_atomically((fs::path(out_dir) / "video_eval.md").string(), md);
  write_file_atomically((fs::path(out_dir) / "video_eval.csv").string(), csv);
  write_file_atomically((fs::path(out_dir) / "video_eval_tracking.csv").string(), tracking_csv);
  write_file_atomically(
      (fs::path(out_dir) / "video_eval.svg").string(),
      svg::line_charts(
          "Plate accuracy after each frame (a colour per run; solid: tracker, dotted: true boxes, "
          "dashed: ideal strips)",
          panels));
  return md;
}

}  // namespace nnn
