#pragma once
// The machine description: one typed struct tree, mirroring the YAML keys one to one.
// A component's attributes are the struct declared beside its model (models/), embedded
// here; the member initialisers (there, or here where one struct serves several links or
// memories) are the one set of defaults. Each struct declares its members' units, ranges
// and descriptions beside them; schema.cpp gathers those rows and adds the keys of the
// machine's shape, and docs/topology-schema.md is generated from it.

#include "models/common/port_attrs.h"
#include "models/cube/cube_router_attrs.h"
#include "models/cube/m_cpu_attrs.h"
#include "models/interconnect/fabric.h"
#include "models/pe/pe_core_attrs.h"
#include "models/pe/pe_ipcq_attrs.h"
#include "models/pe/pe_mmu_attrs.h"
#include "models/pe/pe_tcm_attrs.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kb::platform {

using models::LinkAttrs;
using models::MemoryPortAttrs;
using models::PortAttrs;

struct Topology {
  struct System {
    struct Sips {
      std::int64_t count = 1;
      // Legacy key of the original simulator; derived from the mesh when absent.
      std::optional<std::int64_t> cubes_per_sip;
    } sips;
    struct InterSip {
      // One level joining every SIP ...
      std::string topology = "ring";
      LinkAttrs link{{500.0, 100.0}, 40.0, 0.5, 4.0};
      // ... or several, innermost first (a node's SIPs, then the nodes, ...): a level is
      // given when its size is.
      struct Level {
        std::string topology = "ring";
        std::int64_t size = 0;
        std::int64_t links_per_sip = 1;
        LinkAttrs link{{500.0, 100.0}, 40.0, 0.5, 4.0};
      };
      std::array<Level, 4> levels;
    } inter_sip;
    LinkAttrs host_link{{1000.0, 64.0}, 40.0, 0.5, 4.0};
    struct Simulation {
      double quantum_ns = 100.0;
      double power_window_ns = 1000.0;
    } simulation;
  } system;

  struct Sip {
    struct CubeMesh {
      std::int64_t w = 4;
      std::int64_t h = 4;
    } cube_mesh;
    struct IoCube {
      std::int64_t x = 0;
      std::int64_t y = 0;
    } io_cube;
    LinkAttrs mesh_link{{10.0, 256.0}, 4.0, 0.05, 0.5};
  } sip;

  struct Cube {
    struct PeLayout {
      std::vector<std::string> corners{"NW", "NE", "SW", "SE"};
      std::int64_t pe_per_corner = 2;
    } pe_layout;
    struct MemoryMap {
      double hbm_total_gb_per_cube = 48.0;
      std::int64_t hbm_slices_per_cube = 8;
      double sram_mb = 32.0;
    } memory_map;
    MemoryPortAttrs hbm_slice{{100.0, 150.0}, 31.2, 31.2, 0.3, 1.5};  // per slice
    MemoryPortAttrs sram{{20.0, 256.0}, 2.5, 2.5, 0.02, 0.32};        // per MiB
    models::CubeRouterAttrs router;
    models::MCpuAttrs m_cpu;
    struct PeTemplate {
      struct Components {
        struct {
          models::PeCoreAttrs attrs;
        } pe_core;
        struct {
          models::PeTcmAttrs attrs;
        } pe_tcm;
        struct {
          models::PeMmuAttrs attrs;
        } pe_mmu;
        struct {
          models::PeIpcqAttrs attrs;
        } pe_ipcq;
      } components;
    } pe_template;
  } cube;

  // Derived figures: the only place these products are computed.
  std::int64_t cubes_per_sip() const { return sip.cube_mesh.w * sip.cube_mesh.h; }
  std::int64_t pes_per_cube() const;
  // The inter-SIP network's levels as given (system.inter_sip.levels), or the one level of
  // system.inter_sip.topology and .link joining every SIP.
  std::vector<System::InterSip::Level> network_levels() const;
  // Each level's link as the fabric builds it: its links_per_sip parallel links taken
  // together (bandwidth, leakage and area times their number).
  std::vector<LinkAttrs> level_links() const;
  // What routing needs of the machine: the models' routers and the runtime's bounds read
  // the same one.
  models::Fabric fabric() const;
  std::int64_t world_size() const { return system.sips.count * cubes_per_sip() * pes_per_cube(); }
  std::uint64_t hbm_bytes_per_cube() const;
  std::uint64_t hbm_bytes_per_slice() const;
  std::uint64_t tcm_bytes_per_pe() const;
  std::uint64_t tcm_reserved_bytes() const;
  std::uint64_t sram_bytes_per_cube() const;
  std::uint64_t page_size() const;
};

// "GB" and "MB" in key names are binary units (GiB, MiB), as in the original simulator.
constexpr std::uint64_t kMiB = 1ULL << 20;
constexpr std::uint64_t kGiB = 1ULL << 30;
// The most PEs a topology may have: a model takes about 40 KiB of host memory per PE, so
// this is about 10 GiB and a few tens of seconds of elaboration.
constexpr std::int64_t kMaxWorldSize = 1 << 18;

}  // namespace kb::platform
