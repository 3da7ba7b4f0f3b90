#pragma once
// An analytical lower bound on a run's measured time (DESIGN §7): the max of named terms,
// each a true lower bound on its own (compute, a port, a memory, a link, a latency...).
// The binding term is the limiter.

#include <string>
#include <vector>

namespace kb::runtime {

struct BoundTerm {
  std::string name;  // "compute", "pe_port", "hbm_slice", "mesh_link sip0.cube0->cube1"...
  double ns = 0;
};

class Bound {
 public:
  // Adds a term; a term of the same name keeps the larger time.
  void add(const std::string& name, double ns);
  void add(const Bound& other);

  double time_ns() const;
  // The binding term's name ("" when there is none).
  std::string limiter() const;
  const std::vector<BoundTerm>& terms() const { return terms_; }

 private:
  std::vector<BoundTerm> terms_;  // in the order first added
};

}  // namespace kb::runtime
