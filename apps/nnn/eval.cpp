// `nnn eval RUNDIR [--data test|train|IMAGES:LABELS] [--json]`.
#include <fmt/core.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/nnn/command.h"
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

}  // namespace nnn::cli
