#pragma once
// Control messages between the host, the management CPUs (M_CPU) and the PEs: the path of
// one run in docs/architecture.md. They travel as TLM writes to MMIO endpoints, the message
// riding in a ControlExtension; their wire size sets the transfer's timing. The host
// runtime creates them; the models interpret them.

#include "models/common/sim_time.h"

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace kb::models {

class KernelProgram;

struct MapEntry {
  std::uint64_t va = 0;
  std::uint64_t pa = 0;  // encoded PhysAddr
  std::uint64_t size = 0;
};

struct UnmapEntry {
  std::uint64_t va = 0;
  std::uint64_t size = 0;
};

// Fill the MMU page tables of the target PEs.
struct MmuMap {
  std::vector<MapEntry> entries;
};

// Remove mappings from the target PEs' page tables (and their TLBs).
struct MmuUnmap {
  std::vector<UnmapEntry> entries;
};

// The M_CPU writes `nbytes` at `dst_pa`: zeros, or the bytes of `data`.
struct MemoryWrite {
  enum class Pattern { zero, data };
  std::uint64_t dst_pa = 0;
  std::uint64_t nbytes = 0;
  Pattern pattern = Pattern::zero;
  std::shared_ptr<const std::vector<unsigned char>> data;  // pattern data: nbytes long
};

// The M_CPU reads `nbytes` at `src_pa` and returns them to the host in the completion.
struct MemoryRead {
  std::uint64_t src_pa = 0;
  std::uint64_t nbytes = 0;
};

// Run `program` on the target PEs of the cube. A PE reports its end to `report_to` (an
// encoded PhysAddr), or to its cube's M_CPU when 0; a resident kernel's launch, sent
// straight to the PEs by a graph dispatcher, reports back to that dispatcher.
struct KernelLaunch {
  std::string kernel;
  std::shared_ptr<const KernelProgram> program;
  std::uint64_t report_to = 0;
};

// A step's graph handed to the device once (models/cube/graph_dispatch.h): `nodes`
// descriptors, `bytes` on the wire; the M_CPU acknowledges it.
struct GraphLoad {
  std::uint64_t nodes = 0;
  std::uint64_t bytes = 0;
};

// A PE's place in a collective: its rank and how to reach each neighbour rank's IPCQ.
struct IpcqPeer {
  std::uint32_t rank = 0;
  std::uint64_t ipcq_pa = 0;  // encoded PhysAddr of the neighbour PE's IPCQ endpoint
};
struct IpcqRankEntry {
  std::uint32_t pe = 0;  // within the cube
  std::uint32_t rank = 0;
  std::vector<IpcqPeer> neighbours;
};
struct IpcqInit {
  std::vector<IpcqRankEntry> ranks;  // one per target PE of this cube
};

// A PE reports to its M_CPU that its part of a request is done.
struct PeDone {
  std::uint64_t request_id = 0;
  std::uint32_t cube = 0;
  std::uint32_t pe = 0;
  Picoseconds started_ps = 0;
  Picoseconds finished_ps = 0;
};

struct PeTiming {
  std::uint32_t pe = 0;
  Picoseconds started_ps = 0;
  Picoseconds finished_ps = 0;
};

// An M_CPU reports to the host that a request is done on its cube.
struct Completion {
  std::uint64_t request_id = 0;
  std::uint32_t sip = 0;
  std::uint32_t cube = 0;
  Picoseconds arrived_ps = 0;   // the request reached the M_CPU
  Picoseconds started_ps = 0;   // the M_CPU began handling it
  Picoseconds finished_ps = 0;  // the last target PE finished
  std::vector<PeTiming> pes;
  std::uint64_t data_bytes = 0;  // MemoryRead: bytes carried back (sets the wire size)
  std::shared_ptr<const std::vector<unsigned char>> data;  // the bytes, unless timing-only
};

using MessageBody = std::variant<MmuMap, MmuUnmap, MemoryWrite, MemoryRead, KernelLaunch, IpcqInit,
                                 GraphLoad, PeDone, Completion>;

struct ControlMessage {
  std::uint64_t request_id = 0;
  std::string correlation_id;  // the sending context's (the original's correlation_id)
  std::string label;  // the original's request_id, for traces and errors: "mmu_t3_s0", "gemm_sip0"
  std::vector<std::uint32_t> target_pes;  // PEs within the cube that take part
  std::uint64_t reply_to = 0;             // encoded PhysAddr of the endpoint to report to
  MessageBody body;

  // Bytes the message occupies on the wire: a 64-byte header plus its contents.
  std::uint64_t wire_bytes() const;
  const char* kind() const;
};

}  // namespace kb::models
