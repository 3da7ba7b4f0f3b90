"""Host programs written against the original runtime's API run in the simulation: tensors,
placement strings, numpy in and out, launches by name, deferred waits, handles, traces,
IPCQ installation, ranks, and their errors."""

import os
import unittest

import numpy as np

import kernbench
from kernbench import DPPolicy, RuntimeContext
from kb_test import CONFIGS

TINY = os.path.join(CONFIGS, "tiny.yaml")
ROWS = DPPolicy(sip="row_wise", cube="row_wise", pe="row_wise")


def on_tiny(program, **kwargs):
    return kernbench.simulate(program, topology=TINY, **kwargs)


class Tensors(unittest.TestCase):
    def test_data_goes_in_and_comes_back_through_the_device(self):
        def program(engine):
            with RuntimeContext(engine, "all", "mine") as ctx:
                x = np.arange(64 * 16, dtype=np.int32).reshape(64, 16)
                t = ctx.empty((64, 16), "i32", dp=ROWS, name="x")
                t.copy_(ctx.from_numpy(x))
                z = ctx.zeros((8, 4), "f16", dp=DPPolicy(sip="replicate", cube="row_wise",
                                                         pe="replicate"))
                back = ctx.to_host(t)
                return {"back": back, "owns": back.flags.owndata, "zeros": ctx.to_host(z),
                        "names": (t.name, z.name), "shape": t.shape, "dtype": t.dtype,
                        "shards": len(t.shards), "ids": {e["correlation_id"] for e in ctx.traces}}

        got = on_tiny(program)["returned"]
        np.testing.assert_array_equal(got["back"], np.arange(64 * 16).reshape(64, 16))
        self.assertFalse(got["owns"])  # the array wraps the bytes that came back, no copy
        self.assertEqual(got["zeros"].dtype, np.float16)
        self.assertFalse(got["zeros"].any())
        self.assertEqual(got["names"][0], "x")
        self.assertEqual((got["shape"], got["dtype"]), ((64, 16), "i32"))
        self.assertGreater(got["shards"], 1)
        self.assertEqual(got["ids"], {"mine"})

    def test_placement_and_dtype_mistakes_are_clear_errors(self):
        def program(engine):
            ctx = RuntimeContext(engine)
            errors = []
            for bad in (lambda: ctx.zeros((4, 4), "f16"),
                        lambda: ctx.zeros((4, 4), "f17", dp=ROWS),
                        lambda: DPPolicy(sip="rows"),
                        lambda: ctx.from_numpy(np.zeros(3, dtype=np.float64))):
                try:
                    bad()
                except ValueError as error:
                    errors.append(str(error))
            return errors

        errors = on_tiny(program)["returned"]
        self.assertEqual(len(errors), 4, errors)
        self.assertIn("dp=DPPolicy(...) is required", errors[0])
        self.assertIn("f17", errors[1])
        self.assertIn("rows", errors[2])
        self.assertIn("float64", errors[3])


class Launches(unittest.TestCase):
    def test_launches_by_name_or_registered_kernel_deferred_or_waited(self):
        def program(engine):
            with RuntimeContext(engine) as ctx:
                x = ctx.zeros((64, 16), "f32", dp=ROWS, name="x")
                y = ctx.zeros((64, 16), "f32", dp=ROWS, name="y")
                x.copy_(np.full((64, 16), 2.0, dtype=np.float32))
                waited = ctx.launch("axpy", None, x, y, alpha=1.5)
                pending = ctx.launch("again", kernbench.kernels.axpy, x, y, 0.5,
                                     _defer_wait=True)
                before = [ctx.is_completed(h) for h, _, _ in pending]
                for handle, sip, meta in pending:
                    ctx.wait(handle, _meta=meta)
                after = [ctx.is_completed(h) for h, _, _ in pending]
                kernels = [t["name"] for t in ctx.traces if t["phase"] == "kernel"]
                return {"y": ctx.to_host(y), "before": before, "after": after,
                        "waited": ctx.is_completed(waited), "kernels": kernels,
                        "handles": len(ctx.handles()), "meta": pending[0][2]}

        got = on_tiny(program)["returned"]
        np.testing.assert_allclose(got["y"], 2.0 * 1.5 + 2.0 * 0.5)
        self.assertEqual(got["before"], [False])
        self.assertEqual(got["after"], [True])
        self.assertTrue(got["waited"])
        self.assertEqual(got["kernels"], ["axpy", "again"])
        self.assertEqual(got["meta"], {"phase": "kernel", "name": "again", "sip": 0})
        self.assertGreaterEqual(got["handles"], 2)

    def test_a_python_kernel_or_an_odd_argument_is_refused_by_name(self):
        def program(engine):
            ctx = RuntimeContext(engine)
            x = ctx.zeros((64, 16), "f32", dp=ROWS)
            errors = []
            for bad in (lambda: ctx.launch("mine", lambda *a: None, x),
                        lambda: ctx.launch("axpy", None, x, "two"),
                        lambda: ctx.launch("no_such_kernel", None, x)):
                try:
                    bad()
                except Exception as error:  # noqa: BLE001 - the classes are checked below
                    errors.append((type(error).__name__, str(error)))
            return errors

        errors = on_tiny(program)["returned"]
        self.assertEqual(errors[0][0], "TypeError")
        self.assertIn("kernbench.kernels", errors[0][1])
        self.assertEqual(errors[1][0], "TypeError")
        self.assertIn("str", errors[1][1])
        self.assertIn("no_such_kernel", errors[2][1])
        with self.assertRaises(AttributeError):
            kernbench.kernels.no_such_kernel  # noqa: B018
        self.assertIn("gemm", dir(kernbench.kernels))

    def test_install_ipcq_returns_the_plan_over_the_contexts_pes(self):
        def program(engine):
            ctx = RuntimeContext(engine)
            whole = ctx.install_ipcq("ring")
            pair = ctx.install_ipcq("ring", rank_to_pe=[(0, 0, 0), (0, 1, 0)])
            return whole, pair

        whole, pair = on_tiny(program)["returned"]
        shown = kernbench.topology.show(TINY)
        self.assertEqual(whole["world_size"], shown["world_size"])
        self.assertEqual(whole["algorithm"], "ring")
        self.assertEqual(pair["world_size"], 2)
        self.assertEqual([(r["sip"], r["cube"], r["pe"]) for r in pair["ranks"]],
                         [(0, 0, 0), (0, 1, 0)])


class Ranks(unittest.TestCase):
    def test_ranks_share_a_context_and_bind_their_own_sips(self):
        def rank_main(torch):
            rank = torch.distributed.get_rank()
            torch.ahbm.set_device(rank)
            t = torch.zeros((8, 4), "f32", dp=DPPolicy(cube="row_wise"))
            return rank, torch.ahbm.current_device(), sorted({s["sip"] for s in t.shards})

        got = on_tiny(rank_main, set={"system.sips.count": 3}, ranks=3)["returned"]
        self.assertEqual(got, [(0, 0, [0]), (1, 1, [1]), (2, 2, [2])])

    def test_device_binds_the_shared_context_as_target_device_names_it(self):
        def rank_main(torch):
            t = torch.zeros((8, 4), "f32", dp=DPPolicy(cube="row_wise"))
            return sorted({s["sip"] for s in t.shards})

        for device in (1, "sip:1", "ahbm:1"):
            got = on_tiny(rank_main, set={"system.sips.count": 2}, ranks=2, device=device)
            self.assertEqual(got["returned"], [[1], [1]], device)
        with self.assertRaises(kernbench.UsageError):
            on_tiny(rank_main, device=1)

    def test_a_collective_a_rank_never_joins_is_a_simulation_error(self):
        def rank_main(torch):
            dist = torch.distributed
            torch.ahbm.set_device(dist.get_rank())
            dist.init_process_group()
            if dist.get_rank() == 0:
                dist.barrier()

        with self.assertRaises(kernbench.SimulationError) as raised:
            on_tiny(rank_main, set={"system.sips.count": 2}, ranks=2)
        self.assertEqual(raised.exception.exit_code, 3)
        self.assertIn("deadlock", str(raised.exception))


class Failures(unittest.TestCase):
    def test_an_exception_in_the_program_stops_the_run_and_surfaces_with_its_traceback(self):
        def failing_program(engine):
            ctx = RuntimeContext(engine)
            ctx.zeros((64, 16), "f32", dp=ROWS)
            raise KeyError("no such layer")

        with self.assertRaises(KeyError) as raised:
            on_tiny(failing_program)
        cause = raised.exception.__cause__
        self.assertIsInstance(cause, kernbench.errors.RemoteTraceback)
        self.assertIn("failing_program", cause.text)
        self.assertIn("no such layer", cause.text)

    def test_a_result_that_cannot_come_back_is_said_so(self):
        def program(engine):
            return RuntimeContext(engine)

        with self.assertRaises(Exception) as raised:
            on_tiny(program)
        self.assertIn("pickle", str(raised.exception.__cause__).lower())


if __name__ == "__main__":
    unittest.main()
