// kernbench._kernbench: the simulator in Python (docs/python.md). The package around it
// (python/kernbench) runs each call that simulates in a process of its own, because
// SystemC elaborates and runs one model per process (docs/adr/0018-python-host-programs.md).

#include "models/common/initiator_port.h"
#include "models/common/simulation_error.h"
#include "platform/output_file.h"
#include "platform/topology/config_error.h"
#include "platform/topology/loader.h"
#include "platform/topology/topology_report.h"
#include "python/bindings/host_api.h"
#include "python/bindings/json_to_python.h"
#include "python/bindings/python_threads.h"
#include "runtime/host/host_program.h"
#include "testbenches/benches/bench.h"
#include "testbenches/benches/bench_run.h"

#include <pybind11/stl.h>

#include <sys/prctl.h>

#include <csignal>
#include <cstdio>
#include <optional>
#include <vector>

namespace py = pybind11;

namespace kb::python {

namespace {

// A Python host program's stack: the interpreter and the C code it calls run on it.
constexpr std::size_t kPythonStackBytes = 8u << 20;

models::Fidelity fidelity_of(const std::string& text) {
  if (auto f = models::parse_fidelity(text)) return *f;
  throw bench::BenchUsageError("fidelity '" + text + "' is not one of " +
                               models::fidelity_choices());
}

// The host threads' Python exceptions; simulate() re-raises the first with its traceback.
// They are kept to be destroyed on the simulating thread: pybind11 takes the GIL through
// the OS thread's own state to drop one, which a SystemC thread must not do
// (python_threads.h), and likewise for its message, made here from the exception itself.
struct Raised {
  std::vector<py::error_already_set> all;

  template <class Call>
  py::object call(Call&& fn) {
    try {
      return fn();
    } catch (py::error_already_set& e) {
      const std::string what =
          std::string(py::str(e.type().attr("__name__"))) + ": " + std::string(py::str(e.value()));
      all.push_back(std::move(e));
      throw std::runtime_error("the Python host program raised " + what);
    }
  }
};

py::dict simulate(const py::object& program, const std::optional<std::string>& topology_file,
                  const std::vector<std::string>& overrides, const std::string& fidelity,
                  bool timing_only, std::optional<std::uint32_t> ranks, const py::object& device) {
  const platform::Topology topology = platform::load_topology(topology_file, overrides);
  platform::RunOptions options;
  options.timing_only = timing_only;
  options.fidelity = fidelity_of(fidelity);
  platform::Simulation sim(topology, options);
  sim.leave_model_to_exit();

  PyThreadState* main = PyThreadState_Get();
  Raised raised;
  py::list returned;
  py::object engine = py::cast(Engine{&sim});
  py::object shared_context;
  if (!ranks) {
    returned.append(py::none());
    runtime::spawn_host_thread(
        [&] {
          OwnThreadState state(main);
          returned[0] = raised.call([&] { return program(engine); });
        },
        "host", kPythonStackBytes);
  } else {
    for (std::uint32_t r = 0; r < *ranks; ++r) returned.append(py::none());
    runtime::spawn_ranks(
        sim, *ranks,
        [&](runtime::RuntimeContext& ctx, std::uint32_t rank) {
          OwnThreadState state(main);
          if (!shared_context) shared_context = borrowed_context(ctx);
          returned[rank] = raised.call([&] { return program(shared_context); });
        },
        device_of(device), kPythonStackBytes);
  }
  try {
    KeepThreadState keep;
    sim.run();
  } catch (const models::SimulationError&) {
    if (!raised.all.empty()) {
      raised.all.front().restore();
      throw py::error_already_set();
    }
    throw;
  }
  py::dict result;
  result["returned"] = ranks ? py::object(returned) : py::object(returned[0]);
  result["simulated_ns"] = sc_core::sc_time_stamp().to_seconds() * 1e9;
  result["wall_s"] = sim.run_wall_s();
  result["transactions"] = models::transaction_count();
  result["fidelity"] = fidelity;
  result["timing_only"] = timing_only;
  return result;
}

py::object run(const std::string& bench, const std::optional<std::string>& topology,
               const std::vector<std::string>& overrides, const std::vector<std::string>& params,
               bool timing_only, const std::string& fidelity, bool traces,
               const std::string& report, const std::string& vcd, const std::string& vcd_scope,
               const std::string& timeline, const std::string& chakra_out, bool progress) {
  bench::RunRequest request;
  request.bench = bench;
  request.topology = topology;
  request.overrides = overrides;
  request.params = params;
  request.timing_only = timing_only;
  request.fidelity = fidelity_of(fidelity);
  request.traces = traces;
  request.report = report;
  request.vcd = vcd;
  request.vcd_scope = vcd_scope;
  request.timeline = timeline;
  request.chakra_out = chakra_out;
  if (progress) request.progress = bench::print_progress;
  bench::RunResult result;
  try {
    result = bench::run_bench(request);
  } catch (const platform::ConfigError&) {
    throw;
  } catch (const platform::OutputPathError&) {
    throw;
  } catch (const bench::BenchUsageError&) {
    throw;
  } catch (const models::SimulationError&) {
    throw;
  } catch (const std::exception& e) {
    // What the command line reports as an error with exit 3 (host memory, a file it could
    // not write): a SimulationError here too, with the same words.
    throw models::SimulationError(models::describe(e));
  }
  if (progress) bench::clear_progress();
  return py::make_tuple(to_python(result.report), result.verification_failed);
}

// The package's error classes (kernbench/errors.py) for the project's exceptions, by the
// exit code kernbench would give: usage and configuration 2, simulation 3.
void register_errors(py::module_& m) {
  const py::module_ errors = py::module_::import("kernbench.errors");
  static py::object usage = errors.attr("UsageError");
  static py::object simulation = errors.attr("SimulationError");
  m.attr("UsageError") = usage;
  m.attr("SimulationError") = simulation;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const platform::ConfigError& e) {
      PyErr_SetString(usage.ptr(), e.what());
    } catch (const platform::OutputPathError& e) {
      PyErr_SetString(usage.ptr(), e.what());
    } catch (const bench::BenchUsageError& e) {
      PyErr_SetString(usage.ptr(), e.what());
    } catch (const models::SimulationError& e) {
      PyErr_SetString(simulation.ptr(), e.what());
    }
  });
}

}  // namespace

}  // namespace kb::python

PYBIND11_MODULE(_kernbench, m) {
  using namespace kb::python;
  m.doc() = "KernBench/SC's simulator; use it through the kernbench package (docs/python.md)";
  register_errors(m);
  bind_host_api(m);
  m.def("run", &run, py::arg("bench"), py::arg("topology"), py::arg("overrides"), py::arg("params"),
        py::arg("timing_only"), py::arg("fidelity"), py::arg("traces"), py::arg("report"),
        py::arg("vcd"), py::arg("vcd_scope"), py::arg("timeline"), py::arg("chakra_out"),
        py::arg("progress"));
  m.def("simulate", &simulate, py::arg("program"), py::arg("topology"), py::arg("overrides"),
        py::arg("fidelity"), py::arg("timing_only"), py::arg("ranks"), py::arg("device"));
  m.def("benches", [] { return to_python(kb::bench::benches_json()); });
  m.def(
      "topology",
      [](const std::optional<std::string>& file, const std::vector<std::string>& overrides) {
        auto j = kb::platform::topology_json(kb::platform::load_topology(file, overrides));
        j["file"] = kb::platform::topology_source(file);
        return to_python(j);
      },
      py::arg("file"), py::arg("overrides"));
  // For the child process a call runs in: flush C's buffers before _exit, and end with the
  // parent (a notebook's kernel interrupted or killed).
  m.def("flush_stdio", [] { std::fflush(nullptr); });
  m.def("end_with_parent", [] { prctl(PR_SET_PDEATHSIG, SIGTERM); });
  // SystemC's banner would precede every simulation's output.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
}

// libsystemc's own main() calls sc_main. Python never enters that main, but the library
// resolves every symbol when Python loads this module, sc_main included.
__attribute__((visibility("default"))) int sc_main(int, char**) { return 2; }
