// The projection mapper: its choice is the cheapest combination of the candidates it reports,
// it weighs only homes that fit, a forced split is kept, and the step places what it chose.
#include "platform/topology/loader.h"
#include "runtime/workload/projection_mapper.h"
#include "runtime/workload/transformer_step.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace kb::runtime;

namespace {

StepShape step(Phase phase, std::int64_t batch, std::int64_t seq) {
  StepShape s;
  s.phase = phase;
  s.batch = batch;
  s.seq = seq;
  s.layers = 1;
  return s;
}

const OpClassMapping& op_class(const ProjectionMap& map, const std::string& name) {
  const auto it = std::find_if(map.classes.begin(), map.classes.end(),
                               [&](const OpClassMapping& c) { return c.op_class == name; });
  BOOST_REQUIRE(it != map.classes.end());
  return *it;
}

double bound_of(const OpClassMapping& c, ProjectionSplit split, InputHome home) {
  for (const MappingCandidate& k : c.considered) {
    if (k.split == split && k.input == home) return k.bound_ns;
  }
  BOOST_FAIL("no candidate " << to_string(split) << "/" << to_string(home) << " in " << c.op_class);
  return 0;
}

}  // namespace

// The four classes' parts add up to the layer's bound: the choice's sum is within the tie
// margin of every other combination the report lists (each class's alternatives, the others
// held), and each class's chosen entry is one of its candidates.
BOOST_AUTO_TEST_CASE(the_choice_is_no_dearer_than_any_single_change) {
  const auto topology = kb::platform::load_default_topology();
  const ModelConfig model = load_model("llama2-7b");
  for (const StepShape& shape : {step(Phase::decode, 8, 2048), step(Phase::prefill, 1, 512),
                                 step(Phase::prefill, 4, 1024)}) {
    const ProjectionMap map = map_projections(model, shape, topology);
    BOOST_REQUIRE(map.classes.size() == 4U);
    double chosen = 0;
    for (const OpClassMapping& c : map.classes) {
      BOOST_TEST(c.chosen.bound_ns == bound_of(c, c.chosen.split, c.chosen.input));
      chosen += c.chosen.bound_ns;
    }
    // o and down share the partial sums' split; q, k, v, up and gate share xn's home.
    for (const OpClassMapping& c : map.classes) {
      for (const MappingCandidate& k : c.considered) {
        const bool couples =
            c.op_class == "o_proj" || c.op_class == "down_proj"       ? k.split != c.chosen.split
            : c.op_class == "qkv_proj" || c.op_class == "mlp_in_proj" ? k.input != c.chosen.input
                                                                      : false;
        if (couples) continue;  // it would change another class too
        const double other = chosen - c.chosen.bound_ns + k.bound_ns;
        BOOST_TEST(chosen <= other * 1.01, c.op_class << " " << to_string(k.split) << "/"
                                                      << to_string(k.input) << " at "
                                                      << shape.tokens() << " tokens");
      }
    }
  }
}

// Few tokens: every PE reading all of them is cheaper than every cube reading the weights;
// many: the reverse. The mapper finds both from the bounds.
BOOST_AUTO_TEST_CASE(decode_splits_by_columns_and_long_prefill_by_the_grid) {
  const auto topology = kb::platform::load_default_topology();
  const ModelConfig model = load_model("llama2-7b");
  const ProjectionMap decode = map_projections(model, step(Phase::decode, 8, 2048), topology);
  const ProjectionMap prefill = map_projections(model, step(Phase::prefill, 1, 2048), topology);
  for (const char* c : {"qkv_proj", "o_proj", "down_proj"}) {
    BOOST_TEST(op_class(decode, c).chosen.split == ProjectionSplit::columns, c);
    BOOST_TEST(op_class(prefill, c).chosen.split == ProjectionSplit::grid, c);
    // The alternative's bound is what made the difference.
    BOOST_TEST(bound_of(op_class(decode, c), ProjectionSplit::grid,
                        op_class(decode, c).chosen.input) > op_class(decode, c).chosen.bound_ns);
  }
}

// A home in SRAM is weighed only where a quarter of the SRAM holds it: with 1 MiB of SRAM
// per cube, nothing of a 2,048-token prefill goes there.
BOOST_AUTO_TEST_CASE(only_homes_that_fit_are_weighed) {
  const auto small = kb::platform::load_default_topology({"cube.memory_map.sram_mb=1"});
  const ModelConfig model = load_model("llama2-7b");
  const ProjectionMap map = map_projections(model, step(Phase::prefill, 1, 2048), small);
  for (const OpClassMapping& c : map.classes) {
    for (const MappingCandidate& k : c.considered) BOOST_TEST(k.input == InputHome::hbm);
  }
  const auto roomy = kb::platform::load_default_topology();
  const ProjectionMap decode = map_projections(model, step(Phase::decode, 8, 2048), roomy);
  bool sram = false;
  for (const MappingCandidate& k : op_class(decode, "qkv_proj").considered)
    sram = sram || k.input != InputHome::hbm;
  BOOST_TEST(sram);
}

// mapping=columns or grid keeps every class to that split; the step places the tensors as
// the map says.
BOOST_AUTO_TEST_CASE(a_forced_split_is_kept_and_placed) {
  const auto topology = kb::platform::load_default_topology();
  const ModelConfig model = load_model("llama2-7b");
  const MachineShape sip = MachineShape::of(topology).only_sip(0);
  for (MappingMode mode : {MappingMode::columns, MappingMode::grid}) {
    StepShape shape = step(Phase::prefill, 1, 256);
    shape.mapping = mode;
    const ProjectionMap map = map_projections(model, shape, topology);
    const ProjectionSplit want =
        mode == MappingMode::columns ? ProjectionSplit::columns : ProjectionSplit::grid;
    for (const OpClassMapping& c : map.classes) {
      BOOST_TEST(c.chosen.split == want, c.op_class);
      for (const MappingCandidate& k : c.considered) BOOST_TEST(k.split == want, c.op_class);
    }
    for (const StepTensor& t :
         step_tensors(model, shape, sip, map, StagePart{0, shape.layers, true, false}, {})) {
      if (t.name == "L0.wq" || t.name == "L0.w_down") {
        BOOST_TEST(t.policy.to_string() ==
                   projection_output_policy(want, t.shape[0], t.shape[1], sip).to_string());
      }
      if (t.name == "xn") {
        BOOST_TEST(t.policy.to_string() ==
                   projection_input_policy(map.xn, shape.tokens(), sip).to_string());
      }
    }
  }
}

// The choice follows the machine, not the default one: slices a tenth as fast move the
// normalised input of a batch-32 decode from HBM into the SRAM, and an SRAM a sixteenth as
// fast moves a batch-8 decode's out of it.
BOOST_AUTO_TEST_CASE(the_choice_follows_the_machine) {
  const ModelConfig model = load_model("llama2-7b");
  auto xn_home = [&](const StepShape& shape, const kb::platform::Overrides& set) {
    return op_class(map_projections(model, shape, kb::platform::load_default_topology(set)),
                    "qkv_proj")
        .chosen.input;
  };
  const StepShape b32 = step(Phase::decode, 32, 128), b8 = step(Phase::decode, 8, 2048);
  BOOST_TEST(xn_home(b32, {}) == InputHome::hbm);
  BOOST_TEST(xn_home(b32, {"cube.hbm_slice.bw_gbps=15"}) != InputHome::hbm);
  BOOST_TEST(xn_home(b8, {}) != InputHome::hbm);
  BOOST_TEST(xn_home(b8, {"cube.sram.bw_gbps=16"}) == InputHome::hbm);
}
