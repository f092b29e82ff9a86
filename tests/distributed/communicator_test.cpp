// c10d behind nnn::Communicator in one process: a world of one rank joins
// its own store and reduces, on Gloo (the CPU) and on NCCL (a GPU, *_CUDA).
#include "nnn/distributed/communicator.h"

#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "tests/test_util.h"

namespace nnn {
namespace {

DistEnv world_of_one() {
  DistEnv env;
  env.master_addr = "127.0.0.1";
  env.master_port = free_local_port();
  env.source = "test";
  return env;
}

TEST(Communicator, GlooWorldOfOneReducesOnTheCpu) {
  if (!Communicator::available()) GTEST_SKIP() << "built without c10d Gloo";
  auto communicator = Communicator::join(world_of_one(), /*timeout_seconds=*/10);
  EXPECT_FALSE(communicator->on_gpu());
  torch::Tensor t = torch::arange(5, torch::kDouble);
  communicator->all_reduce_sum(t);
  EXPECT_TRUE(torch::equal(t, torch::arange(5, torch::kDouble)));
  communicator->check_same("config", "x");
}

TEST(Communicator, NcclRefusedWhereNotBuilt) {
  if (Communicator::nccl_available()) GTEST_SKIP() << "this build has c10d NCCL";
  testing::expect_error([] { Communicator::join(world_of_one(), 5, /*nccl=*/true); },
                        "dist.backend is nccl, but this nnn was built without c10d NCCL");
}

TEST(Communicator, NcclWorldOfOneReducesOnTheGpu_CUDA) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  if (!Communicator::nccl_available()) GTEST_SKIP() << "built without c10d NCCL";
  auto communicator = Communicator::join(world_of_one(), /*timeout_seconds=*/30, /*nccl=*/true);
  EXPECT_TRUE(communicator->on_gpu());
  torch::Tensor gpu = torch::arange(7, torch::TensorOptions(torch::kDouble).device(torch::kCUDA));
  communicator->all_reduce_sum(gpu);
  EXPECT_TRUE(torch::equal(gpu.cpu(), torch::arange(7, torch::kDouble)));
  // CPU sums (evaluation counts) travel through the GPU and come back.
  torch::Tensor cpu = torch::ones({3}, torch::kDouble);
  communicator->all_reduce_sum(cpu);
  EXPECT_TRUE(cpu.is_cpu());
  EXPECT_TRUE(torch::equal(cpu, torch::ones({3}, torch::kDouble)));
}

}  // namespace
}  // namespace nnn
