#include "models/common/stats.h"

namespace kb::models {

StatsRegistry& stats_registry() {
  static StatsRegistry registry;
  return registry;
}

}  // namespace kb::models
