"""kernbench sweep SPEC.yaml --out DIR [--jobs N] [--engine local|dask] [--scheduler ADDR]

Runs every point of a sweep spec as its own `kernbench run` process (SystemC elaborates
once per process), N at a time locally or as tasks on a Dask cluster, and writes
DIR/points/POINT.json (each point's report) and DIR/results.csv (one row per point).
A point whose report exists for the same command line is not run again (DIR/points/
POINT.command.json records the line; POINT is a hash of it). Exit code: 0 when
every point succeeded, 1 when some failed, 2 for a bad spec, 130 when interrupted."""

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from kbtools import engines, spec as specs

FIXED = ["status", "exit_code", "sim_time_ns", "kernel_time_ns", "bound_ns", "efficiency",
         "limiter", "wall_s", "report", "error"]
# Report figures that have a column of their own, or are not figures of the run.
NOT_EXTRA = {"sim_time_ns", "kernel_time_ns", "efficiency", "wall_s"}
# Benches whose figures come as an object: its numbers become columns KEY.NAME (one level
# further for breakdowns: llm.breakdown.gemm, chakra.nodes_by_type.COMP_NODE,
# serve.ttft_ms.p99); lists (a trace's per-rank finish times) stay in the report, as do the
# components taking the most energy (energy.by_component) and the serve bench's simulated
# step times (serve.steps.simulated_ns); the machine's area is one column, area_mm2.
FIGURE_GROUPS = {"llm", "chakra", "serve", "energy", "perf"}
IN_REPORT_ONLY = {"by_component", "simulated_ns"}


def figures(prefix, group):
    out = {}
    for key, value in group.items():
        if key in IN_REPORT_ONLY:
            continue
        if isinstance(value, dict):
            out.update(figures(prefix + key + ".", value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[prefix + key] = value
    return out


def point_id(args):
    return hashlib.sha1("\0".join(args).encode()).hexdigest()[:12]


def check_names(spec, kernbench):
    """Bench, parameter and topology key names, once, before any point runs: a typo is a
    bad spec (exit 2), not a sweep of failures."""
    listing = json.loads(subprocess.run([kernbench, "list", "--json"], check=True,
                                        capture_output=True, text=True).stdout)
    where = lambda axis: f"{spec.path}:{spec.lines[axis]}" if axis in spec.lines else spec.path
    if spec.bench not in listing:
        raise specs.SpecError(f"{spec.path}: error: bench: no bench '{spec.bench}'; benches: "
                              f"{', '.join(listing)}")
    known = listing[spec.bench]["params"]
    names = [(p, spec.path) for p in spec.params] + \
            [(a[len("param."):], where(a)) for a in spec.axes if specs.is_param(a)]
    for name, place in names:
        if name not in known:
            raise specs.SpecError(f"{place}: error: param.{name}: bench '{spec.bench}' has no "
                                  f"parameter '{name}'; its parameters: {', '.join(known)}")
    keys = [(k, v, spec.path) for k, v in spec.sets.items()] + \
           [(a, spec.points[0][a], where(a)) for a in spec.axes if specs.is_topology_key(a)]
    for key, value, place in keys:
        show = [kernbench, "topology", "show", "--set", f"{key}={value}"]
        if spec.topology:
            show.insert(3, spec.topology)
        result = subprocess.run(show, capture_output=True, text=True)
        if result.returncode != 0 and ("unknown key" in result.stderr or
                                       "is a section" in result.stderr):
            raise specs.SpecError(f"{place}: error: {key}: not a topology key "
                                  f"({result.stderr.strip().splitlines()[-1]})")


def meta_path(report_path):
    return report_path[:-len(".json")] + ".command.json"


class OutputError(Exception):
    """An output that could not be written (a full disk, no permission): exit 3."""


def write_whole(path, text):
    try:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    except OSError as e:
        try:
            os.remove(path + ".tmp")
        except OSError:
            pass
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from e


def reused_point(report_path):
    """The report and wall time of a point done before, or None to run it (again): a report
    or its command file that is missing, unreadable or not whole JSON (a disk that filled
    up, a file edited by hand) is not a result."""
    try:
        with open(report_path, encoding="utf-8") as f:
            report = f.read()
        json.loads(report)
        with open(meta_path(report_path), encoding="utf-8") as f:
            wall_s = float(json.load(f)["wall_s"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return report, wall_s


def row_of(pid, point, outcome, report_rel):
    row = {"point": pid, **point, "status": "ok" if outcome["exit_code"] == 0 else "failed",
           "exit_code": outcome["exit_code"], "wall_s": round(outcome["wall_s"], 3),
           "report": report_rel if outcome["exit_code"] == 0 else "",
           "error": outcome["error"]}
    if outcome["report"]:
        r = json.loads(outcome["report"])
        row.update(sim_time_ns=r.get("sim_time_ns"), kernel_time_ns=r.get("kernel_time_ns"),
                   bound_ns=r.get("bound", {}).get("time_ns"), efficiency=r.get("efficiency"),
                   limiter=r.get("bound", {}).get("limiter"))
        for key, value in r.items():
            if key not in NOT_EXTRA and isinstance(value, (int, float)) \
                    and not isinstance(value, bool):
                row[key] = value
            elif key in FIGURE_GROUPS and isinstance(value, dict):
                row.update(figures(key + ".", value))
        if isinstance(r.get("area_mm2"), dict):
            row["area_mm2"] = r["area_mm2"].get("total")
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="kernbench sweep",
        description="Run every point of a sweep spec as its own kernbench run, locally or on "
                    "a Dask cluster; reports in DIR/points, the table in DIR/results.csv "
                    "(docs/sweeps.md).",
        epilog="example: kernbench sweep configs/sweeps/hbm_bandwidth_vector_add.yaml "
               "--out sweeps/hbm --jobs 2")
    parser.add_argument("--kernbench", required=True, help=argparse.SUPPRESS)
    parser.add_argument("spec", metavar="SPEC.yaml", help="the sweep (configs/sweeps/ has examples)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="where points/ and results.csv go; rerunning reuses what is there")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="points at a time on the local engine (default: the CPUs)")
    parser.add_argument("--engine", choices=["local", "dask"], default="local",
                        help="local processes (default) or tasks on a Dask scheduler")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="the Dask scheduler (--engine dask)")
    o = parser.parse_args(argv)
    if o.jobs < 1:
        parser.error("--jobs must be at least 1")
    if o.engine == "dask" and not o.scheduler:
        parser.error("--engine dask needs --scheduler tcp://HOST:PORT")
    try:
        spec = specs.load(o.spec)
        check_names(spec, o.kernbench)
    except specs.SpecError as e:
        print(e, file=sys.stderr)
        return 2
    # The reports, and the running points' temporary ones: what a sweep killed outright left
    # there goes.
    scratch = os.path.join(o.out, ".running")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        for folder in (os.path.join(o.out, "points"), scratch):
            os.makedirs(folder, exist_ok=True)
    except OSError as e:
        print(f"kernbench sweep: --out {o.out}: {e.strerror}", file=sys.stderr)
        return 2
    table = os.path.join(o.out, "results.csv")
    if os.path.lexists(table) and not os.path.isfile(table):
        print(f"kernbench sweep: --out {o.out}: {table} exists and is not a file; the table "
              "goes there", file=sys.stderr)
        return 2

    rows, todo, order = {}, [], []  # order: the points' ids, in spec order
    for point in spec.points:
        args = specs.command(spec, point)
        pid = point_id(args)
        order.append(pid)
        report_rel = os.path.join("points", pid + ".json")
        report_path = os.path.join(o.out, report_rel)
        done_before = reused_point(report_path)  # for this very command line
        if done_before:
            report, wall_s = done_before
            rows[pid] = row_of(pid, point, {"exit_code": 0, "report": report, "error": "",
                                            "wall_s": wall_s}, report_rel)
        else:
            todo.append((pid, point, args, report_rel))
    reused = len(rows)

    try:
        engine = (engines.DaskEngine(o.scheduler) if o.engine == "dask"
                  else engines.LocalEngine(o.jobs, scratch))
    except (OSError, ValueError) as e:  # distributed raises OSError on a timeout
        print(f"kernbench sweep: cannot reach the Dask scheduler {o.scheduler}: {e}",
              file=sys.stderr)
        return 2
    futures = {}
    args_of = {pid: args for pid, _, args, _ in todo}
    start, done, failed = time.monotonic(), 0, 0
    total = len(spec.points)
    interrupted = False
    try:
        # Submitted inside the try: the first points start while later ones are submitted,
        # and a stop that comes then must stop those too (outside it, the interpreter's exit
        # waited for every submitted point to run to its end).
        for pid, point, args, report_rel in todo:
            futures[engine.submit(o.kernbench, args)] = (pid, point, report_rel)
        for future in engine.as_completed(list(futures)):
            pid, point, report_rel = futures[future]
            if future.cancelled():
                continue
            outcome = future.result()
            if outcome["report"]:
                report_path = os.path.join(o.out, report_rel)
                # The command line and wall time beside the report, the report last: a point
                # counts as done only once both are whole.
                write_whole(meta_path(report_path),
                            json.dumps({"command": [o.kernbench] + args_of[pid],
                                        "wall_s": outcome["wall_s"]}, indent=2))
                write_whole(report_path, outcome["report"])
            rows[pid] = row_of(pid, point, outcome, report_rel)
            done += 1
            failed += outcome["exit_code"] != 0
            eta = (time.monotonic() - start) / done * (len(todo) - done)
            print(f"[sweep] {reused + done}/{total} done ({reused} reused), {failed} failed, "
                  f"ETA {eta:.0f} s", file=sys.stderr, flush=True)
        engine.close()
    except KeyboardInterrupt:
        interrupted = True
        engine.cancel(list(futures))
        print("[sweep] interrupted: the points done so far are in the table; rerun to finish",
              file=sys.stderr)
    except OutputError:
        engine.cancel(list(futures))  # nothing more can be kept: stop the running points
        raise
    shutil.rmtree(scratch, ignore_errors=True)

    ordered = [rows[pid] for pid in order if pid in rows]
    extras = []
    for row in ordered:
        extras += [k for k in row if k not in extras and k not in FIXED and k != "point"
                   and k not in spec.axes]
    columns = ["point"] + spec.axes + FIXED + extras
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    writer.writerows(ordered)
    write_whole(table, text.getvalue())
    print(f"[sweep] {len(ordered)} of {total} points in {table}: {done} run, {reused} reused, "
          f"{sum(r['status'] != 'ok' for r in ordered)} failed", file=sys.stderr)
    if interrupted:
        return 130
    return 1 if any(r["status"] != "ok" for r in ordered) else 0


def _interrupt(signum, frame):
    """SIGTERM and SIGHUP stop a sweep as Ctrl-C does: the running points are stopped and
    the table of those done is written. Without this a terminated sweep died at once and
    left its running points behind, each in a session of its own."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, _interrupt)
    # A file-size limit (ulimit -f) is a write error, reported, not a signal that kills.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        sys.exit(main())
    except OutputError as e:  # the environment's fault: a full disk, no permission
        print(f"kernbench sweep: {e}", file=sys.stderr)
        sys.exit(3)
    except KeyboardInterrupt:  # before any point ran: reading or checking the spec
        print("[sweep] interrupted before any point ran", file=sys.stderr)
        sys.exit(130)
