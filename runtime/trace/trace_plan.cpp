#include "runtime/trace/trace_plan.h"

#include "runtime/ccl/algorithm.h"
#include "runtime/trace/comp_estimate.h"
#include "runtime/trace/trace_ranks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <tuple>

namespace kb::chakra {

using runtime::Collective;
using runtime::OpClass;

namespace {

// A node's recorded time: to the picosecond where the trace has it, else its microseconds.
double recorded_ns(const Node& n) {
  return n.duration_ps ? static_cast<double>(*n.duration_ps) * 1e-3
                       : static_cast<double>(n.duration_micros) * 1e3;
}

std::string where(const Trace& trace, const Node& n) {
  return fmt::format("{}: byte {}: node {}", trace.source, n.offset, n.id);
}

// Without a + b - 1, which wraps for sizes near 2^64 (one element instead of a refusal).
std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }
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

std::string exchange_algorithm(std::uint32_t ranks) {
  return runtime::ccl_algorithm("pairwise").rejects_world(ranks) ? "hierarchical" : "pairwise";
}

std::string algorithm_for(Collective kind, const ImportOptions& options, std::uint32_t ranks) {
  return kind == Collective::all_to_all || kind == Collective::barrier ? exchange_algorithm(ranks)
                                                                       : options.algorithm;
}

std::map<std::string, std::vector<std::uint32_t>> load_comm_groups(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw TraceImportError(fmt::format("{}: cannot read the communicator-group file", path));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw TraceImportError(fmt::format("{}: not JSON: {}", path, e.what()));
  }
  if (!j.is_object()) {
    throw TraceImportError(
        fmt::format("{}: expected an object of groups, {{\"1\": [0, 1], ...}}", path));
  }
  std::map<std::string, std::vector<std::uint32_t>> groups;
  for (const auto& [name, ranks] : j.items()) {
    std::vector<std::uint32_t>& members = groups[name];
    for (const nlohmann::json& r : ranks.is_array() ? ranks : nlohmann::json::array({nullptr})) {
      if (!r.is_number_unsigned() ||
          std::find(members.begin(), members.end(), r.get<std::uint32_t>()) != members.end()) {
        throw TraceImportError(fmt::format(
            "{}: group '{}': expected a list of distinct ranks, got {}", path, name, ranks.dump()));
      }
      members.push_back(r.get<std::uint32_t>());
    }
  }
  return groups;
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
  // Communicator groups by pg_name: the file's, else the ranks whose traces name each.
  std::map<std::string, std::vector<std::uint32_t>> named;
  if (options.comm_groups) {
    named = *options.comm_groups;
    for (const auto& [name, members] : named) {
      for (std::uint32_t m : members) {
        if (m >= plan.ranks) {
          throw TraceImportError(
              fmt::format("comm_groups: group '{}' names rank {} of {}", name, m, plan.ranks));
        }
      }
    }
  } else {
    for (std::uint32_t r = 0; r < plan.ranks; ++r) {
      for (const Node& n : ranks[r].nodes) {
        const std::string name = n.pg_name.value_or("");
        if (n.type != kCommCollNode || name.empty() || name == "0") continue;
        std::vector<std::uint32_t>& members = named[name];
        if (members.empty() || members.back() != r) members.push_back(r);
      }
    }
  }
  // A collective's group: "" and "0" are every rank (ASTRA-sim's default group); a group of
  // every rank in order is the world too.
  auto group_of = [&](const Node& n, std::uint32_t r, const Trace& trace) {
    std::pair<std::string, std::vector<std::uint32_t>> g;
    const std::string name = n.pg_name.value_or("");
    if (name.empty() || name == "0") return g;
    const auto it = named.find(name);
    if (it == named.end()) {
      throw TraceImportError(fmt::format("{}: pg_name '{}' is no group of the comm_groups file",
                                         where(trace, n), name));
    }
    if (std::find(it->second.begin(), it->second.end(), r) == it->second.end()) {
      throw TraceImportError(fmt::format("{}: rank {} is not in its group '{}' (ranks {})",
                                         where(trace, n), r, name, fmt::join(it->second, ", ")));
    }
    bool world = it->second.size() == plan.ranks;
    for (std::uint32_t i = 0; world && i < plan.ranks; ++i) world = it->second[i] == i;
    if (!world) g = {name, it->second};
    return g;
  };
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
        // Distinct and in order (a vector sorted once: a set's node per dependency was a
        // tenth of a large trace's planning).
        std::vector<std::size_t> found;
        found.reserve(list->size());
        for (std::uint64_t d : *list) {
          const auto it = index_of.find(d);
          if (it == index_of.end()) {
            ++plan.counts.missing_deps;
            missing_ids.insert(d);
          } else {
            found.push_back(it->second);
          }
        }
        std::sort(found.begin(), found.end());
        found.erase(std::unique(found.begin(), found.end()), found.end());
        if (list == &n.data_deps) {
          plan.counts.dependencies += found.size();
          p.after = std::move(found);
        } else {
          ctrl[plan.nodes.size()] = std::move(found);
        }
      }
      auto cpu_op = [&] {
        ++plan.counts.cpu_ops;
        p.op_class = op_class_of(n);
        p.action = options.cpu == CpuOps::duration ? Action::host : Action::nothing;
        p.ns = recorded_ns(n);
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
            std::optional<double> estimate;
            if (options.comp == CompTiming::model) {
              estimate = estimate_ns(n, topology, plan.pes_per_rank);
              // A GPU kernel's op and shapes are its launching CPU op's (a data dependency).
              for (std::size_t d = 0; !estimate && d < n.data_deps.size(); ++d) {
                const auto it = index_of.find(n.data_deps[d]);
                if (it == index_of.end()) continue;
                const Node& op = trace.nodes[it->second - (plan.nodes.size() - local)];
                if (op.is_cpu_op) estimate = estimate_ns(op, topology, plan.pes_per_rank);
              }
            }
            ++(estimate ? plan.counts.comp_modelled : plan.counts.comp_recorded);
            p.action = Action::busy;
            p.ns = estimate.value_or(recorded_ns(n) * options.comp_scale);
            p.op_class = op_class_of(n);
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
          std::tie(p.group, p.members) = group_of(n, r, trace);
          const std::int64_t G =
              p.members.empty() ? R : static_cast<std::int64_t>(p.members.size());
          if (G == 1) break;  // one rank moves nothing: the node only passes dependencies on
          const std::string algorithm =
              algorithm_for(*kind, options, static_cast<std::uint32_t>(R));
          if (!runtime::ccl_algorithm(algorithm).supports(*kind)) {
            throw TraceImportError(fmt::format("--param algorithm={} does not do {} ({})",
                                               algorithm, runtime::to_string(*kind),
                                               where(trace, n)));
          }
          p.action = Action::collective;
          plan.communicates = true;
          const std::int64_t e = per_pe(n.comm_size.value_or(0));
          switch (*kind) {
            case Collective::all_gather:  // comm_size: each rank's part, as ASTRA-sim reads it
              p.in_cols = e;
              p.out_cols = e * G;
              break;
            case Collective::reduce_scatter:  // comm_size: the input
              p.in_cols = round_up(e, G);
              p.out_cols = p.in_cols / G;
              break;
            case Collective::all_to_all: p.in_cols = p.out_cols = round_up(e, G); break;
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
  // A cycle of data dependencies is an error that names its nodes. Control dependencies
  // are kept where they agree with the data dependencies' order (file order where free):
  // PyTorch's traces record some that point from an op to the kernel it launched, which
  // would close a cycle; those are dropped and counted.
  // The names must be distinct (a graph of them refuses a repeat); the order is taken by
  // index, not by names looked up for each dependency.
  runtime::WorkloadGraph names;
  std::vector<std::vector<std::size_t>> waits_for;
  waits_for.reserve(plan.nodes.size());
  for (const PlannedNode& p : plan.nodes) {
    runtime::WorkloadNode w;
    w.name = p.name;
    names.add(std::move(w));
    waits_for.push_back(p.after);
  }
  const std::vector<std::size_t> order = runtime::topological_order(
      waits_for, [&](std::size_t i) -> const std::string& { return plan.nodes[i].name; });
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
  // Each group's collectives, by member rank in order: the k-th of each member meet.
  std::map<std::string, std::map<std::uint32_t, std::vector<std::size_t>>> in_group;
  for (std::uint32_t r = 0; r < plan.ranks; ++r) {
    for (std::size_t i : collectives[r]) {
      std::vector<std::size_t>& mine = in_group[plan.nodes[i].group][r];
      plan.nodes[i].ordinal = mine.size();
      mine.push_back(i);
    }
  }
  for (auto& [group, by_rank] : in_group) {
    std::vector<std::uint32_t> members =
        group.empty() ? std::vector<std::uint32_t>() : named[group];
    for (std::uint32_t r = 0; group.empty() && r < plan.ranks; ++r) members.push_back(r);
    const std::uint32_t lead = members.front();
    const std::vector<std::size_t>& first = by_rank[lead];
    for (std::uint32_t r : members) {
      const std::vector<std::size_t>& mine = by_rank[r];
      for (std::size_t c = 0; c < std::max(mine.size(), first.size()); ++c) {
        if (c >= mine.size() || c >= first.size() ||
            plan.nodes[mine[c]].collective != plan.nodes[first[c]].collective ||
            plan.nodes[mine[c]].bytes != plan.nodes[first[c]].bytes) {  // as given, not rounded
          throw TraceImportError(fmt::format(
              "the ranks' collectives do not match{}: collective {} of rank {} is {}, of rank {} "
              "is {}",
              group.empty() ? std::string() : fmt::format(" in group '{}'", group), c + 1, lead,
              c < first.size() ? describe(first[c]) : "none", r,
              c < mine.size() ? describe(mine[c]) : "none"));
        }
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
  // A rank's device compute runs in trace order, as kernels on one stream do, unless its
  // trace says its kernels need only their dependencies (an exported step's).
  for (std::uint32_t r = 0; r < plan.ranks; ++r)
    if (!ranks[r].compute_by_dependencies) chain(compute[r]);
  for (const auto& entry : transfers) chain(entry.second);
  return plan;
}

}  // namespace kb::chakra
