"""Notebook-style analysis with pandas (docs/python.md): a small grid run from Python, then
a sweep's results table.

    python3 sweep_analysis.py                 # the grid alone
    python3 sweep_analysis.py sweeps/energy   # and a sweep's output (kernbench sweep --out)
"""

import sys

import pandas as pd

import kernbench


def fidelity_grid():
    """All-reduce time at three sizes in both fidelities: one report row per run."""
    rows = []
    for size_kib in (64, 256, 1024):
        for fidelity in ("transaction", "flow"):
            report = kernbench.run("allreduce", params={"bytes": f"{size_kib}K"},
                                   fidelity=fidelity, timing_only=True)
            rows.append(kernbench.read_report(report).assign(size_kib=size_kib))
    return pd.concat(rows, ignore_index=True)


def energy_front(results):
    """The sweep's points no other point beats on both time and energy."""
    ok = results[results["status"] == "ok"].sort_values("kernel_time_ns")
    return ok[ok["energy.total_j"] <= ok["energy.total_j"].cummin()]


if __name__ == "__main__":
    grid = fidelity_grid()
    times = grid.pivot(index="size_kib", columns="fidelity", values="kernel_time_ns")
    times["flow/transaction"] = times["flow"] / times["transaction"]
    print(times.to_string(float_format=lambda v: f"{v:.4g}"))
    if len(sys.argv) > 1:
        front = energy_front(kernbench.read_results(sys.argv[1]))
        print(f"\n{len(front)} points on the time-energy front:")
        print(front[["kernel_time_ns", "energy.total_j"]].to_string(index=False))
