// `nnn predict RUNDIR [--plate K] [--top N] [--stop-at TAU] IMAGE [IMAGE ...]`.
#include <iostream>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/experiments/predict.h"

namespace nnn::cli {

void add_predict_command(Commands& commands) {
  struct Options {
    std::string run, device;
    std::vector<std::string> images;
    int64_t plate = 0;
    int64_t top = 3;
    double stop_at = 0.0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "predict",
      "Read a digit from frames (PNG, JPEG, BMP or PGM; one file per frame, in the order they were "
      "taken) "
      "with a trained run: per step (or per frame count), the top N digits with probabilities.",
      [o] {
        std::cout << predict_report(o->run, o->images, o->plate, o->top, device_option(o->device),
                                    o->stop_at);
        return 0;
      });
  command->add_option("run", o->run, "The run directory")->required()->check(run_directory());
  command->add_option("images", o->images, "Image files (PNG, JPEG, BMP, PGM), one per frame")
      ->required()
      ->check(CLI::ExistingFile);
  command
      ->add_option("--plate", o->plate,
                   "Each image is a strip of K digits; print the most likely K-digit readings "
                   "with their joint probabilities")
      ->check(CLI::Range(1, 64));
  command->add_option("--top", o->top, "How many candidates per row")->check(CLI::Range(1, 1000));
  command
      ->add_option("--stop-at", o->stop_at,
                   "Anytime reading: stop at the first row whose confidence (the top digit's, "
                   "or the best plate reading's joint probability) reaches TAU, and say where")
      ->check(finite_number())
      ->check(CLI::Range(1e-9, 1.0));
  command
      ->add_option("--device", o->device,
                   "Run on this device (auto, cpu, cuda, cuda:N) instead of the run's")
      ->check(device_setting());
}

}  // namespace nnn::cli
