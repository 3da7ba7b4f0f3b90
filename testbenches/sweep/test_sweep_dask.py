"""kernbench sweep --engine dask on a real scheduler and two workers on this machine gives the
local engine's simulated times."""

import json
import os
import subprocess
import time

from sweep_test import SPEC, SweepCase, main


class DaskSweep(SweepCase):
    def start(self, *command):
        proc = subprocess.Popen(command, cwd=self.dir, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (proc.terminate(), proc.wait()))
        return proc

    def test_same_simulated_times_as_the_local_engine(self):
        scheduler_file = self.path("scheduler.json")
        self.start("/usr/bin/dask-scheduler", "--host", "127.0.0.1", "--port", "0",
                   "--no-dashboard", "--scheduler-file", scheduler_file)
        for _ in range(300):
            if os.path.exists(scheduler_file):
                break
            time.sleep(0.1)
        with open(scheduler_file, encoding="utf-8") as f:
            address = json.load(f)["address"]
        self.start("/usr/bin/dask-worker", address, "--nworkers", "2", "--nthreads", "1",
                   "--no-dashboard")
        import distributed
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        spec = self.write("spec.yaml", SPEC)
        local = self.kernbench("sweep", spec, "--out", self.path("local"), "--jobs", "2")
        self.assertEqual(local.returncode, 0, local.stderr)
        dask = self.kernbench("sweep", spec, "--out", self.path("dask"), "--engine", "dask",
                              "--scheduler", address)
        self.assertEqual(dask.returncode, 0, dask.stderr)
        key = ("point", "cube.hbm_slice.bw_gbps", "param.elements", "status", "sim_time_ns",
               "kernel_time_ns", "bound_ns", "limiter")
        pick = lambda rows: [tuple(r[k] for k in key) for r in rows]
        self.assertEqual(pick(self.table(self.path("dask"))), pick(self.table(self.path("local"))))


if __name__ == "__main__":
    main()
