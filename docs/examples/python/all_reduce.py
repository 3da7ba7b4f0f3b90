"""An all-reduce over every PE of two SIPs, one rank (host thread) per SIP: the Python port
of docs/examples/all_reduce/main.cpp (docs/python.md). The ranks share one context, as the
original's greenlets did; each binds its own SIP. --traces: every request the ranks waited
on, a JSON line each, as the C++ program prints them.
"""

import json
import sys

import numpy as np

import kernbench
from kernbench import DPPolicy

CUBES, PES, COUNT = 16, 8, 1024


def rank_main(torch):
    dist = torch.distributed
    rank = dist.get_rank()
    torch.ahbm.set_device(rank)                  # this rank works on SIP `rank`
    dist.init_process_group(algorithm="ring")    # the first caller installs, the others wait
    # One row per rank on this SIP: rows split over cubes and PEs.
    t = torch.empty((CUBES * PES, COUNT), "f32",
                    dp=DPPolicy(sip="replicate", cube="row_wise", pe="row_wise"))
    t.copy_(torch.from_numpy(np.full((CUBES * PES, COUNT), 1.0 + rank, dtype=np.float32)))
    dist.all_reduce(t, op="sum")
    return {"world_size": dist.get_world_size(), "sum": torch.to_host(t), "traces": torch.traces}


if __name__ == "__main__":
    result = kernbench.simulate(rank_main, set={"system.sips.count": 2}, ranks=2)
    ranks = result["returned"]
    # SIP 0's 128 ranks hold 1, SIP 1's hold 2: every element sums to 384.
    ok = all(np.all(r["sum"] == 384.0) for r in ranks)
    print(f"all_reduce over {ranks[0]['world_size']} ranks: every element is "
          f"{ranks[0]['sum'][0, 0]:.0f}" if ok else "all_reduce: wrong sums")
    if "--traces" in sys.argv[1:]:
        # The last rank to return saw every request.
        for entry in max((r["traces"] for r in ranks), key=len):
            print(json.dumps(entry))
    sys.exit(0 if ok else 1)
