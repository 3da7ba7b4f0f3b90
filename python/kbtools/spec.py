"""Sweep specifications: a YAML file read with its line numbers, validated with errors that
name the file, line and key, and expanded into points.

    bench: vector_add
    topology: configs/tiny.yaml        # optional: the embedded default otherwise
    timing_only: true                  # optional
    fidelity: flow                     # optional: transaction (default) or flow
    params: {elements: 16M}            # fixed --param values
    set: {system.simulation.quantum_ns: 100}   # fixed --set values
    grid:                              # every combination of these axes
      cube.hbm_slice.bw_gbps: [75, 150, 300]   # a topology key, as --set
      param.elements: [1M, 16M]                # a bench parameter, as --param
      fidelity: [transaction, flow]            # the fidelity, as --fidelity
    zip:                               # optional: axes that advance together
      ...
"""

import itertools
import math
import os
from dataclasses import dataclass, field

import yaml

KEYS = ("bench", "topology", "timing_only", "fidelity", "params", "set", "grid", "zip")
# The most points a spec may expand to: each is a simulation and a row kept in memory and in
# results.csv, so a grid beyond this is a mistake (an axis listed twice as long as meant)
# rather than a sweep; split it into several specs.
MAX_POINTS = 100_000
FIDELITY = "fidelity"  # the axis (or fixed key) of the run's fidelity, --fidelity
FIDELITIES = ("transaction", "flow")


class SpecError(Exception):
    """A bad spec: exit code 2. The message reads `file:line: error: key: what`."""


@dataclass
class Spec:
    path: str
    bench: str
    topology: str = ""  # absolute; "" for the embedded default
    timing_only: bool = False
    fidelity: str = ""  # fixed --fidelity; "" for the default
    params: dict = field(default_factory=dict)
    sets: dict = field(default_factory=dict)
    axes: list = field(default_factory=list)  # axis names, grid first, as written
    points: list = field(default_factory=list)  # [{axis: value text}]
    lines: dict = field(default_factory=dict)  # axis -> line, for later errors


def _fail(path, node, key, what):
    line = node.start_mark.line + 1 if node is not None else 0
    where = f"{path}:{line}" if line else path
    raise SpecError(f"{where}: error: {key + ': ' if key else ''}{what}")


def _scalar_text(path, node, key):
    if not isinstance(node, yaml.ScalarNode) or node.value == "":
        _fail(path, node, key, "expected a single value")
    return node.value


def _mapping(path, node, key):
    if not isinstance(node, yaml.MappingNode):
        _fail(path, node, key, "expected a mapping")
    seen = set()
    out = []
    for k, v in node.value:
        name = _scalar_text(path, k, key or "key")
        if name in seen:
            _fail(path, k, f"{key}.{name}" if key else name, "is given twice")
        seen.add(name)
        out.append((name, k, v))
    return out


def _axis_values(path, node, key):
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        _fail(path, node, key, "expected a non-empty list of values")
    values = [_scalar_text(path, item, key) for item in node.value]
    if len(set(values)) != len(values):
        _fail(path, node, key, "lists a value twice")
    return values


def resolve_path(text, spec_path):
    """A config path as written: from the current directory, else beside the spec."""
    for base in (os.getcwd(), os.path.dirname(os.path.abspath(spec_path))):
        candidate = os.path.join(base, text)
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise SpecError(f"{path}: error: cannot read the spec: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise SpecError(f"{path}: error: byte {e.start} is not UTF-8 text (a spec is YAML "
                        "text)") from None
    try:
        documents = list(yaml.compose_all(text))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise SpecError(f"{path}{line}: error: malformed YAML: {getattr(e, 'problem', e)}") from None
    if len(documents) != 1 or documents[0] is None:
        raise SpecError(f"{path}: error: a spec is one YAML mapping")
    entries = _mapping(path, documents[0], "")
    spec = Spec(path=path, bench="")
    grid, zipped, order = [], [], []  # order: every axis as the file lists it
    for name, key_node, value in entries:
        if name not in KEYS:
            _fail(path, key_node, name, f"unknown key; the keys are: {', '.join(KEYS)}")
        if name == "bench":
            spec.bench = _scalar_text(path, value, name)
        elif name == "topology":
            text = _scalar_text(path, value, name)
            spec.topology = resolve_path(text, path)
            if spec.topology is None:
                _fail(path, value, name, f"no file {text} (from here or beside the spec)")
        elif name == "timing_only":
            flag = _scalar_text(path, value, name).lower()
            if flag not in ("true", "false", "yes", "no", "on", "off"):
                _fail(path, value, name, "expected true or false")
            spec.timing_only = flag in ("true", "yes", "on")
        elif name == FIDELITY:
            spec.fidelity = _fidelity(path, value, name)
        elif name == "params":
            spec.params = {k: _scalar_text(path, v, f"params.{k}")
                           for k, _, v in _mapping(path, value, name)}
        elif name == "set":
            spec.sets = {k: _scalar_text(path, v, f"set.{k}")
                         for k, _, v in _mapping(path, value, name)}
        else:
            target = grid if name == "grid" else zipped
            for axis, axis_node, values in _mapping(path, value, name):
                if axis in spec.lines:
                    _fail(path, axis_node, axis, "is an axis of both grid and zip")
                spec.lines[axis] = axis_node.start_mark.line + 1
                order.append(axis)
                listed = _axis_values(path, values, f"{name}.{axis}")
                if axis == FIDELITY:
                    for node in values.value:
                        _fidelity(path, node, f"{name}.{axis}")
                target.append((axis, listed, values))
    if not spec.bench:
        raise SpecError(f"{path}: error: bench: missing (which bench to run)")
    if zipped and len({len(v) for _, v, _ in zipped}) != 1:
        _, _, node = zipped[0]
        _fail(path, node, "zip", "its axes must list the same number of values")
    if not grid and not zipped:
        raise SpecError(f"{path}: error: grid: no axis to sweep (give grid or zip)")
    swept = [a for a, _, _ in grid] + [a for a, _, _ in zipped]
    spec.axes = order
    for axis in spec.axes:
        if axis == FIDELITY:
            fixed = bool(spec.fidelity)
        else:
            fixed = axis[len("param."):] in spec.params if is_param(axis) else axis in spec.sets
        if fixed:
            raise SpecError(f"{path}:{spec.lines[axis]}: error: {axis}: is both fixed (params/set) "
                            "and swept; give it in one place")
    count = math.prod(len(v) for _, v, _ in grid) * (len(zipped[0][1]) if zipped else 1)
    if count > MAX_POINTS:
        where = min(spec.lines[a] for a in spec.axes)
        raise SpecError(f"{path}:{where}: error: grid: {count:,} points; a spec may have at most "
                        f"{MAX_POINTS:,} (split the sweep into several specs)")
    grid_points = itertools.product(*[v for _, v, _ in grid]) if grid else [()]
    zip_points = list(zip(*[v for _, v, _ in zipped])) if zipped else [()]
    for g in grid_points:
        for z in zip_points:
            values = dict(zip(swept, list(g) + list(z)))
            spec.points.append({axis: values[axis] for axis in order})
    return spec


def _fidelity(path, node, key):
    text = _scalar_text(path, node, key)
    if text not in FIDELITIES:
        _fail(path, node, key, f"{text}: expected one of {', '.join(FIDELITIES)}")
    return text


def is_param(axis):
    return axis.startswith("param.")


def is_topology_key(axis):
    return not is_param(axis) and axis != FIDELITY


def command(spec, point):
    """The `kernbench run` arguments of a point, without the report path."""
    args = ["run", spec.bench, "--quiet"]
    if spec.topology:
        args += ["--topology", spec.topology]
    if spec.timing_only:
        args.append("--timing-only")
    if spec.fidelity:
        args += ["--fidelity", spec.fidelity]
    params = dict(spec.params)
    sets = dict(spec.sets)
    for axis, value in point.items():
        if axis == FIDELITY:
            args += ["--fidelity", value]
        elif is_param(axis):
            params[axis[len("param."):]] = value
        else:
            sets[axis] = value
    for name, value in params.items():
        args += ["--param", f"{name}={value}"]
    for key, value in sets.items():
        args += ["--set", f"{key}={value}"]
    return args
