#pragma once
// An analytical lower bound on a run's measured time (docs/bounds.md): the max of named terms,
// each a true lower bound on its own (compute, a port, a memory, a link, a latency...).
// The binding term is the limiter. A serial bound (a chain of dependent steps) is instead
// the sum of its terms.

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
  // The bound of steps that must run one after another (a critical path): its time is the
  // sum of the steps' times, each counted under its own limiter (a serial step's terms
  // each under their own name), and its limiter the term that accounts for the most.
  static Bound serial(const std::vector<Bound>& steps);

  double time_ns() const;
  // The binding term's name ("" when there is none).
  std::string limiter() const;
  const std::vector<BoundTerm>& terms() const { return terms_; }

 private:
  std::vector<BoundTerm> terms_;  // in the order first added
  bool serial_ = false;           // terms add up rather than overlap
};

}  // namespace kb::runtime
