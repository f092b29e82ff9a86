// Launcher variables (torchrun, Slurm) read as hostile input.
#include "nnn/distributed/dist_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
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
                           {"SLURM_STEP_NUM_TASKS", "8"},
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
        from({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "70000"}});
      },
      "environment: MASTER_PORT is 70000; expected 1..65535");
  expect_error(
      [] {
        from({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a b"}, {"MASTER_PORT", "1"}});
      },
      "environment: MASTER_ADDR is 'a b'; expected a host name or address");
  expect_error(
      [] {
        from({{"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "2"}, {"MASTER_PORT", "5"}});
      },
      "environment: MASTER_ADDR is not set for a job of 2 ranks (SLURM_PROCID is set); under "
      "Slurm");
}

// Ports for a local job come from outside the kernel's ephemeral range, so
// that no rank's own source port can be the store's (a TCP self-connect
// took a test's port once); each is free to bind.
TEST(DistEnv, FreePortsAvoidTheEphemeralRange) {
  int64_t low = 32768, high = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low >> high;
  for (int i = 0; i < 20; ++i) {
    const int64_t port = free_local_port();
    ASSERT_GT(port, 0);
    if (low > 10000 || high < 65535) {
      EXPECT_TRUE(port < low || port > high) << port << " in " << low << "-" << high;
    }
    ::close(listen_on_loopback(port));
  }
}

// torchrun's whole worker contract (read from its elastic agent's source).
TEST(DistEnv, TorchrunAgentContract) {
  const auto env = from({{"RANK", "3"},
                         {"WORLD_SIZE", "4"},
                         {"LOCAL_RANK", "1"},
                         {"LOCAL_WORLD_SIZE", "2"},
                         {"GROUP_RANK", "1"},
                         {"MASTER_ADDR", "127.0.0.1"},
                         {"MASTER_PORT", "29400"},
                         {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                         {"TORCHELASTIC_RESTART_COUNT", "2"},
                         {"TORCHELASTIC_MAX_RESTARTS", "3"},
                         {"TORCHELASTIC_RUN_ID", "job-7"},
                         {"OMP_NUM_THREADS", "1"}});
  ASSERT_TRUE(env.has_value());
  EXPECT_TRUE(env->agent_store);
  EXPECT_EQ(env->restart_count, 2);
  EXPECT_EQ(env->local_world_size, 2);
  EXPECT_EQ(env->local_rank, 1);
  EXPECT_EQ(env->run_id, "job-7");
  const auto own = from({{"RANK", "0"},
                         {"WORLD_SIZE", "2"},
                         {"MASTER_ADDR", "127.0.0.1"},
                         {"MASTER_PORT", "29400"},
                         {"TORCHELASTIC_USE_AGENT_STORE", "False"}});
  ASSERT_TRUE(own.has_value());
  EXPECT_FALSE(own->agent_store);
  EXPECT_EQ(own->restart_count, 0);
  // A requeued Slurm job of one task still knows it was restarted.
  EXPECT_EQ(restart_count_from_environment([](const char* name) -> const char* {
              return std::string(name) == "SLURM_RESTART_COUNT" ? "1" : nullptr;
            }),
            1);
}

// Slurm: srun's step, not the batch script's own shell.
TEST(DistEnv, SlurmStepVariables) {
  // The batch script's shell: the allocation's task count, but no step.
  EXPECT_FALSE(from({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}}).has_value());
  const auto one = from({{"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "1"}});
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->world_size, 1);
  const auto step = from({{"SLURM_PROCID", "5"},
                          {"SLURM_STEP_NUM_TASKS", "6"},
                          {"SLURM_LOCALID", "1"},
                          {"SLURM_STEP_TASKS_PER_NODE", "2(x3)"},
                          {"SLURM_JOB_ID", "41"},
                          {"MASTER_ADDR", "n1"},
                          {"MASTER_PORT", "1234"}});
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->local_world_size, 2);
  EXPECT_EQ(step->run_id, "41");
}

// Incomplete or inconsistent launcher variables: refused, naming the variable.
TEST(DistEnv, InconsistentSetsAreRefused) {
  const std::map<std::string, std::string> base = {
      {"RANK", "1"}, {"WORLD_SIZE", "4"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29400"}};
  const auto with = [&](std::map<std::string, std::string> extra) {
    auto vars = base;
    for (auto& [k, v] : extra) vars[k] = v;
    return vars;
  };
  const auto without = [&](const std::string& name) {
    auto vars = base;
    vars.erase(name);
    return vars;
  };
  expect_error([&] { from(without("MASTER_PORT")); },
               "environment: MASTER_PORT is not set for a job of 4 ranks");
  expect_error([&] { from(without("MASTER_ADDR")); },
               "environment: MASTER_ADDR is not set for a job of 4 ranks (RANK is set)");
  expect_error(
      [&] {
        from(with({{"LOCAL_RANK", "2"}, {"LOCAL_WORLD_SIZE", "2"}}));
      },
      "environment: LOCAL_RANK is 2 but LOCAL_WORLD_SIZE is 2");
  expect_error(
      [&] {
        from(with({{"LOCAL_WORLD_SIZE", "3"}}));
      },
      "environment: WORLD_SIZE is 4 but LOCAL_WORLD_SIZE is 3");
  expect_error(
      [&] {
        from(with({{"LOCAL_WORLD_SIZE", "8"}}));
      },
      "environment: LOCAL_WORLD_SIZE is 8; expected 1..4");
  expect_error(
      [&] {
        from(with({{"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"}, {"GROUP_RANK", "1"}}));
      },
      "environment: RANK is 1 but GROUP_RANK 1 x LOCAL_WORLD_SIZE 2 + LOCAL_RANK 1 is 3");
  expect_error(
      [&] {
        from(with({{"TORCHELASTIC_USE_AGENT_STORE", "yes"}}));
      },
      "environment: TORCHELASTIC_USE_AGENT_STORE is 'yes'; expected True or False");
  expect_error(
      [&] {
        from(with({{"TORCHELASTIC_RESTART_COUNT", "-1"}}));
      },
      "environment: TORCHELASTIC_RESTART_COUNT is '-1'; expected a whole number");
  expect_error(
      [] {
        from({{"SLURM_PROCID", "1"},
              {"SLURM_STEP_NUM_TASKS", "2"},
              {"SLURM_LOCALID", "3"},
              {"SLURM_STEP_TASKS_PER_NODE", "2"},
              {"MASTER_ADDR", "a"},
              {"MASTER_PORT", "1"}});
      },
      "environment: SLURM_LOCALID is 3 but SLURM_STEP_TASKS_PER_NODE allows at most 2");
  expect_error(
      [] {
        from({{"SLURM_PROCID", "0"},
              {"SLURM_STEP_NUM_TASKS", "2"},
              {"SLURM_STEP_TASKS_PER_NODE", "2;rm"},
              {"MASTER_ADDR", "a"},
              {"MASTER_PORT", "1"}});
      },
      "environment: SLURM_STEP_TASKS_PER_NODE is '2;rm'");
  expect_error([] { check_resolves("no-such-host.invalid", "MASTER_ADDR"); },
               "MASTER_ADDR is 'no-such-host.invalid', which does not resolve to an address");
  check_resolves("127.0.0.1", "MASTER_ADDR");
}

}  // namespace
}  // namespace nnn
