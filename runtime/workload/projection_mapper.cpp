#include "runtime/workload/projection_mapper.h"

#include "runtime/bound/product_traffic.h"
#include "runtime/bound/tensor_traffic.h"
#include "runtime/kernel/quantisation.h"
#include "runtime/memory/device_memory.h"

#include <cmath>
#include <map>
#include <numeric>
#include <ostream>

namespace kb::runtime {

const char* to_string(ProjectionSplit split) {
  return split == ProjectionSplit::columns ? "columns" : "grid";
}

const char* to_string(InputHome home) {
  switch (home) {
    case InputHome::sram_whole: return "sram_whole";
    case InputHome::sram_rows: return "sram_rows";
    case InputHome::hbm: return "hbm";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& out, ProjectionSplit split) {
  return out << to_string(split);
}
std::ostream& operator<<(std::ostream& out, InputHome home) { return out << to_string(home); }

namespace {

constexpr Split R = Split::replicate, Rows = Split::row_wise, Cols = Split::column_wise;

std::int64_t rows_per_cube(InputHome home, std::int64_t rows, const MachineShape& sip) {
  return home == InputHome::sram_whole ? rows : rows / std::gcd(rows, sip.cubes_per_sip);
}

}  // namespace

DPPolicy projection_output_policy(ProjectionSplit split, std::int64_t rows, std::int64_t cols,
                                  const MachineShape& sip) {
  if (split == ProjectionSplit::columns) return spread_over_sip(Cols, cols, sip);
  return DPPolicy{R,
                  Rows,
                  Cols,
                  std::nullopt,
                  std::gcd(rows, sip.cubes_per_sip),
                  std::gcd(cols, sip.pes_per_cube)};
}

DPPolicy projection_input_policy(InputHome home, std::int64_t rows, const MachineShape& sip) {
  switch (home) {
    case InputHome::sram_whole:
      return DPPolicy{R, R, R, std::nullopt, std::nullopt, std::nullopt, MemoryKind::sram};
    case InputHome::sram_rows:
      return DPPolicy{R,
                      Rows,
                      R,
                      std::nullopt,
                      std::gcd(rows, sip.cubes_per_sip),
                      std::nullopt,
                      MemoryKind::sram};
    case InputHome::hbm: break;
  }
  return spread_over_sip(Rows, rows, sip);
}

bool input_fits(InputHome home, std::int64_t rows, std::int64_t cols, DType dtype,
                const MachineShape& sip, std::uint64_t sram_bytes) {
  if (home == InputHome::hbm) return true;
  return static_cast<std::uint64_t>(rows_per_cube(home, rows, sip) * cols) * itemsize(dtype) * 4 <=
         sram_bytes;
}

namespace {

// A candidate's cost: its time at the bound, and the sum of every resource's time under it
// (how loaded it leaves the machine), which decides between bounds within kTie of each other:
// a bound counts each resource's bytes over the whole run, so of two placements bound alike by
// compute, the one moving fewer bytes meets its bound more nearly.
struct Cost {
  double bound_ns = 0;
  double load_ns = 0;
  Cost& operator+=(const Cost& o) {
    bound_ns += o.bound_ns;
    load_ns += o.load_ns;
    return *this;
  }
  friend Cost operator+(Cost a, const Cost& b) { return a += b; }
};
constexpr double kTie = 0.01;
bool cheaper(const Cost& a, const Cost& b) {
  if (std::abs(a.bound_ns - b.bound_ns) > kTie * std::max(a.bound_ns, b.bound_ns))
    return a.bound_ns < b.bound_ns;
  return a.load_ns < b.load_ns;
}

// Tensors placed as the step would place them, in memory of their own (only where each shard
// lives matters to a bound), made once per name and policy.
class Planner {
 public:
  Planner(const platform::Topology& topology, const MachineShape& sip)
      : topology_(topology), sip_(sip), routes_(std::make_shared<RouteCache>(topology)) {}

  const Tensor& tensor(const std::string& name, std::int64_t rows, std::int64_t cols, DType dtype,
                       const DPPolicy& dp) {
    const std::string key = name + " " + dp.to_string();
    auto it = tensors_.find(key);
    if (it != tensors_.end()) return it->second;
    // Scratch memory: the state keeps where its shards are, which is all a bound reads.
    DeviceMemory memory(topology_, sip_);
    Tensor t(memory.place(name, {rows, cols}, dtype, dp, std::nullopt));
    return tensors_.emplace(key, std::move(t)).first->second;
  }

  // The cost of what `describe` moves and computes.
  template <class Describe>
  Cost cost(Describe&& describe) const {
    Traffic traffic(topology_, routes_);
    describe(traffic);
    const Bound bound = traffic.bound();
    Cost c{bound.time_ns(), 0};
    for (const BoundTerm& t : bound.terms()) c.load_ns += t.ns;
    return c;
  }

 private:
  const platform::Topology& topology_;
  MachineShape sip_;
  std::shared_ptr<RouteCache> routes_;  // every candidate's flows cross the same routes
  std::map<std::string, Tensor> tensors_;
};

// One layer's projections on one SIP and what the search weighs of each candidate.
class LayerSearch {
 public:
  LayerSearch(const ModelConfig& model, const StepShape& shape, const platform::Topology& topology)
      : model_(model),
        shape_(shape),
        dims_(model, shape),
        sip_(MachineShape::of(topology).only_sip(0)),
        sram_bytes_(topology.sram_bytes_per_cube()),
        planner_(topology, sip_),
        fold_norm_(folds_norm(model, shape)) {}

  std::vector<ProjectionSplit> splits() const {
    switch (shape_.mapping) {
      case MappingMode::columns: return {ProjectionSplit::columns};
      case MappingMode::grid: return {ProjectionSplit::grid};
      case MappingMode::automatic: break;
    }
    return {ProjectionSplit::columns, ProjectionSplit::grid};
  }
  // The homes an input of `cols` columns may have; `whole`: may it be copied whole into each
  // cube (attention writes its output from every cube: a copy per cube would miss the others'
  // rows).
  std::vector<InputHome> homes(std::int64_t cols, bool whole) const {
    std::vector<InputHome> out;
    for (InputHome h : {InputHome::sram_whole, InputHome::sram_rows, InputHome::hbm}) {
      if (h == InputHome::sram_whole && !whole) continue;
      if (input_fits(h, tokens(), cols, model_.dtype, sip_, sram_bytes_)) out.push_back(h);
    }
    return out;
  }
  std::vector<InputHome> xn_homes() const {
    // A folded norm reads the hidden state where it is.
    return fold_norm_ ? std::vector<InputHome>{InputHome::hbm} : homes(dims_.hidden, true);
  }

  // q, k and v from xn at `home`, split `s`: xn written there by the norm, the products, and
  // their outputs read by rows (RoPE, the cache append, attention).
  Cost qkv(ProjectionSplit s, InputHome home) {
    Cost c = fold_norm_ ? Cost{} : write("xn", dims_.hidden, home);
    for (const auto& [out, n] : {std::pair<const char*, std::int64_t>{"q", q_cols()},
                                 {"k", kv_cols()},
                                 {"v", kv_cols()}}) {
      c += product(out, input("xn", dims_.hidden, home), dims_.hidden, n, s) +
           read_by_rows(out, n, s);
    }
    return c;
  }
  // up (and gate) from xn at `home`, split `s`: xn written there again by the MLP's norm.
  Cost mlp_in(ProjectionSplit s, InputHome home) {
    const Tensor& xn = input("xn", dims_.hidden, home);
    Cost c = fold_norm_ ? Cost{} : write("xn", dims_.hidden, home);
    c += product("up", xn, dims_.hidden, dims_.intermediate, s);
    if (model_.gated()) c += product("gate", xn, dims_.hidden, dims_.intermediate, s);
    return c;
  }
  // o from attn at `home`, split `s`: attn written there, the product, the sums read by rows.
  Cost o(ProjectionSplit s, InputHome home) {
    return write("attn", q_cols(), home) +
           product("partial", input("attn", q_cols(), home), q_cols(), dims_.hidden, s) +
           read_by_rows("partial", dims_.hidden, s);
  }
  // down from act at `home` (hbm: placed as up, split `up`), split `s`: the activation reads
  // up (and gate) and writes act, the product, the sums read by rows.
  Cost down(ProjectionSplit s, InputHome home, ProjectionSplit up) {
    const std::int64_t I = dims_.intermediate;
    const Tensor& act = activation(home, up);
    const Tensor& up_out = output("up", I, up);
    const Cost activate = planner_.cost([&](Traffic& t) {
      copy_blocks(t, up_out, act);
      if (model_.gated()) read_blocks(t, output("gate", I, up), act);
    });
    return activate + product("partial", act, I, dims_.hidden, s) +
           read_by_rows("partial", dims_.hidden, s);
  }

  std::int64_t intermediate() const { return dims_.intermediate; }
  std::int64_t q_cols() const { return dims_.heads * dims_.head_dim; }

 private:
  std::int64_t tokens() const { return shape_.tokens(); }
  std::int64_t kv_cols() const { return dims_.kv_heads * dims_.head_dim; }

  const Tensor& input(const std::string& name, std::int64_t cols, InputHome home) {
    return planner_.tensor(name, tokens(), cols, model_.dtype,
                           projection_input_policy(home, tokens(), sip_));
  }
  const Tensor& output(const std::string& name, std::int64_t cols, ProjectionSplit s) {
    return planner_.tensor(name, tokens(), cols, model_.dtype,
                           projection_output_policy(s, tokens(), cols, sip_));
  }
  const Tensor& by_rows(const std::string& name, std::int64_t cols) {
    return planner_.tensor(name, tokens(), cols, model_.dtype,
                           spread_over_sip(Rows, tokens(), sip_));
  }
  const Tensor& activation(InputHome home, ProjectionSplit up) {
    const std::int64_t I = dims_.intermediate;
    return home == InputHome::hbm ? output("act", I, up) : input("act", I, home);
  }
  // A producer working by rows writes `name` at `home`.
  Cost write(const std::string& name, std::int64_t cols, InputHome home) {
    const Tensor& to = input(name, cols, home);
    const Tensor& from = by_rows(name + ".rows", cols);
    return planner_.cost([&](Traffic& t) { copy_blocks(t, from, to); });
  }
  Cost read_by_rows(const std::string& name, std::int64_t cols, ProjectionSplit s) {
    const Tensor& from = output(name, cols, s);
    const Tensor& to = by_rows(name + ".rows", cols);
    return planner_.cost([&](Traffic& t) { read_blocks(t, from, to); });
  }
  // The product of `a` (k columns) and a k x n weight placed for split `s` into `out`: a
  // quantised weight's codes and scales as the step places them.
  Cost product(const std::string& out, const Tensor& a, std::int64_t k, std::int64_t n,
               ProjectionSplit s) {
    const int bits = model_.weight_bits;
    const std::int64_t rows = bits != 0 ? code_rows(k, bits) : k;
    const Tensor& w =
        planner_.tensor("w_" + out, rows, n, bits != 0 ? code_dtype(bits) : model_.dtype,
                        projection_output_policy(s, rows, n, sip_));
    const std::int64_t groups = k / model_.quant_group_size;
    const Tensor* scales = bits != 0
                               ? &planner_.tensor("s_" + out, groups, n, model_.dtype,
                                                  projection_output_policy(s, groups, n, sip_))
                               : nullptr;
    const Tensor* bias = model_.bias ? &planner_.tensor("b_" + out, 1, n, model_.dtype,
                                                        spread_over_sip(Cols, n, sip_))
                                     : nullptr;
    const Tensor& c = output(out, n, s);
    return planner_.cost(
        [&](Traffic& t) { product_traffic(t, a, w, c, bias, nullptr, fold_norm_, scales); });
  }

  const ModelConfig& model_;
  const StepShape& shape_;
  LayerDims dims_;
  MachineShape sip_;
  std::uint64_t sram_bytes_;
  Planner planner_;
  bool fold_norm_;
};

template <class Key, class Fn>
Cost cached(std::map<Key, Cost>& cache, const Key& key, Fn&& fn) {
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, fn()).first;
  return it->second;
}

}  // namespace

ProjectionMap map_projections(const ModelConfig& model, const StepShape& shape,
                              const platform::Topology& topology) {
  const StepShape micro = shape.microbatch();  // what each stage runs at a time
  LayerSearch search(model, micro, topology);
  using SH = std::pair<ProjectionSplit, InputHome>;
  std::map<SH, Cost> qkv, mlp_in, o;
  std::map<std::tuple<ProjectionSplit, InputHome, ProjectionSplit>, Cost> down;
  const std::vector<ProjectionSplit> splits = search.splits();
  const std::vector<InputHome> xn_homes = search.xn_homes();
  const std::vector<InputHome> attn_homes = search.homes(search.q_cols(), false);
  const std::vector<InputHome> act_homes = search.homes(search.intermediate(), true);

  // Every combination, its classes' parts each computed once: the layer's cost is their sum
  // (the nodes run one after another).
  ProjectionMap best;
  std::optional<Cost> best_cost;
  for (InputHome xn : xn_homes) {
    for (ProjectionSplit s_qkv : splits) {
      const Cost c_qkv = cached(qkv, SH{s_qkv, xn}, [&] { return search.qkv(s_qkv, xn); });
      for (ProjectionSplit s_up : splits) {
        const Cost c_up = cached(mlp_in, SH{s_up, xn}, [&] { return search.mlp_in(s_up, xn); });
        for (ProjectionSplit s_out : splits) {
          for (InputHome attn : attn_homes) {
            const Cost c_o = cached(o, SH{s_out, attn}, [&] { return search.o(s_out, attn); });
            for (InputHome act : act_homes) {
              const Cost c_down = cached(down, std::make_tuple(s_out, act, s_up),
                                         [&] { return search.down(s_out, act, s_up); });
              const Cost c = c_qkv + c_up + c_o + c_down;
              if (!best_cost || cheaper(c, *best_cost)) {
                best_cost = c;
                best = {xn, attn, act, s_qkv, s_up, s_out, {}};
              }
            }
          }
        }
      }
    }
  }
  // The report: each class's candidates at their own part of the layer's bound (the choice
  // minimises the sum, so a class's pick may cost it more where it saves another more).
  auto report = [&](const char* op_class, ProjectionSplit split, InputHome home,
                    const std::map<SH, Cost>& table) {
    OpClassMapping m{op_class, {split, home, table.at(SH{split, home}).bound_ns}, {}};
    for (const auto& [key, c] : table) m.considered.push_back({key.first, key.second, c.bound_ns});
    best.classes.push_back(std::move(m));
  };
  std::map<SH, Cost> down_here;  // down's candidates after the chosen up
  for (const auto& [key, c] : down) {
    if (std::get<2>(key) == best.mlp_in) down_here[{std::get<0>(key), std::get<1>(key)}] = c;
  }
  report("qkv_proj", best.qkv, best.xn, qkv);
  report("o_proj", best.out, best.attn, o);
  report("mlp_in_proj", best.mlp_in, best.xn, mlp_in);
  report("down_proj", best.out, best.act, down_here);
  return best;
}

}  // namespace kb::runtime
