// Launcher variables (torchrun, Slurm) read as hostile input.
#include "nnn/dist/dist_env.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/test_util.h"

namespace nnn {
namespace {

using testing::expect_error;

std::optional<DistEnv> from(const std::map<std::string, std::string>& vars) {
  return dist_env_from_environment([&](const char* name) -> const char* {
    const auto found = vars.find(name);
    return found == vars.end() ? nullptr : found->second.c_str();
  });
}

TEST(DistEnv, TorchrunAndSlurmVariables) {
  EXPECT_FALSE(from({}).has_value());
  const auto torchrun = from({{"RANK", "1"},
                              {"WORLD_SIZE", "4"},
                              {"LOCAL_RANK", "1"},
                              {"MASTER_ADDR", "node0"},
                              {"MASTER_PORT", "29500"}});
  ASSERT_TRUE(torchrun.has_value());
  EXPECT_EQ(torchrun->rank, 1);
  EXPECT_EQ(torchrun->world_size, 4);
  EXPECT_EQ(torchrun->master_addr, "node0");
  EXPECT_EQ(torchrun->master_port, 29500);
  EXPECT_EQ(torchrun->source, "torchrun");
  const auto slurm = from({{"SLURM_PROCID", "3"},
                           {"SLURM_NTASKS", "8"},
                           {"SLURM_LOCALID", "0"},
                           {"MASTER_ADDR", "n1"},
                           {"MASTER_PORT", "1234"}});
  ASSERT_TRUE(slurm.has_value());
  EXPECT_EQ(slurm->rank, 3);
  EXPECT_EQ(slurm->world_size, 8);
  EXPECT_EQ(slurm->source, "slurm");
}

TEST(DistEnv, HostileValuesAreNamed) {
  expect_error(
      [] {
        from({{"RANK", "0"}, {"MASTER_PORT", "1"}});
      },
      "environment: WORLD_SIZE is not set");
  expect_error(
      [] {
        from({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}});
      },
      "environment: RANK is 2; expected 0..1");
  expect_error(
      [] {
        from({{"RANK", "x"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}});
      },
      "environment: RANK is 'x'; expected a whole number in 0..1");
  expect_error(
      [] {
        from({{"RANK", "0"}, {"WORLD_SIZE", "99999999999"}});
      },
      "environment: WORLD_SIZE is '99999999999'");
  expect_error(
      [] {
        from({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}});
      },
      "environment: MASTER_PORT is 70000; expected 1..65535");
  expect_error(
      [] {
        from({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a b"}, {"MASTER_PORT", "1"}});
      },
      "environment: MASTER_ADDR is 'a b'; expected a host name or address");
  expect_error(
      [] {
        from({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"MASTER_PORT", "5"}});
      },
      "environment: MASTER_ADDR is not set; under Slurm");
  EXPECT_GT(free_local_port(), 0);
}

}  // namespace
}  // namespace nnn
