// `nnn eval RUNDIR [--data test|train|IMAGES:LABELS] [--json]` and
// `nnn lesion RUNDIR [--data ...] [--out DIR] [--no-per-step]`.
#include <fmt/core.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/nnn/command.h"
#include "nnn/experiments/lesion.h"
#include "nnn/train/metrics_log.h"
#include "nnn/train/run_evaluation.h"

namespace nnn::cli {

void add_eval_command(Commands& commands) {
  struct Options {
    std::string run, data = "test", device;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "eval",
      "Per-step accuracy, top-3, confidence and calibration error (ECE) of a run's weights "
      "(frame runs: on their fixed degraded frames).",
      [o] {
        const Evaluation e =
            evaluate_run(o->run, EvaluationData::parse(o->data), device_option(o->device));
        if (o->json) {
          nlohmann::ordered_json report = {{"run", o->run}, {"data", o->data}};
          const auto fields = nlohmann::ordered_json::parse(evaluation_json(e));
          for (const auto& [key, value] : fields.items()) report[key] = value;
          std::cout << report.dump() << "\n";
        } else {
          fmt::print("{} on {} ({} samples), loss {:.4f}\n{}", o->run, o->data, e.samples, e.loss,
                     evaluation_table(e));
        }
        return 0;
      });
  command->add_option("run", o->run, "The run directory")->required()->check(run_directory());
  command->add_option("--data", o->data,
                      "test or train (the run's own split), or IMAGES:LABELS (two IDX files, "
                      "normalised as the run's data)");
  command->add_flag("--json", o->json, "Print one JSON object instead of the table");
  command
      ->add_option("--device", o->device,
                   "Evaluate on this device (auto, cpu, cuda, cuda:N) instead of the run's")
      ->check(device_setting());
}

void add_lesion_command(Commands& commands) {
  struct Options {
    std::string run, data = "test", device, out;
    bool no_per_step = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "lesion",
      "Which parts of a trained wiring matter: cut each edge and silence each cell in turn (and "
      "each edge at one step only), evaluate, and report the accuracy lost at every step and the "
      "change in confidence (lesion.md, .csv, .json and the wiring heat-coloured: lesion.svg, "
      "lesion.dot).",
      [o] {
        LesionOptions options;
        options.data = EvaluationData::parse(o->data);
        options.per_step = !o->no_per_step;
        options.device = device_option(o->device);
        const LesionStudy study = lesion_study(o->run, options);
        const std::string out = o->out.empty() ? o->run + "/lesion" : o->out;
        write_lesion_report(study, out);
        std::cout << lesion_markdown(study);
        fmt::print("\nwritten to {}/lesion.{{md,csv,json,svg,dot}}\n", out);
        return 0;
      });
  command->add_option("run", o->run, "The run directory")->required()->check(run_directory());
  command->add_option("--data", o->data,
                      "test or train (the run's own split), or IMAGES:LABELS (two IDX files)");
  command->add_option("--out", o->out, "Where the reports go (default RUN/lesion)");
  command->add_flag("--no-per-step", o->no_per_step,
                    "Only whole-run lesions (not each edge at each step)");
  command
      ->add_option("--device", o->device,
                   "Evaluate on this device (auto, cpu, cuda, cuda:N) instead of the run's")
      ->check(device_setting());
}

}  // namespace nnn::cli
