#include "runtime/trace/chakra_trace.h"

#include "runtime/trace/chakra.pb.h"

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace kb::chakra {

namespace {

// The GlobalMetadata attribute that says compute nodes need only their dependencies.
constexpr const char* kComputeOrder = "compute_order";
constexpr const char* kByDependencies = "dependencies";

constexpr std::array<const char*, 8> kNodeTypes = {
    "INVALID_NODE", "METADATA_NODE",  "MEM_LOAD_NODE",  "MEM_STORE_NODE",
    "COMP_NODE",    "COMM_SEND_NODE", "COMM_RECV_NODE", "COMM_COLL_NODE"};
constexpr std::array<const char*, 10> kCommTypes = {
    "ALL_REDUCE", "REDUCE",         "ALL_GATHER",           "GATHER", "SCATTER", "BROADCAST",
    "ALL_TO_ALL", "REDUCE_SCATTER", "REDUCE_SCATTER_BLOCK", "BARRIER"};

// Where a problem is: "trace.0.et: byte 1234".
struct Place {
  const std::string& source;
  std::uint64_t offset;
  [[noreturn]] void fail(const std::string& what) const {
    throw TraceFileError(fmt::format("{}: byte {}: {}", source, offset, what));
  }
};

// An attribute's value as an unsigned integer, whichever integer field holds it.
std::uint64_t integer(const kb_chakra::AttributeProto& a, const Place& at, std::uint64_t id) {
  using A = kb_chakra::AttributeProto;
  auto non_negative = [&](std::int64_t v) {
    if (v < 0) at.fail(fmt::format("node {}: attribute {} is negative ({})", id, a.name(), v));
    return static_cast<std::uint64_t>(v);
  };
  switch (a.value_case()) {
    case A::kInt32Val: return non_negative(a.int32_val());
    case A::kInt64Val: return non_negative(a.int64_val());
    case A::kUint32Val: return a.uint32_val();
    case A::kUint64Val: return a.uint64_val();
    case A::kSint32Val: return non_negative(a.sint32_val());
    case A::kSint64Val: return non_negative(a.sint64_val());
    case A::kFixed32Val: return a.fixed32_val();
    case A::kFixed64Val: return a.fixed64_val();
    case A::kSfixed32Val: return non_negative(a.sfixed32_val());
    case A::kSfixed64Val: return non_negative(a.sfixed64_val());
    case A::kBoolVal: return a.bool_val() ? 1 : 0;
    default: at.fail(fmt::format("node {}: attribute {} is not an integer", id, a.name()));
  }
}

std::uint32_t integer32(const kb_chakra::AttributeProto& a, const Place& at, std::uint64_t id) {
  const std::uint64_t v = integer(a, at, id);
  if (v > std::numeric_limits<std::uint32_t>::max()) {
    at.fail(fmt::format("node {}: attribute {} = {} does not fit 32 bits", id, a.name(), v));
  }
  return static_cast<std::uint32_t>(v);
}

std::string text(const kb_chakra::AttributeProto& a, const Place& at, std::uint64_t id) {
  if (a.value_case() != kb_chakra::AttributeProto::kStringVal) {
    at.fail(fmt::format("node {}: attribute {} is not a string", id, a.name()));
  }
  return a.string_val();
}

Node from_proto(const kb_chakra::Node& p, const Place& at) {
  Node n;
  n.id = p.id();
  n.name = p.name();
  n.type = static_cast<int>(p.type());
  n.ctrl_deps.assign(p.ctrl_deps().begin(), p.ctrl_deps().end());
  n.data_deps.assign(p.data_deps().begin(), p.data_deps().end());
  n.start_time_micros = p.start_time_micros();
  n.duration_micros = p.duration_micros();
  n.input_shapes = p.inputs().shapes();
  n.input_types = p.inputs().types();
  n.output_shapes = p.outputs().shapes();
  n.offset = at.offset;
  for (const kb_chakra::AttributeProto& a : p.attr()) {
    const std::string& key = a.name();
    if (key == "is_cpu_op") {
      n.is_cpu_op = integer(a, at, n.id) != 0;
    } else if (key == "comm_type") {
      const std::uint64_t v = integer(a, at, n.id);
      if (v >= kCommTypes.size()) {
        at.fail(fmt::format("node {}: comm_type {} is not a collective of the schema (0-{})", n.id,
                            v, kCommTypes.size() - 1));
      }
      n.comm_type = static_cast<int>(v);
    } else if (key == "comm_size") {
      n.comm_size = integer(a, at, n.id);
    } else if (key == "comm_src") {
      n.comm_src = integer32(a, at, n.id);
    } else if (key == "comm_dst") {
      n.comm_dst = integer32(a, at, n.id);
    } else if (key == "comm_tag") {
      n.comm_tag = integer32(a, at, n.id);
    } else if (key == "tensor_size") {
      n.tensor_size = integer(a, at, n.id);
    } else if (key == "pg_name") {
      // A string in PyTorch's and ASTRA-sim's traces; a number in some converters'.
      n.pg_name = a.value_case() == kb_chakra::AttributeProto::kStringVal
                      ? a.string_val()
                      : std::to_string(integer(a, at, n.id));
    } else if (key == "duration_ps") {
      n.duration_ps = integer(a, at, n.id);
    } else if (key == "op_class") {
      n.op_class = text(a, at, n.id);
    } else if (key == "layer") {
      n.layer = text(a, at, n.id);
    }
  }
  return n;
}

void add_attr(kb_chakra::Node& p, const std::string& name, std::uint64_t value) {
  kb_chakra::AttributeProto* a = p.add_attr();
  a->set_name(name);
  // int64, as ASTRA-sim's and PyTorch's traces carry them.
  a->set_int64_val(static_cast<std::int64_t>(value));
}

kb_chakra::Node to_proto(const Node& n) {
  kb_chakra::Node p;
  p.set_id(n.id);
  p.set_name(n.name);
  p.set_type(static_cast<kb_chakra::NodeType>(n.type));
  for (std::uint64_t d : n.ctrl_deps) p.add_ctrl_deps(d);
  for (std::uint64_t d : n.data_deps) p.add_data_deps(d);
  p.set_start_time_micros(n.start_time_micros);
  p.set_duration_micros(n.duration_micros);
  if (!n.input_shapes.empty()) p.mutable_inputs()->set_shapes(n.input_shapes);
  if (!n.input_types.empty()) p.mutable_inputs()->set_types(n.input_types);
  if (!n.output_shapes.empty()) p.mutable_outputs()->set_shapes(n.output_shapes);
  kb_chakra::AttributeProto* cpu = p.add_attr();
  cpu->set_name("is_cpu_op");
  cpu->set_bool_val(n.is_cpu_op);
  if (n.comm_type) add_attr(p, "comm_type", static_cast<std::uint64_t>(*n.comm_type));
  if (n.comm_size) add_attr(p, "comm_size", *n.comm_size);
  if (n.comm_src) add_attr(p, "comm_src", *n.comm_src);
  if (n.comm_dst) add_attr(p, "comm_dst", *n.comm_dst);
  if (n.comm_tag) add_attr(p, "comm_tag", *n.comm_tag);
  if (n.tensor_size) add_attr(p, "tensor_size", *n.tensor_size);
  if (n.pg_name) {
    kb_chakra::AttributeProto* a = p.add_attr();
    a->set_name("pg_name");
    a->set_string_val(*n.pg_name);
  }
  if (n.duration_ps) add_attr(p, "duration_ps", *n.duration_ps);
  for (const auto& [name, value] : {std::pair{"op_class", &n.op_class}, {"layer", &n.layer}}) {
    if (!*value) continue;
    kb_chakra::AttributeProto* a = p.add_attr();
    a->set_name(name);
    a->set_string_val(**value);
  }
  return p;
}

void append_message(std::string& out, const google::protobuf::MessageLite& m) {
  const std::string body = m.SerializeAsString();
  std::uint64_t n = body.size();
  do {  // varint32, least significant group first
    const auto group = static_cast<unsigned char>(n & 0x7f);
    n >>= 7;
    out.push_back(static_cast<char>(n != 0 ? (group | 0x80) : group));
  } while (n != 0);
  out += body;
}

}  // namespace

std::string node_type_name(int type) {
  if (type >= 0 && static_cast<std::size_t>(type) < kNodeTypes.size()) return kNodeTypes[type];
  return fmt::format("NODE_TYPE_{}", type);
}

std::string comm_type_name(int type) {
  if (type >= 0 && static_cast<std::size_t>(type) < kCommTypes.size()) return kCommTypes[type];
  return fmt::format("COMM_TYPE_{}", type);
}

Trace parse_trace(std::string_view bytes, const std::string& source) {
  if (bytes.empty()) {
    throw TraceFileError(source + ": empty: a Chakra trace starts with its GlobalMetadata");
  }
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  google::protobuf::io::CodedInputStream in(data, static_cast<int>(bytes.size()));
  in.SetTotalBytesLimit(std::numeric_limits<int>::max());
  Trace trace;
  trace.source = source;
  std::map<std::uint64_t, std::uint64_t> offset_of_id;
  for (bool first = true; in.CurrentPosition() < static_cast<int>(bytes.size()); first = false) {
    const Place at{source, static_cast<std::uint64_t>(in.CurrentPosition())};
    std::uint32_t length = 0;
    if (!in.ReadVarint32(&length)) {
      at.fail("truncated or corrupt length prefix (a varint32 running past the end)");
    }
    const auto body = static_cast<std::uint64_t>(in.CurrentPosition());
    if (length > bytes.size() - body) {
      at.fail(fmt::format("truncated: a {}-byte {} but only {} bytes follow", length,
                          first ? "GlobalMetadata" : "node", bytes.size() - body));
    }
    if (first) {
      kb_chakra::GlobalMetadata meta;
      if (!meta.ParseFromArray(data + body, static_cast<int>(length))) {
        at.fail("corrupt GlobalMetadata (not a protobuf message of the Chakra schema)");
      }
      trace.version = meta.version();
      for (const kb_chakra::AttributeProto& a : meta.attr()) {
        if (a.value_case() != kb_chakra::AttributeProto::kStringVal) continue;
        if (trace.version.empty() && a.name() == "schema") trace.version = a.string_val();
        if (a.name() == kComputeOrder) {
          trace.compute_by_dependencies = a.string_val() == kByDependencies;
        }
      }
    } else {
      kb_chakra::Node node;
      if (!node.ParseFromArray(data + body, static_cast<int>(length))) {
        at.fail("corrupt node (not a protobuf Node message of the Chakra schema)");
      }
      Node n = from_proto(node, at);
      if (const auto [it, fresh] = offset_of_id.emplace(n.id, at.offset); !fresh) {
        at.fail(fmt::format("node id {} again (first at byte {})", n.id, it->second));
      }
      trace.nodes.push_back(std::move(n));
    }
    in.Skip(static_cast<int>(length));
  }
  return trace;
}

Trace read_trace(const std::string& path) {
  const std::filesystem::file_status status = std::filesystem::status(path);
  if (std::filesystem::is_directory(status))
    throw TraceFileError(path + ": a directory, not a trace");
  // A FIFO would block the read and a device (/dev/zero) never end it.
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw TraceFileError(path + ": not a regular file (a FIFO or a device): traces are files");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceFileError(path + ": cannot be read (missing or not readable)");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw TraceFileError(path + ": read error");
  return parse_trace(bytes.str(), path);
}

std::string serialize_trace(const Trace& trace) {
  std::string out;
  kb_chakra::GlobalMetadata meta;
  meta.set_version(trace.version);
  if (trace.compute_by_dependencies) {
    kb_chakra::AttributeProto* a = meta.add_attr();
    a->set_name(kComputeOrder);
    a->set_string_val(kByDependencies);
  }
  append_message(out, meta);
  for (const Node& n : trace.nodes) append_message(out, to_proto(n));
  return out;
}

}  // namespace kb::chakra
