// `nnn serve` through a real server on an ephemeral 127.0.0.1 port and a
// real HTTP client (cpp-httplib): every endpoint, every class of bad
// request, concurrent clients, the request limit; and the cell layout. The
// run is a tiny model trained on synthetic shapes (no downloaded data).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "nnn/data/frame_set.h"
#include "nnn/data/image_file.h"
#include "nnn/data/load_data.h"
#include "nnn/data/pgm.h"
#include "nnn/experiments/lesion.h"
#include "nnn/experiments/predict.h"
#include "nnn/experiments/video.h"
#include "nnn/runtime/parallel.h"
#include "nnn/serve/api.h"
#include "nnn/serve/demo.h"
#include "nnn/serve/label_desk.h"
#include "nnn/core/wiring_layout.h"
#include "nnn/serve/run_watch.h"
#include "nnn/serve/server.h"
#include "nnn/train/loaded_run.h"
#include "nnn/train/run.h"
#include "nnn/util/error.h"
#include "nnn/video/video_io.h"
#include "tests/shapes.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;

// --- Layout (no server) ---

TEST(Layout, ColumnsFollowTheDistanceFromTheInputs) {
  const auto chain_places = layout_cells(chain(4, 2));
  for (int64_t c = 0; c < 4; ++c) {
    EXPECT_EQ(chain_places[static_cast<size_t>(c)].column, c);
    EXPECT_EQ(chain_places[static_cast<size_t>(c)].row, 0);
  }
  // layered [1, 2, 1]: the middle layer shares column 1, the output is alone.
  const auto places = layout_cells(layered({1, 2, 1}, 4, true));
  ASSERT_EQ(places.size(), 4u);
  EXPECT_EQ(places[0].column, 0);
  EXPECT_EQ(places[1].column, 1);
  EXPECT_EQ(places[2].column, 1);
  EXPECT_NE(places[1].row, places[2].row);
  EXPECT_EQ(places[3].column, 2);
  // Fully connected: every cell is one edge from the input, the output
  // still gets a column of its own.
  const auto full = layout_cells(fully_connected(5, 2, true));
  EXPECT_EQ(full[4].column, 2);
  for (int64_t c = 1; c < 4; ++c) EXPECT_EQ(full[static_cast<size_t>(c)].column, 1);
  // One cell; a cell nothing reaches joins column 0.
  EXPECT_EQ(layout_cells(Wiring(Matrix64{{8}}))[0].column, 0);
  const auto orphan = layout_cells(Wiring(Matrix64{{0, 0, 2}, {0, 0, 2}, {0, 0, 0}}, {0}, 2));
  EXPECT_EQ(orphan[1].column, 0);
  EXPECT_EQ(orphan[2].column, 1);
}

TEST(Layout, PlacesAreInsideAndDistinct) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Wiring wiring = random_wiring(12, 0.3, 2, seed);
    const auto places = layout_cells(wiring);
    ASSERT_EQ(static_cast<int64_t>(places.size()), wiring.size());
    for (size_t a = 0; a < places.size(); ++a) {
      EXPECT_GT(places[a].x, 0.0);
      EXPECT_LT(places[a].x, 1.0);
      EXPECT_GT(places[a].y, 0.0);
      EXPECT_LT(places[a].y, 1.0);
      for (size_t b = a + 1; b < places.size(); ++b) {
        EXPECT_FALSE(places[a].x == places[b].x && places[a].y == places[b].y)
            << "cells " << a << " and " << b << " share a place (seed " << seed << ")";
      }
    }
  }
}

// --- The server ---

struct Reply {
  int status = 0;
  Json json;
  std::string body;
  std::string content_type;
  std::string allow;  // the Allow header
};

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    configure_threads(1);
    dir_ = fs::temp_directory_path() / ("nnn_serve_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const auto& [name, n, seed] : {std::tuple{"train", 256, 1}, {"test", 64, 2}}) {
      IdxArray labels;
      const IdxArray images = testing::shapes(n, seed, &labels);
      write_idx((dir_ / (std::string(name) + "-images")).string(), images);
      write_idx((dir_ / (std::string(name) + "-labels")).string(), labels);
    }
    const std::string config = (dir_ / "shapes.yaml").string();
    std::ofstream(config) << "name: shapes_reader\nseed: 3\ndevice: cpu\nthreads: 1\n"
                          << "model:\n  input_size: 784\n  output_size: 4\n  steps: 3\n"
                          << "  hidden: 16\n"
                          << "  wiring: {generator: layered, layers: [1, 2, 1], channels: 4}\n"
                          << "data:\n  dataset: idx\n"
                          << "  train_images: " << (dir_ / "train-images").string() << "\n"
                          << "  train_labels: " << (dir_ / "train-labels").string() << "\n"
                          << "  test_images: " << (dir_ / "test-images").string() << "\n"
                          << "  test_labels: " << (dir_ / "test-labels").string() << "\n"
                          << "  normalize: unit\n  frames: 3\n"
                          << "  degrade: {blur_sigma: 0.8, noise_std: 0.15, shift: 0.5}\n"
                          << "train:\n  epochs: 4\n  batch_size: 32\n  lr: 0.01\n"
                          << "  log_every: 1000\nloss:\n  steps: all\n";
    RunOptions options;
    options.config_path = config;
    options.out = (dir_ / "run").string();
    std::ostringstream log;
    run_training(options, log);

    // The Label tab's folder: one generated video, as frames and as an MP4.
    const auto [images, labels] = testing::shape_tensors(64, 5);
    VideoOptions video = VideoOptions::preset("easy");
    video.digits = 3;
    video.frames = 8;
    video.seed = 4;
    video_ = make_video(images, labels, video);
    write_video((dir_ / "videos" / "clip").string(), video_, VideoContainer::kMp4);

    std::vector<std::unique_ptr<ServedRun>> runs;
    runs.push_back(std::make_unique<DemoRun>(options.out));
    fs::create_directories(dir_ / "watch");
    api_ = new DemoApi(
        std::move(runs),
        std::make_unique<LabelDesk>((dir_ / "set").string(), (dir_ / "videos").string()),
        std::make_unique<RunWatch>(std::vector<std::string>{options.out},
                                   std::vector<std::string>{(dir_ / "watch").string()}));
    ServeOptions serve;
    serve.port = 0;
    serve.max_seconds = 600;  // bounded, whatever happens to the tests
    server_ = new DemoServer(*api_, serve, server_log_);
    port_ = server_->bind();
    thread_ = std::thread([] { server_->run(); });
  }

  static void TearDownTestSuite() {
    server_->stop();
    thread_.join();
    delete server_;
    delete api_;
    fs::remove_all(dir_);
  }

  static Reply to_reply(const httplib::Result& result) {
    Reply reply;
    if (!result) {
      ADD_FAILURE() << "no HTTP reply: " << httplib::to_string(result.error());
      return reply;
    }
    reply.status = result->status;
    reply.body = result->body;
    reply.content_type = result->get_header_value("Content-Type");
    reply.allow = result->get_header_value("Allow");
    if (reply.content_type.rfind("application/json", 0) == 0) {
      reply.json = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
      EXPECT_FALSE(reply.json.is_discarded()) << "not JSON: " << reply.body.substr(0, 200);
    }
    return reply;
  }
  static Reply get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    return to_reply(client.Get(path.c_str()));
  }
  static Reply post(const std::string& path, const std::string& body,
                    const std::string& type = "application/json") {
    httplib::Client client("127.0.0.1", port_);
    return to_reply(client.Post(path.c_str(), body, type.c_str()));
  }
  static Reply post_json(const std::string& path, const Json& json) {
    return post(path, json.dump());
  }
  // The error reply: status and a message containing `fragment`.
  static void expect_error(const Reply& reply, int status, const std::string& fragment) {
    EXPECT_EQ(reply.status, status) << reply.body;
    ASSERT_TRUE(reply.json.is_object() && reply.json.contains("error")) << reply.body;
    EXPECT_NE(reply.json["error"].get<std::string>().find(fragment), std::string::npos)
        << "error: " << reply.json["error"] << "\nexpected to contain: " << fragment;
  }
  static std::vector<float> test_digit(int64_t i, int64_t* label = nullptr) {
    const Reply r = get("/api/runs/0/digits/" + std::to_string(i));
    EXPECT_EQ(r.status, 200) << r.body;
    if (label) *label = r.json["label"].get<int64_t>();
    return r.json["pixels"].get<std::vector<float>>();
  }

  static fs::path dir_;
  static SyntheticVideo video_;  // the Label tab's served video
  static DemoApi* api_;
  static DemoServer* server_;
  static std::thread thread_;
  static int port_;
  static std::ostringstream server_log_;
};

fs::path ServeTest::dir_;
SyntheticVideo ServeTest::video_;
DemoApi* ServeTest::api_ = nullptr;
DemoServer* ServeTest::server_ = nullptr;
std::thread ServeTest::thread_;
int ServeTest::port_ = 0;
std::ostringstream ServeTest::server_log_;

TEST_F(ServeTest, ServesThePageFromTheBinary) {
  const Reply page = get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"/app.js\">"), std::string::npos);
  EXPECT_EQ(get("/index.html").body, page.body);
  const Reply script = get("/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(script.body.find("/api/runs"), std::string::npos);
  EXPECT_EQ(get("/style.css").content_type, "text/css; charset=utf-8");
  // Nothing outside the embedded assets and the API.
  expect_error(get("/etc/passwd"), 404, "no such page");
  expect_error(get("/../CMakeLists.txt"), 404, "no such page");
  expect_error(get("/api/runs/0/../../../etc/passwd"), 404, "");
}

TEST_F(ServeTest, ListsRunsAndDescribesThem) {
  const Reply list = get("/api/runs");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json["runs"].size(), 1u);
  EXPECT_EQ(list.json["runs"][0]["name"], "shapes_reader");
  const Reply info = get("/api/runs/0");
  ASSERT_EQ(info.status, 200);
  EXPECT_EQ(info.json["steps"], 3);
  EXPECT_EQ(info.json["classes"], 4);
  EXPECT_EQ(info.json["wiring"]["cells"], 4);
  EXPECT_EQ(info.json["wiring"]["edges"].size(), 4u);  // layered [1,2,1], no feedback
  EXPECT_EQ(info.json["wiring"]["places"].size(), 4u);
  EXPECT_EQ(info.json["test_accuracy"].size(), 3u);  // from summary.json
  EXPECT_EQ(info.json["test_digits"], 64);
  EXPECT_EQ(info.json["default_frames"], 3);
  EXPECT_EQ(get("/api/runs/shapes_reader").json, info.json);  // by name
  expect_error(get("/api/runs/1"), 404, "no run '1'");
  expect_error(get("/api/runs/nope"), 404, "no run 'nope'");
  expect_error(get("/api/runs/99999999999"), 404, "no run");
}

TEST_F(ServeTest, PredictEqualsTheLibraryPath) {
  int64_t label = -1;
  const auto digit = test_digit(5, &label);
  const Reply reply = post_json("/api/runs/0/predict", {{"pixels", digit}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  // What nnn predict computes for the same pixels (rounded as sent).
  LoadedRun run = load_run((dir_ / "run").string());
  const auto rows = predict_frames(run, {{digit}});
  ASSERT_EQ(reply.json["rows"].size(), rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto p = reply.json["rows"][r]["digits"][0]["probabilities"].get<std::vector<double>>();
    ASSERT_EQ(p.size(), 4u);
    for (size_t c = 0; c < 4; ++c) EXPECT_NEAR(p[c], rows[r].probabilities[0][c], 1e-6);
    EXPECT_EQ(reply.json["rows"][r]["label"], rows[r].label);
  }
  EXPECT_EQ(reply.json["prediction"], std::to_string(label));
  EXPECT_EQ(reply.json["confidence"].size(), 3u);
  EXPECT_EQ(reply.json["rows"][2]["digits"][0]["top"].size(), 3u);

  // Several frames of one digit: one row per step.
  const Reply frames = post_json("/api/runs/0/predict", {{"frames", {digit, digit}}});
  ASSERT_EQ(frames.status, 200) << frames.body;
  EXPECT_EQ(frames.json["frames"], 2);
}

TEST_F(ServeTest, PgmBodiesAreReadLikeNnnPredict) {
  // A test digit printed dark on light at 3x its size, like a photo.
  const auto digit = test_digit(9);
  GreyImage photo;
  photo.width = photo.height = 84;
  photo.pixels.resize(84 * 84);
  for (int64_t y = 0; y < 84; ++y) {
    for (int64_t x = 0; x < 84; ++x) {
      photo.pixels[static_cast<size_t>(y * 84 + x)] = static_cast<uint8_t>(
          std::lround(255 * (1 - digit[static_cast<size_t>((y / 3) * 28 + x / 3)])));
    }
  }
  const std::string file = (dir_ / "photo.pgm").string();
  write_pgm(file, photo);
  const Reply reply = post("/api/runs/0/predict", encode_pgm(photo), "image/x-portable-graymap");
  ASSERT_EQ(reply.status, 200) << reply.body;
  LoadedRun run = load_run((dir_ / "run").string());
  const auto rows = predict_frames(run, read_frames({file}, 0));
  const auto p = reply.json["rows"][2]["digits"][0]["probabilities"].get<std::vector<double>>();
  for (size_t c = 0; c < 4; ++c) EXPECT_NEAR(p[c], rows[2].probabilities[0][c], 1e-6);
  // The same photo as PNG and BMP bodies: the same reading; as JPEG, close.
  for (const auto& [format, type, tolerance] : {std::tuple{ImageFormat::kPng, "image/png", 1e-6},
                                                {ImageFormat::kBmp, "image/bmp", 1e-6},
                                                {ImageFormat::kJpeg, "image/jpeg", 0.05}}) {
    const Reply other = post("/api/runs/0/predict", encode_image(photo, format), type);
    ASSERT_EQ(other.status, 200) << other.body;
    const auto q = other.json["rows"][2]["digits"][0]["probabilities"].get<std::vector<double>>();
    for (size_t c = 0; c < 4; ++c) EXPECT_NEAR(q[c], p[c], tolerance) << type;
  }
  expect_error(post("/api/runs/0/predict", "GIF89a....", "image/png"), 400,
               "the request body: not a PNG, JPEG, BMP or PGM image");
  expect_error(post("/api/runs/0/predict", encode_image(photo, ImageFormat::kPng).substr(0, 60),
                    "image/png"),
               400, "the request body: truncated PNG");
  expect_error(post("/api/runs/0/predict", "x", "image/gif"), 415, "or an image (image/png");
  // This run's output cell is d = 2 steps from its input: the steps before
  // say so, and of 3 frames in 3 steps only the first reaches the output.
  EXPECT_EQ(rows[0].label, "step 1 (input reaches output at 3)");
  EXPECT_EQ(rows[2].label, "step 3 (frame 1)");
  const std::string one = predict_report((dir_ / "run").string(), {file}, 0, 2);
  const std::string two = predict_report((dir_ / "run").string(), {file, file}, 0, 2);
  EXPECT_NE(two.find("; frame 2 comes too late for any prediction"), std::string::npos) << two;
  EXPECT_EQ(one.find("note:"), std::string::npos) << one;
  const std::string three = predict_report((dir_ / "run").string(), {file, file, file}, 0, 2);
  EXPECT_NE(three.find("note: only the first 1 of the 3 frames reach the output: the model thinks "
                       "for 3 steps, one frame per step, and its output cell is d = 2 steps from "
                       "the input, so frame f reaches it at step f + 2; frames 2-3 come too late "
                       "for any prediction"),
            std::string::npos)
      << three;

  // A strip of 3 digits with ?plate=3: readings with joint probabilities.
  GreyImage strip;
  strip.width = 84;
  strip.height = 28;
  strip.pixels.resize(84 * 28);
  for (int64_t k = 0; k < 3; ++k) {
    const auto d = test_digit(k);
    for (int64_t y = 0; y < 28; ++y) {
      for (int64_t x = 0; x < 28; ++x) {
        strip.pixels[static_cast<size_t>(y * 84 + k * 28 + x)] =
            static_cast<uint8_t>(std::lround(255 * (1 - d[static_cast<size_t>(y * 28 + x)])));
      }
    }
  }
  const Reply plate =
      post("/api/runs/0/predict?plate=3", encode_pgm(strip), "image/x-portable-graymap");
  ASSERT_EQ(plate.status, 200) << plate.body;
  EXPECT_EQ(plate.json["digits"], 3);
  const auto& readings = plate.json["rows"][2]["readings"];
  ASSERT_EQ(readings.size(), 5u);
  EXPECT_EQ(readings[0]["digits"].get<std::string>().size(), 3u);
  EXPECT_GE(readings[0]["p"].get<double>(), readings[1]["p"].get<double>());
}

TEST_F(ServeTest, TraceGivesEveryEdgeAtEveryStep) {
  const auto digit = test_digit(3);
  const Reply reply = post_json("/api/runs/0/trace", {{"pixels", digit}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto& edges = reply.json["edges"];
  ASSERT_EQ(edges.size(), 4u);
  ASSERT_EQ(reply.json["edge_norms"].size(), 3u);
  ASSERT_EQ(reply.json["cell_norms"].size(), 3u);
  // Recompute one edge's norm from NNN::trace.
  LoadedRun run = load_run((dir_ / "run").string());
  torch::NoGradGuard no_grad;
  const auto x =
      normalise_pixels(run.config.data, run.config.seed, torch::tensor(digit).view({1, 784}));
  const NNNTrace trace = run.model->trace(x);
  const Wiring& wiring = run.model->options.wiring();
  for (size_t e = 0; e < edges.size(); ++e) {
    const int64_t i = edges[e]["from"], j = edges[e]["to"];
    for (int64_t t = 0; t < 3; ++t) {
      const double expected = trace.messages[static_cast<size_t>(i)][t][0]
                                  .narrow(0, wiring.send_offset(i, j, 4), wiring.channels(i, j))
                                  .norm()
                                  .item<double>();
      EXPECT_NEAR(reply.json["edge_norms"][static_cast<size_t>(t)][e].get<double>(), expected,
                  1e-5 * (1 + expected));
    }
  }
  expect_error(post_json("/api/runs/0/trace", {{"frames", {digit, digit}}}), 400,
               "trace reads one digit in one frame");
}

TEST_F(ServeTest, FramesAndPlatesAreSeededAndRead) {
  const Reply a = post_json("/api/runs/0/frames", {{"index", 4}, {"seed", 7}});
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json["frame_pixels"].size(), 3u);  // the run's frames
  EXPECT_EQ(a.json["rows"].size(), 3u);
  EXPECT_EQ(a.json["label"], 0);                                    // shapes: class = index % 4
  EXPECT_NE(a.json["frame_pixels"][0], a.json["frame_pixels"][1]);  // independently degraded
  const Reply again = post_json("/api/runs/0/frames", {{"index", 4}, {"seed", 7}});
  EXPECT_EQ(again.json, a.json);
  const Reply other = post_json("/api/runs/0/frames", {{"index", 4}, {"seed", 8}, {"frames", 2}});
  EXPECT_EQ(other.json["frame_pixels"].size(), 2u);
  EXPECT_NE(other.json["frame_pixels"][0], a.json["frame_pixels"][0]);
  // From pixels (a drawing) instead of a test digit: no label.
  const Reply drawn = post_json("/api/runs/0/frames", {{"pixels", test_digit(1)}});
  ASSERT_EQ(drawn.status, 200) << drawn.body;
  EXPECT_TRUE(drawn.json["label"].is_null());
  EXPECT_TRUE(drawn.json["index"].is_null());
  // The messages of the pass over the frames, one row per step.
  EXPECT_EQ(a.json["edges"].size(), 4u);
  ASSERT_EQ(a.json["edge_norms"].size(), 3u);
  EXPECT_EQ(a.json["edge_norms"][0].size(), 4u);
  ASSERT_EQ(a.json["cell_norms"].size(), 3u);
  EXPECT_EQ(a.json["cell_norms"][2].size(), 4u);
  EXPECT_GT(a.json["cell_norms"][2][3].get<double>(), 0.0);  // the output cell speaks

  const Reply plate = post_json("/api/runs/0/plate", {{"digits", 3}, {"seed", 2}});
  ASSERT_EQ(plate.status, 200) << plate.body;
  const std::string reading = plate.json["reading"];
  ASSERT_EQ(reading.size(), 3u);
  EXPECT_EQ(plate.json["strips"].size(), 3u);
  EXPECT_EQ(plate.json["strips"][0]["width"], 84);
  EXPECT_EQ(plate.json["strips"][0]["pixels"].size(), 84u * 28u);
  EXPECT_EQ(plate.json["rows"].size(), 3u);
  EXPECT_EQ(post_json("/api/runs/0/plate", {{"digits", 3}, {"seed", 2}}).json, plate.json);
  int right = 0;
  for (int seed = 0; seed < 6; ++seed) {
    const Reply p = post_json("/api/runs/0/plate", {{"digits", 2}, {"seed", seed}});
    right += p.json["prediction"] == p.json["reading"];
  }
  EXPECT_GE(right, 4) << "of 6 two-digit plates read right";
}

TEST_F(ServeTest, TestDigitsArePickedByClass) {
  // shapes: 64 test digits, class = index % 4, so 16 per class.
  const Reply info = get("/api/runs/0");
  EXPECT_EQ(info.json["test_classes"], Json({16, 16, 16, 16}));
  const std::string trained_on = info.json["trained_on"];
  EXPECT_NE(trained_on.find("trained on 3 degraded frames of each idx digit, fed sequence ("),
            std::string::npos)
      << trained_on;
  EXPECT_NE(trained_on.find("blur_sigma 0.8"), std::string::npos) << trained_on;
  for (int64_t c = 0; c < 4; ++c) {
    for (int64_t nth : {0, 5, 15}) {
      const Reply r = post_json("/api/runs/0/frames", {{"class", c}, {"nth", nth}, {"seed", 1}});
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.json["label"], c);
      EXPECT_EQ(r.json["index"], c + 4 * nth);  // the nth digit of its class
      EXPECT_EQ(r.json,
                post_json("/api/runs/0/frames", {{"index", c + 4 * nth}, {"seed", 1}}).json);
    }
  }
  EXPECT_EQ(post_json("/api/runs/0/frames", {{"class", 2}}).json["index"], 2);  // nth 0
  expect_error(post_json("/api/runs/0/frames", {{"class", 4}}), 400,
               "\"class\": expected 0 to 3, got 4");
  expect_error(post_json("/api/runs/0/frames", {{"class", 1}, {"nth", 16}}), 400,
               "\"nth\": expected 0 to 15, got 16");
  expect_error(post_json("/api/runs/0/frames", {{"class", "a"}}), 400,
               "\"class\": expected an integer");
  expect_error(post_json("/api/runs/0/frames", {{"seed", 1}}), 400, "expected \"class\"");
}

TEST_F(ServeTest, BadRequestsGetClearErrors) {
  const std::vector<float> digit(784, 0.5f);
  const std::string predict = "/api/runs/0/predict";
  // Malformed JSON, wrong shapes, bad numbers.
  expect_error(post(predict, "{\"pixels\": [1, 2"), 400, "malformed JSON at byte");
  expect_error(post(predict, "[1, 2]"), 400, "expected a JSON object");
  expect_error(post(predict, "{}"), 400, "expected \"pixels\"");
  expect_error(post_json(predict, {{"pixels", {1, 2}}}), 400, "expected 784 pixels (28x28), got 2");
  std::string text = Json{{"pixels", digit}}.dump();
  text.replace(text.find("0.5"), 3, "1e999");
  expect_error(post(predict, text), 400, "not a finite number");
  std::vector<float> bright = digit;
  bright[17] = 2.0f;
  expect_error(post_json(predict, {{"pixels", bright}}), 400,
               "pixels[17]: expected a number in [0, 1]");
  Json strings = {{"pixels", digit}};
  strings["pixels"][3] = "x";
  expect_error(post_json(predict, strings), 400, "pixels[3]: expected a number");
  expect_error(post(predict, std::string(50, '[') + std::string(50, ']')), 400, "nested deeper");
  expect_error(post_json(predict, {{"frames", Json::array()}}), 400,
               "frames: expected an array of 1 to");
  expect_error(post_json(predict, {{"frames", {digit, digit, digit, digit}}}), 400,
               "4 frames given but the model thinks for 3 steps");
  expect_error(post_json(predict, {{"frames", {{digit, digit}, {digit}}}}), 400,
               "frames[1]: 1 digits, but frames[0] has 2");
  // Bodies: type, PGM, size.
  expect_error(post(predict, "P5 1 1 255 x", "text/plain"), 415, "expected a JSON body");
  expect_error(post(predict, "P6\n2 2\n255\n", "image/x-portable-graymap"), 400,
               "the request body: not a PGM image");
  expect_error(post(predict, "P5\n28 28\n255\nabc", "image/x-portable-graymap"), 400,
               "truncated: 784 pixels announced, 3 present");
  expect_error(post(predict + "?plate=0", encode_pgm(GreyImage{28, 28, std::vector<uint8_t>(784)}),
                    "image/x-portable-graymap"),
               400, "query plate: expected 1 to 12, got 0");
  expect_error(post(predict + "?plate=x", "", "image/x-portable-graymap"), 400,
               "query plate: expected an integer");
  // A body over the limit: the server refuses it by its Content-Length
  // before reading it (HostileClientsAreRefusedBeforeTheBodyIsRead); the
  // API refuses it too.
  ApiRequest big;
  big.method = "POST";
  big.path = predict;
  big.content_type = "application/json";
  big.body = std::string(DemoApi::kMaxBody + 1, ' ');
  const ApiReply refused = api_->handle(big);
  EXPECT_EQ(refused.status, 413);
  EXPECT_NE(refused.body.find("\"error\":\"the body has 8388609 bytes; at most 8388608\""),
            std::string::npos)
      << refused.body;
  // Frames and plates: ranges and integers.
  expect_error(post_json("/api/runs/0/frames", {{"index", 64}}), 400,
               "\"index\": expected 0 to 63, got 64");
  expect_error(post_json("/api/runs/0/frames", {{"index", 1.5}}), 400,
               "\"index\": expected an integer");
  expect_error(post_json("/api/runs/0/frames", {{"index", 1}, {"frames", 4}}), 400,
               "\"frames\": expected 1 to 3, got 4");
  expect_error(post_json("/api/runs/0/frames", {{"index", 1}, {"seed", -1}}), 400,
               "\"seed\": expected 0 to");
  expect_error(post_json("/api/runs/0/frames", {{"seed", 1}}), 400,
               "\"index\" (a test digit) or \"pixels\"");
  expect_error(post_json("/api/runs/0/plate", {{"digits", 13}}), 400,
               "\"digits\": expected 1 to 12");
  expect_error(get("/api/runs/0/digits/64"), 404, "test digit 64 does not exist; the run has 64");
  expect_error(get("/api/runs/0/digits/-1"), 400, "test digit: expected an integer");
  // Unknown endpoints and wrong methods.
  expect_error(post_json("/api/runs/0/think", {}), 404, "no such endpoint");
  // A path that is not UTF-8 (found by the API's fuzzer: its JSON error
  // reply could not be written, a 500).
  expect_error(get("/api/runs/0/predic%A8t"), 404, "no such endpoint");
  const Reply wrong = get(predict);
  expect_error(wrong, 405, "use POST for /api/runs/0/predict");
  EXPECT_EQ(wrong.allow, "POST");
  const Reply page = post("/", "{}");
  expect_error(page, 405, "use GET for /");
  EXPECT_EQ(page.allow, "GET, HEAD");
  // Every error above was logged as one line.
  const std::string log = server_log_.str();
  EXPECT_NE(log.find("POST '/api/runs/0/predict' 400"), std::string::npos);
  for (size_t start = 0; start < log.size();) {
    const size_t end = log.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    start = end + 1;
  }
  // And the server still answers.
  EXPECT_EQ(get("/api/runs").status, 200);
}

// A raw connection, for what a well-behaved client never sends.
class RawConnection {
 public:
  // A connection from `from` (any 127.x.y.z: Linux routes all of 127/8 to
  // lo), so that tests can play clients on other addresses.
  explicit RawConnection(int port, const char* from = "127.0.0.1")
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in source{};
    source.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &source.sin_addr);
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) == 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        bound_ && ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    // Bounded reads: a server that never answers fails the test, not hangs it.
    timeval limit{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  void send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // The status line's code of the reply (0 when none came).
  int status() {
    std::string reply;
    char chunk[4096];
    while (reply.find("\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      reply.append(chunk, static_cast<size_t>(n));
    }
    return reply.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(reply.c_str() + 9) : 0;
  }
  // The index of the first of `connections` with something to read (a
  // reply, or the server's close) within `limit`; connections.size() when
  // none has.
  static size_t first_readable(const std::vector<std::unique_ptr<RawConnection>>& connections,
                               std::chrono::milliseconds limit) {
    std::vector<pollfd> fds;
    for (const auto& c : connections) fds.push_back({c->fd_, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), static_cast<int>(limit.count())) > 0) {
      for (size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents != 0) return i;
      }
    }
    return connections.size();
  }
  // Sends one byte at a time (a header that never ends), waiting up to
  // `pause` for the server between bytes, until the server closes the
  // connection; false when it is still open after `most` bytes.
  bool trickle_until_closed(int most, std::chrono::milliseconds pause) {
    for (int i = 0; i < most; ++i) {
      if (::send(fd_, "a", 1, MSG_NOSIGNAL) != 1) return true;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(pause.count())) > 0) {
        char byte;
        if (::recv(fd_, &byte, 1, MSG_DONTWAIT) <= 0) return true;
      }
    }
    return false;
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
  bool connected_ = false;
};

// Hostile clients, by class: bodies that would be expanded or buffered
// whole (compressed, chunked), header floods, multi-range requests, a PGM
// body whose header claims a huge image, and slow clients that hold
// connections open while a normal request must still be answered.
TEST_F(ServeTest, LabelTabTracksAndSavesAsNnnLabelDoes) {
  const Reply listing = get("/api/videos");
  ASSERT_EQ(listing.status, 200) << listing.body;
  EXPECT_EQ(listing.json["videos"], Json::array({"clip", "clip/video.mp4"}));
  EXPECT_EQ(listing.json["dataset"]["samples"], 0);
  // Opened from the folder: the MP4 as read_video decodes it.
  const Reply opened = post_json("/api/videos/open", {{"name", "clip/video.mp4"}});
  ASSERT_EQ(opened.status, 200) << opened.body;
  const std::string id = opened.json["id"];
  const std::string mp4 = (dir_ / "videos" / "clip" / "video.mp4").string();
  const torch::Tensor frames = read_video(mp4);
  EXPECT_EQ(opened.json["frames"], 8);
  EXPECT_EQ(opened.json["width"], 320);
  EXPECT_EQ(opened.json["scale"], 1.0);
  EXPECT_EQ(opened.json["source"], fs::weakly_canonical(mp4).string());
  // Frames as lossless PNGs of those pixels.
  const Reply png = get("/api/videos/" + id + "/frames/3");
  ASSERT_EQ(png.status, 200);
  EXPECT_EQ(png.content_type, "image/png");
  const GreyImage image = decode_image(png.body, "frame 3");
  ASSERT_EQ(image.width, 320);
  const auto expected = (frames[2] * 255).round().to(torch::kUInt8).contiguous();
  EXPECT_EQ(std::memcmp(image.pixels.data(), expected.data_ptr<uint8_t>(), image.pixels.size()), 0);

  // Tracked from a box on frame 1 and a correction on frame 5: the
  // library's track_from_keys.
  const Box first = video_.truth[0].box, fifth = video_.truth[4].box;
  const Json keys = {{{"frame", 1}, {"box", {first.x, first.y, first.w, first.h}}},
                     {{"frame", 5}, {"box", {fifth.x, fifth.y, fifth.w, fifth.h}}}};
  const Reply track =
      post_json("/api/videos/" + id + "/track", {{"keys", keys}, {"digits", 3}, {"frames", 4}});
  ASSERT_EQ(track.status, 200) << track.body;
  const TrackedPlate want = track_from_keys(frames, 3, {{0, first}, {4, fifth}});
  ASSERT_EQ(track.json["steps"].size(), 8u);
  for (size_t t = 0; t < 8; ++t) {
    EXPECT_NEAR(track.json["steps"][t]["box"][0].get<double>(), want.steps[t].box.x, 0.005) << t;
    EXPECT_EQ(track.json["steps"][t]["lost"], want.steps[t].lost) << t;
  }
  EXPECT_EQ(track.json["steps"][4]["box"][0].get<double>(), std::round(fifth.x * 100) / 100);
  EXPECT_EQ(track.json["detected"], false);
  EXPECT_EQ(track.json["used"], Json::array({1, 2, 3, 4}));
  ASSERT_EQ(track.json["crops"].size(), 4u);
  ASSERT_EQ(track.json["crops"][0].size(), 3u);
  // Saved: the samples nnn label's library path appends, byte for byte.
  const Reply saved = post_json("/api/videos/" + id + "/label",
                                {{"keys", keys}, {"plate", video_.reading}, {"frames", 4}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json["part"], "part_0001");
  EXPECT_EQ(saved.json["dataset"]["samples"], 3);
  LabelOptions options;
  options.plate = video_.reading;
  options.frames = 4;
  options.keys = {{0, first}, {4, fifth}};
  label_frames(frames, fs::weakly_canonical(mp4).string(), options, (dir_ / "want").string());
  const FrameSet got_set = read_frame_set((dir_ / "set").string());
  const FrameSet want_set = read_frame_set((dir_ / "want").string());
  EXPECT_TRUE(torch::equal(got_set.frames, want_set.frames));
  EXPECT_TRUE(torch::equal(got_set.labels, want_set.labels));
  EXPECT_EQ(got_set.rows[1].boxes, want_set.rows[1].boxes);
  EXPECT_EQ(got_set.rows[1].video, want_set.rows[1].video);

  // Uploaded: the same bytes, recorded by name and hash.
  std::ifstream in(mp4, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const Reply upload = post("/api/videos?name=../my%20clip.mp4", bytes, "video/mp4");
  ASSERT_EQ(upload.status, 200) << upload.body;
  EXPECT_EQ(upload.json["frames"], 8);
  EXPECT_EQ(upload.json["name"], "my_clip.mp4");
  EXPECT_EQ(upload.json["source"].get<std::string>().rfind("upload:my_clip.mp4#", 0), 0u);
  const Reply again = post("/api/videos?name=copy.mp4", bytes, "video/mp4");
  const auto hash = [](const Json& info) {
    const std::string source = info["source"];
    return source.substr(source.find('#'));
  };
  EXPECT_EQ(hash(upload.json), hash(again.json));
  EXPECT_EQ(hash(upload.json).size(), 17u);
  // Bad input: one line each.
  expect_error(post("/api/videos?name=notes.mp4", "not a video", "video/mp4"), 400,
               "the uploaded video 'notes.mp4': not a video file that FFmpeg can decode");
  expect_error(post("/api/videos", bytes, "text/plain"), 415, "expected a video file's bytes");
  expect_error(post_json("/api/videos/open", {{"name", "../clip/video.mp4"}}), 404,
               "no video '../clip/video.mp4' in the served folder");
  const std::string track_path = "/api/videos/" + id + "/track";
  expect_error(post_json(track_path, {{"plate", "12a"}}), 400,
               "\"plate\": expected the plate's reading");
  expect_error(post_json(track_path, {{"plate", "123"}, {"digits", 4}}), 400,
               "\"digits\" is 4 but the plate '123' has 3");
  expect_error(post_json(track_path, {{"keys", {{{"frame", 9}, {"box", {1, 1, 9, 9}}}}}}), 400,
               "keys[0].\"frame\": expected 1 to 8, got 9");
  expect_error(
      post_json(track_path,
                {{"keys",
                  {{{"frame", 3}, {"box", {1, 1, 9, 9}}}, {{"frame", 2}, {"box", {1, 1, 9, 9}}}}}}),
      400, "keys[1]: frame 2 must come after frame 3");
  expect_error(post_json(track_path, {{"keys", {{{"frame", 1}, {"box", {1, 1, 0, 9}}}}}}), 400,
               "keys[0].box: the width and height must be positive");
  expect_error(post_json(track_path, {{"keys", {{{"frame", 1}, {"box", {900, 1, 20, 9}}}}}}), 400,
               "is not inside the 320x240 frame");
  expect_error(post_json(track_path, {{"tracker", "goturn"}}), 400,
               "\"tracker\" is 'goturn'; expected nnn, csrt, kcf or mil");
  expect_error(post_json(track_path, {{"frames", 9}}), 400, "\"frames\": expected 1 to 8, got 9");
  expect_error(post_json("/api/videos/" + id + "/label", {{"frames", 4}}), 400,
               "\"plate\": the plate's reading is needed");
  expect_error(get("/api/videos/" + id + "/frames/9"), 404, "the video has frames 1 to 8");
  expect_error(get("/api/videos/77/frames/1"), 404, "no open video '77'");
  // Opening a fourth video closes the oldest.
  post_json("/api/videos/open", {{"name", "clip"}});
  expect_error(get("/api/videos/" + id + "/frames/1"), 404, "no open video");
  EXPECT_EQ(read_frame_set((dir_ / "set").string()).size(), 3);

  // Without --label-out the Label routes are off.
  const DemoApi off({});
  ApiRequest request;
  request.method = "GET";
  request.path = "/api/videos";
  const ApiReply reply = off.handle(request);
  EXPECT_EQ(reply.status, 404);
  EXPECT_NE(reply.body.find("labelling is off: start nnn serve with --label-out DATASET"),
            std::string::npos);
}

TEST_F(ServeTest, LesionsAreTheLibrarysWholeRunCuts) {
  const Reply reply = get("/api/runs/0/lesions");
  ASSERT_EQ(reply.status, 200) << reply.body;
  LesionOptions options;
  options.per_step = false;
  options.device = DeviceSetting::cpu();
  const LesionStudy study = lesion_study((dir_ / "run").string(), options);
  EXPECT_EQ(reply.json["intact"].get<std::vector<double>>(), study.intact.accuracy);
  const auto& edges = reply.json["edges"];
  ASSERT_EQ(edges.size() + reply.json["cells"].size(), study.rows.size());
  for (size_t i = 0; i < edges.size(); ++i) {
    EXPECT_EQ(edges[i]["from"], study.rows[i].from);
    EXPECT_EQ(edges[i]["accuracy"].get<std::vector<double>>(), study.rows[i].evaluation.accuracy);
  }
  EXPECT_EQ(get("/api/runs/0/lesions").body, reply.body);  // kept
  expect_error(post("/api/runs/0/lesions", "{}"), 405, "use GET for /api/runs/0/lesions");
}

TEST_F(ServeTest, TrainingTabFollowsRunsAsTheyGrow) {
  // The served run (finished) and a run under the watched folder that is
  // still training: its metrics.jsonl grows between two requests.
  const fs::path live = dir_ / "watch" / "live";
  fs::create_directories(live);
  fs::copy_file(dir_ / "run" / "config.yaml", live / "config.yaml");
  const std::string row1 =
      R"({"epoch":1,"lr":0.01,"train_loss":1.5,"train_accuracy":[null,0.4,0.5],)"
      R"("test_loss":1.2,"test_accuracy":[0.3,0.45,0.5],"samples_per_s":900,"seconds":0.5})";
  std::ofstream(live / "metrics.jsonl") << row1 << "\n";
  std::ofstream(live / "checkpoint.pt") << "x";
  const Reply list = get("/api/training");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["runs"].size(), 2u) << list.body;
  EXPECT_EQ(list.json["runs"][0]["status"], "finished");
  EXPECT_EQ(list.json["runs"][0]["epochs_done"], 4);
  EXPECT_EQ(list.json["runs"][0]["epochs"], 4);
  const std::string name = list.json["runs"][1]["name"];
  EXPECT_EQ(name, (dir_ / "watch" / "live").string());
  EXPECT_EQ(list.json["runs"][1]["status"], "in progress");
  httplib::Client client("127.0.0.1", port_);
  const auto curves = [&] {
    return to_reply(client.Get("/api/training/run", {{"name", name}}, httplib::Headers{}));
  };
  Reply one = curves();
  ASSERT_EQ(one.status, 200) << one.body;
  ASSERT_EQ(one.json["rows"].size(), 1u);
  EXPECT_EQ(one.json["rows"][0]["test_accuracy"], Json::array({0.3, 0.45, 0.5}));
  EXPECT_EQ(one.json["rows"][0]["train_loss"], 1.5);
  // Epoch 2 arrives (metrics.jsonl is rewritten whole, as training does).
  std::ofstream(live / "metrics.jsonl")
      << row1 << "\n"
      << R"({"epoch":2,"train_loss":1.1,"test_loss":null,"test_accuracy":[0.3,0.5,0.6]})"
      << "\n"
      << "not json\n";
  const Reply two = curves();
  ASSERT_EQ(two.json["rows"].size(), 2u) << two.body;
  EXPECT_EQ(two.json["rows"][1]["epoch"], 2);
  EXPECT_TRUE(two.json["rows"][1]["test_loss"].is_null());
  std::ofstream(live / "summary.json") << "{}";
  EXPECT_EQ(curves().json["status"], "finished");
  expect_error(get("/api/training/run?name=/etc"), 404, "no run '/etc' is served");
  expect_error(get("/api/training/run"), 400, "query name: expected a run's name");
  expect_error(post("/api/training", "{}"), 405, "use GET for /api/training");
  fs::remove_all(live);
}

TEST_F(ServeTest, HostileClientsAreRefusedBeforeTheBodyIsRead) {
  const std::string head = "POST /api/runs/0/predict HTTP/1.1\r\nHost: x\r\n";
  for (const auto& [extra, status] : std::vector<std::pair<std::string, int>>{
           {"Content-Encoding: gzip\r\nContent-Length: 20\r\n", 415},
           {"Content-Encoding: br\r\nContent-Length: 20\r\n", 415},
           {"Content-Encoding: deflate, gzip\r\nContent-Length: 20\r\n", 415},
           {"Transfer-Encoding: chunked\r\n", 411},
           {"Transfer-Encoding: gzip, chunked\r\n", 411},
       }) {
    RawConnection c(port_);
    ASSERT_TRUE(c.connected());
    c.send(head + extra + "Content-Type: application/json\r\n\r\n");
    EXPECT_EQ(c.status(), status) << extra;
  }
  // A body announced over the route's limit: refused before it is read
  // (8 MiB, or 64 MiB for a video upload).
  for (const auto& [path, length] : std::vector<std::pair<std::string, std::string>>{
           {"/api/runs/0/predict", "8388609"},
           {"/api/videos", "67108865"},
           {"/api/videos/open", "8388609"},
           {"/api/runs/0/predict", "99999999999999999999999"}}) {
    RawConnection c(port_);
    ASSERT_TRUE(c.connected());
    c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: video/mp4\r\nContent-Length: " +
           length + "\r\n\r\n");
    EXPECT_EQ(c.status(), 413) << path << " " << length;
  }
  for (const size_t fields : {65, 200, 2000}) {
    RawConnection c(port_);
    std::string request = "GET /api/runs HTTP/1.1\r\nHost: x\r\n";
    for (size_t i = 0; i < fields; ++i) request += "X-Flood-" + std::to_string(i) + ": 1\r\n";
    c.send(request + "\r\n");
    EXPECT_EQ(c.status(), 431) << fields << " fields";
  }
  {
    RawConnection c(port_);  // 40 fields of 1000 bytes: over the 32 KiB in all
    std::string request = "GET /api/runs HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 40; ++i)
      request += "X-Big-" + std::to_string(i) + ": " + std::string(1000, 'a') + "\r\n";
    c.send(request + "\r\n");
    EXPECT_EQ(c.status(), 431);
  }
  for (const std::string ranges : {"bytes=0-1,2-3", "bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7"}) {
    RawConnection c(port_);
    c.send("GET / HTTP/1.1\r\nHost: x\r\nRange: " + ranges + "\r\n\r\n");
    EXPECT_EQ(c.status(), 416) << ranges;
  }
  // Sizes in a body are checked against the bytes present before any
  // allocation: P5 and P2 headers claiming 16384 x 16384 pixels.
  for (const std::string pgm : {"P5 16384 16384 255\nab", "P2 16384 16384 255\n1 2 3"}) {
    expect_error(post("/api/runs/0/predict", pgm, "image/x-portable-graymap"), 400,
                 "pixels announced");
  }
  // 48 slow clients on three other addresses (16 each: within the 32 an
  // address may open), each mid-way through its request line; a normal
  // request is answered while they are all open.
  std::vector<std::unique_ptr<RawConnection>> slow;
  const char* others[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};
  for (int i = 0; i < 48; ++i) {
    slow.push_back(std::make_unique<RawConnection>(port_, others[i % 3]));
    ASSERT_TRUE(slow.back()->connected());
    slow.back()->send("GET /api/ru");
  }
  const Reply normal = get("/api/runs");
  EXPECT_EQ(normal.status, 200);
  const Reply predict = post_json("/api/runs/0/predict", {{"pixels", test_digit(3)}});
  EXPECT_EQ(predict.status, 200) << predict.body;
}

// A server of a test's own, on an ephemeral port, serving on a thread
// until it stops by itself (wait()) or is stopped (stop(), the destructor).
class OwnServer {
 public:
  OwnServer(const DemoApi& api, ServeOptions options) : server_(api, with_any_port(options), log_) {
    port_ = server_.bind();
    thread_ = std::thread([this] { answered_ = server_.run(); });
  }
  ~OwnServer() { stop(); }
  int port() const { return port_; }
  /// Waits until run() returns by itself (a request or time limit).
  void wait() {
    if (thread_.joinable()) thread_.join();
  }
  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  // Read once the server is stopped (its threads write them).
  std::string log() const { return log_.str(); }
  int64_t answered() const { return answered_; }

 private:
  static ServeOptions with_any_port(ServeOptions options) {
    options.port = 0;
    return options;
  }
  std::ostringstream log_;
  DemoServer server_;
  std::thread thread_;
  int port_ = 0;
  int64_t answered_ = -1;
};

// Connections are bounded per client address (one more: 429, before it
// sends anything) and per request (a request still arriving after its
// deadline is closed, however slowly its bytes trickle in); other
// addresses are answered meanwhile, and a connection that ends frees its
// address's place. Nothing waits on the clock: the limit's server has a
// deadline no request reaches, the deadline's server closes a connection
// that keeps trickling until it is closed.
TEST_F(ServeTest, ConnectionsAreBoundedPerAddressAndPerRequest) {
  ServeOptions four;
  four.max_seconds = 600;
  four.client_connections = 4;
  four.request_seconds = 600;
  OwnServer limited(*api_, four);
  // Five connections from 127.0.0.2, each starting a request that never
  // ends: whatever order the server's threads take them in, exactly one
  // of the five is refused (429) and the four others stay open, silent.
  std::vector<std::unique_ptr<RawConnection>> greedy;
  for (int i = 0; i < 5; ++i) {
    greedy.push_back(std::make_unique<RawConnection>(limited.port(), "127.0.0.2"));
    ASSERT_TRUE(greedy.back()->connected());
    greedy.back()->send("GET /api/ru");
  }
  {
    RawConnection other(limited.port(), "127.0.0.1");
    other.send("GET /api/runs HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(other.status(), 200) << "another address must be answered";
  }
  const size_t refused = RawConnection::first_readable(greedy, std::chrono::seconds(60));
  ASSERT_LT(refused, greedy.size()) << "none of the five was refused";
  EXPECT_EQ(greedy[refused]->status(), 429);
  greedy.erase(greedy.begin() + static_cast<std::ptrdiff_t>(refused));
  EXPECT_EQ(RawConnection::first_readable(greedy, std::chrono::milliseconds(0)), greedy.size())
      << "an admitted connection was answered or closed";
  // Once the four end, their places are free again: a new connection from
  // 127.0.0.2 is answered (tried until the server has seen them end).
  greedy.clear();
  int status = 0;
  for (int attempt = 0; attempt < 1000 && status != 200; ++attempt) {
    RawConnection again(limited.port(), "127.0.0.2");
    again.send("GET /api/runs HTTP/1.1\r\nHost: x\r\n\r\n");
    status = again.status();  // 429 (or a reset) until the server has seen them end
  }
  EXPECT_EQ(status, 200);
  limited.stop();
  EXPECT_NE(limited.log().find("connections are open from 127.0.0.2; at most 4 per client address"),
            std::string::npos)
      << limited.log();

  // A header trickling in a byte at a time is closed: the deadline runs
  // from the request's first byte, not from the last read. The server
  // frees the address's one place before it closes the connection, so the
  // next connection from there is answered at once.
  ServeOptions deadline;
  deadline.max_seconds = 600;
  deadline.client_connections = 1;
  deadline.request_seconds = 1;
  OwnServer strict(*api_, deadline);
  {
    RawConnection trickle(strict.port(), "127.0.0.3");
    trickle.send("GET /api/runs HTTP/1.1\r\nX-Slow: ");
    EXPECT_TRUE(trickle.trickle_until_closed(100000, std::chrono::milliseconds(20)));
  }
  RawConnection next(strict.port(), "127.0.0.3");
  next.send("GET /api/runs HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(next.status(), 200);
  strict.stop();
  EXPECT_NE(strict.log().find("127.0.0.3 closed: a request not complete within 1 s"),
            std::string::npos)
      << strict.log();
}

TEST_F(ServeTest, ConcurrentClientsGetConsistentAnswers) {
  const auto digit = test_digit(2);
  const std::string body = Json{{"pixels", digit}}.dump();
  const Reply reference = post("/api/runs/0/predict", body);
  ASSERT_EQ(reference.status, 200);
  std::atomic<int> wrong{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port_);
      for (int i = 0; i < 20; ++i) {
        const bool trace = (c + i) % 3 == 0;
        const auto result = client.Post(trace ? "/api/runs/0/trace" : "/api/runs/0/predict", body,
                                        "application/json");
        if (!result || result->status != 200) {
          ++failed;
          continue;
        }
        const Json json = Json::parse(result->body);
        if (json["rows"] != reference.json["rows"]) ++wrong;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(ServeTest, StopsAfterTheRequestLimit) {
  ServeOptions options;
  options.max_requests = 3;
  options.max_seconds = 60;
  OwnServer limited(*api_, options);
  httplib::Client client("127.0.0.1", limited.port());
  for (int i = 0; i < 3; ++i) {
    const auto result = client.Get("/api/runs");
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200);
  }
  limited.wait();
  EXPECT_EQ(limited.answered(), 3);
  // Taken port: a clear error naming it.
  ServeOptions taken;
  taken.port = port_;
  std::ostringstream log;
  DemoServer second(*api_, taken, log);
  try {
    second.bind();
    ADD_FAILURE() << "bound a port in use";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("cannot listen on '127.0.0.1' port " + std::to_string(port_)),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace nnn
