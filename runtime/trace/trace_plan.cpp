#include "runtime/trace/trace_plan.h"

#include "runtime/bound/peaks.h"
#include "runtime/ccl/algorithm.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace kb::chakra {

using runtime::Collective;
using runtime::OpClass;

namespace {

std::string where(const Trace& trace, const Node& n) {
  return fmt::format("{}: byte {}: node {}", trace.source, n.offset, n.id);
}

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

OpClass class_of(const Node& n) {
  if (n.op_class) {
    if (auto c = runtime::parse_op_class(*n.op_class)) return *c;
  }
  const std::string op = op_of(n.name);
  if (gemm_op(op)) return OpClass::gemm;
  if (norm_op(op)) return OpClass::norm;
  if (elementwise_op(op)) return OpClass::elementwise;
  return OpClass::other;
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
      } else {
        flat = false;
        item(nullptr);
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

// FLOPs of a matrix product from its operands' shapes, or 0 when they do not give one.
double gemm_flops(const std::string& op, const std::vector<std::vector<std::int64_t>>& shapes) {
  std::vector<const std::vector<std::int64_t>*> mats;
  for (const auto& s : shapes)
    if (s.size() >= 2) mats.push_back(&s);
  if (op == "linear") {  // x (..., K), W (N, K)
    if (shapes.size() < 2 || shapes[1].size() != 2 || shapes[0].empty() ||
        shapes[0].back() != shapes[1][1]) {
      return 0;
    }
    return 2 * numel(shapes[0]) * static_cast<double>(shapes[1][0]);
  }
  // addmm and baddbmm take the added tensor first.
  if ((op == "addmm" || op == "baddbmm") && !mats.empty() && shapes.size() >= 3) {
    mats.assign({&shapes[1], &shapes[2]});
  }
  if (mats.size() < 2) return 0;
  const auto& a = *mats[0];
  const auto& b = *mats[1];
  if (a.size() < 2 || b.size() < 2 || a[a.size() - 1] != b[b.size() - 2]) return 0;
  const double batch = numel(a) / static_cast<double>(a[a.size() - 2] * a[a.size() - 1]);
  return 2 * batch * static_cast<double>(a[a.size() - 2]) * static_cast<double>(a.back()) *
         static_cast<double>(b.back());
}

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }
std::int64_t round_up(std::int64_t a, std::int64_t b) { return (a + b - 1) / b * b; }

std::optional<Collective> collective_of(int comm_type) {
  switch (comm_type) {
    case kAllReduce: return Collective::all_reduce;
    case kAllGather: return Collective::all_gather;
    case kReduceScatter: return Collective::reduce_scatter;
    case kBroadcast: return Collective::broadcast;
    case kAllToAll: return Collective::all_to_all;
    case kBarrier: return Collective::barrier;
    default: return std::nullopt;
  }
}

const char* unit_name(RankUnit u) {
  return u == RankUnit::sip ? "sip" : u == RankUnit::cube ? "cube" : "pe";
}

}  // namespace

std::vector<Trace> read_rank_traces(const std::string& prefix, std::int64_t replicate) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (std::size_t r = 0;; ++r) {
    const std::string path = fmt::format("{}.{}.et", prefix, r);
    if (!fs::exists(path)) break;
    files.push_back(path);
  }
  if (files.empty()) {
    throw TraceImportError(fmt::format(
        "--param trace={}: no file {}.0.et (a trace is PREFIX.<rank>.et, one file per rank)",
        prefix, prefix));
  }
  // A later rank's file past a gap would be silently left out.
  const fs::path base(prefix);
  const fs::path dir = base.has_parent_path() ? base.parent_path() : fs::path(".");
  const std::string stem = base.filename().string() + ".";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(stem, 0) != 0 || name.size() <= stem.size() + 3 ||
        name.substr(name.size() - 3) != ".et") {
      continue;
    }
    const std::string digits = name.substr(stem.size(), name.size() - stem.size() - 3);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit)) continue;
    if (std::stoull(digits) >= files.size()) {
      throw TraceImportError(fmt::format("--param trace={}: {} exists but {}.{}.et does not",
                                         prefix, (dir / name).string(), prefix, files.size()));
    }
  }
  if (replicate > 0 && files.size() != 1 && files.size() != static_cast<std::size_t>(replicate)) {
    throw TraceImportError(
        fmt::format("--param ranks={}: the trace has {} rank files; ranks= replicates a single one",
                    replicate, files.size()));
  }
  std::vector<Trace> traces;
  for (const std::string& f : files) traces.push_back(read_trace(f));
  if (replicate > 1 && traces.size() == 1) {
    traces.resize(static_cast<std::size_t>(replicate), traces.front());
  }
  return traces;
}

std::int64_t rank_capacity(const platform::Topology& t, RankUnit unit) {
  const auto sips = static_cast<std::int64_t>(t.system.sips.count);
  switch (unit) {
    case RankUnit::sip: return sips;
    case RankUnit::cube: return sips * static_cast<std::int64_t>(t.cubes_per_sip());
    case RankUnit::pe: return t.world_size();
  }
  return 0;
}

std::vector<runtime::PeCoord> rank_pes(const platform::Topology& t, RankUnit unit,
                                       std::uint32_t rank) {
  const auto cubes = static_cast<std::uint32_t>(t.cubes_per_sip());
  const auto pes = static_cast<std::uint32_t>(t.pes_per_cube());
  std::vector<runtime::PeCoord> out;
  switch (unit) {
    case RankUnit::sip:
      for (std::uint32_t c = 0; c < cubes; ++c)
        for (std::uint32_t p = 0; p < pes; ++p) out.push_back({rank, c, p});
      break;
    case RankUnit::cube:
      for (std::uint32_t p = 0; p < pes; ++p) out.push_back({rank / cubes, rank % cubes, p});
      break;
    case RankUnit::pe: out.push_back({rank / (cubes * pes), rank / pes % cubes, rank % pes}); break;
  }
  return out;
}

CompTime comp_time(const Node& node, const ImportOptions& options, const platform::Topology& t,
                   std::int64_t pes_per_rank) {
  const double recorded = static_cast<double>(node.duration_micros) * 1e3 * options.comp_scale;
  if (options.comp == CompTiming::duration) return {recorded, false};
  const std::string op = op_of(node.name);
  const auto inputs = tensor_shapes(node.input_shapes);
  const auto outputs = tensor_shapes(node.output_shapes);
  const runtime::DType dtype = dtype_of(node.input_types);
  const runtime::Peaks peak = runtime::peaks_of(t, pes_per_rank, dtype);
  double bytes = 0;
  for (const auto* list : {&inputs, &outputs})
    for (const auto& s : *list) bytes += numel(s) * static_cast<double>(runtime::itemsize(dtype));
  double ns = 0;
  if (gemm_op(op)) {
    const double flops = gemm_flops(op, inputs);
    if (flops > 0) ns = std::max(flops / peak.flops_per_ns, bytes / peak.bytes_per_ns);
  } else if (norm_op(op) || elementwise_op(op)) {
    ns = bytes / peak.bytes_per_ns;
  }
  if (ns > 0) return {ns, true};
  return {recorded, false};
}

TracePlan plan_trace(const std::vector<Trace>& ranks, const ImportOptions& options,
                     const platform::Topology& topology) {
  TracePlan plan;
  plan.options = options;
  plan.ranks = static_cast<std::uint32_t>(ranks.size());
  const std::int64_t capacity = rank_capacity(topology, options.rank_unit);
  if (ranks.empty() || static_cast<std::int64_t>(ranks.size()) > capacity) {
    throw TraceImportError(fmt::format(
        "{} ranks of one {} each: the machine has {} (raise system.sips.count with --set, or "
        "take a smaller --param rank_unit)",
        ranks.size(), unit_name(options.rank_unit), capacity));
  }
  try {
    runtime::ccl_algorithm(options.algorithm);
  } catch (const std::invalid_argument& e) {
    throw TraceImportError(fmt::format("--param algorithm={}: {}", options.algorithm, e.what()));
  }
  const auto R = static_cast<std::int64_t>(plan.ranks);
  plan.pes_per_rank = static_cast<std::int64_t>(rank_pes(topology, options.rank_unit, 0).size());
  const auto k = static_cast<std::uint64_t>(plan.pes_per_rank);
  // f32 elements per PE for `bytes` spread over a rank's PEs.
  auto per_pe = [&](std::uint64_t bytes) {
    return static_cast<std::int64_t>(std::max<std::uint64_t>(1, ceil_div(ceil_div(bytes, 4), k)));
  };
  auto need = [&](std::int64_t cols, int count) {
    int& n = plan.buffers[cols];
    n = std::max(n, count);
  };
  std::map<std::size_t, std::vector<std::size_t>> ctrl;  // control dependencies, by node
  for (std::uint32_t r = 0; r < plan.ranks; ++r) {
    const Trace& trace = ranks[r];
    std::map<std::uint64_t, std::size_t> index_of;
    std::set<std::uint64_t> missing_ids;
    for (std::size_t i = 0; i < trace.nodes.size(); ++i) {
      index_of[trace.nodes[i].id] = plan.nodes.size() + i;
    }
    for (std::size_t local = 0; local < trace.nodes.size(); ++local) {
      const Node& n = trace.nodes[local];
      PlannedNode p;
      p.rank = r;
      p.id = n.id;
      p.type = n.type;
      p.name = fmt::format("r{}.{} {}", r, n.id, n.name.substr(0, 64));
      p.layer = n.layer.value_or("");
      p.bytes = n.comm_size.value_or(n.tensor_size.value_or(0));
      ++plan.counts.nodes;
      ++plan.counts.nodes_by_type[node_type_name(n.type)];
      for (const auto* list : {&n.data_deps, &n.ctrl_deps}) {
        std::set<std::size_t> found;
        for (std::uint64_t d : *list) {
          const auto it = index_of.find(d);
          if (it == index_of.end()) {
            ++plan.counts.missing_deps;
            missing_ids.insert(d);
          } else {
            found.insert(it->second);
          }
        }
        if (list == &n.data_deps) {
          p.after.assign(found.begin(), found.end());
          plan.counts.dependencies += found.size();
        } else {
          ctrl[plan.nodes.size()].assign(found.begin(), found.end());
        }
      }
      auto cpu_op = [&] {
        ++plan.counts.cpu_ops;
        p.op_class = class_of(n);
        p.action = options.cpu == CpuOps::duration ? Action::host : Action::nothing;
        p.ns = static_cast<double>(n.duration_micros) * 1e3;
      };
      auto unsupported = [&](const std::string& what) {
        ++plan.counts.unsupported[what];
        p.action = Action::nothing;
      };
      switch (n.type) {
        case kCompNode:
          if (n.is_cpu_op) {
            cpu_op();
          } else {
            CompTime c = comp_time(n, options, topology, plan.pes_per_rank);
            // A GPU kernel's op and shapes are its launching CPU op's (a data dependency).
            for (std::size_t d = 0;
                 !c.modelled && options.comp == CompTiming::model && d < n.data_deps.size(); ++d) {
              const auto it = index_of.find(n.data_deps[d]);
              if (it == index_of.end()) continue;
              const Node& op = trace.nodes[it->second - (plan.nodes.size() - local)];
              if (!op.is_cpu_op) continue;
              Node as_op = op;
              as_op.duration_micros = n.duration_micros;
              c = comp_time(as_op, options, topology, plan.pes_per_rank);
            }
            ++(c.modelled ? plan.counts.comp_modelled : plan.counts.comp_recorded);
            p.action = Action::busy;
            p.ns = c.ns;
            p.op_class = class_of(n);
          }
          break;
        case kCommCollNode: {
          if (!n.comm_type) {
            if (n.is_cpu_op) {
              cpu_op();
            } else {
              unsupported("COMM_COLL_NODE without comm_type");
            }
            break;
          }
          p.op_class = OpClass::communication;
          plan.counts.comm_bytes += n.comm_size.value_or(0);
          const std::optional<Collective> kind = collective_of(*n.comm_type);
          if (!kind) {
            unsupported("COMM_COLL_NODE " + comm_type_name(*n.comm_type));
            break;
          }
          p.collective = *kind;
          if (R == 1) break;  // one rank moves nothing: the node only passes dependencies on
          const std::string algorithm =
              *kind == Collective::all_to_all || *kind == Collective::barrier ? "pairwise"
                                                                              : options.algorithm;
          if (!runtime::ccl_algorithm(algorithm).supports(*kind)) {
            throw TraceImportError(fmt::format("--param algorithm={} does not do {} ({})",
                                               algorithm, runtime::to_string(*kind),
                                               where(trace, n)));
          }
          p.action = Action::collective;
          plan.communicates = true;
          const std::int64_t e = per_pe(n.comm_size.value_or(0));
          switch (*kind) {
            case Collective::all_gather:  // comm_size: the gathered output
              p.in_cols = (e + R - 1) / R;
              p.out_cols = p.in_cols * R;
              break;
            case Collective::reduce_scatter:  // comm_size: the input
              p.in_cols = round_up(e, R);
              p.out_cols = p.in_cols / R;
              break;
            case Collective::all_to_all: p.in_cols = p.out_cols = round_up(e, R); break;
            case Collective::barrier: break;
            default: p.in_cols = p.out_cols = e; break;
          }
          if (*kind == Collective::all_to_all) {
            need(p.in_cols, 2);
          } else if (*kind != Collective::barrier) {
            need(p.in_cols, 1);
            need(p.out_cols, 1);
          }
          break;
        }
        case kCommSendNode:
        case kCommRecvNode: {
          const bool send = n.type == kCommSendNode;
          const std::optional<std::uint32_t> peer = send ? n.comm_dst : n.comm_src;
          if (!peer || *peer >= plan.ranks || *peer == r) {
            throw TraceImportError(fmt::format(
                "{}: a {} needs {} naming another of the {} ranks{}", where(trace, n),
                node_type_name(n.type), send ? "comm_dst" : "comm_src", plan.ranks,
                peer ? fmt::format(" (it is {})", *peer) : std::string(" (it has none)")));
          }
          p.op_class = OpClass::communication;
          p.action = send ? Action::send : Action::recv;
          p.peer = *peer;
          p.in_cols = per_pe(n.comm_size.value_or(0));
          if (send) plan.counts.comm_bytes += n.comm_size.value_or(0);
          need(p.in_cols, 1);
          plan.communicates = true;
          break;
        }
        case kMemLoadNode:
        case kMemStoreNode:
          p.op_class = OpClass::copy;
          p.action = n.type == kMemLoadNode ? Action::load : Action::store;
          p.in_cols = per_pe(n.tensor_size.value_or(0));
          need(p.in_cols, 1);
          break;
        default: unsupported(node_type_name(n.type)); break;
      }
      // The simulation stops at 2^62 ps; a node's own time must fit well within it.
      if (p.ns * 1e3 > 0x1p61) {
        throw TraceImportError(fmt::format("{}: {:.3g} s is beyond the simulated time limit",
                                           where(trace, n), p.ns / 1e9));
      }
      plan.nodes.push_back(std::move(p));
    }
    plan.counts.missing_dep_ids += missing_ids.size();
  }
  if (plan.communicates) {
    if (auto why = runtime::ccl_algorithm("pairwise").rejects_world(plan.ranks)) {
      throw TraceImportError(fmt::format("{} ranks: {}", plan.ranks, *why));
    }
  }

  // A cycle of data dependencies is an error that names its nodes. Control dependencies
  // are kept where they agree with the data dependencies' order (file order where free):
  // PyTorch's traces record some that point from an op to the kernel it launched, which
  // would close a cycle; those are dropped and counted.
  runtime::WorkloadGraph check;
  for (const PlannedNode& p : plan.nodes) {
    runtime::WorkloadNode w;
    w.name = p.name;
    for (std::size_t d : p.after) w.after.push_back(plan.nodes[d].name);
    check.add(std::move(w));
  }
  const std::vector<std::size_t> order = check.topological_order();
  std::vector<std::size_t> position(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  for (const auto& [i, deps] : ctrl) {
    auto& after = plan.nodes[i].after;
    for (std::size_t d : deps) {
      if (position[d] >= position[i]) {  // later in the order, or the node itself
        ++plan.counts.ctrl_deps_dropped;
      } else if (std::find(after.begin(), after.end(), d) == after.end()) {
        after.push_back(d);
        ++plan.counts.dependencies;
      }
    }
  }

  // Communication on a rank's PEs runs in one order on every rank (as on one NCCL stream):
  // each rank's collectives, and its transfers to or from each peer, in trace order, the
  // k-th of one rank meeting the k-th of the others.
  std::vector<std::vector<std::size_t>> collectives(plan.ranks), compute(plan.ranks);
  std::map<std::tuple<std::uint32_t, std::uint32_t, bool>, std::vector<std::size_t>> transfers;
  for (std::size_t i : order) {
    const PlannedNode& p = plan.nodes[i];
    if (p.action == Action::collective) collectives[p.rank].push_back(i);
    if (p.action == Action::busy) compute[p.rank].push_back(i);
    if (p.action == Action::send) transfers[{p.rank, p.peer, true}].push_back(i);
    if (p.action == Action::recv) transfers[{p.peer, p.rank, false}].push_back(i);
  }
  auto describe = [&](std::size_t i) {
    const PlannedNode& p = plan.nodes[i];
    return fmt::format(
        "node {} of rank {} ({}, {} bytes)", p.id, p.rank,
        p.action == Action::collective ? runtime::to_string(p.collective) : node_type_name(p.type),
        p.bytes);
  };
  for (std::uint32_t r = 1; r < plan.ranks; ++r) {
    const auto &mine = collectives[r], &first = collectives[0];
    for (std::size_t c = 0; c < std::max(mine.size(), first.size()); ++c) {
      if (c >= mine.size() || c >= first.size() ||
          plan.nodes[mine[c]].collective != plan.nodes[first[c]].collective ||
          plan.nodes[mine[c]].in_cols != plan.nodes[first[c]].in_cols) {
        throw TraceImportError(fmt::format(
            "the ranks' collectives do not match: collective {} of rank 0 is {}, of rank {} is {}",
            c + 1, c < first.size() ? describe(first[c]) : "none", r,
            c < mine.size() ? describe(mine[c]) : "none"));
      }
    }
  }
  for (const auto& [key, sends] : transfers) {
    const auto& [from, to, is_send] = key;
    if (!is_send) continue;
    const auto it = transfers.find({from, to, false});
    const std::vector<std::size_t> none;
    const auto& recvs = it == transfers.end() ? none : it->second;
    for (std::size_t c = 0; c < std::max(sends.size(), recvs.size()); ++c) {
      if (c >= sends.size() || c >= recvs.size() ||
          plan.nodes[sends[c]].in_cols != plan.nodes[recvs[c]].in_cols) {
        throw TraceImportError(
            fmt::format("transfer {} from rank {} to rank {}: the send is {}, the receive {}",
                        c + 1, from, to, c < sends.size() ? describe(sends[c]) : "missing",
                        c < recvs.size() ? describe(recvs[c]) : "missing"));
      }
    }
  }
  for (const auto& [key, recvs] : transfers) {
    const auto& [from, to, is_send] = key;
    if (!is_send && transfers.find({from, to, true}) == transfers.end()) {
      throw TraceImportError(
          fmt::format("{} has no matching send on rank {}", describe(recvs[0]), from));
    }
  }
  auto chain = [&](const std::vector<std::size_t>& in_order) {
    for (std::size_t c = 1; c < in_order.size(); ++c) {
      auto& after = plan.nodes[in_order[c]].after;
      if (std::find(after.begin(), after.end(), in_order[c - 1]) == after.end()) {
        after.push_back(in_order[c - 1]);
      }
    }
  };
  for (const auto& list : collectives) chain(list);
  // A rank's device compute runs in trace order, as kernels on one stream do.
  for (const auto& list : compute) chain(list);
  for (const auto& entry : transfers) chain(entry.second);
  return plan;
}

}  // namespace kb::chakra
