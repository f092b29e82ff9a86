// GenericExecutor: NNN-SPEC step by step, cell by cell through
// CellContract::forward (any cell type): every cell reads x (input cells)
// and its channels from the previous step's buffer, and writes its
// message; zero messages at step 1. The buffer has the plan's layout, so
// traces look the same as the other executors'.
#include "nnn/core/network_executors.h"
#include "nnn/util/error.h"

namespace nnn {

GenericExecutor::GenericExecutor(std::shared_ptr<const NetworkPlan> plan) : plan_(std::move(plan)) {
  // The buffer holds the cells' messages one after another in buffer_order:
  // each position's cell, for the lesions' cut edges.
  std::vector<int64_t> owner(static_cast<size_t>(plan_->width), -1);
  for (size_t k = 0; k < plan_->buffer_order.size(); ++k) {
    const int64_t c = plan_->buffer_order[k];
    const int64_t start = plan_->message_offset[static_cast<size_t>(c)];
    const int64_t end = k + 1 < plan_->buffer_order.size()
                            ? plan_->message_offset[static_cast<size_t>(plan_->buffer_order[k + 1])]
                            : plan_->width;
    for (int64_t p = start; p < end; ++p) owner[static_cast<size_t>(p)] = c;
  }
  for (const auto& positions : plan_->cell_gather) {
    cell_gather_.emplace_back(positions, plan_->width);
    std::vector<int64_t> sources;
    for (int64_t p : positions) sources.push_back(owner[static_cast<size_t>(p)]);
    gather_source_.push_back(std::move(sources));
  }
}

namespace {

// Checks `lesion` against the wiring and the steps; names what is wrong.
void check_lesion(const Lesion& lesion, const Wiring& wiring, int64_t steps) {
  const int64_t n = wiring.size();
  for (const auto& e : lesion.edges) {
    NNN_CHECK(e.from >= 0 && e.from < n && e.to >= 0 && e.to < n &&
                  wiring.adjacency()[static_cast<size_t>(e.from)][static_cast<size_t>(e.to)] > 0,
              "lesion: there is no edge ", e.from, " -> ", e.to, " in the wiring");
    NNN_CHECK(e.step >= 0 && e.step <= steps, "lesion: edge ", e.from, " -> ", e.to, " at step ",
              e.step, "; the network runs steps 1 to ", steps, " (0: every step)");
  }
  for (int64_t c : lesion.cells) {
    NNN_CHECK(c >= 0 && c < n, "lesion: there is no cell ", c, "; cells 0 to ", n - 1);
  }
}

}  // namespace

void GenericExecutor::run(const NNNImpl& network, const torch::Tensor& frames, int64_t steps,
                          std::vector<torch::Tensor>& buffers, const Lesion* lesion) {
  const Wiring& wiring = network.options.wiring();
  const int64_t n = wiring.size();
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  const int64_t d_out = plan_->output_size;
  if (lesion != nullptr) check_lesion(*lesion, wiring, steps);
  std::vector<torch::Tensor> gathers;  // each cell's, on the frames' device (kept between passes)
  for (auto& index : cell_gather_) gathers.push_back(index.on(frames.device()));
  torch::Tensor buffer = torch::zeros({batch, plan_->width}, frames.options());  // m(0) = 0
  std::vector<torch::Tensor> outputs(static_cast<size_t>(n));
  for (int64_t t = 1; t <= steps; ++t) {
    const auto x = frames[std::min(t, f) - 1];  // [B, D_in]
    for (int64_t j = 0; j < n; ++j) {
      std::vector<torch::Tensor> parts;
      if (wiring.is_input(j)) parts.push_back(x);
      if (gathers[j].numel() > 0) {
        auto read = buffer.index_select(1, gathers[j]);  // [B, G_j]
        if (lesion != nullptr && !lesion->edges.empty()) {
          // The channels of edges cut at this step read as zero.
          const auto& sources = gather_source_[static_cast<size_t>(j)];
          std::vector<float> keep(sources.size(), 1.0f);
          bool cut = false;
          for (const auto& e : lesion->edges) {
            if (e.to != j || (e.step != 0 && e.step != t)) continue;
            for (size_t k = 0; k < sources.size(); ++k) {
              if (sources[k] == e.from) {
                keep[k] = 0.0f;
                cut = true;
              }
            }
          }
          if (cut) {
            read =
                read *
                torch::tensor(keep, read.options().dtype(torch::kFloat32)).to(read.scalar_type());
          }
        }
        parts.push_back(read);
      }
      const auto u = parts.size() == 1 ? parts[0] : torch::cat(parts, 1);  // [B, in_dim(j)]
      outputs[j] = as_cell(*network.cell_module(j)).forward(u);
      NNN_CHECK(outputs[j].dim() == 2 && outputs[j].size(0) == batch &&
                    outputs[j].size(1) == wiring.out_dim(j, d_out),
                "cell ", j, " ('", network.cell_type(j), "') returned ", outputs[j].sizes(),
                "; expected [", batch, ", ", wiring.out_dim(j, d_out), "]");
    }
    if (lesion != nullptr) {
      for (int64_t c : lesion->cells)
        outputs[static_cast<size_t>(c)] = torch::zeros_like(outputs[static_cast<size_t>(c)]);
    }
    std::vector<torch::Tensor> ordered;
    for (int64_t c : plan_->buffer_order) ordered.push_back(outputs[c]);
    buffer = torch::cat(ordered, 1);
    buffers.push_back(buffer);
  }
}

}  // namespace nnn
