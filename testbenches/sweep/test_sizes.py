"""kbtools' size rule on every case of testbenches/cli/data/sizes.txt, the table the command
line's parser is tested on too: one rule in both languages."""

import os
import unittest

from kbtools.sizes import parse_size

TABLE = os.path.join(os.environ["KB_SOURCE_DIR"], "testbenches", "cli", "data", "sizes.txt")


class Sizes(unittest.TestCase):
    def test_every_case_of_the_table(self):
        cases = 0
        with open(TABLE, encoding="utf-8") as f:
            for line in f.read().splitlines():
                if not line or line.startswith("#"):
                    continue
                text, expected = line.rsplit(" ", 1)
                want = None if expected == "invalid" else int(expected)
                self.assertEqual(parse_size(text), want, repr(text))
                cases += 1
        self.assertGreater(cases, 15)


if __name__ == "__main__":
    unittest.main(verbosity=2)
