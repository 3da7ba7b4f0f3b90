"""kernbench plot writes valid PNG and SVG files: lines per hue, failed points, Pareto fronts."""

import csv
import json
import os

import matplotlib.image

from sweep_test import SPEC, SweepCase, main


class Plot(SweepCase):
    def test_png_svg_and_pareto(self):
        spec = self.write("spec.yaml", SPEC.replace("[50, 100, 400]", "[50, -1, 400]"))
        r = self.kernbench("sweep", spec, "--out", self.path("out"), "--jobs", "2")
        self.assertEqual(r.returncode, 1, r.stderr)  # the -1 points failed; plotted as such
        csv = self.path("out/results.csv")
        png = self.path("p.png")
        r = self.kernbench("plot", csv, "--x", "cube.hbm_slice.bw_gbps", "--y", "sim_time_ns",
                           "--hue", "param.elements", "--logx", "-o", png)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        height, width, _ = matplotlib.image.imread(png).shape
        self.assertGreater(width, 100)
        self.assertGreater(height, 100)
        svg = self.path("front.svg")
        r = self.kernbench("plot", csv, "--pareto", "kernel_time_ns,cube.hbm_slice.bw_gbps",
                           "-o", svg)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(svg, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("<svg", text)
        # Axis units come from the reports' units maps, the topology key's from its schema.
        self.assertIn("kernel_time_ns (ns)", text)
        self.assertIn("cube.hbm_slice.bw_gbps (GB/s)", text)
        for name in os.listdir(self.path("out/points")):
            if name.endswith(".command.json"):
                continue
            report = self.path("out/points/" + name)
            with open(report, encoding="utf-8") as f:
                data = json.load(f)
            data["units"]["kernel_time_ns"]["unit"] = "furlongs"
            with open(report, "w", encoding="utf-8") as f:
                json.dump(data, f)
        r = self.kernbench("plot", csv, "--x", "param.elements", "--y", "kernel_time_ns",
                           "-o", svg)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(svg, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("kernel_time_ns (furlongs)", text)
        self.assertNotIn("kernel_time_ns (ns)", text)
        r = self.kernbench("plot", csv, "--x", "nope", "--y", "sim_time_ns", "-o", png)
        self.assertEqual(r.returncode, 2)
        self.assertIn("has no column nope", r.stderr)

        # Tables that are not tables: exit 2 with what is wrong, never a traceback.
        for name, content, says in [("binary.csv", b"\xff\xfe\x00garbage", "is not UTF-8"),
                                    ("empty.csv", b"", "No columns to parse"),
                                    ("ragged.csv", b"a,b\n1\n2,3,4\n", "Expected 2 fields")]:
            path = self.path(name)
            with open(path, "wb") as f:
                f.write(content)
            r = self.kernbench("plot", path, "--x", "a", "--y", "b", "-o", png)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(says, r.stderr)
            self.assertNotIn("Traceback", r.stderr)

        # Tables that would plot a lie, and outputs that cannot be written.
        for name, content, args, code, says in [
                ("nostatus.csv", "a,b\n1,2\n", ["--x", "a", "--y", "b"], 2,
                 "has no status column"),
                ("words.csv", "status,a,b\nok,1,x\nok,2,y\n", ["--x", "a", "--y", "b"], 2,
                 "column b, row 2: 'x' is not a number"),
                ("mixed.csv", "status,a,b\nok,100,1\nok,20,2\nok,abc,3\n",
                 ["--x", "a", "--y", "b"], 2, "column a mixes numbers and names (row 4: 'abc')"),
                ("names.csv", "status,a,b\nok,ring,1\nok,rhd,2\n", ["--x", "a", "--y", "b"], 0,
                 "wrote"),
                ("sizes.csv", "status,a,b\nok,1K,2\nok,2M,1\nok,512,3\n",
                 ["--pareto", "a,b"], 0, "wrote")]:
            path = self.path(name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
            r = self.kernbench("plot", path, *args, "-o", png)
            self.assertEqual(r.returncode, code, r.stderr)
            self.assertIn(says, r.stderr)
            self.assertNotIn("Traceback", r.stderr)
        r = self.kernbench("plot", self.path("names.csv"), "--x", "a", "--y", "b", "-o",
                           self.path("no/such/dir/p.png"))
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("cannot write", r.stderr)
        self.assertNotIn("Traceback", r.stderr)


    def test_the_energy_example_sweep_has_its_columns_and_its_front(self):
        # The committed example (docs/energy.md): time against energy, its columns.
        spec = os.path.join(os.environ["KB_SOURCE_DIR"], "configs/sweeps/energy_pareto.yaml")
        r = self.kernbench("sweep", spec, "--out", self.path("energy"), "--jobs", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.path("energy/results.csv"), encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 12)
        for row in rows:
            total = float(row["energy.total_j"])
            self.assertAlmostEqual(total, float(row["energy.dynamic_j"]) +
                                   float(row["energy.static_j"]), delta=total * 1e-9)
            self.assertGreater(float(row["area_mm2"]), 0)
            self.assertNotIn("energy.by_component", " ".join(row))
        # A wider mesh is a larger machine.
        area = {row["sip.cube_mesh.w"]: float(row["area_mm2"]) for row in rows}
        self.assertLess(area["1"], area["2"])
        self.assertLess(area["2"], area["4"])
        svg = self.path("energy.svg")
        r = self.kernbench("plot", self.path("energy/results.csv"), "--pareto",
                           "kernel_time_ns,energy.total_j", "-o", svg)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(svg, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("energy.total_j (J)", text)
        self.assertIn("Pareto front", text)

    def test_the_serving_example_sweep_shows_its_knee(self):
        # The committed example (docs/serving.md): p99 TTFT against the arrival rate stays
        # near one prefill step at low load and climbs once the machine saturates, while
        # throughput follows the offered load until then.
        spec = os.path.join(os.environ["KB_SOURCE_DIR"], "configs/sweeps/serve_rate_knee.yaml")
        r = self.kernbench("sweep", spec, "--out", self.path("serve"), "--jobs", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.path("serve/results.csv"), encoding="utf-8") as f:
            rows = sorted(csv.DictReader(f), key=lambda row: float(row["param.rate"]))
        self.assertGreaterEqual(len(rows), 5)
        self.assertNotIn("serve.steps.simulated_ns", " ".join(rows[0]))
        p99 = [float(row["serve.ttft_ms.p99"]) for row in rows]
        served = [float(row["serve.requests_per_s"]) for row in rows]
        for row in rows:
            self.assertEqual(row["serve.completed"], "150")
            in_flight = float(row["serve.in_flight_mean"])
            self.assertAlmostEqual(in_flight, float(row["serve.little_in_flight"]),
                                   delta=in_flight * 0.02)
        # Light load: the queue is short and the requests are served as they come.
        self.assertLess(p99[0], 2 * float(rows[0]["serve.ttft_ms.p50"]) + 50)
        self.assertAlmostEqual(served[0], float(rows[0]["param.rate"]), delta=0.5)
        # Past the knee the tail grows far faster than the load.
        self.assertGreater(p99[-1], 4 * p99[0])
        self.assertGreater(p99[-1] / p99[-2], float(rows[-1]["param.rate"]) / float(rows[-2]["param.rate"]))
        png = self.path("knee.png")
        r = self.kernbench("plot", self.path("serve/results.csv"), "--x", "param.rate", "--y",
                           "serve.ttft_ms.p99", "--logy", "-o", png)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreater(os.path.getsize(png), 1000)

    def test_pareto_fronts_of_sizes_and_many_rows(self):
        from kbtools.plot import pareto
        import pandas as pd
        # Sizes read as numbers (2K is 2048, above 900); an exact repeat stays on the front.
        df = pd.DataFrame({"a": ["1K", "2K", "900", "900", "3K"], "b": [5, 1, 9, 9, 1]})
        front, _, _ = pareto(df, "a", "b")
        self.assertEqual(sorted(front.index.tolist()), [0, 1, 2, 3])
        front, _, _ = pareto(df, "a", "max:b")
        self.assertEqual(sorted(front.index.tolist()), [2, 3])
        # 20,000 rows (quadratic before: 22 s) against a brute-force check on a sample.
        n = 20000
        big = pd.DataFrame({"a": [(i * 7919) % 1000 for i in range(n)],
                            "b": [(i * 104729) % 997 for i in range(n)]})
        front, _, _ = pareto(big, "a", "b")
        on = set(front.index.tolist())
        pairs = list(zip(big["a"], big["b"]))
        for i in range(0, n, 97):
            a, b = pairs[i]
            dominated = any(c <= a and d <= b and (c < a or d < b) for c, d in pairs)
            self.assertEqual(i in on, not dominated, i)
        csv = self.write("text.csv", "status,a,b\nok,x,1\nok,2,3\n")
        r = self.kernbench("plot", csv, "--pareto", "a,b", "-o", self.path("t.png"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("--pareto needs numbers: a has other values", r.stderr)

    def test_the_interpreter_can_be_chosen(self):
        # A virtualenv user's python: here a wrapper that leaves a mark, then runs Debian's.
        mark = self.path("used")
        wrapper = self.write("python",
                             f"#!/bin/sh\necho yes > {mark}\nexec /usr/bin/python3 \"$@\"\n")
        os.chmod(wrapper, 0o755)
        r = self.kernbench("plot", "--help", env={"KERNBENCH_PYTHON": wrapper})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(mark))
        r = self.kernbench("plot", "--help", env={"KERNBENCH_PYTHON": self.path("none")})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("KERNBENCH_PYTHON names it", r.stderr)


if __name__ == "__main__":
    main()
