"""KernBench/SC's Python tools: `kernbench sweep` and `kernbench plot` (docs/sweeps.md)."""
