#pragma once
// The process exit codes of `kernbench` (README, "The command line"): tests and scripts rely on
// them.

namespace kb::cli {

enum ExitCode : int {
  kOk = 0,
  kVerificationFailed = 1,
  kBadUsage = 2,  // bad command line or bad configuration
  kSimulationError = 3,
};

}  // namespace kb::cli
