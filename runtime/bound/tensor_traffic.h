#pragma once
// Traffic of kernels that work on their PE's own blocks, described from the tensors'
// placements (the shards say which PE holds which block in which HBM slice).

#include "runtime/bound/traffic.h"
#include "runtime/kernels/kernel_work.h"
#include "runtime/tensor/tensor.h"

namespace kb::runtime {

// The memory a shard lives in.
MemoryCoord memory_of(const DeviceShard& shard);

// Every PE holding a shard of `t` reads it from (or writes it to) its memory. Throughout,
// PEs that hold the same storage (a cube's SRAM copy) each take their part of its rows, as
// kernels do (runtime/kernel/tensor_view.h).
void own_shards(Traffic& traffic, const Tensor& t, Direction direction);

// Every PE holding a shard of `readers` reads the part of `src` its block covers (same 2-D
// coordinates) from the nearest replica (ADR 0004: own memory, then its cube, then its
// SIP, then the first).
void read_blocks(Traffic& traffic, const Tensor& src, const Tensor& readers);

// The same, matching only the rows (a matmul's left operand: every column of the rows
// its output block has) or only the columns (its right operand).
void read_overlap(Traffic& traffic, const Tensor& src, const Tensor& readers, bool match_rows,
                  bool match_cols);

// Every PE holding rows of `readers` reads the rows of `table` they pick (its row i reads
// table row rows[i]; none for -1) from the replica nearest to it.
void read_rows(Traffic& traffic, const Tensor& table, const Tensor& readers,
               const std::vector<std::int64_t>& rows);
// read_rows, and every PE holding rows of `out` writes them: a gather (embedding lookups).
void gather_rows(Traffic& traffic, const Tensor& table, const Tensor& out,
                 const std::vector<std::int64_t>& rows);

// read_blocks, and every PE holding a shard of `dst` writes it.
void copy_blocks(Traffic& traffic, const Tensor& src, const Tensor& dst);

// Every PE holding a shard of `out` does its share of `work`'s arithmetic, in proportion to
// the elements of `out` it holds: the compute of a kernel whose output elements each cost
// the same (a product's, a pointwise or a row kernel's).
void compute_share(Traffic& traffic, const KernelWork& work, const Tensor& out);

}  // namespace kb::runtime
