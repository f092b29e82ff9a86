// Thread settings and the worker pool.
#include "nnn/runtime/parallel.h"

#include <dlfcn.h>
#include <torch/types.h>

#include <opencv2/core.hpp>

#include <algorithm>

namespace nnn {

bool set_blas_threads(int64_t threads) {
  // OpenBLAS (Debian's libopenblas0-pthread) starts one thread per core;
  // other BLAS builds lack the symbol and need nothing.
  using SetThreads = void (*)(int);
  auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set) set(static_cast<int>(threads));
  return set != nullptr;
}

int64_t configure_threads(int64_t threads) {
  torch::set_num_threads(1);
  set_blas_threads(1);
  cv::setNumThreads(1);  // OpenCV's parallel loops (matchTemplate, CSRT) too
  // More shards than cores only makes them wait for each other: cap.
  const auto cores =
      std::max<int64_t>(1, static_cast<int64_t>(std::thread::hardware_concurrency()));
  return threads > 0 ? std::min(threads, cores) : cores;
}

WorkerPool::WorkerPool(int64_t threads) {
  for (int64_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { loop(i); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  start_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void WorkerPool::loop(int64_t index) {
  int64_t seen = 0;
  while (true) {
    const std::function<void(int64_t)>* job = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      if (index >= tasks_) continue;
      job = job_;
    }
    std::exception_ptr error;
    try {
      (*job)(index);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (error && !error_) error_ = error;
    ++worker_tasks_;
    if (--pending_ == 0) done_.notify_all();
  }
}

int64_t WorkerPool::worker_tasks() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return worker_tasks_;
}

void WorkerPool::run(int64_t tasks, const std::function<void(int64_t)>& fn) {
  tasks = std::min(tasks, size());
  if (tasks <= 1) {
    if (tasks == 1) fn(0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    tasks_ = tasks;
    pending_ = tasks - 1;
    error_ = nullptr;
    ++generation_;
  }
  start_.notify_all();
  std::exception_ptr error;
  try {
    fn(0);
  } catch (...) {
    error = std::current_exception();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return pending_ == 0; });
  if (!error) error = error_;
  if (error) std::rethrow_exception(error);
}

}  // namespace nnn
