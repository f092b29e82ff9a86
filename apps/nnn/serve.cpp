// `nnn serve RUNDIR [RUNDIR ...] [--host H] [--port P]`: the web demo.
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "apps/nnn/command.h"

#ifdef NNN_HAVE_SERVE
#include <atomic>
#include <ctime>

#include "nnn/runtime/parallel.h"
#include "nnn/serve/api.h"
#include "nnn/serve/demo.h"
#include "nnn/serve/label_desk.h"
#include "nnn/serve/run_watch.h"
#include "nnn/serve/server.h"
#endif

namespace nnn::cli {

void add_serve_command(Commands& commands) {
  struct Options {
    std::vector<std::string> runs;
    std::string host = "127.0.0.1", device, label_out, videos;
    std::vector<std::string> watch;
    int port = 8080;
    int threads = 256;
    int client_connections = 32;
    double request_seconds = 30;
    int64_t max_requests = 0;
    double max_seconds = 0;
    bool log = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "serve",
      "Serve a web page (and a JSON API under /api) to draw a digit or play blurry frames and "
      "plates, watch trained runs think step by step, and (--label-out) label videos into "
      "training data. Listens on 127.0.0.1 unless --host "
      "says otherwise.",
      [o]() -> int {
#ifdef NNN_HAVE_SERVE
        // SIGINT/SIGTERM are taken by a watcher thread (every thread the
        // server starts inherits the blocked mask), which stops the server.
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);
        configure_threads(1);  // single-threaded kernels; requests share the cores
        if (o->runs.empty() && o->label_out.empty() && o->watch.empty()) {
          throw UsageError(
              "give a run directory to serve (or --label-out DATASET to label videos, --watch "
              "FOLDER to follow training runs)");
        }
        std::unique_ptr<LabelService> labels;
        if (!o->label_out.empty()) {
          labels = std::make_unique<LabelDesk>(o->label_out, o->videos);
          std::cout << "labelling: the Label tab saves to the frame set " << o->label_out;
          if (!o->videos.empty()) std::cout << " and opens the videos under " << o->videos;
          std::cout << "\n";
        } else if (!o->videos.empty()) {
          throw UsageError(
              "--videos needs --label-out DATASET (the frame set the Label tab saves to)");
        }
        std::vector<std::unique_ptr<ServedRun>> runs;
        for (const auto& dir : o->runs) {
          runs.push_back(std::make_unique<DemoRun>(dir, device_option(o->device)));
          std::cout << "run " << runs.size() - 1 << ": " << runs.back()->name() << " (" << dir
                    << ")";
          if (runs.back()->test_count() == 0) {
            std::cout << "; frames and plates of test digits unavailable: "
                      << runs.back()->test_data_error();
          }
          std::cout << "\n";
        }
        const DemoApi api(std::move(runs), std::move(labels),
                          std::make_unique<RunWatch>(o->runs, o->watch));
        ServeOptions options;
        options.host = o->host;
        options.port = o->port;
        options.threads = o->threads;
        options.client_connections = o->client_connections;
        options.request_seconds = o->request_seconds;
        options.max_requests = o->max_requests;
        options.max_seconds = o->max_seconds;
        options.log_requests = o->log;
        DemoServer server(api, options, std::cerr);
        const int port = server.bind();
        if (o->host != "127.0.0.1" && o->host != "localhost" && o->host != "::1") {
          std::cout << "warning: listening on " << o->host
                    << ": anyone who can reach this machine there can use the demo\n";
        }
        const std::string shown =
            o->host.find(':') != std::string::npos ? "[" + o->host + "]" : o->host;
        std::cout << "serving " << api.run_count() << " run(s) on http://" << shown << ":" << port
                  << "/ (Ctrl-C stops)" << std::endl;
        std::atomic<bool> done{false};
        std::thread watcher([&] {
          const timespec tick{0, 200'000'000};
          while (!done.load()) {
            const int signal = sigtimedwait(&signals, nullptr, &tick);
            if (signal == SIGINT || signal == SIGTERM) {
              server.stop();
              return;
            }
          }
        });
        const int64_t answered = server.run();
        done = true;
        watcher.join();
        std::cout << "stopped after " << answered << " request(s)" << std::endl;
        return 0;
#else
        throw UsageError(
            "this nnn was built without cpp-httplib: install libcpp-httplib-dev (scripts/setup.sh "
            "does) and rebuild to use nnn serve");
#endif
      });
  command
      ->add_option("runs", o->runs,
                   "Run directories to serve (none: only the Label and Training tabs, with "
                   "--label-out or --watch)")
      ->check(run_directory());
  command->add_option("--host", o->host,
                      "Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every "
                      "interface, only when you mean it)");
  command->add_option("--port", o->port, "Port (0: any free port, printed)")
      ->check(CLI::Range(0, 65535));
  command
      ->add_option("--device", o->device,
                   "Run the models on this device (auto, cpu, cuda, cuda:N) instead of each run's")
      ->check(device_setting());
  command
      ->add_option("--threads", o->threads,
                   "Connections served at once, each on a thread of its own (slow clients hold "
                   "only their own); more wait")
      ->check(CLI::Range(1, 4096));
  command
      ->add_option("--client-connections", o->client_connections,
                   "Open connections per client address; one more is answered 429")
      ->check(CLI::Range(1, 4096));
  command
      ->add_option("--request-timeout", o->request_seconds,
                   "Seconds from a request's first byte to its last; a slower one is closed")
      ->check(finite_number())
      ->check(CLI::Range(0.001, 3600.0));
  command
      ->add_option("--exit-after-requests", o->max_requests,
                   "Stop after answering this many requests (0: never; for scripts and tests)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  command
      ->add_option("--exit-after-seconds", o->max_seconds,
                   "Stop after this many seconds (0: never; for scripts and tests)")
      ->check(finite_number())
      ->check(CLI::Range(0.0, 1e9));
  command
      ->add_option("--watch", o->watch,
                   "Folders whose runs (finished or still training) the Training tab also "
                   "plots, followed as they train (e.g. runs)")
      ->check(CLI::ExistingDirectory);
  command->add_option("--label-out", o->label_out,
                      "Turn the Label tab on: videos labelled in the browser are saved to this "
                      "frame set (as nnn label --out does; made on the first save)");
  command
      ->add_option("--videos", o->videos,
                   "A folder whose videos (files, and make-video's frame folders) the Label "
                   "tab lists and opens; uploads work without it")
      ->check(CLI::ExistingDirectory);
  command->add_flag("--log", o->log, "Log every request on stderr (errors are always logged)");
}

}  // namespace nnn::cli
