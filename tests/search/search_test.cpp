// nnn search: warm starts across wirings (the shared blocks are the
// parent's, the rest the seeded initialisation), the validation split it
// scores on (held out of the training set by the seed), and whole searches
// on a small spiral task: every candidate at the budget, children started
// from their parents, the report, resume after a lost candidate, refusals.
#include "nnn/search/search.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nnn/config/experiment_config.h"
#include "nnn/config/model_options.h"
#include "nnn/core/weights.h"
#include "nnn/data/load_data.h"
#include "nnn/search/inherit.h"
#include "nnn/train/run_directory.h"
#include "nnn/util/files.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

ModelConfig model_of(const Wiring& wiring, int64_t hidden) {
  ModelConfig model;
  model.input_size = 4;
  model.output_size = 3;
  model.steps = 3;
  model.wiring = wiring;
  model.hidden = {hidden};
  return model;
}

std::map<std::string, torch::Tensor> read_weights(const ModelConfig& model,
                                                  const std::string& file) {
  NNN net(to_options(model));
  load_weights(*net, file);
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : net->named_parameters()) out[item.key()] = item.value().detach().clone();
  return out;
}

class SearchTest : public testing::TempDirTest {
 protected:
  // A parent network with recognisable weights (every entry its own value).
  std::string parent_file(const ModelConfig& parent) {
    NNN net(to_options(parent));
    torch::NoGradGuard no_grad;
    double v = 1;
    for (auto& p : net->parameters()) {
      p.copy_(torch::arange(v, v + static_cast<double>(p.numel())).reshape(p.sizes()));
      v += 1000;
    }
    const std::string file = path("parent.pt");
    save_weights(*net, file);
    return file;
  }
  std::string tiny_config() {
    const std::string config = path("tiny.yaml");
    std::ofstream(config) << "name: tiny\nseed: 3\nthreads: 1\ndevice: cpu\nmodel:\n"
                          << "  input_size: 2\n  output_size: 3\n  steps: 3\n  hidden: 8\n"
                          << "  wiring: {generator: chain, n: 2, channels: 4}\n"
                          << "data: {dataset: spiral, classes: 3, train_per_class: 40, "
                             "test_per_class: 10}\n"
                          << "train: {epochs: 3, batch_size: 16, lr: 0.02}\n";
    return config;
  }
  SearchOptions tiny_search(const std::string& out) {
    SearchOptions o;
    o.config_path = tiny_config();
    o.out = out;
    o.random = 2;
    o.generations = 2;
    o.children = 2;
    o.population = 2;
    o.epochs = 2;
    o.validation = 30;
    o.final_seeds = 2;
    o.space.max_cells = 4;
    o.space.channels = {2, 3, 4, 6};
    o.space.max_channels = 8;
    return o;
  }
};

// The same wiring and sizes: the child is the parent.
TEST_F(SearchTest, AnUnchangedChildIsItsParent) {
  const ModelConfig model = model_of(chain(2, 4), 5);
  const std::string parent = parent_file(model);
  const double share = inherit_weights(parent, model, model, {0, 1}, 7, path("child.pt"));
  EXPECT_DOUBLE_EQ(share, 1.0);
  const auto a = read_weights(model, parent), b = read_weights(model, path("child.pt"));
  for (const auto& [name, tensor] : a) EXPECT_TRUE(tensor.equal(b.at(name))) << name;
}

// A child with a new edge 1 -> 0 (2 channels), a wider hidden layer (7) and
// a new cell 2 (0 -> 2 -> 1): the parent's blocks where both have the units,
// the seeded initialisation everywhere else.
TEST_F(SearchTest, SharedBlocksComeFromTheParentTheRestFromTheSeed) {
  const ModelConfig parent = model_of(chain(2, 4), 5);
  const ModelConfig child = model_of(Wiring(Matrix64{{0, 4, 3}, {2, 0, 0}, {0, 1, 0}}, {0}, 1), 7);
  const std::string file = parent_file(parent);
  const double share = inherit_weights(file, parent, child, {0, 1, -1}, 7, path("child.pt"));
  auto p = read_weights(parent, file), c = read_weights(child, path("child.pt"));
  torch::manual_seed(7);
  NNN fresh_net(to_options(child));
  std::map<std::string, torch::Tensor> fresh;
  for (const auto& item : fresh_net->named_parameters()) fresh[item.key()] = item.value().detach();
  using torch::indexing::Slice;
  // Cell 0: u = [x(4), from 1 (2)], m = [to 1 (4), to 2 (3)].
  EXPECT_TRUE(c["cells.0.w1"].index({Slice(0, 4), Slice(0, 5)}).equal(p["cells.0.w1"]));
  EXPECT_TRUE(c["cells.0.w1"].index({Slice(4, 6)}).equal(fresh["cells.0.w1"].index({Slice(4, 6)})));
  EXPECT_TRUE(c["cells.0.w1"]
                  .index({Slice(), Slice(5, 7)})
                  .equal(fresh["cells.0.w1"].index({Slice(), Slice(5, 7)})));
  EXPECT_TRUE(c["cells.0.b1"].index({Slice(0, 5)}).equal(p["cells.0.b1"]));
  EXPECT_TRUE(c["cells.0.w2"].index({Slice(0, 5), Slice(0, 4)}).equal(p["cells.0.w2"]));
  EXPECT_TRUE(c["cells.0.w2"]
                  .index({Slice(), Slice(4, 7)})
                  .equal(fresh["cells.0.w2"].index({Slice(), Slice(4, 7)})));
  EXPECT_TRUE(c["cells.0.b2"].index({Slice(0, 4)}).equal(p["cells.0.b2"]));
  // Cell 1 (the output): u = [from 0 (4), from 2 (1)], m = [prediction (3), to 0 (2)].
  EXPECT_TRUE(c["cells.1.w1"].index({Slice(0, 4), Slice(0, 5)}).equal(p["cells.1.w1"]));
  EXPECT_TRUE(c["cells.1.w1"].index({Slice(4, 5)}).equal(fresh["cells.1.w1"].index({Slice(4, 5)})));
  EXPECT_TRUE(c["cells.1.w2"].index({Slice(0, 5), Slice(0, 3)}).equal(p["cells.1.w2"]));
  EXPECT_TRUE(c["cells.1.w2"]
                  .index({Slice(), Slice(3, 5)})
                  .equal(fresh["cells.1.w2"].index({Slice(), Slice(3, 5)})));
  EXPECT_TRUE(c["cells.1.b2"].index({Slice(0, 3)}).equal(p["cells.1.b2"]));
  // Cell 2 is new.
  for (const char* name : {"w1", "b1", "w2", "b2"}) {
    const std::string key = fmt::format("cells.2.{}", name);
    EXPECT_TRUE(c[key].equal(fresh[key])) << key;
  }
  // Copied: cell 0 5 + 4*5 + 4*(5+1), cell 1 5 + 4*5 + 3*(5+1).
  const double copied = (5 + 20 + 24) + (5 + 20 + 18);
  NNN child_net(to_options(child));
  EXPECT_DOUBLE_EQ(share, copied / static_cast<double>(child_net->parameter_count()));
  expect_error(
      [&] {
        inherit_weights(file, parent, child, {0, 1}, 7, path("x.pt"));
      },
      "2 parent cells given for 3 child cells");
  expect_error(
      [&] {
        inherit_weights(file, parent, child, {0, 5, -1}, 7, path("x.pt"));
      },
      "parent cell 5 is not a cell");
}

// data.validation: samples drawn by the seed, out of the training set,
// scored instead of the test set.
TEST_F(SearchTest, TheValidationSplitIsHeldOutOfTheTrainingSet) {
  DataConfig data = data_config_of(DatasetKind::kSpiral);
  const DataSplit all = load_data(data, 5);
  data.validation = 60;
  const DataSplit held = load_data(data, 5);
  ASSERT_EQ(held.test.size(), 60);
  ASSERT_EQ(held.train.size() + 60, all.train.size());
  // Every held-out and every kept sample is a training sample, none both.
  const auto joined = torch::cat({held.train.inputs, held.test.inputs});
  EXPECT_TRUE(std::get<0>(joined.sort(0)).equal(std::get<0>(all.train.inputs.sort(0))));
  // The spiral's training set is ordered by class; the split is not.
  EXPECT_EQ(std::get<0>(at::_unique(held.test.labels)).numel(), 3);
  EXPECT_TRUE(load_data(data, 5).test.inputs.equal(held.test.inputs));
  data.validation = all.train.size();
  expect_error([&] { load_data(data, 5); },
               "data.validation is 900 but the spiral training set "
               "holds 900 samples");
  expect_error([&] { load_experiment(tiny_config(), {"data.validation=-1"}); }, "data.validation");
}

TEST_F(SearchTest, ASearchAtTheBudgetReportsAndResumes) {
  SearchOptions options = tiny_search(path("search"));
  std::ostringstream log;
  const SearchResult result = run_search(options, log);
  const ExperimentConfig base = load_experiment(options.config_path);
  ASSERT_EQ(result.candidates.size(), 7u);  // config's + 2 random + 2 x 2 children
  EXPECT_EQ(result.budget, base.model.parameter_count());
  EXPECT_EQ(result.validation, 30);
  for (const auto& c : result.candidates) {
    // The closest hidden size: within one hidden unit's parameters.
    ModelConfig more = base.model, less = base.model;
    more.wiring = less.wiring = c.wiring;
    more.hidden = {c.hidden + 1};
    less.hidden = {c.hidden - 1};
    EXPECT_LE(std::abs(c.parameters - result.budget),
              (more.parameter_count() - less.parameter_count()) / 2)
        << c.index;
    EXPECT_EQ(c.steps, c.wiring.distance() + 3 - 1);  // the config's 2 steps after the first
    const auto summary = read_file(RunDirectory(c.dir).summary());
    EXPECT_NE(summary.find("\"test_samples\": 30"), std::string::npos) << summary;
    EXPECT_NE(summary.find("\"train_samples\": 90"), std::string::npos);
    EXPECT_EQ(c.generation == 0, c.parent < 0) << c.index;
    if (c.parent >= 0) {
      EXPECT_LT(c.parent, c.index - (c.index - 3) % 2);  // from an earlier generation
      EXPECT_GT(c.inherited, 0.0) << c.change;
    }
  }
  EXPECT_EQ(result.candidates[0].wiring, base.model.wiring);
  // The finalists: the best, and the config's own as the reference.
  // The finalists: the best, then the config's own wiring and the matched
  // MLP (one cell without edges at the budget) as references.
  ASSERT_GE(result.finals.size(), 2u);
  const auto& mlp = result.finals.back().candidate;
  EXPECT_EQ(mlp.wiring, Wiring(Matrix64{{0}}));
  EXPECT_LE(std::abs(mlp.parameters - result.budget), 3);  // 6 h + 3 parameters
  EXPECT_TRUE(fs::exists(path("search/final/") +
                         (mlp.index < 0 ? std::string("mlp") : fmt::format("c{:04d}", mlp.index)) +
                         "-s1/summary.json"));
  int config_own = 0;
  for (const auto& f : result.finals) config_own += f.candidate.index == 0 ? 1 : 0;
  EXPECT_EQ(config_own, 1);
  for (const auto& f : result.finals) {
    ASSERT_EQ(f.test.size(), 2u);
    EXPECT_FALSE(f.lesions.empty());
  }
  size_t best = 0;
  for (size_t i = 0; i < result.candidates.size(); ++i) {
    if (result.candidates[i].score() > result.candidates[best].score()) best = i;
  }
  EXPECT_EQ(result.finals.front().candidate.index, static_cast<int64_t>(best));
  const ExperimentConfig winner = load_experiment(path("search/best.yaml"));
  EXPECT_EQ(winner.model.wiring, result.candidates[best].wiring);
  EXPECT_EQ(winner.model.hidden, std::vector<int64_t>{result.candidates[best].hidden});
  EXPECT_EQ(winner.train.epochs, 3);
  EXPECT_EQ(winner.data.validation, 0);
  for (const char* file : {"search.md", "search.csv", "search.svg"}) {
    EXPECT_TRUE(fs::exists(path("search/") + file)) << file;
  }
  const std::string md = read_file(path("search/search.md"));
  EXPECT_NE(md.find("| c0000 (the config's) |"), std::string::npos) << md;
  EXPECT_NE(md.find(" (the matched MLP) |"), std::string::npos) << md;
  EXPECT_NE(md.find("ahead on "), std::string::npos) << md;
  EXPECT_NE(md.find("| best |"), std::string::npos) << md;

  // Lose a child and a final run: the same command redraws the same
  // proposals, trains what is missing and reads the rest.
  fs::remove_all(result.candidates[5].dir);
  fs::remove_all(path("search/final/c0000-s1"));
  std::ostringstream again;
  const SearchResult resumed = run_search(options, again);
  ASSERT_EQ(resumed.candidates.size(), result.candidates.size());
  for (size_t i = 0; i < resumed.candidates.size(); ++i) {
    EXPECT_EQ(resumed.candidates[i].wiring, result.candidates[i].wiring) << i;
    EXPECT_EQ(resumed.candidates[i].validation, result.candidates[i].validation) << i;
    EXPECT_EQ(resumed.candidates[i].inherited, result.candidates[i].inherited) << i;
  }
  for (const auto& f : resumed.finals) {
    for (const auto& g : result.finals) {
      if (g.candidate.index == f.candidate.index) {
        EXPECT_EQ(g.test, f.test);
      }
    }
  }

  // Another search in the same folder is refused; so are cells it cannot
  // size, and a budget below the config's own wiring.
  SearchOptions other = options;
  other.epochs = 3;
  expect_error([&] { run_search(other, log); }, "holds another search");
  SearchOptions small = tiny_search(path("small"));
  small.budget = 40;
  expect_error([&] { run_search(small, log); },
               "fits the budget of 40 parameters only with hidden");
  SearchOptions norm = tiny_search(path("norm"));
  norm.overrides = {"model.cell=layer_norm"};
  expect_error([&] { run_search(norm, log); }, "perceptron cells only");
  SearchOptions ranks = tiny_search(path("ranks"));
  ranks.rank = 2;
  ranks.ranks = 2;
  expect_error([&] { run_search(ranks, log); }, "rank is 2; expected 0..1");
}

// A candidate whose loss becomes NaN or infinite is recorded as failed
// (its log says why; a search run again reads the record instead of
// training it again); when every candidate of the first generation fails
// the search stops naming the config's wiring's failure.
TEST_F(SearchTest, DivergedCandidatesAreRecordedAsFailed) {
  // Features near the float limit: the first products overflow.
  {
    std::ofstream csv(path("huge.csv"));
    for (int i = 0; i < 120; ++i)
      csv << (i % 2 ? 3e38 : -3e38) << "," << 3e38 << "," << i % 3 << "\n";
  }
  std::ofstream(path("huge.yaml"))
      << "name: huge\nseed: 3\nthreads: 1\ndevice: cpu\nmodel:\n"
      << "  input_size: 2\n  output_size: 3\n  steps: 3\n  hidden: 8\n"
      << "  wiring: {generator: chain, n: 2, channels: 4}\n"
      << "data: {dataset: csv, path: " << path("huge.csv") << ", test_fraction: 0.25}\n"
      << "train: {epochs: 2, batch_size: 16, optimizer: sgd, lr: 1}\n";
  SearchOptions options = tiny_search(path("diverged"));
  options.config_path = path("huge.yaml");
  std::ostringstream log;
  expect_error([&] { run_search(options, log); },
               "every candidate of the first generation failed; c0000 (the config's wiring): the "
               "loss became NaN or infinite");
  for (const char* name : {"c0000", "c0001", "c0002"}) {
    const std::string record = path("diverged/candidates/") + name + ".failed.json";
    ASSERT_TRUE(fs::exists(record)) << name;
    EXPECT_NE(read_file(record).find("NaN or infinite"), std::string::npos);
  }
  EXPECT_NE(log.str().find("failed: the loss became NaN or infinite"), std::string::npos)
      << log.str();
  const std::string run_log = read_file(path("diverged/candidates/c0001.log"));
  std::ostringstream again;
  expect_error([&] { run_search(options, again); }, "every candidate of the first generation");
  EXPECT_EQ(read_file(path("diverged/candidates/c0001.log")), run_log);  // read, not trained again
  EXPECT_NE(again.str().find("c0001 gen 0"), std::string::npos);
}

// A rank waits for another's candidate only so long, and says whose.
TEST_F(SearchTest, AMissingRankIsNamed) {
  SearchOptions options = tiny_search(path("alone"));
  options.rank = 0;
  options.ranks = 2;
  options.peer_timeout = 1;
  std::ostringstream log;
  expect_error([&] { run_search(options, log); }, "candidate c0001 (rank 1 of 2) has not finished");
}

}  // namespace
}  // namespace nnn
