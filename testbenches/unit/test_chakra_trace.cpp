// Chakra trace files: what is written reads back field for field, the schema's wire format
// is what other tools write (checked byte for byte on a hand-encoded node), and every way a
// file can be broken is an error naming the file and the byte.
#define BOOST_TEST_MODULE chakra_trace
#include "runtime/trace/chakra_trace.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include <sys/stat.h>
#include <unistd.h>

using namespace kb::chakra;
using namespace std::string_literals;

namespace {

Trace sample() {
  Trace t;
  t.version = "0.0.4";
  Node comp;
  comp.id = 7;
  comp.name = "aten::mm";
  comp.type = kCompNode;
  comp.duration_micros = 42;
  comp.duration_ps = 41'567'250;
  comp.start_time_micros = 5;
  comp.input_shapes = "[[64, 128], [128, 32]]";
  comp.input_types = "['Tensor(float)', 'Tensor(float)']";
  comp.output_shapes = "[[64, 32]]";
  comp.op_class = "gemm";
  comp.layer = "L0";
  Node coll;
  coll.id = 9;
  coll.name = "all_reduce";
  coll.type = kCommCollNode;
  coll.data_deps = {7};
  coll.ctrl_deps = {3};
  coll.comm_type = kAllToAll;
  coll.comm_size = 1 << 20;
  coll.pg_name = "3";
  Node send;
  send.id = 10;
  send.type = kCommSendNode;
  send.is_cpu_op = true;
  send.comm_src = 0;
  send.comm_dst = 3;
  send.comm_tag = 12;
  send.comm_size = 4096;
  Node load;
  load.id = 11;
  load.type = kMemLoadNode;
  load.tensor_size = 1 << 16;
  t.nodes = {comp, coll, send, load};
  return t;
}

// The message of the TraceFileError `parse` throws on `bytes`.
std::string error_of(const std::string& bytes) {
  try {
    parse_trace(bytes, "bad.0.et");
  } catch (const TraceFileError& e) {
    return e.what();
  }
  BOOST_FAIL("no error for a bad file");
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_field_reads_back_as_written) {
  const Trace want = sample();
  const Trace got = parse_trace(serialize_trace(want), "t");
  BOOST_TEST(got.version == "0.0.4");
  BOOST_REQUIRE_EQUAL(got.nodes.size(), want.nodes.size());
  for (std::size_t i = 0; i < want.nodes.size(); ++i) {
    const Node &a = want.nodes[i], &b = got.nodes[i];
    BOOST_TEST((a.id == b.id));
    BOOST_TEST((a.name == b.name));
    BOOST_TEST((a.type == b.type));
    BOOST_TEST((a.ctrl_deps == b.ctrl_deps));
    BOOST_TEST((a.data_deps == b.data_deps));
    BOOST_TEST((a.duration_micros == b.duration_micros));
    BOOST_TEST((a.duration_ps == b.duration_ps));
    BOOST_TEST((a.pg_name == b.pg_name));
    BOOST_TEST((a.start_time_micros == b.start_time_micros));
    BOOST_TEST((a.input_shapes == b.input_shapes));
    BOOST_TEST((a.input_types == b.input_types));
    BOOST_TEST((a.output_shapes == b.output_shapes));
    BOOST_TEST((a.is_cpu_op == b.is_cpu_op));
    BOOST_TEST((a.comm_type == b.comm_type));
    BOOST_TEST((a.comm_size == b.comm_size));
    BOOST_TEST((a.comm_src == b.comm_src));
    BOOST_TEST((a.comm_dst == b.comm_dst));
    BOOST_TEST((a.comm_tag == b.comm_tag));
    BOOST_TEST((a.tensor_size == b.tensor_size));
    BOOST_TEST((a.op_class == b.op_class));
    BOOST_TEST((a.layer == b.layer));
  }
  // Offsets: the metadata takes 8 bytes (prefix, tag, length, "0.0.4"), then the first node.
  BOOST_TEST(got.nodes[0].offset == 8u);
  BOOST_TEST(got.nodes[1].offset > got.nodes[0].offset);
  BOOST_TEST(!got.compute_by_dependencies);
  // An exported step's compute order travels in the metadata.
  Trace exported = want;
  exported.compute_by_dependencies = true;
  BOOST_TEST(parse_trace(serialize_trace(exported), "t").compute_by_dependencies);
}

// Bytes as other tools write them, encoded by hand from the schema's field numbers.
const std::string kMeta = std::string("\x05\x0a\x03", 3) + "1.0";  // version "1.0"
std::string prefixed(const std::string& message) {
  return std::string(1, static_cast<char>(message.size())) + message;  // < 128 bytes
}
std::string attr(const std::string& name, const std::string& value_field) {
  return "\x52" + prefixed("\x0a" + prefixed(name) + value_field);
}

// id 3, type COMM_COLL_NODE, packed data_deps {1, 2}, comm_type as int64 (field 9) = 6,
// comm_size as uint64 (field 13) = 1 MiB, an attribute the reader does not know (a
// double) and a field the schema does not have (99).
BOOST_AUTO_TEST_CASE(reads_the_wire_format_other_tools_write) {
  std::string node = std::string("\x08\x03\x18\x07\x2a\x02\x01\x02", 8);
  node += attr("comm_type", "\x48\x06");
  node += attr("comm_size", std::string("\x68\x80\x80\x40", 4));
  node += attr("flops", "\x19" + std::string(8, '\0'));
  node += std::string("\x98\x06\x01", 3);
  const Trace t = parse_trace(kMeta + prefixed(node), "t");
  BOOST_TEST(t.version == "1.0");
  BOOST_REQUIRE_EQUAL(t.nodes.size(), 1u);
  const Node& n = t.nodes[0];
  BOOST_TEST(n.id == 3u);
  BOOST_TEST(n.type == kCommCollNode);
  BOOST_TEST((n.data_deps == std::vector<std::uint64_t>{1, 2}));
  BOOST_TEST((n.comm_type == kAllToAll));
  BOOST_TEST((n.comm_size == std::uint64_t{1} << 20));
  BOOST_TEST(!n.is_cpu_op);
  BOOST_TEST(n.offset == 6u);
}

// PyTorch's observer writes no version, but a "schema" attribute in the metadata.
BOOST_AUTO_TEST_CASE(the_version_may_come_from_the_schema_attribute) {
  const std::string meta =
      "\x12" + prefixed("\x0a" + prefixed("schema") + "\xea\x01" + prefixed("1.0.1"));
  BOOST_TEST(parse_trace(prefixed(meta), "t").version == "1.0.1");
}

BOOST_AUTO_TEST_CASE(broken_files_name_the_file_and_the_byte) {
  BOOST_TEST(contains(error_of(""), "bad.0.et: empty"));
  BOOST_TEST(contains(error_of(kMeta + "\x85"), "bad.0.et: byte 6: truncated or corrupt length"));
  BOOST_TEST(contains(error_of(kMeta + "\x10\x08\x01\x18"),
                      "byte 6: truncated: a 16-byte node but only 3 bytes follow"));
  BOOST_TEST(contains(error_of("\x09\x0a\x03"), "byte 0: truncated: a 9-byte GlobalMetadata"));
  BOOST_TEST(contains(error_of(kMeta + "\x02\xff\xff"), "byte 6: corrupt node"));
  const std::string one = prefixed(std::string("\x08\x04", 2));
  BOOST_TEST(contains(error_of(kMeta + one + one), "byte 9: node id 4 again (first at byte 6)"));
  BOOST_TEST(contains(error_of(kMeta + prefixed("\x08\x04" + attr("comm_type", "\x48\x0c"))),
                      "node 4: comm_type 12 is not a collective of the schema"));
  BOOST_TEST(contains(error_of(kMeta + prefixed("\x08\x04" + attr("comm_size", "\xea\x01\x01x"))),
                      "node 4: attribute comm_size is not an integer"));
  BOOST_TEST(contains(
      error_of(kMeta +
               prefixed("\x08\x04" + attr("comm_size", "\x48" + std::string(9, '\xff') + "\x01"))),
      "node 4: attribute comm_size is negative"));
}

BOOST_AUTO_TEST_CASE(missing_files_and_directories_are_errors_naming_them) {
  const auto dir = std::filesystem::temp_directory_path();
  for (const std::string& path : {(dir / "no-such-trace.0.et").string(), dir.string()}) {
    try {
      read_trace(path);
      BOOST_FAIL("no error for " + path);
    } catch (const TraceFileError& e) {
      BOOST_TEST(contains(e.what(), path + ": "));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_fifo_or_a_device_is_refused_without_reading_it) {
  const auto fifo = std::filesystem::temp_directory_path() /
                    ("kb_trace_fifo_" + std::to_string(::getpid()) + ".0.et");
  std::filesystem::remove(fifo);
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const std::string& path : {fifo.string(), "/dev/zero"s}) {
    try {
      read_trace(path);  // a FIFO with no writer would block here, /dev/zero never end
      BOOST_FAIL("no error for " + path);
    } catch (const TraceFileError& e) {
      BOOST_TEST(contains(e.what(), path + ": not a regular file"), e.what());
    }
  }
  std::filesystem::remove(fifo);
}

BOOST_AUTO_TEST_CASE(a_written_file_reads_back) {
  const auto path = std::filesystem::temp_directory_path() / "kb_chakra_unit.0.et";
  std::ofstream(path, std::ios::binary) << serialize_trace(sample());
  BOOST_TEST(read_trace(path.string()).nodes.size() == sample().nodes.size());
  std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(type_names_are_the_schemas) {
  BOOST_TEST(node_type_name(kCommCollNode) == "COMM_COLL_NODE");
  BOOST_TEST(node_type_name(9) == "NODE_TYPE_9");
  BOOST_TEST(comm_type_name(kReduceScatter) == "REDUCE_SCATTER");
}

// Every cut of a file either ends between messages (and reads as the messages before it)
// or is an error naming the file; flipped bytes read or fail with a TraceFileError, never
// anything else.
BOOST_AUTO_TEST_CASE(cut_and_damaged_files_fail_cleanly) {
  const std::string whole = serialize_trace(sample());
  // A cut just before a node's length prefix leaves the nodes before it.
  std::vector<std::size_t> boundaries;
  for (const Node& n : parse_trace(whole, "whole.et").nodes) boundaries.push_back(n.offset);
  for (std::size_t n = 1; n < whole.size(); ++n) {
    const auto at = std::find(boundaries.begin(), boundaries.end(), n);
    try {
      const Trace t = parse_trace(whole.substr(0, n), "cut.et");
      BOOST_TEST((at != boundaries.end()), "a cut at byte " << n << " read as a whole file");
      BOOST_TEST(t.nodes.size() == static_cast<std::size_t>(at - boundaries.begin()));
    } catch (const TraceFileError& e) {
      BOOST_TEST((at == boundaries.end()), "a cut at node boundary " << n << ": " << e.what());
      BOOST_TEST(contains(e.what(), "cut.et: byte "));
    }
  }
  std::mt19937_64 rng(2026);
  std::size_t failed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string damaged = whole;
    for (int flips = 0; flips < 3; ++flips) {
      damaged[rng() % damaged.size()] = static_cast<char>(rng() & 0xff);
    }
    try {
      parse_trace(damaged, "damaged.et");
    } catch (const TraceFileError& e) {
      ++failed;
      BOOST_TEST(contains(e.what(), "damaged.et: "));
    }
  }
  BOOST_TEST(failed > 0u);  // the damage is seen at least sometimes
}
