#pragma once
// The collectives (torch.distributed's), by kind: what algorithms run, configurations tune
// and benches measure.

#include <optional>
#include <string_view>
#include <vector>

namespace kb::runtime {

enum class Collective { all_reduce, reduce_scatter, all_gather, broadcast, all_to_all, barrier };
const char* to_string(Collective c);
// "all_reduce" -> Collective::all_reduce ...; nullopt for a name that is none.
std::optional<Collective> parse_collective(std::string_view name);

}  // namespace kb::runtime
