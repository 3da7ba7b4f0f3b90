#define BOOST_TEST_MODULE topology
#include "platform/topology/loader.h"
#include "platform/topology/schema.h"
#include "platform/topology/topology_report.h"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kp = kb::platform;

namespace {

std::string source_dir() {
  const char* dir = std::getenv("KB_SOURCE_DIR");
  BOOST_REQUIRE_MESSAGE(dir != nullptr, "KB_SOURCE_DIR must point at the source tree");
  return dir;
}

std::string config(const std::string& name) { return source_dir() + "/configs/" + name; }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The error message of loading `yaml` (with `overrides`), or "" when it loads.
std::string error_of(const std::string& yaml, const kp::Overrides& overrides = {}) {
  try {
    kp::load_topology_text(yaml, "t.yaml", overrides);
  } catch (const kp::ConfigError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void check_same_values(const kp::Topology& a, const kp::Topology& b) {
  for (const auto& f : kp::topology_schema()) {
    BOOST_TEST(f.value_text(a) == f.value_text(b), f.path);
  }
}

// The seed's _world_size_from_spec, on the YAML tree of a complete file.
std::int64_t seed_world_size(const kp::Topology& t) {
  const std::int64_t sips = t.system.sips.count;
  const std::int64_t cubes_per_sip = t.sip.cube_mesh.w * t.sip.cube_mesh.h;
  const auto corners = static_cast<std::int64_t>(t.cube.pe_layout.corners.size());
  const std::int64_t pes_per_cube =
      t.cube.pe_layout.pe_per_corner * std::max<std::int64_t>(corners, 1);
  return sips * cubes_per_sip * pes_per_cube;
}

}  // namespace

BOOST_AUTO_TEST_CASE(default_file_states_exactly_the_built_in_defaults) {
  check_same_values(kp::load_topology_file(config("topology.yaml")), kp::Topology{});
}

BOOST_AUTO_TEST_CASE(embedded_default_is_the_default_file) {
  BOOST_TEST(std::string(kp::default_topology_yaml()) == read_file(config("topology.yaml")));
}

BOOST_AUTO_TEST_CASE(default_topology_derived_figures) {
  const kp::Topology t = kp::load_default_topology();
  BOOST_TEST(t.cubes_per_sip() == 16);
  BOOST_TEST(t.pes_per_cube() == 8);
  BOOST_TEST(t.world_size() == 128);
  BOOST_TEST(t.world_size() == seed_world_size(t));
  BOOST_TEST(t.hbm_bytes_per_cube() == 48ULL << 30);
  BOOST_TEST(t.hbm_bytes_per_slice() == 6ULL << 30);
  BOOST_TEST(t.tcm_bytes_per_pe() == 16ULL << 20);
  BOOST_TEST(t.tcm_reserved_bytes() == 4ULL << 20);
  BOOST_TEST(t.sram_bytes_per_cube() == 32ULL << 20);
  BOOST_TEST(t.page_size() == 4096u);
}

BOOST_AUTO_TEST_CASE(shipped_configs_load_with_their_sizes) {
  const kp::Topology tiny = kp::load_topology_file(config("tiny.yaml"));
  BOOST_TEST(tiny.cubes_per_sip() == 2);
  BOOST_TEST(tiny.pes_per_cube() == 2);
  BOOST_TEST(tiny.world_size() == 4);
  const kp::Topology multi = kp::load_topology_file(config("multi_sip.yaml"));
  BOOST_TEST(multi.system.sips.count == 4);
  BOOST_TEST(multi.world_size() == 512);
  BOOST_TEST(multi.world_size() == seed_world_size(multi));
}

BOOST_AUTO_TEST_CASE(overrides_use_the_same_keys_and_checks) {
  const kp::Topology t = kp::load_default_topology({"system.sips.count=8"});
  BOOST_TEST(t.world_size() == 1024);
  const kp::Topology u = kp::load_default_topology({"cube.pe_layout.corners=[NW, SE]",
                                                    "cube.memory_map.hbm_slices_per_cube=4",
                                                    "cube.router.freq_ghz=1.5"});
  BOOST_TEST(u.pes_per_cube() == 4);
  BOOST_TEST(u.cube.memory_map.hbm_slices_per_cube == 4);
  BOOST_TEST(u.cube.router.freq_ghz == 1.5);
  // The last override of a key wins, as on any command line.
  BOOST_TEST(
      kp::load_default_topology({"sip.cube_mesh.w=2", "sip.cube_mesh.w=3"}).sip.cube_mesh.w == 3);
}

BOOST_AUTO_TEST_CASE(an_empty_document_takes_every_default) {
  check_same_values(kp::load_topology_text("", "empty.yaml"), kp::Topology{});
  check_same_values(kp::load_topology_text("# nothing\n", "empty.yaml"), kp::Topology{});
}

BOOST_AUTO_TEST_CASE(network_levels_multiply_to_the_sips_and_replace_the_one_level_keys) {
  const kp::Topology two = kp::load_topology_file(config("two_level.yaml"));
  BOOST_TEST(two.system.sips.count == 128);  // 8 x 16, derived
  BOOST_TEST(two.network_levels().size() == 2u);
  const kb::models::Fabric f = two.fabric();
  BOOST_TEST(f.levels.at(1).stride == 8u);
  BOOST_TEST(f.levels.at(1).link.bw_gbps == 25.0);
  const kp::Topology three = kp::load_topology_file(config("three_level.yaml"));
  BOOST_TEST(three.system.sips.count == 1024);
  BOOST_TEST(three.level_links().at(2).bw_gbps == 2 * 25.0);  // two NICs a SIP
  BOOST_TEST(three.level_links().at(2).area_mm2 == 2 * three.network_levels()[2].link.area_mm2);
  // The old single level is one level of every SIP.
  const kp::Topology ring = kp::load_topology_file(config("multi_sip.yaml"));
  BOOST_TEST(ring.network_levels().size() == 1u);
  BOOST_TEST(ring.network_levels()[0].size == 4);
  // Overrides reach a level's keys; a list in a file is the levels in order.
  const std::string levels =
      "system:\n  inter_sip:\n    levels:\n      - {topology: ring, size: 2}\n"
      "      - {topology: switch, size: 3, link: {bw_gbps: 10}}\n";
  BOOST_TEST(error_of(levels).empty());
  const kp::Topology set = kp::load_topology_text(
      levels, "t.yaml", {"system.inter_sip.levels.1.link.bw_gbps=40", "system.sips.count=6"});
  BOOST_TEST(set.fabric().levels.at(1).link.bw_gbps == 40.0);
  BOOST_TEST(contains(error_of(levels, {"system.sips.count=8"}),
                      "system.sips.count: is 8 but the network's levels hold 2 x 3 = 6 SIPs"));
  BOOST_TEST(
      contains(error_of(levels, {"system.inter_sip.link.bw_gbps=5"}),
               "--set system.inter_sip.link.bw_gbps=5: error: system.inter_sip.link.bw_gbps: "
               "the one-level network and system.inter_sip.levels describe the same links"));
  BOOST_TEST(contains(error_of(levels, {"system.inter_sip.levels.3.size=2"}),
                      "level 3 is given without level 2"));
  BOOST_TEST(contains(error_of(levels, {"system.inter_sip.levels.2.link.bw_gbps=2"}),
                      "system.inter_sip.levels.2.size: level 2 needs its size"));
  BOOST_TEST(contains(error_of(levels, {"system.inter_sip.levels.1.size=1"}),
                      "a level of 1 SIP joins nothing"));
  BOOST_TEST(contains(error_of(levels, {"system.inter_sip.levels.1.topology=mesh"}),
                      "'mesh' is not a valid value"));
  BOOST_TEST(contains(error_of("system: {inter_sip: {levels: [{size: 2}, {size: 2}, {size: 2}, "
                               "{size: 2}, {size: 2}]}}"),
                      "system.inter_sip.levels: has 5 entries; at most 4"));
  BOOST_TEST(contains(error_of("system: {inter_sip: {levels: [ring]}}"),
                      "t.yaml:1:31: error: system.inter_sip.levels.0: expected a mapping"));
  BOOST_TEST(contains(error_of("system: {inter_sip: {levels: [{size: 32}, {size: 64}]}}"),
                      "at most 1024 fit the physical address"));
}

BOOST_AUTO_TEST_CASE(effective_yaml_reads_back_unchanged) {
  for (const char* name :
       {"topology.yaml", "tiny.yaml", "multi_sip.yaml", "two_level.yaml", "three_level.yaml"}) {
    const kp::Topology t = kp::load_topology_file(config(name));
    const kp::Topology back = kp::load_topology_text(kp::effective_yaml(t), "effective.yaml");
    check_same_values(kp::load_topology_text(kp::effective_yaml(back), "again.yaml"), back);
    BOOST_TEST(back.world_size() == t.world_size());
    BOOST_TEST(back.system.sips.cubes_per_sip.value() == t.cubes_per_sip());
  }
}

BOOST_AUTO_TEST_CASE(json_has_the_contract_keys) {
  const auto j = kp::topology_json(kp::load_topology_file(config("tiny.yaml")));
  BOOST_TEST(j.at("sips") == 1);
  BOOST_TEST(j.at("cube_mesh").at("w") == 1);
  BOOST_TEST(j.at("cube_mesh").at("h") == 2);
  BOOST_TEST(j.at("cubes_per_sip") == 2);
  BOOST_TEST(j.at("pes_per_cube") == 2);
  BOOST_TEST(j.at("world_size") == 4);
  BOOST_TEST(j.at("hbm_bytes_per_cube") == 1ULL << 30);
  BOOST_TEST(j.at("tcm_bytes_per_pe") == 16ULL << 20);
  BOOST_TEST(j.at("config").at("cube").at("pe_layout").at("corners").size() == 2u);
}

BOOST_AUTO_TEST_CASE(errors_name_file_line_column_and_key) {
  BOOST_TEST(error_of("system:\n  sips:\n    count: two\n") ==
             "t.yaml:3:5: error: system.sips.count: expected an integer, got 'two'; allowed: "
             "an integer from 1 to 1024");
  const std::string unknown = error_of("sip:\n  cube_mesh:\n    width: 3\n");
  BOOST_TEST(contains(unknown, "t.yaml:3:5: error: sip.cube_mesh.width: unknown key"), unknown);
  BOOST_TEST(contains(unknown, "the keys under sip.cube_mesh are: w, h"), unknown);
  BOOST_TEST(contains(error_of("system:\n  sip:\n    count: 2\n"), "did you mean 'system.sips'?"));
  BOOST_TEST(contains(error_of("cube:\n  page_size: 4096\n"),
                      "did you mean 'cube.pe_template.components.pe_mmu.attrs.page_size'?"));
  BOOST_TEST(contains(error_of("systen: {}\n"),
                      "t.yaml:1:1: error: systen: unknown key "
                      "(did you mean 'system'?)"));
}

BOOST_AUTO_TEST_CASE(wrong_types_and_ranges_are_errors) {
  BOOST_TEST(contains(error_of("sip: {cube_mesh: {w: 0}}"),
                      "sip.cube_mesh.w: 0 is out of range; allowed: an integer from 1 to 512"));
  BOOST_TEST(contains(error_of("sip: {cube_mesh: {w: 2.5}}"), "expected an integer, got '2.5'"));
  BOOST_TEST(contains(error_of("sip: {cube_mesh: {w: [1, 2]}}"), "expected a single value"));
  BOOST_TEST(contains(error_of("sip: {cube_mesh: {w: }}"), "sip.cube_mesh.w: has no value"));
  BOOST_TEST(contains(error_of("sip: {mesh_link: {bw_gbps: 0}}"),
                      "allowed: a number from 0.001 to 1000000"));
  BOOST_TEST(contains(error_of("sip: {mesh_link: {latency_ns: -1}}"),
                      "allowed: a number from 0 to 1000000"));
  BOOST_TEST(contains(error_of("sip: {mesh_link: {latency_ns: fast}}"), "expected a number"));
  BOOST_TEST(contains(error_of("sip: {mesh_link: {latency_ns: .nan}}"), "expected a number"));
  BOOST_TEST(
      contains(error_of("system: {inter_sip: {topology: star}}"),
               "'star' is not a valid value; allowed: one of: ring, fully_connected, switch"));
  BOOST_TEST(contains(error_of("cube: {pe_layout: {corners: [NW, NW]}}"), "'NW' is listed twice"));
  BOOST_TEST(contains(error_of("cube: {pe_layout: {corners: []}}"), "expected a non-empty list"));
  BOOST_TEST(contains(error_of("cube: {pe_layout: {corners: NW}}"), "expected a non-empty list"));
  BOOST_TEST(contains(error_of("sip: 3\n"),
                      "t.yaml:1:1: error: sip: expected a mapping with the "
                      "keys: cube_mesh, io_cube, mesh_link"));
  BOOST_TEST(contains(error_of("- 1\n- 2\n"), "a topology is a mapping"));
  BOOST_TEST(contains(error_of("sip: {cube_mesh: {w: 2, w: 3}}"), "is given twice"));
}

BOOST_AUTO_TEST_CASE(malformed_yaml_is_an_error_with_a_position) {
  const std::string e = error_of("system:\n  sips: [1,\n");
  BOOST_TEST(contains(e, "t.yaml:"), e);
  BOOST_TEST(contains(e, "malformed YAML"), e);
}

BOOST_AUTO_TEST_CASE(contradictions_between_keys_are_errors) {
  BOOST_TEST(error_of("system:\n  sips:\n    cubes_per_sip: 9\n") ==
             "t.yaml:3:5: error: system.sips.cubes_per_sip: is 9 but sip.cube_mesh is 4 x 4 = "
             "16 cubes; give one or make them agree");
  BOOST_TEST(error_of("system: {sips: {cubes_per_sip: 16}}").empty());
  BOOST_TEST(contains(error_of("sip: {io_cube: {x: 4}}"), "sip.io_cube.x: 4 is outside the mesh"));
  BOOST_TEST(contains(error_of("sip: {cube_mesh: {w: 64, h: 32}}"), "at most 512 fit"));
  BOOST_TEST(
      contains(error_of("cube: {pe_template: {components: {pe_mmu: {attrs: {page_size: 3000}}}}}"),
               "3000 is not a power of two"));
  BOOST_TEST(contains(error_of("cube: {memory_map: {hbm_total_gb_per_cube: 1.3}}"),
                      "which is not 8 slices of whole 4096-byte pages"));
  BOOST_TEST(
      contains(error_of("cube: {pe_template: {components: {pe_tcm: {attrs: {size_mb: 4}}}}}"),
               "4 MiB reserved leaves nothing of a 4 MiB TCM"));
  BOOST_TEST(contains(
      error_of("cube: {memory_map: {hbm_total_gb_per_cube: 1024, hbm_slices_per_cube: 1}}"),
      "fit the physical address"));
}

BOOST_AUTO_TEST_CASE(override_errors_name_the_override) {
  BOOST_TEST(error_of("", {"system.sips.count=0"}) ==
             "--set system.sips.count=0: error: system.sips.count: 0 is out of range; allowed: "
             "an integer from 1 to 1024");
  BOOST_TEST(contains(error_of("", {"sip.cube_msh.w=3"}), "did you mean 'sip.cube_mesh.w'?"));
  BOOST_TEST(
      contains(error_of("", {"sip.cube_mesh=3"}), "is a section; set one of its keys: w, h"));
  BOOST_TEST(contains(error_of("", {"nonsense"}), "expected KEY.PATH=VALUE"));
  BOOST_TEST(contains(error_of("", {"sip.cube_mesh.w=[1"}), "malformed value"));
  // A cross-key error caused by an override is attributed to it.
  BOOST_TEST(contains(error_of("", {"system.sips.cubes_per_sip=3"}),
                      "--set system.sips.cubes_per_sip=3: error: system.sips.cubes_per_sip: is 3"));
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_a_config_error) {
  BOOST_CHECK_THROW(kp::load_topology_file("/nonexistent/topology.yaml"), kp::ConfigError);
}

BOOST_AUTO_TEST_CASE(every_schema_key_is_documented_and_in_the_default_file) {
  const std::string doc = read_file(source_dir() + "/docs/topology-schema.md");
  BOOST_TEST(doc == kp::schema_markdown(),
             "docs/topology-schema.md is stale: regenerate it with `kernbench topology schema`");
  const std::string file = read_file(config("topology.yaml"));
  for (const auto& f : kp::topology_schema()) {
    BOOST_TEST(!f.description.empty(), f.path);
    if (f.kind == kp::FieldKind::optional_integer) continue;  // derived unless given
    const std::string key = f.path.substr(f.path.rfind('.') + 1) + ":";
    BOOST_TEST(contains(file, key), f.path << " is missing from configs/topology.yaml");
  }
}
