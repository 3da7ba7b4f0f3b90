#pragma once
// One rank's side of a collective: its working buffer (a one-row tile), the ranks around
// it, and the data movement every algorithm is built from (exchange).

#include "runtime/ccl/install_plan.h"
#include "runtime/kernel/kernel_context.h"
#include "runtime/memory/pe_memory_allocator.h"

#include <functional>
#include <optional>
#include <vector>

namespace kb::runtime {

enum class Collective { all_reduce, reduce_scatter, all_gather, broadcast, all_to_all, barrier };
enum class ReduceOp { sum, max, min, avg };
const char* to_string(Collective c);
const char* to_string(ReduceOp op);

// Elements [begin, begin + len) of a rank's buffer.
struct Span {
  std::int64_t begin = 0;
  std::int64_t len = 0;
};

// What a received piece does to the buffer.
enum class Combine { copy, reduce };

struct SendTo {
  std::uint32_t peer;
  Span span;
};

struct RecvFrom {
  std::uint32_t peer;
  Span span;
  Combine combine;
};

class RankComm {
 public:
  RankComm(KernelContext& k, std::uint32_t rank, const IpcqPlan& plan, ReduceOp op, Tile buffer,
           std::vector<models::Picoseconds> ready);

  KernelContext& k;
  const std::uint32_t rank;
  const std::uint32_t world;
  const std::vector<PeCoord>& rank_to_pe;
  const ReduceOp op;
  Tile buffer;

  std::int64_t piece_elements() const { return piece_; }
  // Sends one span while receiving another, piece by piece, combining what arrives into
  // the buffer; either side may be absent.
  void exchange(const std::optional<SendTo>& send, const std::optional<RecvFrom>& recv);
  void send(std::uint32_t to, Span span) { exchange(SendTo{to, span}, std::nullopt); }
  void recv(std::uint32_t from, Span span, Combine combine) {
    exchange(std::nullopt, RecvFrom{from, span, combine});
  }
  // Divides `span` by the world size when the op is avg (the last step of an average).
  void scale_if_avg(Span span);
  // Called when a span of the buffer holds its final value (the runner stores it).
  std::function<void(Span)> on_final;

 private:
  void wait_ready(Span span);
  Tile reduce(const Tile& a, const Tile& b);
  std::int64_t piece_;
  std::int64_t lookahead_;                  // pieces sent ahead of receives
  std::vector<models::Picoseconds> ready_;  // per piece of the buffer: when its data is in
};

}  // namespace kb::runtime
