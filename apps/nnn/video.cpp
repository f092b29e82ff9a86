// The video commands: `nnn make-video`, `nnn track`, `nnn read-video` and
// `nnn video-eval` (nnn/video, nnn/experiments/video.h).
#include <iostream>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/config/experiment_config.h"
#include "nnn/core/parallel.h"
#include "nnn/experiments/video.h"
#include "nnn/train/run_directory.h"

namespace nnn::cli {

namespace {

void add_make_video(Commands& commands) {
  struct Options {
    std::string source, out = "videos", difficulty = "medium";
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
      "occlusion. Writes PGM frames and truth.tsv per video (and video.mp4 when ffmpeg is "
      "installed).",
      [o] {
        const ExperimentConfig config = load_experiment(config_file_of(o->source), o->overrides);
        VideoOptions options = VideoOptions::preset(o->difficulty);
        options.digits = o->digits;
        options.frames = o->frames;
        options.seed = o->seed;
        configure_threads(1);
        make_videos(config.data, config.seed, options, o->videos, o->out, !o->no_mp4, std::cout);
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
  command->add_flag("--no-mp4", o->no_mp4, "Do not write video.mp4 even when ffmpeg is installed");
}

void add_track(Commands& commands) {
  struct Options {
    std::string video, init, out = "track";
    int64_t digits = 4;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "track",
      "Find and follow a plate through a video (a directory of PGM frames, or a video file "
      "through ffmpeg): per frame the box or 'lost', the rectified plate and its K digit crops "
      "as the reader reads them.",
      [o] {
        track_report(o->video, o->digits, o->init, o->out, std::cout);
        return 0;
      });
  command->add_option("video", o->video, "A directory of PGM frames or a video file")
      ->required()
      ->check(CLI::ExistingPath);
  command->add_option("--init", o->init,
                      "The plate's box in frame 1 as x,y,w,h (default: found automatically)");
  command->add_option("--digits", o->digits, "Digits on the plate (K)")->check(CLI::Range(1, 12));
  command->add_option("--out", o->out, "Output directory");
}

void add_read_video(Commands& commands) {
  struct Options {
    std::string run, video, init, out;
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
        read_video_report(o->run, o->video, o->digits, o->init, o->top, o->out, std::cout,
                          o->stop_at);
        return 0;
      });
  command->add_option("run", o->run, "The run directory of the reader")
      ->required()
      ->check(run_directory());
  command->add_option("video", o->video, "A directory of PGM frames or a video file")
      ->required()
      ->check(CLI::ExistingPath);
  command->add_option("--digits", o->digits, "Digits on the plate (K)")->check(CLI::Range(1, 12));
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

void add_video_eval(Commands& commands) {
  struct Options {
    std::vector<std::string> runs;
    std::string out = "video_eval";
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
  command->add_option("--out", o->out, "Output directory");
}

}  // namespace

void add_video_commands(Commands& commands) {
  add_make_video(commands);
  add_track(commands);
  add_read_video(commands);
  add_video_eval(commands);
}

}  // namespace nnn::cli
