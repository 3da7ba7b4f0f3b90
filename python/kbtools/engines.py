"""Where a sweep's points run: a local pool of processes, or tasks on a Dask cluster.
Both run the same function, so a point gives the same simulated figures on either."""

import concurrent.futures
import os
import signal
import subprocess
import tempfile
import threading
import time


class LocalPoints:
    """The local points running now, so that an interrupt can stop them (each runs in a
    session of its own, away from the terminal's Ctrl-C, so that it is not recorded as
    failed). A point starts under the lock and only while the sweep is not stopping: one a
    worker was about to start when the stop came would otherwise run to its end, and the
    stop wait for it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stopping = False
        self.running = set()

    def stop(self):
        with self.lock:
            self.stopping = True
            for proc in list(self.running):
                os.killpg(proc.pid, signal.SIGTERM)


def run_point(kernbench, args, scratch=None, local=None):
    """Runs `kernbench ARGS --report TMP` and returns what the sweep records: the exit code,
    the report's text (None if there is none), the last line of stderr and the wall time.
    TMP is in `scratch` (default: the system's). Self-contained, so that it can run on a
    Dask worker; `local` (LocalPoints) tracks it in a local sweep. The run ends with this
    process, even one killed by SIGKILL (KERNBENCH_PARENT: kernbench asks the kernel for
    SIGTERM when its parent dies)."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kbsweep-", dir=scratch) as tmp:
        report = os.path.join(tmp, "report.json")

        def launch():
            return subprocess.Popen([kernbench] + list(args) + ["--report", report],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    text=True, start_new_session=True,
                                    env=dict(os.environ, KERNBENCH_PARENT=str(os.getpid())))

        if local is None:
            proc = launch()
        else:
            with local.lock:
                if local.stopping:
                    raise RuntimeError("the sweep stopped before this point started")
                proc = launch()
                local.running.add(proc)
        try:
            _, err = proc.communicate()
        finally:
            if local is not None:
                local.running.discard(proc)
        text = None
        if proc.returncode == 0 and os.path.exists(report):
            with open(report, encoding="utf-8") as f:
                text = f.read()
        lines = [line for line in err.splitlines() if line.strip()]
        return {"exit_code": proc.returncode, "report": text,
                "error": lines[-1] if (lines and proc.returncode != 0) else "",
                "wall_s": time.monotonic() - start}


class LocalEngine:
    """Points as local processes; their temporary reports in `scratch` (DIR/.running), which
    a sweep killed outright leaves behind and the next run of it removes."""

    def __init__(self, jobs, scratch):
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
        self.scratch = scratch
        self.points = LocalPoints()

    def submit(self, kernbench, args):
        return self.pool.submit(run_point, kernbench, args, self.scratch, self.points)

    def as_completed(self, futures):
        return concurrent.futures.as_completed(futures)

    def cancel(self, futures):
        for f in futures:
            f.cancel()
        self.points.stop()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def close(self):
        self.pool.shutdown(wait=True)


class DaskEngine:
    def __init__(self, scheduler):
        import cloudpickle
        import distributed
        from kbtools import engines
        # Workers need kernbench and the configs at the same paths, not this package.
        cloudpickle.register_pickle_by_value(engines)
        self.distributed = distributed
        self.client = distributed.Client(scheduler, timeout="30s")

    def submit(self, kernbench, args):
        return self.client.submit(run_point, kernbench, args, pure=False)

    def as_completed(self, futures):
        return self.distributed.as_completed(futures)

    def cancel(self, futures):
        self.client.cancel(futures)
        self.client.close()

    def close(self):
        self.client.close()
