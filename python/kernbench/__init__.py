"""KernBench/SC in Python (docs/python.md).

    import kernbench
    report = kernbench.run("gemm", params={"M": 256, "N": 256, "K": 256})
    report["kernel_time_ns"]

Runs give their report as a dict (what `kernbench run --report` writes); host programs
written against the original runtime's API (RuntimeContext, DPPolicy, launch, wait, traces,
install_ipcq, ranks) run in the simulation with `simulate`. Every call that simulates runs
in a process of its own (SystemC runs one model per process): call them as often as you like.
"""

import sys

from . import _kernbench, kernels, topology
from ._process import isolated
from .errors import KernbenchError, SimulationError, UsageError, VerificationError
from .frames import read_report, read_results

RuntimeContext = _kernbench.RuntimeContext
DPPolicy = _kernbench.DPPolicy

__all__ = [
    "DPPolicy", "KernbenchError", "RuntimeContext", "SimulationError", "UsageError",
    "VerificationError", "kernels", "list_benches", "read_report", "read_results", "run",
    "simulate", "topology",
]


def _assignments(values, what):
    """{"a.b": 8} or ["a.b=8"] as KEY=VALUE strings, as the command line takes them."""
    if values is None:
        return []
    if isinstance(values, dict):
        def text(v):
            return ("true" if v else "false") if isinstance(v, bool) else str(v)
        return [f"{key}={text(value)}" for key, value in values.items()]
    if isinstance(values, str):
        raise UsageError(f"{what}: a dict {{KEY: VALUE}} or a list of 'KEY=VALUE', not a string")
    return [str(v) for v in values]


def list_benches():
    """Every bench: {name: {"description": ..., "params": {name: default}}}."""
    return _kernbench.benches()


def run(bench, topology=None, set=None, params=None, timing_only=False,
        fidelity="transaction", traces=False, report=None, vcd=None, vcd_scope="*",
        timeline=None, chakra_out=None, progress=None):
    """Runs a bench as `kernbench run` does and returns its report as a dict.

    topology: a YAML file (default: the embedded default); set: topology overrides
    {"system.sips.count": 8}; params: bench parameters {"M": 256}; traces: add the host
    requests' traces ("traces", the original's trace dicts). report, vcd, timeline,
    chakra_out: files to write, as the command line's options. progress: the simulated
    time reached, about every second on stderr (default: when stderr is a terminal).
    Raises UsageError (exit 2 there), SimulationError (3) or VerificationError (1, with the
    report).
    """
    if progress is None:
        progress = sys.stderr.isatty()
    result, failed = isolated(
        _kernbench.run, bench, topology, _assignments(set, "set"),
        _assignments(params, "params"), timing_only, fidelity, traces, report or "",
        vcd or "", vcd_scope, timeline or "", chakra_out or "", bool(progress))
    if failed:
        first = result.get("verify", {}).get("first_failure", "")
        raise VerificationError(f"{bench}: results failed verification: {first}", result)
    return result


def simulate(program, topology=None, set=None, fidelity="transaction", timing_only=False,
             ranks=None, device=None):
    """Runs a host program in the simulation, on a SystemC thread, and returns
    {"returned": what it returned, "simulated_ns", "wall_s", "transactions", ...}.

    program(engine) creates its own RuntimeContext(engine, ...). With ranks=N, N programs
    run as ranks sharing one context: program(ctx) each, ctx.distributed.get_rank() telling
    which (device: bind that context to one SIP). An exception in the program stops the
    simulation and is raised here with its traceback.
    """
    if ranks is not None and (not isinstance(ranks, int) or ranks < 1):
        raise UsageError(f"ranks={ranks!r}: a positive number of ranks")
    if device is not None and ranks is None:
        raise UsageError("device= binds the ranks' shared context; a single program names its "
                         "device in RuntimeContext(engine, target_device)")
    return isolated(_kernbench.simulate, program, topology, _assignments(set, "set"),
                    fidelity, timing_only, ranks, device)
