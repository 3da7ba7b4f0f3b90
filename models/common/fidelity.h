#pragma once
// How finely the models cut bulk data into transactions (docs/adr/0017-flow-fidelity.md).
//
// transaction: an IPCQ transfer is one transaction per queue entry, paced by one credit
//   per entry, and a collective moves its data in pieces of the plan's chunk size.
// flow: the same modules and resources, but a transfer of many entries is one
//   transaction (one booking per resource, cut-through), its credit window and pipeline
//   fill applied analytically so that it takes the time its entries would have taken; a
//   kernel's run of K slices is staged as one stream per operand, each slice timed as
//   staging it alone would have it (runtime/kernel/kernel_context.h, stage_slices).

#include <optional>
#include <string>
#include <string_view>

namespace kb::models {

enum class Fidelity { transaction, flow };

const char* to_string(Fidelity f);
// The fidelity named `text`, or nothing if it names none.
std::optional<Fidelity> parse_fidelity(std::string_view text);
// The names, for usage messages: "transaction|flow".
std::string fidelity_choices();

}  // namespace kb::models
