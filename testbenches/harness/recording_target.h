#pragma once
// A target for component tests that stands for whatever lies beyond a port: it records
// every access (address, arrival time, control message kind, binding) and answers after
// `latency`.

#include "models/common/target_port.h"

#include <string>
#include <vector>

namespace kb::test {

class RecordingTarget : public sc_core::sc_module {
 public:
  struct Arrival {
    std::uint64_t address;
    models::Picoseconds at;  // simulated time the access arrived
    std::string kind;        // the control message's kind, or "data"
    int binding;             // which of the socket's bindings it came through
  };

  explicit RecordingTarget(const sc_core::sc_module_name& name, models::Picoseconds latency = 0)
      : sc_core::sc_module(name),
        in("in", *this, &RecordingTarget::b_transport, nullptr),
        latency_(latency) {}

  models::TargetPort<RecordingTarget> in;
  std::vector<Arrival> arrivals;

 private:
  void b_transport(int binding, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const models::ControlMessage* m = models::control_of(p);
    arrivals.push_back({p.get_address(), models::now_ps() + models::to_ps(delay),
                        m != nullptr ? m->kind() : "data", binding});
    delay += models::from_ps(latency_);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  models::Picoseconds latency_;
};

}  // namespace kb::test
