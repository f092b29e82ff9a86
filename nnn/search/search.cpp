// The wiring search; see search.h.
#include "nnn/search/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <ostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "nnn/config/experiment_config.h"
#include "nnn/data/csv.h"
#include "nnn/data/load_data.h"
#include "nnn/experiments/lesion.h"
#include "nnn/search/inherit.h"
#include "nnn/train/run.h"
#include "nnn/train/trainer.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/numbers.h"
#include "nnn/util/svg_plot.h"

namespace nnn {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

constexpr int64_t kMaxCandidates = 10000;
constexpr int kMaxProposalDraws = 200;
constexpr uint64_t kSearchSalt = 0x5ea6c4a11d1e5ULL;

std::string percent(double v) { return fmt::format("{:.2f}", 100 * v); }
std::string candidate_name(int64_t index) { return fmt::format("c{:04d}", index); }
/// A finalist's name: its candidate's, or "mlp" for the matched MLP when it
/// was not a candidate.
std::string final_name(const SearchCandidate& c) {
  return c.index >= 0 ? candidate_name(c.index) : "mlp";
}

/// Everything a search's options decide, as its manifest records it: the
/// same command resumes, another one in the same folder is refused.
Json manifest_of(const SearchOptions& o, int64_t budget, int64_t validation) {
  Json m;
  m["config"] = o.config_path;
  m["overrides"] = o.overrides;
  m["budget"] = budget;
  m["validation"] = validation;
  m["random"] = o.random;
  m["generations"] = o.generations;
  m["children"] = o.children;
  m["population"] = o.population;
  m["epochs"] = o.epochs;
  m["min_hidden"] = o.min_hidden;
  m["final_top"] = o.final_top;
  m["final_seeds"] = o.final_seeds;
  m["max_cells"] = o.space.max_cells;
  m["channels"] = o.space.channels;
  m["max_channels"] = o.space.max_channels;
  m["proposals"] = 2;  // the proposal rules' version: 2 prunes what cannot reach the last step
  return m;
}

void check_options(const SearchOptions& o) {
  auto in = [](const char* name, int64_t v, int64_t lo, int64_t hi) {
    NNN_CHECK(v >= lo && v <= hi, "search: ", name, " is ", v, "; expected ", lo, "..", hi);
  };
  in("--random", o.random, 0, kMaxCandidates);
  in("--generations", o.generations, 0, kMaxCandidates);
  in("--children", o.children, 1, kMaxCandidates);
  in("--population", o.population, 1, kMaxCandidates);
  NNN_CHECK(1 + o.random + o.generations * o.children <= kMaxCandidates,
            "search: ", 1 + o.random + o.generations * o.children, " candidates; at most ",
            kMaxCandidates);
  in("--epochs", o.epochs, 1, 100000);
  in("--validation", o.validation, 0, int64_t{1} << 31);
  in("--min-hidden", o.min_hidden, 1, int64_t{1} << 20);
  in("--final-top", o.final_top, 1, 100);
  in("--final-seeds", o.final_seeds, 0, 1000);
  in("--max-cells", o.space.max_cells, 1, 64);
  in("--max-channels", o.space.max_channels, 1, 1 << 16);
  NNN_CHECK(!o.space.channels.empty(), "search: --channels is empty");
  for (int64_t c : o.space.channels) in("--channels", c, 1, o.space.max_channels);
  in("rank", o.rank, 0, o.ranks - 1);
  in("ranks", o.ranks, 1, 4096);
  NNN_CHECK(o.peer_timeout > 0 && o.peer_timeout <= 7 * 24 * 3600.0, "search: --peer-timeout is ",
            o.peer_timeout, "; expected 0 < seconds <= 604800");
  NNN_CHECK(!o.out.empty(), "search: no output folder");
}

/// The shared state of one search: the config as given, the base every
/// candidate's config starts from, and where things go.
struct Search {
  const SearchOptions& options;
  std::ostream& log;
  const ExperimentConfig config;  // the config file with the overrides
  ExperimentConfig base;          // the candidates': validation split, the search's epochs
  int64_t budget = 0;
  int64_t validation = 0;
  int64_t train_samples = 0;  // before the validation split (0: the config holds one)
  int64_t base_distance = 0;
  int64_t threads = 0;
  SearchSpace space;  // options.space with the config's input and output sizes
  fs::path out;

  Search(const SearchOptions& o, std::ostream& l)
      : options(o), log(l), config(load_experiment(o.config_path, o.overrides)), base(config) {
    for (const auto& cell : config.model.cell) {
      NNN_CHECK(cell == kPerceptronCell, o.config_path, ": model.cell is ", quoted(cell),
                "; nnn search matches budgets and warm-starts perceptron cells only");
    }
    out = o.out;
    budget = o.budget > 0 ? o.budget : config.model.parameter_count();
    base_distance = config.model.wiring.distance();
    space = o.space;
    space.input_size = config.model.input_size;
    space.output_size = config.model.output_size;
    space.readings = config.model.steps - base_distance;
    // One machine's cores shared by its ranks (a config that asks for all).
    const int64_t cores = std::max<int64_t>(1, std::thread::hardware_concurrency());
    threads = config.threads == 0 && o.local_ranks > 1 ? std::max<int64_t>(1, cores / o.local_ranks)
                                                       : config.threads;
    // The validation split: held out of the training set, never the test set.
    if (config.data.validation == 0) {
      train_samples = load_data(config.data, config.seed).train.size();
    }
    validation = config.data.validation > 0 ? config.data.validation
                                            : (o.validation > 0 ? o.validation : train_samples / 6);
    NNN_CHECK(config.data.validation > 0 || validation < train_samples, "search: --validation is ",
              validation, " but the training set holds ", train_samples, " samples");
    NNN_CHECK(validation > 0,
              "search: the training set is too small to hold out a validation split");
    base.data.validation = validation;
    base.train.epochs = o.epochs;
    base.train.init_from.clear();
  }

  /// The config of a candidate run: the base config with `wiring`, its
  /// steps and the hidden size matched to the budget (0 when none fits).
  ExperimentConfig config_for(const Wiring& wiring) const {
    ExperimentConfig c = base;
    c.model.wiring = wiring;
    c.model.wiring_origin.clear();
    c.model.steps = wiring.distance() + base.model.steps - base_distance;
    c.model.hidden = {hidden_for_budget(c.model, budget)};
    c.threads = threads;
    return c;
  }
};

/// The candidates best first (by the validation accuracy at the last
/// step; ties keep the order of the search).
std::vector<const SearchCandidate*> ranked_by_score(
    const std::vector<SearchCandidate>& candidates) {
  std::vector<const SearchCandidate*> ranked;
  for (const auto& c : candidates) ranked.push_back(&c);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto* a, const auto* b) { return a->score() > b->score(); });
  return ranked;
}

/// Calls `job(i, owner)` for the jobs i in [begin, end), each owned by rank
/// i % ranks: this rank's first, then the others' (which it waits for).
void in_rank_order(int64_t begin, int64_t end, const SearchOptions& o,
                   const std::function<void(int64_t, int64_t)>& job) {
  for (const bool own : {true, false}) {
    for (int64_t i = begin; i < end; ++i) {
      if ((i % o.ranks == o.rank) == own) job(i, i % o.ranks);
    }
  }
}

/// A finished run's summary.json.
Json read_summary(const RunDirectory& dir) {
  try {
    return Json::parse(read_file(dir.summary()));
  } catch (const Json::exception& e) {
    throw Error(dir.summary() + ": not a readable run summary (" + e.what() + ")");
  }
}

/// Where a candidate whose loss became NaN or infinite is recorded (beside
/// its run directory, which keeps its last checkpoint).
fs::path failure_file(const std::string& dir) { return dir + ".failed.json"; }

/// Waits until `dir` holds a finished run, or a recorded failure (another
/// rank trains it).
void wait_for(const RunDirectory& dir, int64_t owner, const Search& s, const std::string& what) {
  const auto start = std::chrono::steady_clock::now();
  while (!dir.has(RunFiles::kSummary) && !fs::exists(failure_file(dir.path()))) {
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    NNN_CHECK(waited < s.options.peer_timeout, "search: ", what, " (rank ", owner, " of ",
              s.options.ranks, ") has not finished after ", s.options.peer_timeout,
              " s (--peer-timeout): is that rank running? Its run: ", dir.path());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

/// Trains (or resumes, or reads) the run of `config` in `dir`; returns
/// its summary.
Json train_or_read(const ExperimentConfig& config, const RunDirectory& dir, const Search& s,
                   const std::string& log_file) {
  if (dir.has(RunFiles::kSummary)) {
    // The folder's run must be this one: a search's proposals are redrawn
    // from its seed, so a different run means another search was here.
    const ExperimentConfig found = load_experiment(dir.config());
    NNN_CHECK(found.model.wiring == config.model.wiring &&
                  found.model.hidden == config.model.hidden && found.seed == config.seed,
              "search: ", dir.path(),
              " holds a run of another wiring, hidden size or seed than this search proposes "
              "there; choose another output folder");
  } else {
    std::ofstream run_log(log_file, std::ios::app);
    RunResult result;
    // Each rank's runs are its own, not one data-parallel job.
    RunHooks hooks;
    hooks.independent = true;
    if (dir.has(RunFiles::kCheckpoint)) {
      RunOptions resume;
      resume.resume = dir.path();
      resume.hooks = hooks;
      result = run_training(resume, run_log);
    } else {
      fs::remove_all(dir.path());  // stopped before its first checkpoint
      result = run_training(config, dir, run_log, hooks);
    }
    if (!result.completed) {
      throw Error("search: run " + dir.path() + " was interrupted; run the search again to resume");
    }
  }
  return read_summary(dir);
}

/// The candidates of one phase, trained by their ranks, read by all.
void run_phase(std::vector<SearchCandidate>& phase, std::vector<ExperimentConfig>& configs,
               const std::vector<SearchCandidate>& history, Search& s, size_t total) {
  // Candidate indices run on across phases: phase[k] is candidate first + k.
  const int64_t first = phase.empty() ? 0 : phase.front().index;
  in_rank_order(
      first, first + static_cast<int64_t>(phase.size()), s.options,
      [&](int64_t index, int64_t owner) {
        const auto k = static_cast<size_t>(index - first);
        SearchCandidate& c = phase[k];
        const RunDirectory dir(c.dir);
        const fs::path inherit_dir = s.out / "inherit" / candidate_name(c.index);
        bool inherited_now = false;
        if (owner != s.options.rank) {
          wait_for(dir, owner, s, "candidate " + candidate_name(c.index));
        } else if (!dir.has(RunFiles::kSummary) && !dir.has(RunFiles::kCheckpoint) &&
                   c.parent >= 0) {
          // A child starts from its parent's weights where shapes allow.
          const SearchCandidate& parent = history[static_cast<size_t>(c.parent)];
          const ExperimentConfig parent_config = load_experiment(RunDirectory(parent.dir).config());
          fs::create_directories(inherit_dir);
          c.inherited = inherit_weights(RunDirectory(parent.dir).weights(), parent_config.model,
                                        configs[k].model, c.parent_cells, configs[k].seed,
                                        (inherit_dir / RunFiles::kWeights).string());
          write_file_atomically((inherit_dir / "inherited.json").string(),
                                Json{{"share", c.inherited}}.dump() + "\n");
          inherited_now = true;
        }
        if (c.parent >= 0) configs[k].train.init_from = inherit_dir.string();
        // A candidate whose loss becomes NaN or infinite is recorded as
        // failed (score 0), and the search goes on.
        Json summary;
        if (fs::exists(failure_file(c.dir))) {
          summary = Json::parse(read_file(failure_file(c.dir).string()));
        } else {
          try {
            summary = train_or_read(configs[k], dir, s, c.dir + ".log");
          } catch (const LossNotFinite& e) {
            summary = Json{{"failed", e.what()}};
            write_file_atomically(failure_file(c.dir).string(), summary.dump() + "\n");
          }
        }
        if (c.parent >= 0 && !inherited_now && fs::exists(inherit_dir / "inherited.json")) {
          c.inherited = Json::parse(read_file((inherit_dir / "inherited.json").string()))["share"]
                            .get<double>();
        }
        if (summary.contains("failed")) {
          c.failed = summary["failed"].get<std::string>();
        } else {
          c.validation = summary.at("test").at("accuracy").get<std::vector<double>>();
          c.seconds = summary.at("wall_seconds").get<double>();
          c.parameters = summary.at("parameters").get<int64_t>();
        }
        s.log << fmt::format(
            "[{}/{}] {} gen {} {}: {} cells, {} edges, hidden {}, {} parameters, {} steps: "
            "{} ({:.1f} s{})\n",
            c.index + 1, total, candidate_name(c.index), c.generation,
            c.parent >= 0 ? fmt::format("from {} ({})", candidate_name(c.parent), c.change)
                          : "(" + c.change + ")",
            c.wiring.size(), c.wiring.edge_count(), c.hidden, c.parameters, c.steps,
            c.failed.empty() ? "validation " + percent(c.score()) + "% at the last step"
                             : "failed: " + c.failed,
            c.seconds, owner == s.options.rank ? "" : ", by rank " + std::to_string(owner));
        s.log.flush();
      });
}

/// Candidate `index`'s proposal: the config's wiring (index 0), a random
/// wiring (generation 0), or a mutation of a parent drawn by tournament
/// from the `population` best so far; redrawn while the wiring was tried
/// already or no hidden size of at least min_hidden fits the budget.
SearchCandidate propose(int64_t index, int64_t generation,
                        const std::vector<SearchCandidate>& history,
                        const std::vector<SearchCandidate>& siblings, const Search& s,
                        ExperimentConfig& config) {
  Rng rng(s.base.seed ^ kSearchSalt ^ (static_cast<uint64_t>(index) * 0x9e3779b97f4a7c15ULL));
  std::vector<const SearchCandidate*> ranked = ranked_by_score(history);
  ranked.resize(std::min(ranked.size(), static_cast<size_t>(s.options.population)));
  auto tried = [&](const Wiring& w) {
    for (const auto* list : {&history, &siblings}) {
      for (const auto& c : *list) {
        if (c.wiring == w) return true;
      }
    }
    return false;
  };
  SearchCandidate c;
  c.index = index;
  c.generation = generation;
  c.dir = (s.out / "candidates" / candidate_name(index)).string();
  for (int draw = 0; draw < kMaxProposalDraws; ++draw) {
    WiringProposal proposal;
    if (index == 0) {
      proposal.wiring = s.base.model.wiring;
      proposal.change = "the config's wiring";
    } else if (generation == 0) {
      proposal = random_proposal(s.space, rng);
    } else {
      NNN_CHECK(!ranked.empty(), "search: no finished candidate to mutate");
      const auto* a = ranked[rng.below(ranked.size())];
      const auto* b = ranked[rng.below(ranked.size())];
      const SearchCandidate* parent = b->score() > a->score() ? b : a;
      proposal = mutate(parent->wiring, s.space, rng);
      c.parent = parent->index;
    }
    config = s.config_for(proposal.wiring);
    const int64_t hidden = config.model.hidden[0];
    if (index == 0) {
      NNN_CHECK(hidden >= s.options.min_hidden, "search: the config's own wiring fits the budget ",
                "of ", s.budget, " parameters only with hidden ", hidden, " (below --min-hidden ",
                s.options.min_hidden, "); raise --budget");
    } else if (hidden < s.options.min_hidden || tried(proposal.wiring)) {
      c.parent = -1;
      continue;
    }
    c.wiring = proposal.wiring;
    c.parent_cells = proposal.parent_cells;
    c.change = proposal.change;
    c.hidden = hidden;
    c.steps = config.model.steps;
    c.parameters = config.model.parameter_count();
    return c;
  }
  throw Error(fmt::format(
      "search: candidate {}: {} draws gave no new wiring that fits the budget of {} parameters "
      "with hidden >= {}; widen the search (--max-cells, --channels) or raise --budget",
      candidate_name(index), kMaxProposalDraws, s.budget, s.options.min_hidden));
}

/// A run config of `candidate` for the final comparison: the config's
/// epochs and data (no validation split unless the config had one), seed
/// base + seed.
ExperimentConfig final_config(const SearchCandidate& candidate, int64_t seed, const Search& s) {
  ExperimentConfig config = s.config_for(candidate.wiring);
  config.seed = s.base.seed + static_cast<uint64_t>(seed);
  config.data.validation = s.config.data.validation;
  config.train.epochs = s.config.train.epochs;
  return config;
}

}  // namespace

SearchResult run_search(const SearchOptions& options, std::ostream& log) {
  check_options(options);
  Search s(options, log);

  const Json manifest = manifest_of(options, s.budget, s.validation);
  const fs::path manifest_file = s.out / "search.json";
  if (fs::exists(manifest_file)) {
    NNN_CHECK(read_file(manifest_file.string()) == manifest.dump(2) + "\n", s.out.string(),
              " holds another search (see its search.json); choose another output folder");
  }
  fs::create_directories(s.out / "candidates");
  if (options.rank == 0 && !fs::exists(manifest_file)) {
    write_file_atomically(manifest_file.string(), manifest.dump(2) + "\n");
  }

  SearchResult result;
  result.out = s.out.string();
  result.config = options.config_path;
  result.threads = s.threads;
  result.train_samples = s.train_samples > 0 ? s.train_samples - s.validation : 0;
  result.budget = s.budget;
  result.validation = s.validation;
  const size_t total =
      static_cast<size_t>(1 + options.random + options.generations * options.children);
  log << fmt::format(
      "search: {} candidates at {} parameters ({} epochs each, validation: {} training samples "
      "held out), rank {} of {}\n",
      total, s.budget, options.epochs, s.validation, options.rank, options.ranks);
  for (int64_t generation = 0; generation <= options.generations; ++generation) {
    const int64_t size = generation == 0 ? 1 + options.random : options.children;
    std::vector<SearchCandidate> phase;
    std::vector<ExperimentConfig> configs;
    for (int64_t k = 0; k < size; ++k) {
      ExperimentConfig config;
      phase.push_back(propose(static_cast<int64_t>(result.candidates.size()) + k, generation,
                              result.candidates, phase, s, config));
      configs.push_back(config);
    }
    run_phase(phase, configs, result.candidates, s, total);
    if (generation == 0) {
      const bool all_failed = std::all_of(
          phase.begin(), phase.end(), [](const SearchCandidate& c) { return !c.failed.empty(); });
      NNN_CHECK(!all_failed, "search: every candidate of the first generation failed; ",
                candidate_name(0), " (the config's wiring): ", phase.front().failed);
    }
    for (auto& c : phase) {
      result.candidate_seconds += c.seconds;
      result.candidates.push_back(std::move(c));
    }
  }

  // The finalists: the best final_top, then as references the config's own
  // wiring and the matched MLP (one cell, no edges, at the budget), each
  // re-trained fully on the same seeds and scored on the test set.
  const std::vector<const SearchCandidate*> ranked = ranked_by_score(result.candidates);
  std::vector<SearchCandidate> finalists;
  auto add = [&](const SearchCandidate& c) {
    for (const auto& f : finalists) {
      if (f.wiring == c.wiring) return;
    }
    finalists.push_back(c);
  };
  for (size_t r = 0; r < ranked.size() && static_cast<int64_t>(r) < options.final_top; ++r) {
    if (ranked[r]->failed.empty()) add(*ranked[r]);
  }
  add(result.candidates.front());  // the reference, even when it failed in the search
  const Wiring mlp(Matrix64{{0}});
  const auto tried = std::find_if(result.candidates.begin(), result.candidates.end(),
                                  [&](const SearchCandidate& c) { return c.wiring == mlp; });
  if (tried != result.candidates.end()) {
    add(*tried);
  } else if (const ExperimentConfig config = s.config_for(mlp);
             config.model.hidden[0] >= options.min_hidden) {
    SearchCandidate c;
    c.index = -1;
    c.change = "the matched MLP (one cell, no edges)";
    c.wiring = mlp;
    c.hidden = config.model.hidden[0];
    c.steps = config.model.steps;
    c.parameters = config.model.parameter_count();
    add(c);
  }
  // Job j: finalist j / final_seeds, seed j % final_seeds.
  auto final_dir = [&](const SearchCandidate& c, int64_t seed) {
    return RunDirectory((s.out / "final" / fmt::format("{}-s{}", final_name(c), seed)).string());
  };
  in_rank_order(
      0, static_cast<int64_t>(finalists.size()) * options.final_seeds, options,
      [&](int64_t job, int64_t owner) {
        const SearchCandidate& c = finalists[static_cast<size_t>(job / options.final_seeds)];
        const int64_t seed = job % options.final_seeds;
        const RunDirectory dir = final_dir(c, seed);
        if (owner != options.rank) {
          wait_for(dir, owner, s, "final run " + fs::path(dir.path()).filename().string());
          return;
        }
        fs::create_directories(fs::path(dir.path()).parent_path());
        const Json summary = train_or_read(final_config(c, seed, s), dir, s, dir.path() + ".log");
        log << fmt::format("final {} seed {}: test {}% at the last step ({:.0f} s)\n",
                           final_name(c), seed,
                           percent(summary.at("test").at("accuracy").back().get<double>()),
                           summary.at("wall_seconds").get<double>());
        log.flush();
      });
  if (options.rank != 0) return result;  // rank 0 reports
  for (const SearchCandidate& c : finalists) {
    SearchFinal f;
    f.candidate = c;
    for (int64_t seed = 0; seed < options.final_seeds; ++seed) {
      const RunDirectory dir = final_dir(c, seed);
      const Json summary = read_summary(dir);
      f.test.push_back(summary.at("test").at("accuracy").get<std::vector<double>>());
      f.seconds.push_back(summary.at("wall_seconds").get<double>());
      f.dirs.push_back(dir.path());
      result.final_seconds += f.seconds.back();
    }
    if (options.lesions && !f.dirs.empty()) {
      LesionOptions lesion;
      lesion.per_step = false;
      const LesionStudy study = lesion_study(f.dirs.front(), lesion);
      write_lesion_report(study, (s.out / "final" / (final_name(c) + "-lesion")).string());
      for (const LesionRow& row : study.rows) {
        f.lesions.emplace_back(
            row.name(), 100 * (study.intact.accuracy.back() - row.evaluation.accuracy.back()));
      }
      std::stable_sort(f.lesions.begin(), f.lesions.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      f.lesions.resize(std::min<size_t>(f.lesions.size(), 5));
    }
    write_file_atomically(
        (s.out / "final" / (final_name(c) + ".dot")).string(),
        to_dot(c.wiring, s.base.model.input_size, s.base.model.output_size,
               std::vector<int64_t>(static_cast<size_t>(c.wiring.size()), c.hidden)));
    result.finals.push_back(std::move(f));
  }
  // The winner's config, as a run would be started from it.
  ExperimentConfig best = final_config(finalists.front(), 0, s);
  best.name = s.config.name + "_searched";
  best.threads = s.config.threads;
  write_file_atomically((s.out / "best.yaml").string(),
                        "# The best wiring of `nnn search` at " + std::to_string(s.budget) +
                            " parameters (" + final_name(finalists.front()) + ", " +
                            s.out.string() + "/search.md)\n" + experiment_to_yaml(best));
  write_file_atomically((s.out / "search.md").string(), search_markdown(result));
  write_file_atomically((s.out / "search.csv").string(), search_csv(result));
  write_file_atomically((s.out / "search.svg").string(), search_svg(result));
  return result;
}

namespace {

std::string wiring_text(const Wiring& w) {
  std::string text;
  for (int64_t i = 0; i < w.size(); ++i) {
    for (int64_t j = 0; j < w.size(); ++j) {
      if (w.channels(i, j) > 0) {
        text += fmt::format("{}{}->{}:{}", text.empty() ? "" : " ", i, j, w.channels(i, j));
      }
    }
  }
  return text.empty() ? "no edges" : text;
}

/// Accuracy over seeds at one step: "mean (min-max)".
std::string over_seeds(const std::vector<std::vector<double>>& runs, size_t step) {
  double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& run : runs) {
    sum += run[step];
    lo = std::min(lo, run[step]);
    hi = std::max(hi, run[step]);
  }
  const double mean = sum / static_cast<double>(runs.size());
  return runs.size() > 1 ? fmt::format("{} ({}-{})", percent(mean), percent(lo), percent(hi))
                         : percent(mean);
}

/// Two-sided 95% quantile of Student's t with `df` degrees of freedom.
double t_quantile(size_t df) {
  static const double kTable[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                  2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                  2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                  2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  return df >= 1 && df <= 30 ? kTable[df - 1] : 1.96;
}

/// `f` against `reference` at the last step, paired by seed.
std::string paired_by_seed(const SearchFinal& f, const SearchFinal* reference) {
  if (reference == nullptr || reference == &f || reference->test.size() != f.test.size() ||
      f.test.empty()) {
    return "";
  }
  std::vector<double> d;
  for (size_t s = 0; s < f.test.size(); ++s) {
    d.push_back(100 * (f.test[s].back() - reference->test[s].back()));
  }
  double mean = 0;
  for (double v : d) mean += v / static_cast<double>(d.size());
  int ahead = 0;
  double ss = 0;
  for (double v : d) {
    ahead += v > 0 ? 1 : 0;
    ss += (v - mean) * (v - mean);
  }
  if (d.size() < 2) return fmt::format("{:+.2f}", mean);
  const double half = t_quantile(d.size() - 1) * std::sqrt(ss / static_cast<double>(d.size() - 1)) /
                      std::sqrt(static_cast<double>(d.size()));
  return fmt::format("{:+.2f} ({:+.2f} to {:+.2f}), ahead on {}/{}", mean, mean - half, mean + half,
                     ahead, d.size());
}

/// What a finalist is there for, as the table says it.
std::string role(const SearchFinal& f, const SearchFinal* config_own, const SearchFinal* mlp) {
  if (&f == config_own) return " (the config's)";
  if (&f == mlp) return " (the matched MLP)";
  return "";
}

size_t best_index(const SearchResult& r) {
  return static_cast<size_t>(ranked_by_score(r.candidates).front()->index);
}

}  // namespace

std::string search_markdown(const SearchResult& r) {
  NNN_CHECK(!r.candidates.empty(), "search_markdown: no candidates");
  int64_t generations = 0, random = 0, lo = r.candidates[0].hidden, hi = lo;
  for (const auto& c : r.candidates) {
    generations = std::max(generations, c.generation);
    random += c.generation == 0 && c.index > 0 ? 1 : 0;
    lo = std::min(lo, c.hidden);
    hi = std::max(hi, c.hidden);
  }
  const SearchCandidate& first = r.candidates[0];
  // Every candidate has the config's steps after its first possible prediction.
  const int64_t after = first.steps - first.wiring.distance();
  std::string md = fmt::format("# Wiring search: {} at {} parameters\n\n", r.config, r.budget);
  md += fmt::format(
      "{} candidates (the config's wiring, {} random, {} generation(s) of mutations), hidden sizes "
      "{}-{} matched to the budget; each trained on {} samples and scored on the {} held out "
      "(validation), never the test set. Training time of the candidates: {:.1f} min ({} "
      "thread(s) per run); of the final runs: {:.1f} min.\n\n",
      r.candidates.size(), random, generations, lo, hi, r.train_samples, r.validation,
      r.candidate_seconds / 60, r.threads == 0 ? std::string("all") : std::to_string(r.threads),
      r.final_seconds / 60);
  if (!r.finals.empty() && !r.finals.front().test.empty()) {
    const size_t seeds = r.finals.front().test.size();
    md += fmt::format(
        "## Finalists: re-trained with the config's epochs, test accuracy % over {} seed(s), "
        "mean (min-max)\n\nStep d+k: the k-th step at which the output cell can have read "
        "the input (d: the wiring's input-to-output distance).\n\n| candidate | wiring | hidden | "
        "parameters | validation in the search |",
        seeds);
    for (int64_t k = 1; k <= after; ++k) md += fmt::format(" step d+{} |", k);
    md += " vs the config's wiring | vs the matched MLP |\n| --- | --- | ---: | ---: | ---: |";
    for (int64_t k = 0; k <= after + 1; ++k) md += " ---: |";
    md += "\n";
    const SearchFinal* config_own = nullptr;
    const SearchFinal* mlp = nullptr;
    for (const auto& f : r.finals) {
      if (f.candidate.index == 0) config_own = &f;
      if (f.candidate.wiring == Wiring(Matrix64{{0}})) mlp = &f;
    }
    for (const auto& f : r.finals) {
      const SearchCandidate& c = f.candidate;
      md += fmt::format("| {}{} | {} | {} | {} | {} |", final_name(c), role(f, config_own, mlp),
                        wiring_text(c.wiring), c.hidden, c.parameters,
                        c.index >= 0 ? percent(c.score()) : "-");
      const auto d = static_cast<size_t>(c.wiring.distance());
      for (int64_t k = 1; k <= after; ++k) {
        md += " " + over_seeds(f.test, d + static_cast<size_t>(k) - 1) + " |";
      }
      md += " " + paired_by_seed(f, config_own) + " | " + paired_by_seed(f, mlp) + " |\n";
    }
    md += fmt::format(
        "\nValidation in the search: a child's figure includes its ancestors' training (it "
        "starts from their weights), a random wiring's does not; the re-training here is from "
        "scratch for every finalist. The differences: test accuracy at the last step in points, "
        "mean over the {} seeds "
        "with a 95% t interval, and the seeds on which the finalist was ahead; each seed's runs "
        "share their data, order of batches and test set.\n\nLesions of each finalist (seed "
        "0's run, test set; `final/NAME-lesion/`): the parts whose removal costs the most "
        "accuracy at the last step.\n\n",
        seeds);
    for (const auto& f : r.finals) {
      md += fmt::format("- {}:", final_name(f.candidate));
      for (size_t i = 0; i < f.lesions.size(); ++i) {
        md += fmt::format("{} {} {:.2f} points", i == 0 ? "" : ",", f.lesions[i].first,
                          f.lesions[i].second);
      }
      md += "\n";
    }
    md += "\n";
  }
  md +=
      "## Every candidate (validation accuracy at the last step)\n\n| candidate | generation "
      "| from | change | cells | edges | channels | hidden | steps | parameters | inherited | "
      "validation | seconds | |\n| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | "
      "---: | ---: | ---: | ---: | --- |\n";
  const size_t best = best_index(r);
  for (const auto& c : r.candidates) {
    md += fmt::format(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.0f}% | {} | {:.0f} | {} |\n",
        candidate_name(c.index), c.generation, c.parent >= 0 ? candidate_name(c.parent) : "",
        c.change, c.wiring.size(), c.wiring.edge_count(), c.wiring.channel_count(), c.hidden,
        c.steps, c.parameters, 100 * c.inherited,
        c.failed.empty() ? percent(c.score()) : "failed: loss not finite", c.seconds,
        static_cast<size_t>(c.index) == best ? "best" : "");
  }
  return md;
}

std::string search_csv(const SearchResult& r) {
  std::string csv =
      "candidate,generation,parent,change,cells,edges,channels,hidden,steps,parameters,inherited,"
      "validation_last,seconds,wiring,failed\n";
  for (const auto& c : r.candidates) {
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", c.index, c.generation,
                       c.parent, csv_field(c.change), c.wiring.size(), c.wiring.edge_count(),
                       c.wiring.channel_count(), c.hidden, c.steps, c.parameters,
                       shortest(c.inherited), c.failed.empty() ? shortest(c.score()) : "",
                       shortest(c.seconds), csv_field(wiring_text(c.wiring)), csv_field(c.failed));
  }
  return csv;
}

std::string search_svg(const SearchResult& r) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Points as separate strokes (NaN between them), one series per phase.
  svg::Series random, mutated, best;
  random.label = "config's and random wirings";
  mutated.label = "mutations";
  best.label = "best so far";
  svg::Series random_t = random, mutated_t = mutated;
  random.colour = random_t.colour = "#1f77b4";
  mutated.colour = mutated_t.colour = "#d62728";
  best.colour = "#444444";
  double elapsed = 0, best_score = -1;
  for (const auto& c : r.candidates) {
    elapsed += c.seconds / 60;
    svg::Series& p = c.generation == 0 ? random : mutated;
    svg::Series& t = c.generation == 0 ? random_t : mutated_t;
    for (auto* series : {&p, &t}) {
      series->x.push_back(series == &p ? static_cast<double>(c.parameters) : elapsed);
      series->y.push_back(100 * c.score());
      series->x.push_back(nan);
      series->y.push_back(nan);
    }
    best_score = std::max(best_score, c.score());
    best.x.push_back(elapsed);
    best.y.push_back(100 * best_score);
  }
  svg::Panel by_size{
      "against parameters", "parameters", "validation accuracy %", {random, mutated}};
  svg::Panel by_time{"against training time spent",
                     "minutes of candidate training",
                     "validation accuracy %",
                     {random_t, mutated_t, best}};
  return svg::line_charts(
      "Wiring search: " + r.config + " at " + std::to_string(r.budget) + " parameters",
      {by_size, by_time});
}

}  // namespace nnn
