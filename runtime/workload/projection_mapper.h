#pragma once
// The projection mapper (docs/workloads.md, "The mapper"): where a decoder layer's
// projections run inside a SIP and where their inputs live, chosen as a small search over
// candidate placements by their bound (runtime/bound/traffic.h), the way the runtime will
// place them (step_tensors in runtime/workload/transformer_step.h).
//
// A projection's split: `columns` (its output's columns over every PE of the SIP: each PE
// reads all of the input and its columns of the weight) or `grid` (rows over the cubes,
// columns over each cube's PEs: a PE reads its cube's rows of the input and the cube's
// columns of the weight). An input's home: a copy of it all in each cube's SRAM
// (`sram_whole`), each cube's rows in its SRAM (`sram_rows`), or HBM (`hbm`: rows over
// the PEs, or for the activation, placed as the up projection that it follows block by
// block). The cube's 8 PEs share one SRAM port, the PEs one router port each: the bound
// weighs both, and what the producer pays to write the input where it is put.

#include "platform/topology/topology.h"
#include "runtime/tensor/dp_policy.h"
#include "runtime/workload/step_shape.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace kb::runtime {

enum class ProjectionSplit { columns, grid };
const char* to_string(ProjectionSplit split);
std::ostream& operator<<(std::ostream& out, ProjectionSplit split);

enum class InputHome { sram_whole, sram_rows, hbm };
const char* to_string(InputHome home);
std::ostream& operator<<(std::ostream& out, InputHome home);

// One candidate of an op class and its bound: the projection nodes' bound, the producer's
// writing of the input in its home, and the consumers' reading of the outputs.
struct MappingCandidate {
  ProjectionSplit split = ProjectionSplit::grid;
  InputHome input = InputHome::hbm;
  double bound_ns = 0;
};

// The choice for one class of projections that read one input: q, k, v; up and gate; o;
// down. `considered`: every candidate the search weighed, in order, the chosen included.
struct OpClassMapping {
  std::string op_class;  // "qkv_proj", "mlp_in_proj", "o_proj", "down_proj"
  MappingCandidate chosen;
  std::vector<MappingCandidate> considered;
};

struct ProjectionMap {
  InputHome xn = InputHome::hbm;  // the normalised input of q, k, v, up and gate
  InputHome attn = InputHome::hbm;
  InputHome act = InputHome::hbm;
  ProjectionSplit qkv = ProjectionSplit::grid;
  ProjectionSplit mlp_in = ProjectionSplit::grid;  // up and gate
  ProjectionSplit out = ProjectionSplit::grid;     // o and down: both write the partial sums
  std::vector<OpClassMapping> classes;             // for the report
};

// How the step places a projection's output (or weight) of `rows` x `cols` under a split,
// and its input of `rows` rows in a home.
DPPolicy projection_output_policy(ProjectionSplit split, std::int64_t rows, std::int64_t cols,
                                  const MachineShape& sip);
DPPolicy projection_input_policy(InputHome home, std::int64_t rows, const MachineShape& sip);
// Whether a quarter of a cube's SRAM holds what `home` puts in it (the rest is left to the
// kernels' other tensors).
bool input_fits(InputHome home, std::int64_t rows, std::int64_t cols, DType dtype,
                const MachineShape& sip, std::uint64_t sram_bytes);

// Searches the candidates for one SIP of the step, one microbatch's (every SIP and every
// microbatch places alike).
ProjectionMap map_projections(const ModelConfig& model, const StepShape& shape,
                              const platform::Topology& topology);

}  // namespace kb::runtime
