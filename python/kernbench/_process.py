"""Each simulation in a process of its own.

SystemC elaborates and runs one model per process (docs/adr/0018-python-host-programs.md),
and a notebook runs many: every call that simulates forks, the child simulates and sends
back its result (pickled) or its exception with the traceback, and exits. The caller's
process never holds a model, so nothing of one run leaks into the next.
"""

import os
import pickle
import signal
import sys
import traceback

from .errors import KernbenchError, RemoteTraceback, SimulationError


def _child(fn, args, kwargs, write_fd):
    from . import _kernbench

    _kernbench.end_with_parent()
    try:
        payload = ("ok", fn(*args, **kwargs))
        data = pickle.dumps(payload)
    except BaseException as error:  # everything goes back to the caller, nothing is lost
        text = "".join(traceback.format_exception(error))
        try:
            data = pickle.dumps(("raised", error, text))
        except Exception:  # an exception that does not pickle: its text still goes back
            data = pickle.dumps(("raised", KernbenchError(f"{type(error).__name__}: {error}"), text))
    with os.fdopen(write_fd, "wb") as out:
        out.write(data)
    sys.stdout.flush()
    sys.stderr.flush()
    _kernbench.flush_stdio()
    os._exit(0)


def isolated(fn, *args, **kwargs):
    """fn(*args, **kwargs) in a child process; its return value, or its exception re-raised
    here with the child's traceback as the cause."""
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            _child(fn, args, kwargs, write_fd)
        finally:
            os._exit(70)  # never returns into the caller's code
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as source:
            data = source.read()
        _, status = os.waitpid(pid, 0)
    except BaseException:  # interrupted: the simulation goes too
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        raise
    if not data:
        if os.WIFSIGNALED(status):
            name = signal.Signals(os.WTERMSIG(status)).name
            raise SimulationError(f"the simulation's process was killed by {name}")
        raise SimulationError(
            f"the simulation's process ended (status {os.waitstatus_to_exitcode(status)}) "
            "without a result")
    payload = pickle.loads(data)
    if payload[0] == "ok":
        return payload[1]
    _, error, text = payload
    raise error from RemoteTraceback(text)
