"""A GEMM host program written against the original runtime's API (docs/python.md).

C = A . B on every PE of the default machine: A's rows split over SIPs and cubes (each PE
of a cube holding its cube's rows), B's columns over PEs, C both ways, as the gemm bench
places them. Verified against numpy; its traces are the bench's, request for request.
"""

import sys

import numpy as np

import kernbench
from kernbench import DPPolicy, RuntimeContext

M, N, K = 256, 256, 256


def main(engine):
    rng = np.random.default_rng(7)
    a_host = rng.uniform(-1, 1, (M, K)).astype(np.float16)
    b_host = rng.uniform(-1, 1, (K, N)).astype(np.float16)
    with RuntimeContext(engine, "all") as ctx:
        a = ctx.empty((M, K), "f16", dp=DPPolicy(sip="row_wise", cube="row_wise", pe="replicate"),
                      name="A")
        a.copy_(ctx.from_numpy(a_host))
        b = ctx.empty((K, N), "f16", dp=DPPolicy(sip="replicate", cube="replicate",
                                                 pe="column_wise"), name="B")
        b.copy_(ctx.from_numpy(b_host))
        c = ctx.empty((M, N), "f32", dp=DPPolicy(sip="row_wise", cube="row_wise",
                                                 pe="column_wise"), name="C")
        # Launched by name, every SIP submitted before any is waited on.
        for handle, sip, meta in ctx.launch("gemm", None, a, b, c, _defer_wait=True):
            ctx.wait(handle, _meta=meta)
        got = ctx.to_host(c)
        expected = a_host.astype(np.float32) @ b_host.astype(np.float32)
        return {"max_abs_err": float(np.abs(got - expected).max()), "traces": ctx.traces}


if __name__ == "__main__":
    result = kernbench.simulate(main)
    err = result["returned"]["max_abs_err"]
    print(f"gemm {M}x{N}x{K}: max abs error {err:.2e}, {len(result['returned']['traces'])} "
          f"requests, {result['simulated_ns'] / 1e3:.3f} us simulated")
    sys.exit(0 if err < 1e-3 else 1)
