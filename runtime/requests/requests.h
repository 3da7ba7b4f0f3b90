#pragma once
// The host runtime's request layer (the seed's submit / wait / is_completed / wait_all /
// handles and its traces): control messages sent through the host interface, waits on
// their completions in simulated time, and one trace per waited request. Every call that
// waits must run in a host SC_THREAD.

#include "models/system/system.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kb::runtime {

// A trace entry per waited request (the seed's _traces), recorded on its first wait.
struct TraceEntry {
  std::string phase;  // mmu_map, mmu_unmap, memory_write, memory_read, kernel, ipcq_init
  std::string name;   // tensor or kernel name
  std::uint32_t sip = 0;
  std::optional<std::uint32_t> cube;  // a single target cube
  std::optional<std::uint32_t> pe;    // a single target PE
  std::uint64_t nbytes = 0;
  double submitted_ns = 0, started_ns = 0, finished_ns = 0;
  std::string correlation_id = {};  // the context's
  std::string request_id = {};      // the message's label ("mmu_x_s0", "gemm_sip1")
};

// The entry as the original's trace dict: phase, name, sip, cube and pe (null unless the
// request had one target), nbytes, the three times in ns and the ids.
nlohmann::ordered_json trace_json(const TraceEntry& entry);

// A submitted request.
struct Handle {
  std::shared_ptr<models::IssuedRequest> request;
  TraceEntry meta;
};

// A control message labelled `label` for PEs `pes` of its target cubes.
std::shared_ptr<models::ControlMessage> control_message(models::MessageBody body, std::string label,
                                                        std::vector<std::uint32_t> pes);

class Requests {
 public:
  // Every message carries `correlation_id`.
  Requests(models::System& system, std::string correlation_id);

  // Through the host interface.
  Handle submit(std::shared_ptr<models::ControlMessage> message,
                std::vector<models::CubeTarget> targets, TraceEntry meta);
  // A kernel launch through SIP `sip`'s graph dispatcher (models/cube/graph_dispatch.h);
  // `targets` are cubes of that SIP.
  Handle dispatch(std::uint32_t sip, std::shared_ptr<models::ControlMessage> message,
                  std::vector<models::CubeTarget> targets, TraceEntry meta,
                  models::Residency residency);
  // Hands a graph of `nodes` nodes to SIP `sip`'s dispatcher: a GraphLoad of
  // `bytes_per_node` each, to be waited for.
  Handle load_graph(std::uint32_t sip, std::uint64_t nodes, std::uint64_t bytes_per_node);
  // Waits until the request is done; its first wait records its trace.
  void wait(const Handle& handle);
  // As the seed: true once the context has waited on the handle.
  bool is_completed(const Handle& handle) const;
  // True once the request has finished in simulated time, waited on or not.
  bool is_finished(const Handle& handle) const;
  // Waits on every handle not waited on yet, in submission order.
  void wait_all();
  const std::vector<Handle>& handles() const { return handles_; }
  const std::vector<TraceEntry>& traces() const { return traces_; }
  const std::string& correlation_id() const { return correlation_id_; }

 private:
  Handle record(std::shared_ptr<models::IssuedRequest> request, TraceEntry meta);

  models::System& system_;
  std::string correlation_id_;
  std::vector<Handle> handles_;
  std::set<const models::IssuedRequest*> waited_;
  std::vector<TraceEntry> traces_;
};

}  // namespace kb::runtime
