#pragma once
// The fuzz target of the input front end: the topology, CCL and model loaders, the Chakra
// trace reader, and the `--set` and `--param` parsers with the benches' checks
// (docs/fuzzing.md).
//
// An input's first line names what the rest feeds: "topology" (a topology file), "ccl" (a
// CCL file), "set" (one --set per line), "param BENCH" (one --param per line, then the
// bench's check on the default topology), "model" (a model file, checked by the llm bench)
// or "trace" (one rank's Chakra trace, checked by the chakra bench). Any other first line
// picks one by its first byte.
// Clear errors (exit 2 on the command line) are the expected outcome of bad input; anything
// else escaping, a crash or a hang is a finding.

#include <cstddef>
#include <cstdint>
#include <string>

namespace kb::fuzz {

// What one input did: "ok", or the kind of expected error and the shape of its message.
std::string run_input(const std::uint8_t* data, std::size_t size);

}  // namespace kb::fuzz
