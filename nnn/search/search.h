// `nnn search`: which wiring, at a fixed parameter budget? Candidates are
// trained briefly on the training set with a held-out validation split
// (data.validation: the test set is never looked at while choosing), each in
// its own run directory: first the config's own wiring and random wirings,
// then an evolutionary loop (each generation mutates parents drawn by
// tournament from the best so far, each child starting from its parent's
// weights where the shapes allow, nnn/search/inherit.h). Every candidate's
// hidden size is chosen so that its parameter count is the closest to the
// budget, and its steps keep the config's steps after the first possible
// prediction (T = d + T_config - d_config). The best are then re-trained
// fully (the config's epochs) on the whole training set over seeds and
// scored on the test set, and their lesions measured (nnn/experiments/lesion.h).
//
// Resumable like `nnn sweep`: finished candidates are read back, an
// interrupted one continues from its checkpoint, and every proposal is
// redrawn from the search's seed and the results before it. Several
// processes share one search folder (independent jobs, `--nproc`, torchrun
// or srun ranks): rank r trains the candidates i with i % ranks == r and
// waits for the others' results between generations.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "nnn/core/wiring.h"
#include "nnn/search/mutations.h"

namespace nnn {

struct SearchOptions {
  std::string config_path;
  std::vector<std::string> overrides;  // applied to every run of the search
  std::string out;                     // the search folder
  int64_t budget = 0;                  // parameters per candidate; 0: the config's own count
  int64_t random = 8;                  // random wirings (after the config's own)
  int64_t generations = 4;             // evolutionary generations after them
  int64_t children = 4;                // candidates per generation
  int64_t population = 4;              // parents are drawn from this many best so far
  int64_t epochs = 3;                  // training epochs per candidate
  int64_t validation = 0;              // held-out training samples; 0: a sixth of them
  int64_t min_hidden = 4;              // wirings whose matched hidden size is smaller are not tried
  int64_t final_top = 1;               // the best this many are re-trained fully ...
  int64_t final_seeds = 3;             // ... on this many seeds (0: not at all)
  bool lesions = true;                 // lesion studies of the re-trained winners
  SearchSpace space;                   // input/output sizes are the config's
  int64_t rank = 0, ranks = 1;
  int64_t local_ranks = 1;     // ranks on this machine (they share its cores)
  double peer_timeout = 3600;  // seconds a rank waits for another's candidate
};

struct SearchCandidate {
  int64_t index = 0;
  int64_t generation = 0;             // 0: the config's wiring and the random ones
  int64_t parent = -1;                // candidate index, -1 for none
  std::vector<int64_t> parent_cells;  // per cell, the parent's cell it continues (-1: new)
  std::string change;  // what the mutation did, or "random: ..." / "the config's wiring"
  Wiring wiring = Wiring(Matrix64{{0}});
  int64_t hidden = 0;
  int64_t steps = 0;
  int64_t parameters = 0;
  double inherited = 0;            // share of the parameters from the parent
  std::vector<double> validation;  // per step
  double seconds = 0;              // training time
  std::string dir;
  /// Why its training failed (the loss became NaN or infinite; score 0),
  /// or empty.
  std::string failed;
  double score() const { return validation.empty() ? 0.0 : validation.back(); }
};

struct SearchFinal {
  /// The finalist: a candidate, or the matched MLP (index -1) when no
  /// candidate was one.
  SearchCandidate candidate;
  std::vector<std::vector<double>> test;  // per seed, per step
  std::vector<double> seconds;            // per seed
  std::vector<std::string> dirs;          // per seed
  /// The lesions of seed 0's run that cost the most accuracy at the last
  /// step: (name, points lost), largest first, at most five.
  std::vector<std::pair<std::string, double>> lesions;
};

struct SearchResult {
  std::string out;
  int64_t budget = 0;
  int64_t validation = 0;
  int64_t train_samples = 0;  // of a candidate (after the validation split)
  int64_t threads = 0;        // per run (0: all cores)
  std::string config;
  std::vector<SearchCandidate> candidates;  // in order
  /// The best final_top first, then the config's wiring and the matched
  /// MLP (one cell, no edges, at the budget) as references.
  std::vector<SearchFinal> finals;
  double candidate_seconds = 0;  // training time of all candidates
  double final_seconds = 0;
};

/// Runs (or resumes) the search and writes OUT/search.md, .csv, .json, the
/// plots (accuracy against parameters and against training time), best.yaml
/// (the winner's config at the budget), and per finalist its runs
/// (OUT/final/cK-sS) and lesion report. `log` gets a line per candidate.
/// With ranks > 1, only rank 0 re-trains the finalists and writes reports.
SearchResult run_search(const SearchOptions& options, std::ostream& log);

/// The report as Markdown: the budget spent, the finalists' test accuracy
/// over seeds beside the config's own wiring, and every candidate.
std::string search_markdown(const SearchResult& result);
/// One row per candidate.
std::string search_csv(const SearchResult& result);
/// Validation accuracy of every candidate against its parameters and
/// against the training time spent so far, the best so far as a line.
std::string search_svg(const SearchResult& result);

}  // namespace nnn
