"""What the sweep tests share: the kernbench under test, a scratch directory, specs."""

import csv
import os
import subprocess
import tempfile
import unittest

KERNBENCH = os.environ["KERNBENCH"]
CONFIGS = os.path.join(os.environ["KB_SOURCE_DIR"], "configs")

# Two topology axes' worth of grid over the tiny machine; timing-only keeps it fast.
SPEC = f"""\
bench: vector_add
topology: {CONFIGS}/tiny.yaml
timing_only: true
params: {{dtype: f32}}
grid:
  cube.hbm_slice.bw_gbps: [50, 100, 400]
  param.elements: [64K, 256K]
"""


class SweepCase(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="kbsweep-test-")
        self.dir = self._dir.name

    def tearDown(self):
        self._dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), "w", encoding="utf-8") as f:
            f.write(text)
        return self.path(name)

    def kernbench(self, *args, env=None):
        """Runs kernbench in the case's folder, with `env` added to the environment."""
        return subprocess.run([KERNBENCH, *args], capture_output=True, text=True, cwd=self.dir,
                              env={**os.environ, **(env or {})})

    def table(self, out):
        with open(os.path.join(out, "results.csv"), newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))


def main():
    unittest.main(verbosity=2)
