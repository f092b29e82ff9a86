// `nnn search CONFIG [key=value ...] [--budget P] [--random N] [--generations G]
// [--children K] [--population P] [--epochs E] [--final-top K] [--final-seeds S]
// [--nproc N | --rank R --ranks W] [--out DIR]`.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/distributed/dist_env.h"
#include "nnn/distributed/launch.h"
#include "nnn/search/search.h"

namespace nnn::cli {

void add_search_command(Commands& commands) {
  struct Options {
    std::string config, out;
    std::vector<std::string> overrides;
    SearchOptions search;
    int64_t nproc = 1, rank = -1, ranks = 0;
    CLI::App* command = nullptr;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "search",
      "Search wirings at a fixed parameter budget: the config's own wiring, random wirings, "
      "then generations of mutations (edges, channels, cells, self-loops), each candidate "
      "trained briefly in its own run directory, warm-started from its parent, and scored on "
      "a validation split held out of the training set; the best re-trained fully over seeds "
      "beside the config's wiring, scored on the test set, and lesioned. Writes search.md, "
      "search.csv, search.svg and best.yaml. Running it again resumes; several processes "
      "(--nproc, --rank/--ranks, torchrun or srun) share one search.",
      [o] {
        SearchOptions options = o->search;
        options.config_path = o->config;
        options.overrides = o->overrides;
        options.out = o->out.empty()
                          ? "searches/" + std::filesystem::path(o->config).stem().string()
                          : o->out;
        if (o->nproc > 1) {
          if (o->ranks > 0)
            throw UsageError("nnn search: give --nproc or --rank/--ranks, not both");
          check_local_ranks("search", o->nproc, "torchrun, srun or --rank/--ranks");
          // The same command once per rank, without --nproc (each learns its
          // rank from RANK).
          std::vector<std::string> argv = {"nnn", "search", o->config};
          argv.insert(argv.end(), o->overrides.begin(), o->overrides.end());
          for (const CLI::Option* option : o->command->get_options()) {
            const std::string name = option->get_name();
            if (option->get_positional() || option->count() == 0 || name == "--nproc" ||
                name == "--help") {
              continue;
            }
            argv.push_back(name);
            if (option->get_expected_min() == 0) continue;  // a flag
            for (const auto& value : option->results()) argv.push_back(value);
          }
          return launch_local_workers(o->nproc, argv, std::cout);
        }
        if (o->ranks > 0 || o->rank >= 0) {
          if (o->ranks <= 0 || o->rank < 0 || o->rank >= o->ranks) {
            throw UsageError(
                fmt::format("nnn search: --rank {} --ranks {}: give both, with 0 <= rank < ranks",
                            o->rank, o->ranks));
          }
          options.rank = o->rank;
          options.ranks = options.local_ranks = o->ranks;
        } else if (const auto env = dist_env_from_environment()) {
          options.rank = env->rank;
          options.ranks = env->world_size;
          options.local_ranks = env->local_world_size > 0 ? env->local_world_size : env->world_size;
        }
        const SearchResult result = run_search(options, std::cout);
        if (options.rank == 0) {
          std::cout << "\n"
                    << search_markdown(result) << "written: " << options.out << "/search.md, "
                    << options.out << "/search.csv, " << options.out << "/search.svg, "
                    << options.out << "/best.yaml\n";
        }
        return 0;
      });
  o->command = command;
  command->add_option("config", o->config, "The experiment YAML")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("overrides", o->overrides, "dotted.key=value settings for every run");
  command->add_option("--out", o->out, "The search folder (default searches/<config name>)");
  auto& s = o->search;
  command->add_option("--budget", s.budget, "Parameters per candidate (0: the config's own count)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 31));
  command->add_option("--random", s.random, "Random wirings after the config's own")
      ->check(CLI::Range(int64_t{0}, int64_t{10000}));
  command->add_option("--generations", s.generations, "Generations of mutations")
      ->check(CLI::Range(int64_t{0}, int64_t{10000}));
  command->add_option("--children", s.children, "Candidates per generation")
      ->check(CLI::Range(int64_t{1}, int64_t{10000}));
  command
      ->add_option("--population", s.population,
                   "Parents are drawn (tournament of two) from this many best so far")
      ->check(CLI::Range(int64_t{1}, int64_t{10000}));
  command->add_option("--epochs", s.epochs, "Training epochs per candidate")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  command
      ->add_option("--validation", s.validation,
                   "Training samples held out to score candidates (0: a sixth)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 31));
  command
      ->add_option("--min-hidden", s.min_hidden,
                   "Wirings that fit the budget only with a smaller hidden size are not tried")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  command->add_option("--max-cells", s.space.max_cells, "Most cells in a wiring")
      ->check(CLI::Range(int64_t{1}, int64_t{64}));
  command->add_option("--channels", s.space.channels, "Widths of new edges and self-loops")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 16));
  command->add_option("--max-channels", s.space.max_channels, "Widest edge")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 16));
  command
      ->add_option("--final-top", s.final_top,
                   "Re-train the best this many (and the config's wiring) fully")
      ->check(CLI::Range(int64_t{1}, int64_t{100}));
  command->add_option("--final-seeds", s.final_seeds, "Seeds of the full re-training (0: none)")
      ->check(CLI::Range(int64_t{0}, int64_t{1000}));
  command->add_flag("!--no-lesions", s.lesions, "Do not lesion the re-trained finalists");
  command
      ->add_option("--peer-timeout", s.peer_timeout,
                   "Seconds to wait for another rank's candidate before failing")
      ->check(finite_number() & CLI::Range(1.0, 604800.0));
  command->add_option("--nproc", o->nproc, "Local processes sharing the search")
      ->check(CLI::Range(int64_t{1}, int64_t{4096}));
  command->add_option("--rank", o->rank, "This process's rank among --ranks independent jobs")
      ->check(CLI::Range(int64_t{0}, int64_t{4095}));
  command->add_option("--ranks", o->ranks, "Independent jobs sharing the search folder")
      ->check(CLI::Range(int64_t{1}, int64_t{4096}));
}

}  // namespace nnn::cli
