#include "runtime/bound/bound.h"

#include <algorithm>

namespace kb::runtime {

void Bound::add(const std::string& name, double ns) {
  for (BoundTerm& t : terms_) {
    if (t.name == name) {
      t.ns = std::max(t.ns, ns);
      return;
    }
  }
  terms_.push_back({name, ns});
}

void Bound::add(const Bound& other) {
  for (const BoundTerm& t : other.terms_) add(t.name, t.ns);
}

Bound Bound::serial(const std::vector<Bound>& steps) {
  Bound chain;
  chain.serial_ = true;
  auto accumulate = [&](const std::string& name, double ns) {
    if (ns <= 0) return;
    const auto it = std::find_if(chain.terms_.begin(), chain.terms_.end(),
                                 [&](const BoundTerm& t) { return t.name == name; });
    if (it == chain.terms_.end()) {
      chain.terms_.push_back({name, ns});
    } else {
      it->ns += ns;
    }
  };
  for (const Bound& step : steps) {
    if (step.serial_) {
      for (const BoundTerm& t : step.terms_) accumulate(t.name, t.ns);
    } else {
      accumulate(step.limiter(), step.time_ns());
    }
  }
  return chain;
}

double Bound::time_ns() const {
  double ns = 0;
  for (const BoundTerm& t : terms_) ns = serial_ ? ns + t.ns : std::max(ns, t.ns);
  return ns;
}

std::string Bound::limiter() const {
  const auto it =
      std::max_element(terms_.begin(), terms_.end(),
                       [](const BoundTerm& a, const BoundTerm& b) { return a.ns < b.ns; });
  return it == terms_.end() ? std::string() : it->name;
}

}  // namespace kb::runtime
