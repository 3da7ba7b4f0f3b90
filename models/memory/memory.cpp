#include "models/memory/memory.h"

#include <algorithm>

namespace kb::models {

Memory::Memory(const sc_core::sc_module_name& name, const MemoryGeometry& geometry)
    : Component(name),
      target("target", *this, &Memory::b_transport, &Memory::transport_dbg),
      base_(geometry.base),
      latency_(geometry.latency),
      port_(add_resource("port", geometry.bw_gbps)),
      energy_(add_energy(geometry.energy_class, geometry.static_w)),
      read_pj_per_byte_(geometry.read_pj_per_byte),
      write_pj_per_byte_(geometry.write_pj_per_byte),
      storage_(geometry.size) {}

void Memory::b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const std::uint64_t address = p.get_address();
  const std::uint64_t length = p.get_data_length();
  TransferExtension& transfer = transfer_of(p);
  const std::uint64_t rows = transfer.burst_rows;
  const std::uint64_t row_bytes = length / rows;
  const std::uint64_t span = rows == 1 ? length : (rows - 1) * transfer.burst_stride + row_bytes;
  if (address < base_ || address - base_ + span > storage_.size() || length == 0 ||
      row_bytes * rows != length || (rows > 1 && p.get_byte_enable_ptr() != nullptr)) {
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const std::uint64_t offset = address - base_;
  const Picoseconds now = now_ps();
  // A stream (flow fidelity) is served in the idle time others leave: it occupies the
  // port from its first byte to its last.
  const std::uint64_t grain = transfer.stream_grain(length);
  const Picoseconds arrived = now + to_ps(delay);
  const Resource::Window w = port_.serve(arrived, length, grain);
  const Picoseconds start = w.begin;
  const Picoseconds occupancy = w.end - w.begin;
  transfer.occupancy_ps = std::max(transfer.occupancy_ps, w.occupancy);
  transfer.path_latency_ps += latency_;
  energy_.charge(
      static_cast<double>(length) * (p.is_write() ? write_pj_per_byte_ : read_pj_per_byte_), start,
      start + occupancy);
  if (p.is_write()) {
    if (transfer.zero_fill) {
      if (!transfer.timing_only) storage_.fill_zero(offset, length);
    } else if (!transfer.timing_only) {
      const unsigned char* be = p.get_byte_enable_ptr();
      if (be == nullptr) {
        for (std::uint64_t r = 0; r < rows; ++r) {
          storage_.write(offset + r * transfer.burst_stride, p.get_data_ptr() + r * row_bytes,
                         row_bytes);
        }
      } else {
        // Byte enables: write only the enabled bytes, the pattern repeating.
        const unsigned be_length = p.get_byte_enable_length();
        for (std::uint64_t i = 0; i < length; ++i) {
          if (be[i % be_length] == TLM_BYTE_ENABLED)
            storage_.write(offset + i, p.get_data_ptr() + i, 1);
        }
      }
    }
    transfer.pass_tail(arrived, w.begin, w.end, grain);
    const Picoseconds done = start + latency_ + transfer.tail_ps;
    if (grain != 0) {
      // A stream's write answers when its first part is written, its tail when the last is.
      const Picoseconds first = std::min(done, start + latency_ + port_.occupancy(grain));
      delay = from_ps(first - now);
      transfer.tail_ps = done - first;
    } else {
      delay = from_ps(done - now);
      transfer.tail_ps = 0;
    }
  } else {
    if (!transfer.timing_only) {
      for (std::uint64_t r = 0; r < rows; ++r) {
        storage_.read(offset + r * transfer.burst_stride, p.get_data_ptr() + r * row_bytes,
                      row_bytes);
      }
    }
    delay = from_ps(start + latency_ - now);
    transfer.tail_ps = occupancy;
  }
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Memory::transport_dbg(int, tlm::tlm_generic_payload& p) {
  const std::uint64_t address = p.get_address();
  if (p.get_command() == tlm::TLM_IGNORE_COMMAND || address < base_ ||
      address - base_ >= storage_.size()) {
    return 0;
  }
  const std::uint64_t offset = address - base_;
  const std::uint64_t n = std::min<std::uint64_t>(p.get_data_length(), storage_.size() - offset);
  if (p.is_write()) {
    storage_.write(offset, p.get_data_ptr(), n);
  } else {
    storage_.read(offset, p.get_data_ptr(), n);
  }
  p.set_response_status(tlm::TLM_OK_RESPONSE);
  return static_cast<unsigned>(n);
}

}  // namespace kb::models
