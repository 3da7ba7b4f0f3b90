"""docs/examples/python run with Debian's python3, verify against numpy, and trace the same
requests as the C++ programs they port (the gemm bench, docs/examples/*/main.cpp)."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import kernbench
from kb_test import CONFIGS, EXAMPLES, cli, example

sys.path.insert(0, EXAMPLES)
import gemm  # noqa: E402  (docs/examples/python/gemm.py)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


class Examples(unittest.TestCase):
    def test_the_gemm_program_verifies_and_traces_what_the_gemm_bench_traces(self):
        code, out, err = example("gemm.py")
        self.assertEqual(code, 0, err)
        self.assertIn("max abs error", out)
        ported = kernbench.simulate(gemm.main)["returned"]["traces"]
        bench = kernbench.run("gemm", params={"M": gemm.M, "N": gemm.N, "K": gemm.K},
                              traces=True)["traces"]
        self.assertGreater(len(bench), 0)
        self.assertEqual(ported, bench)

    def assert_traces_as_the_cpp_twin(self, example_name, twin_variable, expected_line):
        code, out, err = example(example_name, "--traces")
        self.assertEqual(code, 0, err)
        self.assertIn(expected_line, out)
        cpp = subprocess.run([os.environ[twin_variable], "--traces"], capture_output=True,
                             text=True, check=True).stdout
        self.assertIn(expected_line, cpp)
        self.assertGreater(len(json_lines(cpp)), 0)
        self.assertEqual(json_lines(out), json_lines(cpp))

    def test_the_all_reduce_program_traces_what_the_cpp_program_traces(self):
        self.assert_traces_as_the_cpp_twin("all_reduce.py", "EXAMPLE_ALL_REDUCE",
                                           "all_reduce over 256 ranks: every element is 384")

    def test_the_ipcq_exchange_program_traces_what_the_cpp_program_traces(self):
        self.assert_traces_as_the_cpp_twin("ipcq_exchange.py", "EXAMPLE_IPCQ_EXCHANGE",
                                           "16384 values sent from sip0 to sip1 over the IPCQ")

    def test_the_sweep_analysis_reads_a_sweep_and_compares_the_fidelities(self):
        with tempfile.TemporaryDirectory() as scratch:
            spec = os.path.join(scratch, "spec.yaml")
            with open(spec, "w", encoding="utf-8") as out:
                out.write(f"bench: gemm\ntopology: {CONFIGS}/tiny.yaml\ntiming_only: true\n"
                          "params: {M: 64, N: 64, K: 64}\n"
                          "grid:\n  cube.hbm_slice.bw_gbps: [50, 100, 200]\n")
            code, _, err = cli("sweep", spec, "--out", os.path.join(scratch, "out"))
            self.assertEqual(code, 0, err)
            code, out, err = example("sweep_analysis.py", os.path.join(scratch, "out"))
        self.assertEqual(code, 0, err)
        self.assertIn("flow/transaction", out)
        self.assertIn("points on the time-energy front", out)


if __name__ == "__main__":
    unittest.main()
