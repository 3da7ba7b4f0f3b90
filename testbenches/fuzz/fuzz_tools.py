"""fuzz_tools: the sweep spec reader and kernbench plot's table reader under mutated
inputs, as fuzz_config does for the C++ front end (docs/fuzzing.md).

    fuzz_tools.py [--print] DIR...                                replay every file
    fuzz_tools.py --mutate --seconds S --seed N DIR [--save DIR2]  mutate for a while

An input's first line says what the rest is: "spec" (a sweep spec, read and expanded into
its points' command lines) or "csv" (a results table, plotted as lines and as a Pareto
front of its first two columns). Expected outcomes: a spec that loads or a SpecError; a
plot that exits 0, 2 or 3 with one line on stderr. Anything else escaping, or an input
taking more than 10 seconds, is a finding; the input is then in `fuzz-current-input`.
Deterministic: the same seed and corpus give the same inputs."""

import argparse
import contextlib
import io
import os
import random
import re
import signal
import sys
import time

from kbtools import plot, spec as specs

ALARM_SECONDS = 10
TOKENS = [b"\n", b": ", b"{", b"}", b"[", b"]", b",", b"---\n", b"- ", b"&a ", b"*a", b"!!int ",
          b"0", b"-1", b"1e308", b"nan", b"inf", b"9223372036854775807", b"16M", b"64K", b"1.5",
          b"~", b"''", b'"', b"\xff\xfe", b"\x00", b"bench", b"grid", b"zip", b"params", b"set",
          b"topology", b"timing_only", b"fidelity", b"param.elements", b"status", b"ok",
          b"failed", b"kernel_time_ns", b"energy.total_j", b"max:", b"report"]


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"took more than {ALARM_SECONDS} s")


def shape_of(message, text):
    """A message's own words (not the input's), numbers blanked: one outcome per shape."""
    words = []
    for w in message.split():
        bare = w.strip(".,:;'\"()[]")
        if not bare or len(bare) > 24 or bare in text:
            continue
        words.append(re.sub(r"[0-9]", "#", w))
        if len(words) == 6:
            break
    return " ".join(words)


def run_spec(path, text):
    try:
        s = specs.load(path)
        for point in s.points[:100]:
            specs.command(s, point)
        return "ok"
    except specs.SpecError as e:
        return "spec: " + shape_of(str(e), text)


def run_csv(path, text):
    outcomes = []
    # The table's second column against its last: an axis and a figure in a sweep's table.
    columns = text.split("\n", 1)[0].split(",")
    x, y = (columns[1] if len(columns) > 1 else "a"), (columns[-1] if columns else "b")
    for args in (["--x", x, "--y", y], ["--pareto", f"{x},{y}"]):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                code = plot.main([path, *args, "-o", "fuzz-plot.svg"])
            except SystemExit as e:  # argparse's own usage errors
                code = e.code
        lines = [line for line in err.getvalue().splitlines() if line.strip()]
        if code not in (0, 2, 3) or (code != 0 and not lines):
            raise AssertionError(f"plot {args}: exit {code} with {lines[-3:]}")
        outcomes.append(f"{code}: " + (shape_of(lines[-1], text) if code else ""))
    return "csv " + " | ".join(outcomes)


def run_one(data):
    with open("fuzz-current-input", "wb") as f:
        f.write(data)
    head, _, body = data.partition(b"\n")
    kind = head.decode("latin-1")
    if kind not in ("spec", "csv"):  # a mutated header: the whole input, by its first byte
        kind, body = ("spec" if not data or data[0] % 2 == 0 else "csv"), data
    path = "fuzz-input.yaml" if kind == "spec" else "fuzz-input.csv"
    with open(path, "wb") as f:
        f.write(body)
    text = body.decode("utf-8", "replace")
    signal.alarm(ALARM_SECONDS)
    try:
        return run_spec(path, text) if kind == "spec" else run_csv(path, text)
    finally:
        signal.alarm(0)


def mutate(data, corpus, rng):
    for _ in range(1 + rng.randrange(4)):
        at = rng.randrange(len(data) + 1)
        op = rng.randrange(6)
        if op == 0 and data:
            i = min(at, len(data) - 1)
            data = data[:i] + bytes([data[i] ^ rng.randrange(1, 256)]) + data[i + 1:]
        elif op == 1 and data:
            data = data[:at] + data[at + 1 + rng.randrange(8):]
        elif op == 2:
            data = data[:at] + rng.choice(TOKENS) + data[at:]
        elif op == 3:
            run = data[at:at + 1 + rng.randrange(32)]
            data = data[:at] + run + run + data[at:]
        elif op == 4:
            other = rng.choice(corpus)
            start = rng.randrange(len(other) + 1)
            data = data[:at] + other[start:start + 1 + rng.randrange(64)] + data[at:]
        else:
            data = data[:at] + rng.choice([b"99999999999999999999", b"-0.0"]) + data[at:]
    return data[:1 << 16]


def corpus_files(dirs):
    return sorted(os.path.join(d, n) for d in dirs for n in os.listdir(d)
                  if os.path.isfile(os.path.join(d, n)))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="fuzz_tools.py")
    parser.add_argument("dirs", nargs="+")
    parser.add_argument("--print", action="store_true")
    parser.add_argument("--mutate", action="store_true")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save")
    o = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    files = corpus_files(o.dirs)
    if not o.mutate:
        for path in files:
            outcome = run_one(read(path))
            if o.print:
                print(f"{os.path.basename(path)}: {outcome}")
        print(f"replayed {len(files)} inputs without a finding")
        return 0 if files else 1
    corpus = [read(p) for p in files] or [b"spec\n"]
    rng = random.Random(o.seed)
    seen, runs, saved, start = set(), 0, 0, time.monotonic()
    if o.save:
        os.makedirs(o.save, exist_ok=True)
    while time.monotonic() - start < o.seconds:
        data = mutate(rng.choice(corpus), corpus, rng)
        outcome = run_one(data)
        runs += 1
        if outcome not in seen:
            seen.add(outcome)
            corpus.append(data)
            if o.save:
                with open(os.path.join(o.save, f"seed{o.seed}-{saved:06}"), "wb") as f:
                    f.write(data)
            saved += 1
    elapsed = time.monotonic() - start
    print(f"{runs} inputs in {elapsed:.0f} s ({runs / elapsed:.0f} a second), {len(seen)} "
          f"outcomes, {saved} kept, no finding", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
