#include "runtime/workload/step_shape.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

namespace kb::runtime {

const char* to_string(Phase phase) { return phase == Phase::prefill ? "prefill" : "decode"; }

std::string step_shape_problem(const ModelConfig& m, const StepShape& s, std::int64_t sips) {
  if (s.tp < 1 || s.tp > sips) {
    return fmt::format("tp={}: the topology has {} SIP(s)", s.tp, sips);
  }
  for (const auto& [what, count] :
       {std::pair<const char*, std::int64_t>{"num_attention_heads", m.num_attention_heads},
        {"num_key_value_heads", m.num_key_value_heads},
        {"intermediate_size", m.intermediate_size}}) {
    if (count % s.tp != 0) {
      std::vector<std::int64_t> valid;
      for (std::int64_t tp = 1; tp <= sips; ++tp) {
        if (m.num_attention_heads % tp == 0 && m.num_key_value_heads % tp == 0 &&
            m.intermediate_size % tp == 0)
          valid.push_back(tp);
      }
      return fmt::format("tp={} does not divide {} = {} of model {} (tp here: {})", s.tp, what,
                         count, m.name, fmt::join(valid, ", "));
    }
  }
  if (s.layers < 1 || s.layers > m.num_hidden_layers) {
    return fmt::format("layers={}: model {} has {} (0 runs them all)", s.layers, m.name,
                       m.num_hidden_layers);
  }
  return "";
}

StepWork step_work(const ModelConfig& m, const StepShape& s) {
  const double tokens = static_cast<double>(s.tokens());
  const double d = static_cast<double>(m.head_dim());
  const double item = static_cast<double>(itemsize(m.dtype));
  // Query i of a sequence sees position0 + i + 1 keys: summed over the step's queries.
  const double q = static_cast<double>(s.seq_q());
  const double pairs =
      static_cast<double>(s.batch) * (q * static_cast<double>(s.position0()) + q * (q + 1) / 2);
  StepWork w;
  const double layer_weights = static_cast<double>(m.layer_parameters());
  const double layers = static_cast<double>(s.layers);
  w.flops = layers * (2 * tokens * layer_weights +
                      2 * 2 * pairs * d * static_cast<double>(m.num_attention_heads));
  w.weight_bytes = layers * layer_weights * item;
  w.kv_bytes = layers * 2 * static_cast<double>(s.batch) * static_cast<double>(s.keys()) *
               static_cast<double>(m.num_key_value_heads) * d * item;
  return w;
}

}  // namespace kb::runtime
