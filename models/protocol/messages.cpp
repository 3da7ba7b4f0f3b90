#include "models/protocol/messages.h"

namespace kb::models {

namespace {
constexpr std::uint64_t kHeaderBytes = 64;

struct WireSize {
  std::uint64_t operator()(const MmuMap& m) const { return 24 * m.entries.size(); }
  std::uint64_t operator()(const MmuUnmap& m) const { return 16 * m.entries.size(); }
  std::uint64_t operator()(const MemoryWrite& m) const {
    return m.pattern == MemoryWrite::Pattern::data ? m.nbytes : 0;
  }
  std::uint64_t operator()(const MemoryRead&) const { return 0; }
  std::uint64_t operator()(const KernelLaunch&) const { return 64; }
  std::uint64_t operator()(const IpcqInit& m) const {
    std::uint64_t bytes = 0;
    for (const auto& r : m.ranks) bytes += 8 + 16 * r.neighbours.size();
    return bytes;
  }
  std::uint64_t operator()(const GraphLoad& m) const { return m.bytes; }
  std::uint64_t operator()(const PeDone&) const { return 0; }
  std::uint64_t operator()(const Completion& c) const { return 16 * c.pes.size() + c.data_bytes; }
};

struct KindName {
  const char* operator()(const MmuMap&) const { return "MmuMap"; }
  const char* operator()(const MmuUnmap&) const { return "MmuUnmap"; }
  const char* operator()(const MemoryWrite&) const { return "MemoryWrite"; }
  const char* operator()(const MemoryRead&) const { return "MemoryRead"; }
  const char* operator()(const KernelLaunch&) const { return "KernelLaunch"; }
  const char* operator()(const IpcqInit&) const { return "IpcqInit"; }
  const char* operator()(const GraphLoad&) const { return "GraphLoad"; }
  const char* operator()(const PeDone&) const { return "PeDone"; }
  const char* operator()(const Completion&) const { return "Completion"; }
};
}  // namespace

std::uint64_t ControlMessage::wire_bytes() const {
  return kHeaderBytes + 4 * target_pes.size() + std::visit(WireSize{}, body);
}

const char* ControlMessage::kind() const { return std::visit(KindName{}, body); }

}  // namespace kb::models
