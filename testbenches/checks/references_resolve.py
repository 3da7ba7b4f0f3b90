"""Every reference in the tree resolves to a file in the repository.

python3 references_resolve.py SOURCE_DIR: exits 1, listing file:line and the reference,
when a comment or page names something a clone does not have:
- a document: a path under docs/ (or README.md), a Markdown link, an "ADR NNNN";
- in the pages (README.md, docs/), any path of the tree outside a code block;
- a design document outside the repository (cited by section sign, or a path above the
  clone).
Placeholders in capitals (docs/examples/EXAMPLE, ccl/algorithms/NAME.cpp) and globs are
patterns, not references.
"""

import os
import re
import sys

TOP_FOLDERS = "docs|models|platform|runtime|testbenches|configs|scripts|cmake|python"
# A path of the tree, not the tail of a longer one (share/kernbench/configs/...).
TREE_PATH = re.compile(r"(?<![\w/.-])((?:%s)/[\w./-]*\w|README\.md)" % TOP_FOLDERS)
DOC_PATH = re.compile(r"(?<![\w/.-])(docs/[\w./-]*\.md|README\.md)")
LINK = re.compile(r"\]\(([^)\s]+)\)")
ADR = re.compile(r"\bADR (\d{4})\b")
# Spelt in two parts, so that this file does not cite them itself.
OUTSIDE = re.compile("DESIGN" + " §|" + r"\.\./" + "shared/")
PLACEHOLDER = re.compile(r"(?:^|/)[A-Z]{3,}(?:[./]|$)")

SOURCE_SUFFIXES = (".h", ".cpp", ".in", ".py", ".cmake", ".proto", ".txt", ".yaml")
SKIPPED_FOLDERS = {".git", "build", "corpus", "__pycache__"}


def files(root):
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(s for s in subfolders if s not in SKIPPED_FOLDERS)
        for name in sorted(names):
            if name.endswith(".md") or name.endswith(SOURCE_SUFFIXES) or name in (
                "setup", "update-goldens", "run"):
                yield os.path.join(folder, name)


def is_pattern(reference):
    return "*" in reference or "<" in reference or PLACEHOLDER.search(reference) is not None


def problems(root):
    adrs = {name[:4] for name in os.listdir(os.path.join(root, "docs", "adr"))}
    for path in files(root):
        relative = os.path.relpath(path, root)
        is_page = relative.endswith(".md")
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except UnicodeDecodeError:
            continue
        in_code = False
        for number, line in enumerate(lines, 1):
            where = "%s:%d" % (relative, number)
            if is_page and line.lstrip().startswith("```"):
                in_code = not in_code
                continue
            if OUTSIDE.search(line):
                yield where, "names a document outside the repository: " + line.strip()
            for m in ADR.finditer(line):
                if m.group(1) not in adrs:
                    yield where, "ADR %s does not exist" % m.group(1)
            if is_page and in_code:
                continue
            paths = TREE_PATH if is_page else DOC_PATH
            for m in paths.finditer(line):
                reference = m.group(1).rstrip(".")
                if not is_pattern(reference) and not os.path.exists(os.path.join(root, reference)):
                    yield where, "%s does not exist" % reference
            if is_page:
                for m in LINK.finditer(line):
                    target = m.group(1).split("#")[0]
                    if not target or re.match(r"[a-z]+:", target):
                        continue
                    resolved = os.path.normpath(os.path.join(os.path.dirname(path), target))
                    if not os.path.exists(resolved):
                        yield where, "link to %s, which does not exist" % target


def main():
    root = os.path.abspath(sys.argv[1])
    found = list(problems(root))
    for where, what in found:
        print("%s: %s" % (where, what))
    checked = sum(1 for _ in files(root))
    print("%d files checked, %d dangling references" % (checked, len(found)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
