#pragma once
// A ready view of a run's VCD for GTKWave: `gtkwave w.gtkw` opens the waveform with its
// signals grouped per SIP, cube and PE in hierarchy order, counts in decimal, state and
// kernel signals named through translate filters, and the whole run in view.

#include "models/common/activity_tracer.h"

#include <string>

namespace kb::platform {

// Writes BASE.gtkw beside `vcd_path` (BASE.vcd), and BASE.<signal>.filter for every kind
// of named signal (the kernel table among them). Returns the save file's path; throws
// std::runtime_error naming a file that cannot be written.
std::string write_gtkwave_save(const std::string& vcd_path,
                               const std::vector<models::ActivityTracer::Signal>& signals,
                               models::Picoseconds end);

}  // namespace kb::platform
