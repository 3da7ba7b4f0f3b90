// A decoder layer's MLP, dense or a mixture of experts (docs/workloads.md), and the
// collectives the layer runs.
#include "runtime/bound/peaks.h"
#include "runtime/bound/tensor_traffic.h"
#include "runtime/ccl/algorithm.h"
#include "runtime/ccl/collective_fabric.h"
#include "runtime/workload/transformer_step.h"
#include "runtime/workload/transformer_step_parts.h"

#include <numeric>

namespace kb::runtime {

std::string TransformerStep::lower_mlp(const Sip& sip, const LayerOps& ops,
                                       const std::string& op_prefix, const std::string& prefix,
                                       const std::vector<std::string>& after, const Tensor& input,
                                       const Tensor& out, bool rms, const Tensor* addend) {
  const Tensor& up = sip[prefix + "up"];
  const Tensor& act = sip[prefix + "act"];
  const std::string up_op = op_prefix + "up_proj", gate_op = op_prefix + "gate_proj";
  std::vector<std::string> ready = {up_op};
  if (model_.gated() && shape_.fuses_mlp()) {
    ready = {op_prefix + "gate_up_proj"};
    ops.project(ready.front(), after, input,
                {{prefix + "w_gate", &sip[prefix + "gate"]}, {prefix + "w_up", &up}}, rms, nullptr);
  } else {
    ops.project(up_op, after, input, {{prefix + "w_up", &up}}, rms, nullptr);
    if (model_.gated()) {
      ops.project(gate_op, after, input, {{prefix + "w_gate", &sip[prefix + "gate"]}}, rms,
                  nullptr);
      ready.push_back(gate_op);
    }
  }
  const std::string act_op = op_prefix + "act";
  const KernelOp activation = model_.gated() ? KernelOp{"silu_mul", {sip[prefix + "gate"], up, act}}
                                             : KernelOp{"gelu", {up, act}};
  ops.add(
      act_op, OpClass::elementwise, ready, activation,
      [&](Traffic& t, Bound&) {
        if (model_.gated()) own_shards(t, sip[prefix + "gate"], Direction::read);
        own_shards(t, up, Direction::read);
        own_shards(t, act, Direction::write);
        compute_share(t, kernel_work(activation.kernel, activation.args), act);
      },
      0, 0, "");
  const std::string down_op = op_prefix + "down_proj";
  ops.project(down_op, {act_op}, act, {{prefix + "w_down", &out}}, false, addend);
  return down_op;
}

CollectiveOp TransformerStep::collective(Collective kind, const Tensor& in,
                                         std::optional<Tensor> out,
                                         std::vector<std::uint32_t> members) const {
  CollectiveOp op{kind, in, groups_, std::move(out)};
  // A subgroup names its algorithm: the groups' own installed every pair's queues.
  if (!members.empty()) {
    op.algorithm = ccl_.algorithm_for(kind, in.shards().front().nbytes);
    if (!ccl_algorithm(op.algorithm).supports(kind)) op.algorithm = "pairwise";
    op.members = std::move(members);
  }
  return op;
}

Bound TransformerStep::collective_bound(const CollectiveOp& op,
                                        const platform::Topology& topology) const {
  const double block = static_cast<double>(op.tensor.shards().front().nbytes);
  const std::string algorithm = op.algorithm.empty()
                                    ? ccl_.algorithm_for(op.kind, static_cast<std::uint64_t>(block))
                                    : op.algorithm;
  IpcqPlan plan = groups_->plans().front();
  if (!op.members.empty()) {
    plan = subgroup(plan, op.members);
    for (std::uint32_t r = 0; r < plan.world_size; ++r)
      plan.neighbours[r] = ccl_algorithm(algorithm).neighbours(r, plan);
  }
  Bound b;
  b.add("alpha_beta",
        ccl_algorithm(algorithm).bound_ns(op.kind, block, collective_fabric(topology, plan)));
  b.add("inter_sip_egress",
        inter_sip_egress_ns(topology, op.kind, static_cast<double>(op.tensor.placement().nbytes()),
                            static_cast<double>(plan.world_size)));
  return b;
}

std::string TransformerStep::lower_experts(std::int64_t l, Sip& sip, const LayerOps& ops,
                                           const std::vector<std::string>& after) {
  const platform::Topology& topology = sip.ctx->topology();
  const std::int64_t per_token = routing_.per_token, local = routing_.local();
  const std::vector<std::int32_t>& choices = routing_.of(l, replica(sip.ep_rank, sip.microbatch));
  // Bounds that follow the routing: this layer's and microbatch's own.
  const std::string routed = fmt::format("{}.L{}", sip.label, l);
  const Tensor& xn = sip["xn"];
  const Tensor& gates = sip["gates"];
  const Tensor& partial = sip["partial"];

  ops.project("router", after, xn, {{"w_router", &sip["router"]}}, false, nullptr);
  std::vector<LaunchArg> gate_args = {sip["router"], gates, model_.norm_topk_prob ? 1 : 0};
  for (std::int32_t e : choices) gate_args.emplace_back(static_cast<std::int64_t>(e));
  const KernelOp gate{"expert_gates", std::move(gate_args)};
  ops.add(
      "gates", OpClass::other, {"router"}, gate,
      [&](Traffic& t, Bound&) {
        read_overlap(t, sip["router"], gates, true, false);
        own_shards(t, gates, Direction::write);
        compute_share(t, kernel_work(gate.kernel, gate.args), gates);
      },
      0, 0, "");
  std::vector<std::string> combined = {"gates"};
  const bool shared = dims_.shared_intermediate > 0;
  if (shared) {
    combined.push_back(lower_mlp(sip, ops, "shared_", "s.", after, xn, partial, false, nullptr));
  }

  // Where each (token, choice) goes: expert x on rank x / J in its slot x % J, the next free
  // row of this rank's block there.
  const ExpertBuffers& b = buffers_;
  std::vector<std::vector<std::int64_t>> dispatched(static_cast<std::size_t>(local),
                                                    std::vector<std::int64_t>(b.rows(), -1));
  std::vector<std::int64_t> next(static_cast<std::size_t>(routing_.experts), 0);
  std::vector<std::pair<std::int64_t, std::int64_t>> placed(choices.size());  // (slot, row)
  for (std::size_t c = 0; c < choices.size(); ++c) {
    const std::int64_t x = choices[c], slot = x % local;
    const std::int64_t row = b.row(x / local, next[static_cast<std::size_t>(x)]++);
    dispatched[static_cast<std::size_t>(slot)][static_cast<std::size_t>(row)] =
        static_cast<std::int64_t>(c) / per_token;
    placed[c] = {slot, row};
  }
  // The expert-parallel ranks of this SIP's stage and tensor-parallel rank (every rank of
  // the groups when they are all).
  std::vector<std::uint32_t> members;
  for (std::int64_t e = 0; e < shape_.ep && (shape_.pp > 1 || shape_.tp > 1); ++e)
    members.push_back(
        static_cast<std::uint32_t>(sip.stage * shape_.width() + e * shape_.tp + sip.rank));
  auto exchange = [&](const std::string& op, const std::string& ready, const Tensor& in,
                      const Tensor& out) {
    const CollectiveOp a2a = collective(Collective::all_to_all, in, out, members);
    ops.add(
        op, OpClass::communication, {ready}, a2a,
        [&](Traffic&, Bound& bound) { bound.add(collective_bound(a2a, topology)); }, 0, 0, "");
  };
  auto gather = [&](const std::string& op, std::vector<std::string> ready, const Tensor& from,
                    const Tensor& into, const std::vector<std::int64_t>& rows) {
    std::vector<LaunchArg> args = {from, into};
    args.insert(args.end(), rows.begin(), rows.end());
    ops.add(
        op, OpClass::copy, std::move(ready), KernelOp{"gather_rows", std::move(args)},
        [&](Traffic& t, Bound&) { gather_rows(t, from, into, rows); }, 0, 0, routed);
  };
  // The products back into the all-to-all's layout, row for row (with other ranks).
  std::vector<std::int64_t> same(static_cast<std::size_t>(shape_.ep > 1 ? b.rows() : 0));
  std::iota(same.begin(), same.end(), 0);
  std::vector<const Tensor*> outputs;
  for (std::int64_t i = 0; i < local; ++i) {
    const std::string e = fmt::format("e{}", i), tensors = e + ".";
    const auto& rows = dispatched[static_cast<std::size_t>(i)];
    gather(e + "_dispatch", after, xn, sip[tensors + "send"], rows);
    std::string ready = e + "_dispatch";
    const Tensor* input = &sip[tensors + "send"];
    if (shape_.ep > 1) {
      exchange(e + "_all_to_all", ready, *input, sip[tensors + "recv"]);
      ready = e + "_all_to_all";
      input = &sip[tensors + "recv"];
    }
    ready = lower_mlp(sip, ops, e + "_", tensors, {ready}, *input, sip[tensors + "down"], false,
                      nullptr);
    const Tensor* output = &sip[tensors + "down"];
    if (shape_.ep > 1) {
      // Back into the all-to-all's layout (the products spread by columns), then home.
      gather(e + "_pack", {ready}, *output, sip[tensors + "back"], same);
      exchange(e + "_return", e + "_pack", sip[tensors + "back"], sip[tensors + "ret"]);
      ready = e + "_return";
      output = &sip[tensors + "ret"];
    }
    combined.push_back(ready);
    outputs.push_back(output);
  }

  std::vector<LaunchArg> args = {partial, gates, shared ? 1 : 0, local};
  for (const Tensor* output : outputs) args.emplace_back(*output);
  for (const auto& [slot, row] : placed) args.insert(args.end(), {slot, row});
  const KernelOp combine{"expert_combine", std::move(args)};
  ops.add(
      "combine", OpClass::other, combined, combine,
      [&](Traffic& t, Bound&) {
        // Each token's rows, from whichever slot's outputs hold them.
        for (std::int64_t i = 0; i < local; ++i) {
          for (std::int64_t k = 0; k < per_token; ++k) {
            std::vector<std::int64_t> rows(static_cast<std::size_t>(micro_.tokens()), -1);
            for (std::size_t c = static_cast<std::size_t>(k); c < placed.size();
                 c += static_cast<std::size_t>(per_token)) {
              if (placed[c].first == i)
                rows[c / static_cast<std::size_t>(per_token)] = placed[c].second;
            }
            read_rows(t, *outputs[static_cast<std::size_t>(i)], partial, rows);
          }
        }
        read_overlap(t, gates, partial, true, false);
        if (shared) own_shards(t, partial, Direction::read);
        own_shards(t, partial, Direction::write);
        compute_share(t, kernel_work(combine.kernel, combine.args), partial);
      },
      0, 0, routed);
  return "combine";
}

}  // namespace kb::runtime
