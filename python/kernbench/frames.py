"""Results as pandas tables, each with one call."""

import json
import os


def read_results(path):
    """A sweep's results.csv (or the sweep's output directory) as a DataFrame, a row per point."""
    import pandas

    if os.path.isdir(path):
        path = os.path.join(path, "results.csv")
    return pandas.read_csv(path)


def read_report(report):
    """A run's report (a dict from kernbench.run, or a --report file) as a one-row DataFrame,
    nested keys joined with dots: "energy.total_j", "bound.limiter"..."""
    import pandas

    if not isinstance(report, dict):
        with open(report, encoding="utf-8") as source:
            report = json.load(source)
    return pandas.json_normalize(report)
