"""Machine descriptions: `kernbench topology show --json` as a dict."""

from . import _kernbench


def show(file=None, set=None):
    """The effective configuration of FILE (default: the embedded default) with overrides
    {"key.path": value}, every default filled in, and its derived figures."""
    from . import _assignments

    return _kernbench.topology(file, _assignments(set, "set"))


def validate(file, set=None):
    """Raises UsageError naming file, line, key and value when FILE is not a valid topology;
    returns its effective configuration otherwise."""
    return show(file, set)
