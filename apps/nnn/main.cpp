// The `nnn` command: builds the command line from the subcommands (one file
// each in apps/nnn/), dispatches, and turns every failure into one line on
// stderr and an exit code (2 for usage errors, 1 for the rest).
#include <csignal>
#include <iostream>

#include "apps/nnn/command.h"
#include "nnn/core/user_message.h"
#include "nnn/version.h"

int main(int argc, char** argv) {
  using namespace nnn::cli;
  // A file-size limit (RLIMIT_FSIZE) must fail the write with EFBIG, which is
  // reported and leaves the previous files intact, not kill the process.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app("nnn: networks of neural networks on LibTorch", "nnn");
  app.set_version_flag("--version", std::string("nnn ") + nnn::kVersion);
  app.require_subcommand(0, 1);
  app.option_defaults()->always_capture_default();  // --help shows every default
  use_wrapped_help(app);
  Commands commands(app);
  add_train_command(commands);
  add_eval_command(commands);
  add_lesion_command(commands);
  add_wiring_command(commands);
  add_compare_command(commands);
  add_frames_command(commands);
  add_predict_command(commands);
  add_sweep_command(commands);
  add_search_command(commands);
  add_serve_command(commands);
  add_make_plates_command(commands);
  add_video_commands(commands);
  add_bench_command(commands);
  add_micrograd_demo_command(commands);
  add_info_command(commands);
  app.footer(
      "\nStart here: nnn train experiments/mnist_nnn.yaml (about 97% at its last\n"
      "step), then nnn serve RUN to watch it think; nnn COMMAND --help for each.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << " (see 'nnn " << (argc > 1 ? argv[1] : "")
              << (argc > 1 ? " " : "") << "--help')\n";
    return kExitUsage;
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return kExitUsage;
  }
  try {
    return commands.run_selected();
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "error: " << nnn::user_message(e) << "\n";
  }
  return kExitFailure;
}
