// The video commands: `nnn make-video`, `nnn track`, `nnn read-video` and
// `nnn video-eval` (nnn/video, nnn/experiments/video.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "apps/nnn/command.h"
#include "nnn/config/experiment_config.h"
#include "nnn/data/frame_set.h"
#include "nnn/data/plate_readings.h"
#include "nnn/experiments/video.h"
#include "nnn/runtime/parallel.h"
#include "nnn/train/run_directory.h"
#include "nnn/util/error.h"
#include "nnn/util/numbers.h"

namespace nnn::cli {

namespace {

std::string readings_text(const DigitProbabilities& probabilities, int64_t count) {
  std::string text;
  for (const Reading& r : best_readings(probabilities, count)) {
    text += fmt::format("{}{} {:.1f}%", text.empty() ? "" : " | ", r.digits, 100 * r.probability);
  }
  return text;
}

std::string box_text(const Box& b) {
  return fmt::format("{:.1f},{:.1f},{:.1f},{:.1f}", b.x, b.y, b.w, b.h);
}

// A video argument: an existing path, or camera:N (read_video checks N).
const CLI::Validator& video_source() {
  static const CLI::Validator validator(
      [](const std::string& text) -> std::string {
        if (text.rfind("camera:", 0) == 0) return "";
        std::string path = text;
        return CLI::ExistingPath(path);
      },
      "PATH|camera:N");
  return validator;
}

// The video every video command reads.
void add_video_argument(CLI::App* command, std::string& video) {
  command
      ->add_option("video", video,
                   "A directory of image frames (PNG, JPEG, BMP, PGM), a video file (MP4, MKV, "
                   "AVI, ...) or camera:N")
      ->required()
      ->check(video_source());
}

// --tracker's choices.
CLI::Option* add_tracker_option(CLI::App* command, std::string& tracker) {
  return command
      ->add_option("--tracker", tracker,
                   "nnn (its own NCC tracker, the default), or OpenCV's csrt, kcf or mil")
      ->check(CLI::IsMember(tracker_method_names()));
}

TrackerOptions tracker_options(const std::string& tracker) {
  TrackerOptions options;
  options.method = parse_tracker_method(tracker, "--tracker");
  return options;
}

// --init as the library takes it: a box, or none (detected in frame 1).
std::optional<Box> initial_box(const std::string& init) {
  if (init.empty()) return std::nullopt;
  return parse_box(init, "--init");
}

// --correct FRAME:x,y,w,h as a key box (frame 0-based).
KeyBox key_box(const std::string& text, const std::string& what) {
  const size_t colon = text.find(':');
  const std::string frame = text.substr(0, colon);
  NNN_CHECK(colon != std::string::npos && !frame.empty() && frame.size() <= 6 &&
                all_digits(frame) && std::stoll(frame) >= 1,
            what, ": expected FRAME:x,y,w,h with FRAME a frame number from 1; got ",
            quoted(text, 60));
  return {std::stoll(frame) - 1, parse_box(text.substr(colon + 1), what)};
}

void print_track(const VideoTrack& track, const std::string& out_dir) {
  const auto& frames = track.frames;
  const TrackedPlate& tracked = track.tracked;
  fmt::print(
      "{}: {} frames of {}x{}; start box {} ({})\n", track.video, frames.size(0), frames.size(2),
      frames.size(1), box_text(tracked.steps[0].box),
      tracked.detected ? fmt::format("detected, score {:.3f}", tracked.detect_score) : "given");
  double iou_sum = 0;
  for (size_t t = 0; t < tracked.steps.size(); ++t) {
    const TrackStep& s = tracked.steps[t];
    std::string line = fmt::format("frame {:3d}: {} box {}", t + 1, s.lost ? "LOST   " : "tracked",
                                   box_text(s.box));
    if (!std::isnan(s.score)) line += fmt::format(" NCC {:.3f}", s.score);
    if (!track.truth_iou.empty()) {
      iou_sum += track.truth_iou[t];
      line += fmt::format("  IoU with truth {:.3f}", track.truth_iou[t]);
    }
    fmt::print("{}\n", line);
  }
  if (!track.truth_iou.empty()) {
    fmt::print("mean IoU with truth.tsv: {:.3f} (plate {})\n",
               iou_sum / static_cast<double>(track.truth_iou.size()), track.truth_reading);
  }
  fmt::print("wrote {}, plates/ and digits/\n",
             (std::filesystem::path(out_dir) / "track.tsv").string());
}

void print_reading(const VideoReading& reading, int64_t candidates) {
  const auto& frames = reading.track.frames;
  const TrackedPlate& tracked = reading.track.tracked;
  fmt::print("{}: {} frames of {}x{}, a plate of {} digits, read by {} (feed {}, {} steps)\n",
             reading.track.video, frames.size(0), frames.size(2), frames.size(1), reading.digits,
             reading.run_name, to_string(reading.feed), reading.steps);
  fmt::print("{}", tracked.detected
                       ? fmt::format("start box detected (score {:.3f})\n", tracked.detect_score)
                       : std::string("start box given\n"));
  for (size_t t = 0; t < reading.frames.size(); ++t) {
    const auto& frame = reading.frames[t];
    std::string line = fmt::format("frame {:3d}: ", t + 1);
    if (frame.lost) {
      line += std::isnan(tracked.steps[t].score)
                  ? std::string("plate lost: not read")
                  : fmt::format("plate lost (NCC {:.2f}): not read", tracked.steps[t].score);
    } else if (frame.read) {
      line += fmt::format(
          "after {} frame(s): {}", frame.frames_read,
          readings_text(reading.readings[static_cast<size_t>(frame.frames_read - 1)], candidates));
    } else {
      line += fmt::format("tracked, not read (the model reads at most {} frames)",
                          reading.readings.size());
    }
    fmt::print("{}\n", line);
  }
  const DigitProbabilities* answer = reading.answer();
  if (reading.stop_at > 0 && answer != nullptr) {
    const double last = best_readings(*answer, 1).at(0).probability;
    if (reading.stopped > 0) {
      fmt::print("stopped after {} frame(s): joint probability {:.2f}% >= {:.2f}%\n",
                 reading.stopped, 100 * last, 100 * reading.stop_at);
    } else {
      fmt::print("never stopped: no reading reached {:.2f}% (last: {:.2f}%)\n",
                 100 * reading.stop_at, 100 * last);
    }
  }
  if (answer == nullptr) {
    fmt::print("no reading: the plate was not tracked in any frame\n");
  } else {
    fmt::print("reading: {}\n", readings_text(*answer, 1));
    fmt::print("candidates: {}\n", readings_text(*answer, candidates));
  }
  // The video's truth.tsv, when it has one: the box and the plate.
  const std::string& truth = reading.track.truth_reading;
  if (!reading.track.truth_iou.empty()) {
    double sum = 0;
    for (size_t t = 0; t < reading.frames.size(); ++t) sum += reading.track.truth_iou[t];
    fmt::print(
        "truth.tsv: plate {}; mean IoU of the box with the true one {:.3f} over {} frame(s)\n",
        truth, sum / static_cast<double>(reading.frames.size()), reading.frames.size());
  }
  if (!truth.empty() && answer != nullptr) {
    const auto best = best_readings(*answer, candidates);
    size_t rank = 0;
    while (rank < best.size() && best[rank].digits != truth) ++rank;
    if (rank == 0) {
      fmt::print("the reading is right\n");
    } else if (rank < best.size()) {
      fmt::print("the reading is wrong; the truth is candidate {} of {}\n", rank + 1, best.size());
    } else {
      fmt::print("the reading is wrong; the truth is not among the {} candidates\n", best.size());
    }
  }
}

void add_make_video(Commands& commands) {
  struct Options {
    std::string source, out = "videos", difficulty = "medium", container = "mp4", split = "test";
    std::vector<std::string> overrides;
    int64_t videos = 5, digits = 4, frames = 6;
    uint64_t seed = 1;
    bool no_mp4 = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "make-video",
      "Synthetic traffic videos with ground truth: a plate of K test digits moving, approaching "
      "and turning over a cluttered scene, with motion blur, defocus, low light, noise and "
      "occlusion. Writes PGM frames and truth.tsv per video, and the video as video.mp4 (or "
      ".mkv, .avi) through OpenCV.",
      [o] {
        const ExperimentConfig config = load_experiment(config_file_of(o->source), o->overrides);
        VideoOptions options = VideoOptions::preset(o->difficulty);
        options.digits = o->digits;
        options.frames = o->frames;
        options.seed = o->seed;
        configure_threads(1);
        const VideoContainer container =
            o->no_mp4 ? VideoContainer::kNone : parse_video_container(o->container, "--container");
        make_videos(config.data, config.seed, options, o->videos, o->out, container, std::cout,
                    o->split == "train" ? DigitSplit::kTrain : DigitSplit::kTest);
        std::cout << "truth in " << o->out << "/video_NNN/truth.tsv; try: nnn read-video RUNDIR "
                  << o->out << "/video_001 --digits " << o->digits << "\n";
        return 0;
      });
  command
      ->add_option("source", o->source, "An experiment YAML or a run directory (its test digits)")
      ->required()
      ->check(CLI::ExistingPath);
  add_overrides(command, o->overrides);
  command->add_option("--out", o->out, "Output directory");
  command->add_option("--videos", o->videos, "How many videos")->check(CLI::Range(1, 100000));
  command->add_option("--digits", o->digits, "Digits per plate (K)")->check(CLI::Range(1, 12));
  command->add_option("--frames", o->frames, "Frames per video (F)")->check(CLI::Range(1, 1000));
  command->add_option("--seed", o->seed, "Seed of the first video (the next ones: +1, +2, ...)");
  command
      ->add_option("--difficulty", o->difficulty, "easy, medium or hard (speed, noise, occlusion)")
      ->check(CLI::IsMember({"easy", "medium", "hard"}));
  command
      ->add_option("--container", o->container,
                   "The video file beside the frames: mp4 or mkv (H.264), avi (Motion JPEG), or "
                   "none")
      ->check(CLI::IsMember(video_container_names()));
  command->add_flag("--no-mp4", o->no_mp4, "No video file, PGM frames only (--container none)");
  command
      ->add_option("--split", o->split,
                   "Whose images the plates show: test (default) or train (videos to label "
                   "for training, apart from the test digits)")
      ->check(CLI::IsMember({"test", "train"}));
}

void add_track(Commands& commands) {
  struct Options {
    std::string video, init, out = "track", tracker = "nnn";
    int64_t digits = 4;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "track",
      "Find and follow a plate through a video (a directory of image frames, a video file or a "
      "camera): per frame the box or 'lost', the rectified plate and its K digit crops as the "
      "reader reads them.",
      [o] {
        configure_threads(1);
        const auto init = initial_box(o->init);
        const VideoTrack track =
            track_video(o->video, o->digits, init ? &*init : nullptr, tracker_options(o->tracker));
        write_track(track, o->out);
        print_track(track, o->out);
        return 0;
      });
  add_video_argument(command, o->video);
  command->add_option("--init", o->init,
                      "The plate's box in frame 1 as x,y,w,h (default: found automatically)");
  command->add_option("--digits", o->digits, "Digits on the plate (K)")->check(CLI::Range(1, 12));
  add_tracker_option(command, o->tracker);
  command->add_option("--out", o->out, "Output directory");
}

void add_read_video(Commands& commands) {
  struct Options {
    std::string run, video, init, out, tracker = "nnn";
    int64_t digits = 4, top = 5;
    double stop_at = 0.0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "read-video",
      "Track the plate in a video, cut its digits from every tracked frame and read them with a "
      "multi-frame run: after each frame the best K-digit readings with joint probabilities, "
      "then the answer and its candidates; --out also writes annotated frames.",
      [o] {
        configure_threads(1);
        const auto init = initial_box(o->init);
        const VideoReading reading =
            read_video_plate(o->run, o->video, o->digits, init ? &*init : nullptr, o->stop_at,
                             tracker_options(o->tracker));
        print_reading(reading, o->top);
        if (!o->out.empty()) {
          write_annotated(reading, o->out);
          fmt::print("annotated frames in {}\n",
                     (std::filesystem::path(o->out) / "annotated").string());
        }
        return 0;
      });
  command->add_option("run", o->run, "The run directory of the reader")
      ->required()
      ->check(run_directory());
  add_video_argument(command, o->video);
  command->add_option("--digits", o->digits, "Digits on the plate (K)")->check(CLI::Range(1, 12));
  add_tracker_option(command, o->tracker);
  command->add_option("--init", o->init,
                      "The plate's box in frame 1 as x,y,w,h (default: found automatically)");
  command->add_option("--top", o->top, "Candidates to print")->check(CLI::Range(1, 100));
  command->add_option("--out", o->out, "Write annotated frames and track.tsv here");
  command
      ->add_option("--stop-at", o->stop_at,
                   "Stop reading at the first frame whose best reading's joint probability "
                   "reaches this (anytime reading)")
      ->check(finite_number())
      ->check(CLI::Range(0.0, 1.0));
}

void add_label(Commands& commands) {
  struct Options {
    std::string video, init, out, plate, tracker = "nnn";
    std::vector<std::string> corrections;
    int64_t frames = 6, digits = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "label",
      "Make training data from a video: track its plate, cut the digits of the reading "
      "--plate from the first F tracked frames, and append one multi-frame sample per digit "
      "(F crops, the digit, the video, frame numbers and boxes) to the frame set --out, which "
      "nnn train reads as data.dataset: frame_set.",
      [o] {
        configure_threads(1);
        NNN_CHECK(o->digits == 0 || o->digits == static_cast<int64_t>(o->plate.size()), "--plate ",
                  nnn::quoted(o->plate, 20), " has ", o->plate.size(), " digits but --digits is ",
                  o->digits);
        LabelOptions options;
        options.plate = o->plate;
        options.frames = o->frames;
        options.tracker = tracker_options(o->tracker);
        if (const auto init = initial_box(o->init)) options.keys.push_back({0, *init});
        for (const std::string& correction : o->corrections) {
          options.keys.push_back(key_box(correction, "--correct"));
        }
        std::stable_sort(options.keys.begin(), options.keys.end(),
                         [](const KeyBox& a, const KeyBox& b) { return a.frame < b.frame; });
        const LabelResult result = label_video(o->video, options, o->out);
        const auto& track = result.track;
        fmt::print("{}: {} frames of {}x{}; the plate tracked in {} ({}, start box {})\n",
                   track.video, track.frames.size(0), track.frames.size(2), track.frames.size(1),
                   track.tracked.cells.size(), o->tracker,
                   track.tracked.detected ? "detected" : "given");
        std::string used;
        for (int64_t t : result.frames) used += (used.empty() ? "" : ",") + std::to_string(t + 1);
        fmt::print("appended {} samples of {} frames (frames {}; digits {}) as {}\n",
                   o->plate.size(), o->frames, used, o->plate, result.part);
        const FrameSet set = read_frame_set(o->out);
        fmt::print(
            "{} now holds {} samples from {} video(s); train on it with data.dataset: "
            "frame_set, data.path: {}, data.frames: {}\n",
            o->out, set.size(), set.videos().size(), o->out, set.frame_count());
        return 0;
      });
  add_video_argument(command, o->video);
  command->add_option("--plate", o->plate, "The plate's reading (its digits)")->required();
  command->add_option("--out", o->out, "The frame set (a folder) to append to")->required();
  command->add_option("--init", o->init,
                      "The plate's box in frame 1 as x,y,w,h (default: found automatically)");
  command->add_option("--frames", o->frames, "Frames per sample (F): the first F tracked")
      ->check(CLI::Range(1, 1000));
  command->add_option("--correct", o->corrections,
                      "FRAME:x,y,w,h: the plate's box in that frame (1-based) where the tracker "
                      "drifted; tracking starts again there (repeat for more frames)");
  command->add_option("--digits", o->digits, "Digits on the plate (K; default: --plate's)")
      ->check(CLI::Range(1, 12));
  add_tracker_option(command, o->tracker);
}

void add_video_eval(Commands& commands) {
  struct Options {
    std::vector<std::string> runs;
    std::string out = "video_eval";
    std::vector<std::string> trackers = {"nnn"};
    VideoEvalOptions eval;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "video-eval",
      "Measure tracking (IoU, frames tracked) and reading (digit and plate accuracy, truth in "
      "the top 3 after each frame) on generated videos of each difficulty, for crops from the "
      "tracker, from the true boxes and from make-plates' ideal strips; writes video_eval.md, "
      ".csv and .svg.",
      [o] {
        o->eval.trackers.clear();
        for (const auto& name : o->trackers) {
          o->eval.trackers.push_back(parse_tracker_method(name, "--tracker"));
        }
        std::cout << video_evaluation(o->runs, o->eval, o->out, std::cerr);
        std::cout << "written to " << o->out << "/video_eval.md, .csv and .svg\n";
        return 0;
      });
  command
      ->add_option("runs", o->runs,
                   "Reader runs to compare (the first one's data gives the digits)")
      ->required()
      ->check(run_directory());
  command->add_option("--videos", o->eval.videos, "Videos per difficulty")
      ->check(CLI::Range(1, 10000));
  command->add_option("--digits", o->eval.digits, "Digits per plate (K)")->check(CLI::Range(1, 12));
  command->add_option("--frames", o->eval.frames, "Frames per video (F)")->check(CLI::Range(1, 64));
  command->add_option("--seed", o->eval.seed, "Seed of the videos");
  command->add_option("--difficulty", o->eval.difficulties, "Difficulties to measure")
      ->check(CLI::IsMember({"easy", "medium", "hard"}));
  command
      ->add_option("--tracker", o->trackers,
                   "Trackers measured side by side (nnn, csrt, kcf, mil; several: --tracker nnn "
                   "csrt); the first one's crops are read")
      ->check(CLI::IsMember(tracker_method_names()));
  command->add_option("--out", o->out, "Output directory");
}

}  // namespace

void add_video_commands(Commands& commands) {
  add_make_video(commands);
  add_track(commands);
  add_read_video(commands);
  add_label(commands);
  add_video_eval(commands);
}

}  // namespace nnn::cli
