"""kernbench.run, list_benches, topology and the pandas loaders give what the command line
gives, and its errors as exceptions of the same class."""

import os
import tempfile
import unittest

import kernbench
from kb_test import CONFIGS, cli, cli_report

GEMM = {"M": 256, "N": 256, "K": 256}


class Runs(unittest.TestCase):
    def test_a_run_reports_the_figures_the_command_line_reports(self):
        report = kernbench.run("gemm", params=GEMM)
        expected = cli_report("gemm", "--param", "M=256", "--param", "N=256", "--param", "K=256")
        for key in ("kernel_time_ns", "sim_time_ns", "fidelity", "bench", "params", "bound"):
            self.assertEqual(report[key], expected[key], key)
        self.assertTrue(report["verify"]["ok"])
        self.assertFalse(report["verify"]["skipped"])

    def test_runs_in_one_process_repeat_bit_for_bit_and_follow_their_options(self):
        multi = os.path.join(CONFIGS, "multi_sip.yaml")
        args = dict(topology=multi, set={"system.sips.count": 2}, params={"bytes": "256K"},
                    timing_only=True)
        first = kernbench.run("allreduce", fidelity="flow", **args)
        again = kernbench.run("allreduce", fidelity="flow", **args)
        fine = kernbench.run("allreduce", **args)
        self.assertEqual(first["kernel_time_ns"], again["kernel_time_ns"])
        self.assertEqual(first["fidelity"], "flow")
        self.assertEqual(fine["fidelity"], "transaction")
        self.assertEqual(first["topology"]["sips"], 2)
        expected = cli_report("allreduce", "--topology", multi, "--set", "system.sips.count=2",
                              "--param", "bytes=256K", "--timing-only", "--fidelity", "flow")
        self.assertEqual(first["kernel_time_ns"], expected["kernel_time_ns"])

    def test_traces_are_the_original_trace_dicts(self):
        traces = kernbench.run("vector_add", params={"elements": "4K"}, traces=True)["traces"]
        phases = {t["phase"] for t in traces}
        self.assertTrue({"mmu_map", "memory_write", "kernel", "memory_read"} <= phases, phases)
        for t in traces:
            self.assertLessEqual(t["submitted_ns"], t["finished_ns"])
            self.assertEqual(t["correlation_id"], "ctx1")
        self.assertNotIn("traces", kernbench.run("vector_add", params={"elements": "4K"}))

    def test_files_are_written_as_the_command_line_writes_them(self):
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "t.json")
            kernbench.run("vector_add", params={"elements": "4K"}, timeline=path)
            self.assertGreater(os.path.getsize(path), 0)


class Errors(unittest.TestCase):
    def assert_same_error(self, cli_args, call, kind, code):
        exit_code, _, stderr = cli(*cli_args)
        self.assertEqual(exit_code, code)
        with self.assertRaises(kind) as raised:
            call()
        self.assertEqual(raised.exception.exit_code, code)
        message = str(raised.exception)
        self.assertTrue(message and message in stderr, f"{message!r} not in {stderr!r}")

    def test_a_bad_topology_key_is_a_usage_error_with_the_cli_message(self):
        self.assert_same_error(
            ["run", "gemm", "--set", "sip.cube_mesh.q=2"],
            lambda: kernbench.run("gemm", set={"sip.cube_mesh.q": 2}), kernbench.UsageError, 2)

    def test_a_bad_bench_parameter_is_a_usage_error_with_the_cli_message(self):
        self.assert_same_error(
            ["run", "gemm", "--param", "M=-3"],
            lambda: kernbench.run("gemm", params={"M": -3}), kernbench.UsageError, 2)
        self.assert_same_error(
            ["run", "no_such_bench"], lambda: kernbench.run("no_such_bench"),
            kernbench.UsageError, 2)

    def test_a_run_whose_values_cannot_fit_in_host_memory_runs_timing_only(self):
        # 48 GiB of tensors kept several times over: the run goes on without their values.
        report = kernbench.run("vector_add", params={"elements": "4G"})
        self.assertTrue(report["timing_only"])
        self.assertIn("GiB of host memory", report["verify"]["because"])

    def test_a_run_whose_results_fail_verification_raises_with_its_report(self):
        # No bench fails verification on a correct model, so the simulator's answer is
        # replaced here by a failed one: what run() makes of it is under test.
        real = kernbench._kernbench.run
        report = {"verify": {"ok": False, "first_failure": "C(3, 4): device 1, reference 2"}}
        kernbench._kernbench.run = lambda *args: (report, True)
        try:
            with self.assertRaises(kernbench.VerificationError) as raised:
                kernbench.run("gemm")
        finally:
            kernbench._kernbench.run = real
        self.assertEqual(raised.exception.exit_code, 1)
        self.assertEqual(raised.exception.report, report)
        self.assertIn("C(3, 4): device 1, reference 2", str(raised.exception))

    def test_a_missing_topology_file_and_a_bad_fidelity_are_usage_errors(self):
        with self.assertRaises(kernbench.UsageError) as raised:
            kernbench.run("gemm", topology="/nonexistent/machine.yaml")
        self.assertIn("/nonexistent/machine.yaml", str(raised.exception))
        with self.assertRaises(kernbench.UsageError) as raised:
            kernbench.run("gemm", fidelity="fast")
        self.assertIn("transaction", str(raised.exception))
        with self.assertRaises(kernbench.UsageError):
            kernbench.run("gemm", set="system.sips.count=2")


class Data(unittest.TestCase):
    def test_benches_and_topologies_are_the_command_lines_json(self):
        import json

        _, listed, _ = cli("list", "--json")
        self.assertEqual(kernbench.list_benches(), json.loads(listed))
        _, shown, _ = cli("topology", "show", "--json", "--set", "system.sips.count=2")
        self.assertEqual(kernbench.topology.show(set={"system.sips.count": 2}), json.loads(shown))
        with self.assertRaises(kernbench.UsageError) as raised:
            kernbench.topology.validate(os.path.join(CONFIGS, "tiny.yaml"),
                                        set={"sip.cube_mesh.w": 0})
        self.assertIn("sip.cube_mesh.w", str(raised.exception))

    def test_a_report_and_a_sweep_load_into_pandas_in_one_call(self):
        report = kernbench.run("vector_add", params={"elements": "4K"}, timing_only=True)
        row = kernbench.read_report(report)
        self.assertEqual(len(row), 1)
        self.assertEqual(row["energy.total_j"][0], report["energy"]["total_j"])
        with tempfile.TemporaryDirectory() as scratch:
            spec = os.path.join(scratch, "spec.yaml")
            with open(spec, "w", encoding="utf-8") as out:
                out.write(f"bench: vector_add\ntopology: {CONFIGS}/tiny.yaml\n"
                          "timing_only: true\ngrid:\n  param.elements: [1024, 2048]\n")
            code, _, err = cli("sweep", spec, "--out", os.path.join(scratch, "out"))
            self.assertEqual(code, 0, err)
            table = kernbench.read_results(os.path.join(scratch, "out"))
            self.assertEqual(sorted(table["param.elements"]), [1024, 2048])
            self.assertTrue((table["status"] == "ok").all())
            path = os.path.join(scratch, "r.json")
            kernbench.run("vector_add", params={"elements": "4K"}, report=path, timing_only=True)
            self.assertEqual(kernbench.read_report(path)["kernel_time_ns"][0],
                             report["kernel_time_ns"])


if __name__ == "__main__":
    unittest.main()
