#pragma once
// Chakra execution traces (MLCommons; docs/workload-traces.md), one file per rank: a stream of
// varint32-length-prefixed protobuf messages, one GlobalMetadata then the nodes. This is
// the file side only, in plain structs: which node kinds exist, what they carry, and
// reading and writing files with errors that name the file and the byte. What a trace
// does on the machine is chakra_import.h's.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kb::chakra {

// The schema's node types; a file may hold others (later schema versions), kept as numbers.
enum NodeType : int {
  kInvalidNode = 0,
  kMetadataNode = 1,
  kMemLoadNode = 2,
  kMemStoreNode = 3,
  kCompNode = 4,
  kCommSendNode = 5,
  kCommRecvNode = 6,
  kCommCollNode = 7,
};
// "COMP_NODE", ... as the schema spells them; "NODE_TYPE_<n>" for a number it does not name.
std::string node_type_name(int type);

enum CommType : int {
  kAllReduce = 0,
  kReduce = 1,
  kAllGather = 2,
  kGather = 3,
  kScatter = 4,
  kBroadcast = 5,
  kAllToAll = 6,
  kReduceScatter = 7,
  kReduceScatterBlock = 8,
  kBarrier = 9,
};
std::string comm_type_name(int type);

struct Node {
  std::uint64_t id = 0;
  std::string name;
  int type = kInvalidNode;
  std::vector<std::uint64_t> ctrl_deps;
  std::vector<std::uint64_t> data_deps;
  std::uint64_t start_time_micros = 0;
  std::uint64_t duration_micros = 0;
  // The duration to the picosecond, as kernbench's export writes it beside duration_micros
  // (which rounds a 2.4 us kernel to 2): the replay prefers it.
  std::optional<std::uint64_t> duration_ps;
  std::string input_shapes;  // IOInfo.shapes as recorded: "[[64, 128], [128]]"
  std::string input_types;   // IOInfo.types: "['Tensor(float)', 'Int']"
  std::string output_shapes;
  // The attributes the project reads and writes; absent ones stay empty. Others are ignored.
  bool is_cpu_op = false;
  std::optional<int> comm_type;
  std::optional<std::uint64_t> comm_size;  // bytes
  std::optional<std::uint32_t> comm_src, comm_dst, comm_tag;
  std::optional<std::uint64_t> tensor_size;  // bytes of a MEM_LOAD / MEM_STORE
  // A collective's communicator group ("" or "0": every rank), as ASTRA-sim reads it.
  std::optional<std::string> pg_name;
  std::optional<std::string> op_class;  // written by kernbench's export
  std::optional<std::string> layer;
  std::uint64_t offset = 0;  // where the node's length prefix starts in its file
};

struct Trace {
  std::string source;   // the file it was read from, for messages
  std::string version;  // GlobalMetadata.version, or its "schema" attribute
  // Its compute nodes need only their dependencies, not one another's order (GlobalMetadata
  // attribute "compute_order" = "dependencies", as kernbench's export writes it: a step's
  // independent kernels ran side by side). A recorded trace's kernels ran in order on one
  // stream.
  bool compute_by_dependencies = false;
  std::vector<Node> nodes;
};

// A file that is not a Chakra trace, or a node that contradicts the schema: the message
// names the file and the byte offset.
class TraceFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `source` names the bytes in messages (a path).
Trace parse_trace(std::string_view bytes, const std::string& source);
Trace read_trace(const std::string& path);
// The file's bytes (writing them is the caller's: platform/output_file.h).
std::string serialize_trace(const Trace& trace);

}  // namespace kb::chakra
