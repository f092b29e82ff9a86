// Weights files: written in torch.save's format (nnn/runtime/torch_save),
// read back with torch::pickle_load, which reads that format too.
#include "nnn/core/weights.h"

#include <torch/serialize.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "nnn/runtime/torch_save.h"
#include "nnn/util/error.h"

namespace nnn {

namespace {
std::string shape_of(const torch::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}
}  // namespace

void save_weights(const torch::nn::Module& module, const std::string& path) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : module.named_parameters()) {
    tensors.emplace_back(item.key(), item.value().detach().to(torch::kCPU).contiguous());
  }
  write_file_atomically(path, torch_save_bytes(tensors));
}

void load_weights(torch::nn::Module& module, const std::string& path) {
  const std::string bytes = read_file(path);
  c10::IValue value;
  try {
    value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  } catch (const c10::Error& e) {
    throw Error(path + ": not a weights file readable by torch.load (" +
                e.what_without_backtrace() + ")");
  }
  NNN_CHECK(value.isGenericDict(), path, ": expected a dict of name -> tensor, found ",
            value.tagKind());
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& entry : value.toGenericDict()) {
    NNN_CHECK(entry.key().isString() && entry.value().isTensor(), path,
              ": expected a dict of name -> tensor; found an entry of ", entry.key().tagKind(),
              " -> ", entry.value().tagKind());
    tensors.emplace(entry.key().toStringRef(), entry.value().toTensor());
  }
  auto params = module.named_parameters();
  // Extra names first: a file of another wiring is reported as such.
  for (const auto& entry : tensors) {
    NNN_CHECK(params.contains(entry.first), path, ": tensor '", entry.first, "' (shape ",
              shape_of(entry.second), ") is not a parameter of this model");
  }
  for (const auto& item : params) {
    const auto found = tensors.find(item.key());
    NNN_CHECK(found != tensors.end(), path, ": tensor '", item.key(),
              "' is missing (the model expects shape ", shape_of(item.value()), ")");
    NNN_CHECK(found->second.sizes() == item.value().sizes(), path, ": tensor '", item.key(),
              "' has shape ", shape_of(found->second), " but the model expects ",
              shape_of(item.value()));
  }
  torch::NoGradGuard no_grad;
  for (auto& item : params) item.value().copy_(tensors.at(item.key()));
}

}  // namespace nnn
