"""kernbench sweep on the local engine: the table, times that move as the keys say, resume,
a failing point alone, and bad specs."""

import json
import os
import signal
import subprocess
import time

from sweep_test import CONFIGS, KERNBENCH, SPEC, SweepCase, main


def point_processes(topology):
    """The `kernbench run` processes running on `topology`, a file of the case's own."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if b"run" in argv and topology.encode() in argv:
            found.append(pid)
    return found


class LocalSweep(SweepCase):
    def test_table_resume_and_a_failing_point(self):
        spec = self.write("spec.yaml", SPEC)
        out = self.path("out")
        r = self.kernbench("sweep", spec, "--out", out, "--jobs", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("6/6 done", r.stderr)
        rows = self.table(out)
        self.assertEqual(len(rows), 6)
        for column in ["point", "cube.hbm_slice.bw_gbps", "param.elements", "status", "exit_code",
                       "sim_time_ns", "kernel_time_ns", "bound_ns", "efficiency", "limiter",
                       "wall_s", "report", "error", "achieved_gbps"]:
            self.assertIn(column, rows[0])
        for row in rows:
            self.assertEqual(row["status"], "ok")
            self.assertTrue(os.path.isfile(os.path.join(out, row["report"])))
        time = {(r["cube.hbm_slice.bw_gbps"], r["param.elements"]): float(r["kernel_time_ns"])
                for r in rows}
        for n in ["64K", "256K"]:  # more HBM bandwidth, never slower; slower where it binds
            self.assertGreater(time[("50", n)], time[("100", n)])
            self.assertGreaterEqual(time[("100", n)], time[("400", n)])
        for bw in ["50", "100", "400"]:  # four times the data takes longer
            self.assertGreater(time[(bw, "256K")], time[(bw, "64K")])

        # A rerun of the same spec simulates nothing.
        mtimes = {f: os.path.getmtime(os.path.join(out, "points", f))
                  for f in os.listdir(os.path.join(out, "points"))}
        again = self.kernbench("sweep", spec, "--out", out, "--jobs", "2")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("0 run, 6 reused", again.stderr)
        for f, t in mtimes.items():
            self.assertEqual(os.path.getmtime(os.path.join(out, "points", f)), t)
        self.assertEqual(self.table(out), rows)

        # A point whose report was cut short, and one whose command file went missing, are
        # run again; the rest are reused.
        reports = sorted(f for f in os.listdir(os.path.join(out, "points"))
                         if not f.endswith(".command.json"))
        with open(os.path.join(out, "points", reports[0]), "w", encoding="utf-8") as f:
            f.write('{"bench": "vector_ad')
        os.remove(os.path.join(out, "points", reports[1][:-len(".json")] + ".command.json"))
        again = self.kernbench("sweep", spec, "--out", out, "--jobs", "2")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("2 run, 4 reused", again.stderr)
        self.assertNotIn("Traceback", again.stderr)
        self.assertEqual([r["status"] for r in self.table(out)], ["ok"] * 6)

        # One point the topology refuses fails alone: exit 1, the others still run.
        bad = self.write("bad.yaml", SPEC.replace("[50, 100, 400]", "[50, -1, 400]"))
        r = self.kernbench("sweep", bad, "--out", self.path("bad"), "--jobs", "2")
        self.assertEqual(r.returncode, 1, r.stderr)
        rows = self.table(self.path("bad"))
        failed = [r for r in rows if r["status"] == "failed"]
        self.assertEqual(len(failed), 2)
        self.assertTrue(all(r["cube.hbm_slice.bw_gbps"] == "-1" for r in failed))
        self.assertTrue(all(r["exit_code"] == "2" and "out of range" in r["error"]
                            for r in failed))
        self.assertEqual(sum(r["status"] == "ok" for r in rows), 4)

    def test_fidelity_is_an_axis(self):
        tiny = os.path.join(os.environ["KB_SOURCE_DIR"], "configs", "tiny.yaml")
        spec = self.write("fidelity.yaml", f"bench: allreduce\ntopology: {tiny}\n"
                          "timing_only: true\nparams: {bytes: 1M}\n"
                          "grid:\n  fidelity: [transaction, flow]\n")
        out = self.path("fidelity")
        r = self.kernbench("sweep", spec, "--out", out, "--jobs", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = {row["fidelity"]: row for row in self.table(out)}
        self.assertEqual(sorted(rows), ["flow", "transaction"])
        transactions = {}
        for fidelity, row in rows.items():
            with open(os.path.join(out, row["report"]), encoding="utf-8") as f:
                report = json.load(f)
            self.assertEqual(report["fidelity"], fidelity)
            transactions[fidelity] = report["sim_speed"]["transactions"]
        # The same run, in fewer and coarser transactions.
        self.assertLess(transactions["flow"], transactions["transaction"])

        bad = self.write("bad_fidelity.yaml", f"bench: allreduce\ntopology: {tiny}\n"
                         "grid:\n  fidelity: [transaction, fast]\n")
        r = self.kernbench("sweep", bad, "--out", self.path("bad_fidelity"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("bad_fidelity.yaml:4: error: grid.fidelity: fast: expected one of "
                      "transaction, flow", r.stderr)

    def start_slow_sweep(self, name, sizes):
        """A sweep whose points run long enough to be caught running, on a topology file of
        the case's own (so that its children can be found by their command lines), once
        one of its points runs: the sweep, its spec, its DIR and its points' processes."""
        with open(os.path.join(CONFIGS, "multi_sip.yaml"), encoding="utf-8") as f:
            topology = self.write(name + ".yaml", f.read())
        spec = self.write(name + "_spec.yaml", f"bench: allreduce\ntopology: {topology}\n"
                          f"timing_only: true\ngrid:\n  param.bytes: [{sizes}]\n")
        out = self.path(name)
        sweep = subprocess.Popen([KERNBENCH, "sweep", spec, "--out", out, "--jobs", "2"],
                                 stderr=subprocess.PIPE, text=True, cwd=self.dir)
        def children():
            return point_processes(topology)
        deadline = time.monotonic() + 60
        while not children() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(children(), "no point started")
        return sweep, spec, out, children

    def test_sigterm_stops_the_points_and_writes_the_table(self):
        sweep, _, out, children = self.start_slow_sweep("slow", "32M, 64M, 128M")
        sweep.send_signal(signal.SIGTERM)
        _, err = sweep.communicate(timeout=30)
        self.assertEqual(sweep.returncode, 130, err)
        self.assertIn("interrupted", err)
        self.assertEqual(children(), [])
        self.assertTrue(os.path.isfile(os.path.join(out, "results.csv")))

    def test_sigkill_of_a_sweep_ends_its_points_and_the_next_run_tidies(self):
        sweep, spec, out, children = self.start_slow_sweep("killed", "32M, 64M")
        sweep.kill()  # SIGKILL: the sweep cannot stop them itself
        sweep.communicate()
        deadline = time.monotonic() + 30  # a loaded machine delivers signals late
        while children() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(children(), [], "points outlived their sweep")
        # What the killed sweep left is removed by its next run, which finishes the work.
        self.assertTrue(os.path.isdir(os.path.join(out, ".running")))
        r = self.kernbench("sweep", spec, "--out", out, "--jobs", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, ".running")))

    def test_outputs_that_cannot_be_written_are_exit_2_or_3(self):
        spec = self.write("spec.yaml", SPEC)
        # The table's path taken by a directory: refused before any point runs.
        os.makedirs(self.path("taken/results.csv"))
        r = self.kernbench("sweep", spec, "--out", self.path("taken"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("results.csv exists and is not a file", r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        # A file-size limit: every point fails to write its report, then the table (20
        # failed rows, over 1 KiB) cannot be written: exit 3 naming it, no temporary left.
        many = self.write("many.yaml", SPEC.split("grid:")[0] + "grid:\n  param.elements: [" +
                          ", ".join(f"{16 * (i + 1)}K" for i in range(20)) + "]\n")
        out = self.path("limited")
        r = subprocess.run(["bash", "-c", f"ulimit -f 1; exec {KERNBENCH} sweep {many} "
                            f"--out {out} --jobs 2"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("cannot write", r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        self.assertEqual([n for n in os.listdir(out) if n.endswith(".tmp")], [])

    def test_llm_figures_become_columns(self):
        spec = self.write("llm.yaml", "bench: llm\ntopology: " + os.path.join(
            os.environ["KB_SOURCE_DIR"], "configs", "tiny.yaml") +
            "\ntiming_only: true\ngrid:\n  param.batch: [1, 4]\n")
        out = self.path("llm")
        r = self.kernbench("sweep", spec, "--out", out, "--jobs", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = self.table(out)
        self.assertEqual(len(rows), 2)
        for row in rows:
            for column in ["llm.tpot_ns", "llm.tokens_per_s", "llm.mfu", "llm.mbu",
                           "llm.breakdown.gemm", "llm.exposed_communication_ns"]:
                self.assertIn(column, row)
                self.assertGreater(float(row[column] or 0) + 1, 0)
            self.assertGreater(float(row["llm.tpot_ns"]), 0)
        by_batch = {r["param.batch"]: float(r["llm.tokens_per_s"]) for r in rows}
        self.assertGreater(by_batch["4"], by_batch["1"])  # batching raises throughput

    def test_chakra_figures_become_columns(self):
        # A trace to replay: an llm step written out.
        trace = self.path("step")
        r = self.kernbench("run", "llm", "--topology", os.path.join(
            os.environ["KB_SOURCE_DIR"], "configs", "tiny.yaml"), "--timing-only",
            "--param", "layers=1", "--chakra-out", trace)
        self.assertEqual(r.returncode, 0, r.stderr)
        spec = self.write("chakra.yaml", "bench: chakra\ntopology: " + os.path.join(
            os.environ["KB_SOURCE_DIR"], "configs", "tiny.yaml") +
            "\ntiming_only: true\nparams:\n  trace: " + trace +
            "\ngrid:\n  param.comp_scale: [1.0, 3.0]\n")
        out = self.path("chakra")
        r = self.kernbench("sweep", spec, "--out", out, "--jobs", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = self.table(out)
        self.assertEqual(len(rows), 2)
        for row in rows:
            for column in ["chakra.nodes", "chakra.comm_bytes", "chakra.comp_ns",
                           "chakra.exposed_comm_ns", "chakra.nodes_by_type.COMP_NODE"]:
                self.assertIn(column, row)
            self.assertNotIn("chakra.finish_ns", row)
        comp = {r["param.comp_scale"]: float(r["chakra.comp_ns"]) for r in rows}
        self.assertGreater(comp["3.0"], 2.5 * comp["1.0"])  # recorded compute, scaled

    def test_zip_axes_advance_together(self):
        spec = self.write("zip.yaml", SPEC.replace(
            "grid:\n  cube.hbm_slice.bw_gbps: [50, 100, 400]\n  param.elements: [64K, 256K]\n",
            "grid:\n  param.elements: [64K]\nzip:\n  cube.hbm_slice.bw_gbps: [50, 100]\n"
            "  cube.hbm_slice.latency_ns: [10, 20]\n"))
        r = self.kernbench("sweep", spec, "--out", self.path("z"), "--jobs", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = self.table(self.path("z"))
        self.assertEqual([(r["cube.hbm_slice.bw_gbps"], r["cube.hbm_slice.latency_ns"])
                          for r in rows], [("50", "10"), ("100", "20")])

    def test_bad_specs_name_file_line_and_key(self):
        cases = {
            "grid:\n  cube.hbm_slice.bw_gbps: [50]\n": "bench: missing",
            "bench: vector_add\ngrid:\n  cube.hbm_slice.bandwidth: [50]\n":
                "bad.yaml:3: error: cube.hbm_slice.bandwidth: not a topology key",
            "bench: vector_add\ngrid:\n  param.elemnts: [1M]\n":
                "bad.yaml:3: error: param.elemnts: bench 'vector_add' has no parameter",
            "bench: vector_add\ngrid:\n  param.elements: []\n":
                "bad.yaml:3: error: grid.param.elements: expected a non-empty list",
            "bench: vector_add\ngird:\n  param.elements: [1M]\n": "bad.yaml:2: error: gird: unknown key",
            "bench: vector_add\nzip:\n  param.elements: [1M, 2M]\n  param.dtype: [f32]\n":
                "zip: its axes must list the same number of values",
            "bench: nope\ngrid:\n  param.elements: [1M]\n": "no bench 'nope'",
            "bench: vector_add\nparams: {elements: 1M}\ngrid:\n  param.elements: [2M]\n":
                "bad.yaml:4: error: param.elements: is both fixed",
            "bench: vector_add\ntopology: no/such.yaml\ngrid:\n  param.elements: [1M]\n":
                "bad.yaml:2: error: topology: no file no/such.yaml",
        }
        # 10^9 points: refused from the axes' lengths, before a point is built.
        thousand = ", ".join(str(v) for v in range(1, 1001))
        many = "bench: vector_add\ngrid:\n" + "".join(
            f"  {axis}: [{thousand}]\n" for axis in
            ("param.elements", "system.simulation.quantum_ns", "cube.hbm_slice.bw_gbps"))
        cases[many] = ("bad.yaml:3: error: grid: 1,000,000,000 points; a spec may have at most "
                       "100,000")
        binary = self.path("binary.yaml")
        with open(binary, "wb") as f:
            f.write(b"\xff\xfe\x00bench")
        r = self.kernbench("sweep", binary, "--out", self.path("o"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("binary.yaml: error: byte 0 is not UTF-8 text", r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        for text, expected in cases.items():
            spec = self.write("bad.yaml", text)
            r = self.kernbench("sweep", spec, "--out", self.path("o"))
            self.assertEqual(r.returncode, 2, text + r.stderr)
            self.assertIn(expected, r.stderr, text)


class LocalPoints(SweepCase):
    def test_a_point_after_the_stop_never_starts(self):
        # A worker that reaches a point once the sweep is stopping must not start it: the
        # stop would wait for that run to end (a point taken from the queue just as SIGTERM
        # came once held a stopped sweep for minutes).
        from kbtools import engines
        points = engines.LocalPoints()
        points.stop()
        with self.assertRaises(RuntimeError) as raised:
            engines.run_point(KERNBENCH, ["run", "gemm", "--topology",
                                          os.path.join(CONFIGS, "tiny.yaml")], local=points)
        self.assertIn("stopped", str(raised.exception))
        self.assertEqual(points.running, set())

    def test_a_point_before_the_stop_runs_and_is_tracked_until_it_ends(self):
        from kbtools import engines
        points = engines.LocalPoints()
        outcome = engines.run_point(KERNBENCH, ["run", "gemm", "--timing-only", "--topology",
                                                os.path.join(CONFIGS, "tiny.yaml")],
                                    local=points)
        self.assertEqual(outcome["exit_code"], 0, outcome["error"])
        self.assertIsNotNone(outcome["report"])
        self.assertEqual(points.running, set())


class ExampleSpecs(SweepCase):
    def test_every_example_spec_is_valid(self):
        from kbtools import spec as specs, sweep
        folder = os.path.join(os.environ["KB_SOURCE_DIR"], "configs", "sweeps")
        names = sorted(os.listdir(folder))
        self.assertTrue(names)
        for name in names:
            spec = specs.load(os.path.join(folder, name))
            self.assertGreater(len(spec.points), 1, name)
            sweep.check_names(spec, KERNBENCH)  # raises SpecError naming the line


if __name__ == "__main__":
    main()
