#pragma once
// What a trace's compute nodes are, from their op names and recorded shapes
// (docs/workload-traces.md): their op class, and for matrix products, elementwise ops and
// normalisations an estimate of their time on a group of PEs of this machine.

#include "platform/topology/topology.h"
#include "runtime/trace/chakra_trace.h"
#include "runtime/workload/graph.h"

#include <optional>
#include <string>
#include <vector>

namespace kb::chakra {

// The node's `op_class` attribute when it names one, else by its op: gemm (mm, matmul,
// addmm, bmm, baddbmm, linear), norm (layer_norm, softmax, ...), elementwise, other.
runtime::OpClass op_class_of(const Node& n);

// The tensor shapes of a recorded IOInfo.shapes: "[[64, 128], [128], [], 'x']" -> two
// (flat lists of integers; nested lists and other arguments are not tensors).
std::vector<std::vector<std::int64_t>> tensor_shapes(const std::string& text);

// A GEMM: the larger of its FLOPs over the PEs' peak in its input dtype and its operands'
// bytes over the bandwidth reaching them; an elementwise op or normalisation: its bytes
// over that bandwidth. Nothing when the op is none of these or its shapes do not say.
std::optional<double> estimate_ns(const Node& node, const platform::Topology& t, std::int64_t pes);

}  // namespace kb::chakra
