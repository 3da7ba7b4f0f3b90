#include "models/common/wait_registry.h"

#include <cstdint>
#include <map>

namespace kb::models {

namespace {
std::map<std::uint64_t, std::string>& waits() {
  static std::map<std::uint64_t, std::string> registry;
  return registry;
}
std::uint64_t next_id = 0;
}  // namespace

ScopedWait::ScopedWait(std::string what) : id_(next_id++) { waits().emplace(id_, std::move(what)); }
ScopedWait::~ScopedWait() { waits().erase(id_); }

std::vector<std::string> current_waits() {
  std::vector<std::string> out;
  for (const auto& [id, what] : waits()) out.push_back(what);
  return out;
}

}  // namespace kb::models
