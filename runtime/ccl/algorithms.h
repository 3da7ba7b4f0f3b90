#pragma once
// Collective algorithms, registered in C++ by name (DESIGN §4): each says whom a rank
// exchanges with (its IPCQ neighbours) and runs the collectives it supports on one rank,
// as part of a kernel on the rank's PE, moving real data through the IPCQs.

#include "runtime/kernel/kernel_context.h"
#include "runtime/memory/pe_memory_allocator.h"

#include <string>
#include <vector>

namespace kb::runtime {

enum class Collective { all_reduce, reduce_scatter, all_gather, broadcast, barrier };
enum class ReduceOp { sum, max, min, avg };
const char* to_string(Collective c);
const char* to_string(ReduceOp op);

// One rank's side of a collective: its working buffer (a one-row tile), the ranks around
// it, and the data movements the algorithms are built from.
class RankComm {
 public:
  RankComm(KernelContext& k, std::uint32_t rank, const std::vector<PeCoord>& rank_to_pe,
           std::uint64_t piece_bytes, ReduceOp op, Tile buffer, std::vector<models::Picoseconds> ready);

  KernelContext& k;
  const std::uint32_t rank;
  const std::uint32_t world;
  const std::vector<PeCoord>& rank_to_pe;
  const ReduceOp op;
  Tile buffer;

  std::int64_t piece_elements() const { return piece_; }
  // Sends [send_begin, +send_len) to `to` while receiving [recv_begin, +recv_len) from
  // `from`, piece by piece, reducing (or copying) what arrives into the buffer.
  void exchange(std::int64_t to, std::int64_t send_begin, std::int64_t send_len, std::int64_t from,
                std::int64_t recv_begin, std::int64_t recv_len, bool reduce);
  void send(std::uint32_t to, std::int64_t begin, std::int64_t len) { exchange(to, begin, len, -1, 0, 0, false); }
  void recv(std::uint32_t from, std::int64_t begin, std::int64_t len, bool reduce) {
    exchange(-1, 0, 0, from, begin, len, reduce);
  }
  // Called when [begin, +len) of the buffer holds its final value (the runner stores it).
  std::function<void(std::int64_t begin, std::int64_t len)> on_final;

 private:
  void wait_ready(std::int64_t begin, std::int64_t len);
  Tile reduce(const Tile& a, const Tile& b);
  std::int64_t piece_;
  std::vector<models::Picoseconds> ready_;  // per piece of the buffer: when its data is in
};

// What a collective asks of the rank (the buffer's meaning depends on `kind`):
//   all_reduce, broadcast, barrier: buffer = the rank's `count` elements, in and out;
//   reduce_scatter: buffer = world x count in, this rank's chunk (at rank x count) out;
//   all_gather: buffer = world x count, this rank's chunk filled in, every chunk out.
struct CollectiveCall {
  Collective kind = Collective::all_reduce;
  std::uint32_t root = 0;
  std::int64_t count = 0;
};

class CclAlgorithm {
 public:
  virtual ~CclAlgorithm() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  virtual bool supports(Collective c) const = 0;
  virtual std::vector<std::uint32_t> neighbours(std::uint32_t rank, const std::vector<PeCoord>& ranks) const = 0;
  // Runs `call` on comm.rank; on return the buffer holds the result, and on_final has been
  // called for every part of the output.
  virtual void run(RankComm& comm, const CollectiveCall& call) const = 0;
};

std::vector<std::string> ccl_algorithm_names();
const CclAlgorithm& ccl_algorithm(const std::string& name);

}  // namespace kb::runtime
