#include "models/common/fidelity.h"

namespace kb::models {

namespace {
constexpr Fidelity kAll[] = {Fidelity::transaction, Fidelity::flow};
}

const char* to_string(Fidelity f) { return f == Fidelity::flow ? "flow" : "transaction"; }

std::optional<Fidelity> parse_fidelity(std::string_view text) {
  for (Fidelity f : kAll) {
    if (text == to_string(f)) return f;
  }
  return std::nullopt;
}

std::string fidelity_choices() {
  std::string out;
  for (Fidelity f : kAll) out += (out.empty() ? "" : "|") + std::string(to_string(f));
  return out;
}

}  // namespace kb::models
