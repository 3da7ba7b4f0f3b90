#pragma once
// The machine description: one typed struct tree, mirroring the YAML keys one to one.
// The member initialisers below are the one set of defaults (DESIGN §2); the schema in
// schema.cpp adds units, ranges and descriptions, and docs/topology-schema.md is
// generated from it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kb::platform {

struct LinkAttrs {
  double latency_ns = 0.0;
  double bw_gbps = 0.0;
};

struct Topology {
  struct System {
    struct Sips {
      std::int64_t count = 1;
      // Legacy key of the original simulator; derived from the mesh when absent.
      std::optional<std::int64_t> cubes_per_sip;
    } sips;
    struct InterSip {
      std::string topology = "ring";
      LinkAttrs link{500.0, 100.0};
    } inter_sip;
    LinkAttrs host_link{1000.0, 64.0};
    struct Simulation {
      double quantum_ns = 100.0;
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
    LinkAttrs mesh_link{10.0, 256.0};
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
    LinkAttrs hbm_slice{100.0, 150.0};
    LinkAttrs sram{20.0, 256.0};
    struct Router {
      double freq_ghz = 1.0;
      std::int64_t hop_latency_cycles = 2;
      double bw_gbps = 128.0;
    } router;
    struct MCpu {
      double message_latency_ns = 200.0;
      double per_pe_latency_ns = 20.0;
    } m_cpu;
    struct PeTemplate {
      struct Components {
        struct PeCore {
          struct Attrs {
            double freq_ghz = 1.0;
            std::int64_t macs_per_cycle_f16 = 1024;
            std::int64_t macs_per_cycle_bf16 = 1024;
            std::int64_t macs_per_cycle_f32 = 256;
            std::int64_t macs_per_cycle_i8 = 2048;
            std::int64_t vector_lanes = 64;
            std::int64_t op_overhead_cycles = 4;
          } attrs;
        } pe_core;
        struct PeTcm {
          struct Attrs {
            double size_mb = 16.0;
            double reserved_mb = 4.0;
            double bw_gbps = 512.0;
            std::int64_t latency_cycles = 4;
          } attrs;
        } pe_tcm;
        struct PeMmu {
          struct Attrs {
            std::int64_t page_size = 4096;
            std::int64_t tlb_entries = 64;
            std::int64_t tlb_hit_cycles = 1;
            std::int64_t walk_cycles = 100;
          } attrs;
        } pe_mmu;
        struct PeIpcq {
          struct Attrs {
            std::int64_t depth = 8;
            std::int64_t entry_bytes = 4096;
          } attrs;
        } pe_ipcq;
      } components;
    } pe_template;
  } cube;

  // Derived figures: the only place these products are computed.
  std::int64_t cubes_per_sip() const { return sip.cube_mesh.w * sip.cube_mesh.h; }
  std::int64_t pes_per_cube() const;
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

}  // namespace kb::platform
