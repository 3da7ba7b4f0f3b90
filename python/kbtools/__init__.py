"""KernBench/SC's Python tools: `kernbench sweep` and `kernbench plot` (DESIGN §12)."""
