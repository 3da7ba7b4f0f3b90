"""The errors kernbench raises, by the exit code the command line gives for them."""


class KernbenchError(Exception):
    """Base of every kernbench error; `exit_code` is what `kernbench run` exits with."""

    exit_code = 3


class UsageError(KernbenchError):
    """Bad usage or configuration: a topology key, a bench parameter, an output path (exit 2)."""

    exit_code = 2


class SimulationError(KernbenchError):
    """The simulation failed: a fault in the machine, a deadlock, host memory (exit 3)."""

    exit_code = 3


class VerificationError(KernbenchError):
    """The run's results disagreed with the reference (exit 1); `report` is the run's report."""

    exit_code = 1

    def __init__(self, message, report=None):
        super().__init__(message)
        self.report = report

    def __reduce__(self):
        return (type(self), (str(self), self.report))


class RemoteTraceback(Exception):
    """The traceback of an exception raised in the process that ran the simulation."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text

    def __str__(self):
        return self.text
