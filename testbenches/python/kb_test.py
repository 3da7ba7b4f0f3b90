"""What the Python module's tests share: the kernbench binary, the source tree, and running
it as a user would."""

import json
import os
import subprocess
import tempfile

KERNBENCH = os.environ["KERNBENCH"]
SOURCE_DIR = os.environ["KB_SOURCE_DIR"]
CONFIGS = os.path.join(SOURCE_DIR, "configs")
EXAMPLES = os.path.join(SOURCE_DIR, "docs", "examples", "python")
PYTHON = "/usr/bin/python3"


def cli(*args):
    """kernbench ARGS: (exit code, stdout, stderr)."""
    done = subprocess.run([KERNBENCH, *args], capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, done.stderr


def cli_report(*args):
    """kernbench run ARGS --report: the report."""
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "r.json")
        code, _, err = cli("run", *args, "--report", path, "--quiet")
        if code != 0:
            raise AssertionError(f"kernbench run {' '.join(args)}: exit {code}: {err}")
        with open(path, encoding="utf-8") as source:
            return json.load(source)


def example(name, *args):
    """docs/examples/python/NAME ARGS with Debian's python3: (exit code, stdout, stderr)."""
    done = subprocess.run([PYTHON, os.path.join(EXAMPLES, name), *args], capture_output=True,
                          text=True, check=False)
    return done.returncode, done.stdout, done.stderr
