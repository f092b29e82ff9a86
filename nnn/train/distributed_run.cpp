// A run's place in a data-parallel job: leader, threads, device, collectives.
#include "nnn/train/distributed_run.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>

#include "nnn/config/experiment_config.h"
#include "nnn/data/load_data.h"
#include "nnn/distributed/communicator.h"
#include "nnn/runtime/device.h"
#include "nnn/util/error.h"

namespace nnn {

namespace {

// What every rank of a job must agree on about its data: sizes and sums.
std::string data_fingerprint(const DataSplit& data) {
  const auto sum = [](const torch::Tensor& t) {
    return t.defined() && t.numel() > 0 ? t.to(torch::kDouble).sum().item<double>() : 0.0;
  };
  return fmt::format("train {} x {} sum {:.17g} labels {:.17g}; test {} sum {:.17g} labels {:.17g}",
                     data.train.size(), data.train.features(), sum(data.train.inputs),
                     sum(data.train.labels), data.test.size(), sum(data.test.inputs),
                     sum(data.test.labels));
}

}  // namespace

DistributedRun DistributedRun::from_environment() {
  DistributedRun run;
  run.job_ = dist_env_from_environment();
  run.restarts_ =
      restart_count_from_environment([](const char* name) { return std::getenv(name); });
  return run;
}

int64_t DistributedRun::threads_per_rank(int64_t threads) const {
  if (!distributed()) return threads;
  const int64_t local_ranks =
      job_->local_world_size > 0 ? job_->local_world_size : job_->world_size;
  return std::max<int64_t>(1, threads / local_ranks);
}

torch::Device DistributedRun::device(const DeviceSetting& setting) const {
  torch::Device device = resolve_device(setting);
  if (distributed() && device.is_cuda() && setting.index < 0) {
    const int64_t gpus = static_cast<int64_t>(torch::cuda::device_count());
    device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(job_->local_rank % gpus));
  }
  return device;
}

std::shared_ptr<Communicator> DistributedRun::join(const ExperimentConfig& config,
                                                   const torch::Device& device,
                                                   const DataSplit& data, int64_t threads,
                                                   std::ostream& out) const {
  NNN_CHECK(distributed(), "DistributedRun::join outside a job of several ranks");
  const bool nccl = distributed_on_nccl(config, device);
  auto communicator = Communicator::join(*job_, config.dist.timeout, nccl);
  // Every rank must train the same thing: compare what each resolved.
  communicator->check_same("config", experiment_to_yaml(config));
  communicator->check_same("data", data_fingerprint(data));
  fmt::print(out,
             "distributed: {} ranks ({}{}), {} threads each, gradients all-reduced over c10d {}\n",
             job_->world_size, job_->source, job_->agent_store ? ", store of torchrun's agent" : "",
             threads, nccl ? "NCCL" : "Gloo");
  return communicator;
}

bool distributed_on_nccl(const ExperimentConfig& config, const torch::Device& device) {
  // auto: NCCL when the run's device is a GPU, else Gloo.
  const bool nccl = config.dist.backend == DistBackend::kNccl ||
                    (config.dist.backend == DistBackend::kAuto && device.is_cuda());
  NNN_CHECK(!nccl || device.is_cuda(), config.file,
            ": dist.backend is nccl, which reduces on GPUs, but the run's device is ", device.str(),
            "; use dist.backend gloo on the CPU");
  NNN_CHECK(!nccl || Communicator::nccl_available(), config.file, ": dist.backend is ",
            to_string(config.dist.backend), " on device ", device.str(),
            ", which needs c10d NCCL, but this nnn was built without it (against LibTorch ",
            TORCH_VERSION,
            "); build the cuda preset against pip's CUDA LibTorch (scripts/build.sh cuda) or "
            "train on the CPU (device: cpu)");
  NNN_CHECK(nccl || device.is_cpu(), config.file, ": dist.backend is ",
            to_string(config.dist.backend), " (Gloo, the CPU) but the run's device is ",
            device.str(), "; use dist.backend nccl or auto on CUDA devices");
  return nccl;
}

bool distributed_on_nccl(const ExperimentConfig& config,
                         const std::optional<DeviceSetting>& device) {
  return distributed_on_nccl(config, resolve_device(device.value_or(config.device)));
}

}  // namespace nnn
