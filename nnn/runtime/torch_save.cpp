// The pickle of torch.save, by hand: for each tensor,
//   name -> torch._utils._rebuild_tensor_v2(
//             persistent_load(('storage', torch.FloatStorage, key, 'cpu', numel)),
//             0, sizes, strides, False, collections.OrderedDict())
// and each storage's bytes as the record data/<key> of the zip archive that
// LibTorch's PyTorchStreamWriter writes (the container torch.load expects).
#include "nnn/runtime/torch_save.h"

#include <caffe2/serialize/inline_container.h>

#include <cstdint>
#include <cstring>

#include "nnn/util/error.h"

namespace nnn {

namespace {

class Pickle {
 public:
  Pickle() { out_ += "\x80\x02"; }  // PROTO 2
  void op(char code) { out_ += code; }
  void text(const std::string& s) {  // BINUNICODE
    out_ += 'X';
    uint32_le(static_cast<uint32_t>(s.size()));
    out_ += s;
  }
  void global(const std::string& module, const std::string& name) {
    out_ += 'c' + module + '\n' + name + '\n';
  }
  void integer(int64_t v) {
    if (v >= INT32_MIN && v <= INT32_MAX) {  // BININT
      out_ += 'J';
      uint32_le(static_cast<uint32_t>(static_cast<int32_t>(v)));
    } else {  // LONG1 with 8 bytes, two's complement
      out_ += '\x8a';
      out_ += '\x08';
      for (int i = 0; i < 8; ++i)
        out_ += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF);
    }
  }
  void ints(const c10::IntArrayRef values) {  // a tuple of integers
    op('(');
    for (const int64_t v : values) integer(v);
    op('t');
  }
  const std::string& bytes() const { return out_; }

 private:
  void uint32_le(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_ += static_cast<char>((v >> (8 * i)) & 0xFF);
  }
  std::string out_;
};

const char* storage_class(const torch::Tensor& t) {
  switch (t.scalar_type()) {
    case torch::kFloat32:
      return "FloatStorage";
    case torch::kFloat64:
      return "DoubleStorage";
    case torch::kInt64:
      return "LongStorage";
    default:
      throw Error(std::string("torch_save_bytes: tensors of ") + c10::toString(t.scalar_type()) +
                  " are not supported");
  }
}

}  // namespace

std::string torch_save_bytes(const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
  Pickle p;
  p.op('}');  // EMPTY_DICT
  p.op('(');  // MARK for SETITEMS
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, tensor] = tensors[i];
    NNN_CHECK(tensor.device().is_cpu() && tensor.is_contiguous(), "torch_save_bytes: tensor '",
              name, "' must be a contiguous CPU tensor");
    p.text(name);
    p.global("torch._utils", "_rebuild_tensor_v2");
    p.op('(');  // the arguments of _rebuild_tensor_v2
    p.op('(');  // the persistent id
    p.text("storage");
    p.global("torch", storage_class(tensor));
    p.text(std::to_string(i));
    p.text("cpu");
    p.integer(tensor.numel());
    p.op('t');
    p.op('Q');     // BINPERSID
    p.integer(0);  // storage offset
    p.ints(tensor.sizes());
    p.ints(tensor.strides());
    p.op('\x89');  // NEWFALSE: requires_grad
    p.global("collections", "OrderedDict");
    p.op(')');  // EMPTY_TUPLE
    p.op('R');  // OrderedDict()
    p.op('t');
    p.op('R');  // _rebuild_tensor_v2(...)
  }
  p.op('u');  // SETITEMS
  p.op('.');  // STOP

  std::string out;
  caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t size) {
    out.append(static_cast<const char*>(data), size);
    return size;
  });
  writer.writeRecord("data.pkl", p.bytes().data(), p.bytes().size());
  writer.writeRecord("byteorder", "little", 6);
  for (size_t i = 0; i < tensors.size(); ++i) {
    const torch::Tensor& t = tensors[i].second;
    writer.writeRecord("data/" + std::to_string(i), t.data_ptr(), t.numel() * t.element_size());
  }
  writer.writeEndOfFile();
  return out;
}

}  // namespace nnn
