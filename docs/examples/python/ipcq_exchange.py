"""A block sent from a PE of SIP 0 to a PE of SIP 1 over IPCQs installed by hand: the Python
port of docs/examples/ipcq_exchange/main.cpp (docs/python.md). install_ipcq with a rank
table, a send and a receive kernel launched by name, each submitted before either is waited
on (_defer_wait), verified against numpy. --traces: every request waited on, a JSON line
each, as the C++ program prints them.
"""

import json
import sys

import numpy as np

import kernbench
from kernbench import DPPolicy, RuntimeContext

ROWS, COLS = 64, 256


def main(engine):
    sent = (np.arange(ROWS * COLS) % 1000 / 8).astype(np.float32).reshape(ROWS, COLS)
    machine = RuntimeContext(engine, "all")
    sip0 = RuntimeContext(engine, "sip:0")
    sip1 = RuntimeContext(engine, "sip:1")
    # Rank 0: PE 0 of cube 0 of SIP 0; rank 1: the same PE of SIP 1.
    plan = machine.install_ipcq("ring", rank_to_pe=[(0, 0, 0), (1, 0, 0)])
    # One PE's block each: the first cube and PE of the context's SIP.
    one_pe = DPPolicy(sip="replicate", cube="replicate", pe="replicate", num_cubes=1, num_pes=1)
    src = sip0.empty((ROWS, COLS), "f32", dp=one_pe, name="src")
    src.copy_(sip0.from_numpy(sent))
    dst = sip1.zeros((ROWS, COLS), "f32", dp=one_pe, name="dst")
    send = sip0.launch("send_block", None, src, 1, _defer_wait=True)
    recv = sip1.launch("recv_block", kernbench.kernels.recv_block, dst, 0, _defer_wait=True)
    for handle, _, meta in send:
        sip0.wait(handle, _meta=meta)
    for handle, _, meta in recv:
        sip1.wait(handle, _meta=meta)
    got = sip1.to_host(dst)
    return {"ok": bool(np.array_equal(got, sent)), "values": got.size,
            "world_size": plan["world_size"],
            "traces": machine.traces + sip0.traces + sip1.traces}


if __name__ == "__main__":
    result = kernbench.simulate(main, set={"system.sips.count": 2})["returned"]
    if not result["ok"]:
        print("the block that arrived differs from the one sent")
        sys.exit(1)
    print(f"{result['values']} values sent from sip0 to sip1 over the IPCQ")
    if "--traces" in sys.argv[1:]:
        for entry in result["traces"]:
            print(json.dumps(entry))
