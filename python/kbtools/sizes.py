"""Sizes as kernbench writes them: a positive integer, optionally with a binary suffix K, M or
G (64K = 65536), and no larger than a signed 64-bit integer holds. The command line's
--param parser (testbenches/benches/bench.cpp, Params::integer) follows the same rule; both
are tested on testbenches/cli/data/sizes.txt."""

import re

SCALE = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_SIZE = re.compile(r"([0-9]+)([KMG]?)")


def parse_size(text):
    """The bytes `text` means, or None when it is not a size."""
    m = _SIZE.fullmatch(str(text))
    if not m:
        return None
    value = int(m.group(1)) * SCALE[m.group(2)]
    return value if 0 < int(m.group(1)) and value < 1 << 63 else None
