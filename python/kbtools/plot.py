"""kernbench plot DIR/results.csv --x AXIS --y METRIC [--hue AXIS] [--logx] [--logy]
                 [--pareto X,Y] -o FILE.png|svg

A line per value of the hue axis (or one line), failed points marked on the x axis; with
--pareto, the points of two metrics and their Pareto front (both minimised; write max:NAME
to maximise one)."""

import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from kbtools.sizes import parse_size  # noqa: E402

# Text in SVG files stays text: searchable, and editable in a drawing program.
matplotlib.rcParams["svg.fonttype"] = "none"

# The table's columns that are not the report's own paths: column -> path in the report.
COLUMN_PATHS = {"bound_ns": "bound.time_ns"}


def report_units(csv_path, df):
    """The units map of the first report the table points to (DIR/points/POINT.json): every
    figure's unit, declared where the figure is made."""
    base = os.path.dirname(os.path.abspath(csv_path))
    for rel in df["report"].dropna() if "report" in df.columns else []:
        try:
            with open(os.path.join(base, str(rel)), encoding="utf-8") as f:
                return json.load(f).get("units", {})
        except (OSError, ValueError):
            continue
    return {}


def unit_of(column, units):
    """A column's unit from the report: its figure (a parameter param.X is params.X, a
    topology key K is set.K); an entry with * matches any one key there."""
    if column.startswith("param."):
        paths = ["params." + column[len("param."):]]
    else:
        paths = [COLUMN_PATHS.get(column, column), "set." + column]
    for path in paths:
        if path in units:
            return units[path]["unit"]
    segments = column.split(".")
    for pattern, quantity in units.items():
        parts = pattern.split(".")
        if "*" in parts and len(parts) == len(segments) and all(
                p in ("*", s) for p, s in zip(parts, segments)):
            return quantity["unit"]
    return ""


def label(name, units):
    unit = unit_of(name.removeprefix("max:"), units)
    return f"{name} ({unit})" if unit else name


def as_number(v):
    """A value as a number, sizes such as 16M or 64K included (kbtools.sizes), or None."""
    size = parse_size(v)
    if size is not None:
        return float(size)
    try:
        return float(str(v))
    except ValueError:
        return None


def numeric(series):
    """A column as numbers, so that axes sort and scale; None when a value is not one."""
    values = series.map(as_number)
    return values if values.notna().all() else None


def first_non_number(series, rows=None):
    """The first value of a column that is not a number, among the rows `rows` marks (all
    when None), with its row's position in the table (0: the first under the header)."""
    for row, v in enumerate(series):
        if (rows is None or rows[row]) and as_number(v) is None:
            return row, v
    return None


def pareto(df, x, y):
    """Rows on the front: no other row is at least as good in both and better in one.
    Sorted by the first metric, then the second, a row is on the front when it beats the
    best second metric seen so far (or repeats the front's last row exactly): n log n."""
    sx = -1 if x.startswith("max:") else 1
    sy = -1 if y.startswith("max:") else 1
    cx, cy = x.removeprefix("max:"), y.removeprefix("max:")
    xs, ys = numeric(df[cx]), numeric(df[cy])
    if xs is None or ys is None:
        raise ValueError(f"--pareto needs numbers: {cx if xs is None else cy} has other values")
    keys = sorted((a * sx, b * sy, i) for i, (a, b) in enumerate(zip(xs, ys)))
    front, last = [], None
    for a, b, i in keys:
        if last is None or b < last[1] or (a, b) == last:
            front.append(i)
            last = (a, b)
    chosen = df.iloc[front].assign(**{cx: xs.iloc[front].values, cy: ys.iloc[front].values})
    return chosen.sort_values(cx), cx, cy


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="kernbench plot",
        description="Plot a sweep's results.csv: a line per hue value with failed points "
                    "marked, or the Pareto front of two metrics (docs/sweeps.md).",
        epilog="example: kernbench plot sweeps/hbm/results.csv --x cube.hbm_slice.bw_gbps "
               "--y kernel_time_ns --hue param.elements --logx -o hbm.png")
    parser.add_argument("--kernbench", help=argparse.SUPPRESS)
    parser.add_argument("csv", metavar="results.csv")
    parser.add_argument("--x", metavar="AXIS", help="a column: an axis of the spec")
    parser.add_argument("--y", metavar="METRIC", help="a column: sim_time_ns, busbw_gbps...")
    parser.add_argument("--hue", metavar="AXIS", help="a line per value of this column")
    parser.add_argument("--logx", action="store_true", help="logarithmic x axis")
    parser.add_argument("--logy", action="store_true", help="logarithmic y axis")
    parser.add_argument("--pareto", metavar="X,Y",
                        help="the front of two metrics, both minimised (max:NAME maximises)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.png|svg")
    o = parser.parse_args(argv)
    if not o.output.endswith((".png", ".svg")):
        parser.error("-o must name a .png or .svg file")
    if not o.pareto and not (o.x and o.y):
        parser.error("give --x and --y, or --pareto X,Y")
    try:
        df = pd.read_csv(o.csv)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        print(f"kernbench plot: cannot read {o.csv}: {e}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as e:
        print(f"kernbench plot: cannot read {o.csv}: byte {e.start} is not UTF-8 text "
              "(a results.csv is text)", file=sys.stderr)
        return 2
    wanted = [c.removeprefix("max:") for c in (o.pareto.split(",") if o.pareto else [])]
    wanted += [c for c in (o.x, o.y, o.hue) if c]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        print(f"kernbench plot: {o.csv} has no column {', '.join(missing)}; its columns: "
              f"{', '.join(df.columns)}", file=sys.stderr)
        return 2
    if "status" not in df.columns:
        print(f"kernbench plot: {o.csv} has no status column: it is not the results.csv of "
              "kernbench sweep", file=sys.stderr)
        return 2
    ok = df[df["status"] == "ok"]
    # A metric is a number; an axis is numbers, or names only (categories, in table order):
    # a column of both would draw 100 below 20.
    metrics = [o.y] if o.y and not o.pareto else []
    for column in metrics:
        bad = first_non_number(df[column], list(df["status"] == "ok"))
        if bad is not None:
            print(f"kernbench plot: {o.csv}: column {column}, row {bad[0] + 2}: {bad[1]!r} is "
                  "not a number", file=sys.stderr)
            return 2
    for column in [c for c in (o.x, o.hue) if c and not o.pareto]:
        bad = first_non_number(df[column])
        if bad is not None and any(as_number(v) is not None for v in df[column]):
            print(f"kernbench plot: {o.csv}: column {column} mixes numbers and names (row "
                  f"{bad[0] + 2}: {bad[1]!r}); plot a column of one kind", file=sys.stderr)
            return 2
    failed = df[df["status"] != "ok"]
    units = report_units(o.csv, df)
    fig, ax = plt.subplots(figsize=(8, 5))
    if o.pareto:
        parts = o.pareto.split(",")
        if len(parts) != 2:
            parser.error("--pareto takes X,Y")
        try:
            front, cx, cy = pareto(ok, parts[0], parts[1])
        except ValueError as e:
            print(f"kernbench plot: {e}", file=sys.stderr)
            return 2
        ax.scatter(numeric(ok[cx]), numeric(ok[cy]), color="0.6", label="points")
        ax.plot(front[cx], front[cy], "o-", color="C3", label="Pareto front")
        ax.set_xlabel(label(cx, units))
        ax.set_ylabel(label(cy, units))
    else:
        xs = numeric(df[o.x])
        x_of = (lambda d: xs[d.index]) if xs is not None else (lambda d: d[o.x].astype(str))
        groups = [(None, ok)]
        if o.hue:
            hues = numeric(ok[o.hue])
            order = sorted(ok[o.hue].unique(),
                           key=lambda v: hues[ok[o.hue] == v].iloc[0] if hues is not None else v)
            groups = [(v, ok[ok[o.hue] == v]) for v in order]
        for value, group in groups:
            order = x_of(group).sort_values().index if xs is not None else group.index
            ax.plot(x_of(group.loc[order]), group.loc[order, o.y], "o-",
                    label=f"{o.hue} = {value}" if o.hue else o.y)
        if len(failed):
            bottom = ok[o.y].min() if len(ok) else 0
            ax.scatter(x_of(failed), [bottom] * len(failed), marker="x", color="red", s=80,
                       label=f"failed ({len(failed)})", zorder=3)
        ax.set_xlabel(label(o.x, units))
        ax.set_ylabel(label(o.y, units))
    if o.logx:
        ax.set_xscale("log")
    if o.logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    try:
        fig.savefig(o.output)
    except OSError as e:
        print(f"kernbench plot: cannot write {o.output}: {e.strerror or e}", file=sys.stderr)
        return 3
    print(f"kernbench plot: wrote {o.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
