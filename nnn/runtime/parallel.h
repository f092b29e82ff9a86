// How nnn uses the CPU cores: small per-step products do not pay for
// LibTorch's intra-op threads or a multi-threaded BLAS (measured: 2.4x slower
// on 2 cores, the threads spin against each other), so every thread runs
// single-threaded kernels and the cores share a batch instead (data-parallel
// shards, see Trainer and `nnn bench`). WorkerPool runs those shards.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace nnn {

/// Sets LibTorch's intra-op threads, the BLAS's threads (OpenBLAS, found at
/// run time) and OpenCV's to 1 and returns the number of cores to use for shards:
/// `threads` (at most the number of cores), or every core when 0.
int64_t configure_threads(int64_t threads);

/// Sets the BLAS's own thread count where it is OpenBLAS (no-op otherwise);
/// true when it could.
bool set_blas_threads(int64_t threads);

/// A fixed set of threads that runs task 0..n-1 of each run() call; the
/// calling thread takes task 0. Exceptions come back to the caller.
class WorkerPool {
 public:
  explicit WorkerPool(int64_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int64_t size() const { return static_cast<int64_t>(workers_.size()) + 1; }
  /// Runs fn(0) .. fn(tasks - 1), tasks <= size(), and waits for all.
  void run(int64_t tasks, const std::function<void(int64_t)>& fn);
  /// Tasks the worker threads (not the caller) have run so far: lets a test
  /// check that work really was shared.
  int64_t worker_tasks() const;

 private:
  void loop(int64_t index);

  std::vector<std::thread> workers_;
  mutable std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(int64_t)>* job_ = nullptr;
  int64_t tasks_ = 0;
  int64_t generation_ = 0;
  int64_t pending_ = 0;
  int64_t worker_tasks_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace nnn
