"""The registered kernels, for launch(name, kernbench.kernels.NAME, ...):
`kernbench.kernels.gemm`, `dir(kernbench.kernels)` for the names."""

from . import _kernbench


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return _kernbench.kernel(name)
    except Exception as error:
        raise AttributeError(str(error)) from None


def __dir__():
    return _kernbench.kernel_names()
