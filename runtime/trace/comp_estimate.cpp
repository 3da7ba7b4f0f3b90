#include "runtime/trace/comp_estimate.h"

#include "runtime/bound/peaks.h"
#include "runtime/kernels/kernel_work.h"

#include <algorithm>
#include <cctype>

namespace kb::chakra {

using runtime::OpClass;

namespace {

// The op of a node name: "aten::addmm" -> "addmm"; GPU kernels keep their whole name.
std::string op_of(const std::string& name) {
  std::string op = name.rfind("aten::", 0) == 0 ? name.substr(6) : name;
  std::transform(op.begin(), op.end(), op.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return op;
}

bool is_one_of(const std::string& op, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return op == n; });
}

bool gemm_op(const std::string& op) {
  return is_one_of(op, {"mm", "matmul", "addmm", "bmm", "baddbmm", "linear"});
}
bool norm_op(const std::string& op) {
  return is_one_of(
      op, {"layer_norm", "native_layer_norm", "rms_norm", "softmax", "_softmax", "log_softmax",
           "_log_softmax", "native_layer_norm_backward", "_softmax_backward_data", "sum", "mean"});
}
bool elementwise_op(const std::string& op) {
  std::string base = op;
  if (!base.empty() && base.back() == '_') base.pop_back();  // in-place forms
  return is_one_of(base, {"add",
                          "sub",
                          "mul",
                          "div",
                          "relu",
                          "gelu",
                          "silu",
                          "sigmoid",
                          "tanh",
                          "exp",
                          "neg",
                          "copy",
                          "fill",
                          "zero",
                          "clone",
                          "to",
                          "where",
                          "masked_fill",
                          "dropout",
                          "native_dropout",
                          "threshold_backward",
                          "gelu_backward",
                          "silu_backward",
                          "sigmoid_backward",
                          "addcmul",
                          "addcdiv",
                          "sqrt",
                          "rsqrt",
                          "pow",
                          "lerp",
                          "mul_scalar",
                          "cat"});
}

// IOInfo.shapes: a list whose items are tensor shapes ([64, 128]) or other arguments
// (nested lists, scalars' []); only flat lists of integers are shapes.
struct ShapeParser {
  std::string_view s;
  std::size_t at = 0;
  bool ok = true;

  void skip_space() {
    while (at < s.size() && std::isspace(static_cast<unsigned char>(s[at]))) ++at;
  }
  // Skips the list opening at `at`, however deep it nests: a counter, not recursion, so
  // that a hostile trace cannot exhaust the (small, coroutine) stack it is read on.
  void skip_list() {
    std::size_t depth = 0;
    for (; at < s.size(); ++at) {
      if (s[at] == '[') ++depth;
      if (s[at] == ']' && --depth == 0) {
        ++at;
        return;
      }
    }
    ok = false;
  }
  // One item; `shape` gets its integers when it is a flat list of them.
  bool item(std::vector<std::int64_t>* shape) {
    skip_space();
    if (at >= s.size()) return ok = false;
    if (s[at] != '[') {  // a scalar or a quoted string: skipped
      while (at < s.size() && s[at] != ',' && s[at] != ']') ++at;
      return false;
    }
    ++at;
    bool flat = true;
    std::vector<std::int64_t> dims;
    for (skip_space(); ok && at < s.size() && s[at] != ']';) {
      skip_space();
      if (std::isdigit(static_cast<unsigned char>(s[at]))) {
        std::int64_t v = 0;
        while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at])) &&
               v < (std::int64_t{1} << 50)) {
          v = v * 10 + (s[at++] - '0');
        }
        dims.push_back(v);
      } else if (s[at] == '[') {
        flat = false;
        skip_list();
      } else {
        flat = false;
        item(nullptr);  // a scalar or a string: no recursion
      }
      skip_space();
      if (at < s.size() && s[at] == ',') ++at;
    }
    if (at >= s.size()) return ok = false;
    ++at;  // ']'
    if (flat && shape != nullptr) *shape = std::move(dims);
    return flat;
  }
};

double numel(const std::vector<std::int64_t>& shape) {
  double n = 1;
  for (std::int64_t d : shape) n *= static_cast<double>(d);
  return n;
}

// Bytes of one element of the first tensor type recorded ("Tensor(c10::Half)" -> 2).
runtime::DType dtype_of(const std::string& types) {
  if (types.find("BFloat16") != std::string::npos) return runtime::DType::bf16;
  if (types.find("Half") != std::string::npos) return runtime::DType::f16;
  return runtime::DType::f32;
}

// A matrix product's operands from its recorded shapes, as the gemm kernel takes them:
// A (rows x K) with leading dimensions folded into rows, B (K x N), C (rows x N); none when
// the shapes give no product.
std::optional<std::vector<runtime::WorkArg>> gemm_operands(
    const std::string& op, const std::vector<std::vector<std::int64_t>>& shapes,
    runtime::DType dtype) {
  std::vector<const std::vector<std::int64_t>*> mats;
  for (const auto& s : shapes)
    if (s.size() >= 2) mats.push_back(&s);
  std::int64_t k = 0, n = 0;
  double rows = 0;
  if (op == "linear") {  // x (..., K), W (N, K)
    if (shapes.size() < 2 || shapes[1].size() != 2 || shapes[0].empty() ||
        shapes[0].back() != shapes[1][1]) {
      return std::nullopt;
    }
    k = shapes[1][1];
    n = shapes[1][0];
    rows = numel(shapes[0]) / static_cast<double>(k);
  } else {
    // addmm and baddbmm take the added tensor first.
    if ((op == "addmm" || op == "baddbmm") && !mats.empty() && shapes.size() >= 3) {
      mats.assign({&shapes[1], &shapes[2]});
    }
    if (mats.size() < 2) return std::nullopt;
    const auto& a = *mats[0];
    const auto& b = *mats[1];
    if (a.size() < 2 || b.size() < 2 || a[a.size() - 1] != b[b.size() - 2]) return std::nullopt;
    k = a.back();
    n = b.back();
    rows = numel(a) / static_cast<double>(k);  // a batch of products: rows of every one
  }
  const auto m = static_cast<std::int64_t>(rows);
  return std::vector<runtime::WorkArg>{runtime::TensorShape{{m, k}, dtype},
                                       runtime::TensorShape{{k, n}, dtype},
                                       runtime::TensorShape{{m, n}, dtype}};
}

}  // namespace

OpClass op_class_of(const Node& n) {
  if (n.op_class) {
    if (auto c = runtime::parse_op_class(*n.op_class)) return *c;
  }
  const std::string op = op_of(n.name);
  if (gemm_op(op)) return OpClass::gemm;
  if (norm_op(op)) return OpClass::norm;
  if (elementwise_op(op)) return OpClass::elementwise;
  return OpClass::other;
}

// The tensor shapes of a recorded shapes string: [[64, 128], [128]] -> two.
std::vector<std::vector<std::int64_t>> tensor_shapes(const std::string& text) {
  std::vector<std::vector<std::int64_t>> out;
  ShapeParser p{text};
  p.skip_space();
  if (text.empty() || text[p.at] != '[') return out;
  ++p.at;
  while (p.ok && p.at < text.size()) {
    p.skip_space();
    if (p.at < text.size() && text[p.at] == ']') break;
    std::vector<std::int64_t> shape;
    if (p.item(&shape) && !shape.empty()) out.push_back(std::move(shape));
    p.skip_space();
    if (p.at < text.size() && text[p.at] == ',') ++p.at;
  }
  return out;
}

std::optional<double> estimate_ns(const Node& node, const platform::Topology& t, std::int64_t pes) {
  const std::string op = op_of(node.name);
  const auto inputs = tensor_shapes(node.input_shapes);
  const auto outputs = tensor_shapes(node.output_shapes);
  const runtime::DType dtype = dtype_of(node.input_types);
  const runtime::Peaks peak = runtime::peaks_of(t, pes, dtype);
  double bytes = 0;
  for (const auto* list : {&inputs, &outputs})
    for (const auto& s : *list) bytes += numel(s) * static_cast<double>(runtime::itemsize(dtype));
  double ns = 0;
  if (gemm_op(op)) {
    if (const auto operands = gemm_operands(op, inputs, dtype)) {
      const double flops = runtime::kernel_work("gemm", *operands).matrix_flops();
      if (flops > 0) ns = std::max(flops / peak.flops_per_ns, bytes / peak.bytes_per_ns);
    }
  } else if (norm_op(op) || elementwise_op(op)) {
    ns = bytes / peak.bytes_per_ns;
  }
  if (ns > 0) return ns;
  return std::nullopt;
}

}  // namespace kb::chakra
