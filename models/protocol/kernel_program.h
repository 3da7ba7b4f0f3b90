#pragma once
// The contract between a PE core and the kernels it runs. The runtime implements
// KernelProgram (binding a registered kernel to its arguments); the PE core implements
// PeServices. Models never see runtime types.

#include "models/common/sim_time.h"

#include <cstdint>
#include <string>

namespace kb::models {

struct PeLocation {
  std::uint32_t sip = 0;
  std::uint32_t cube = 0;  // within the SIP: y * mesh_w + x
  std::uint32_t pe = 0;    // within the cube
  std::uint32_t cube_x = 0;
  std::uint32_t cube_y = 0;
  std::uint32_t pes_per_cube = 0;
  std::uint32_t cubes_per_sip = 0;
  std::uint32_t sips = 0;
};

// What a running kernel can do on its PE. Every call advances the PE's local time by
// what it costs in the model; the data really moves unless the run is timing-only.
class PeServices {
 public:
  virtual ~PeServices() = default;

  virtual const PeLocation& location() const = 0;
  virtual bool timing_only() const = 0;

  // Loads and stores through the PE's MMU (virtual addresses) to any memory of the system.
  virtual void read(std::uint64_t va, void* dst, std::uint64_t nbytes) = 0;
  virtual void write(std::uint64_t va, const void* src, std::uint64_t nbytes) = 0;

  // Busy the core for `cycles` of its clock (arithmetic).
  virtual void compute(std::uint64_t cycles) = 0;

  // Block transfers to and from neighbour ranks through the IPCQ (after an IpcqInit).
  virtual void ipcq_send(std::uint32_t peer_rank, const void* src, std::uint64_t nbytes) = 0;
  virtual void ipcq_recv(std::uint32_t peer_rank, void* dst, std::uint64_t nbytes) = 0;

  // The PE's local time: simulated time plus what it has run ahead (temporal decoupling).
  virtual Picoseconds local_time_ps() const = 0;
};

class KernelProgram {
 public:
  virtual ~KernelProgram() = default;
  // Runs one program instance on `pe`. Throws to report a kernel error.
  virtual void run(PeServices& pe) const = 0;
};

}  // namespace kb::models
