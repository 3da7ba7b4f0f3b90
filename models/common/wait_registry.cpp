#include "models/common/wait_registry.h"

namespace kb::models {

namespace {
ScopedWait* first = nullptr;  // the oldest registration
ScopedWait* last = nullptr;   // the newest
}  // namespace

ScopedWait::ScopedWait(std::string what) : what_(std::move(what)) { enlist(); }

ScopedWait::ScopedWait(const std::function<std::string()>& describe) : describe_(&describe) {
  enlist();
}

void ScopedWait::enlist() {
  prev_ = last;
  (last != nullptr ? last->next_ : first) = this;
  last = this;
}

ScopedWait::~ScopedWait() {
  (prev_ != nullptr ? prev_->next_ : first) = next_;
  (next_ != nullptr ? next_->prev_ : last) = prev_;
}

std::vector<std::string> current_waits() {
  std::vector<std::string> out;
  for (const ScopedWait* w = first; w != nullptr; w = w->next_)
    out.push_back(w->describe_ != nullptr ? (*w->describe_)() : w->what_);
  return out;
}

}  // namespace kb::models
