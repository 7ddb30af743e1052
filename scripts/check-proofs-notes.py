#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks proofs-notes/ against the code both ways (proofs-notes/README.md):
every `Code:` symbol exists in include/ or src/, every `Test:` file and test case exists, and
every `@proof ID` tag in the code names a lemma stated in proofs-notes/. Exit 0 if all hold."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
notes = sorted((root / "proofs-notes").glob("*.md"))
code_files = [p for d in ("include", "src") for p in (root / d).rglob("*") if p.suffix in (".hpp", ".cpp")]
code_text = {p: p.read_text() for p in code_files}
all_code = "\n".join(code_text.values())
problems = []

lemmas = {}
for note in notes:
    text = note.read_text()
    for m in re.finditer(r"^## Lemma (\S+)", text, re.M):
        lemmas[m.group(1)] = note.name
    for line in text.splitlines():
        if line.startswith("Code:"):
            for sym in re.findall(r"`([^`]+)`", line):
                name = sym.split("::")[-1]
                if not re.search(r"\b" + re.escape(name) + r"\b", all_code):
                    problems.append(f"{note.name}: Code symbol {sym} not found in include/ or src/")
        elif line.startswith("Test:"):
            m = re.match(r'Test:\s+(\S+)\s+"(.+)"\s*$', line)
            if not m:
                problems.append(f"{note.name}: malformed Test line: {line}")
                continue
            path = root / m.group(1)
            if not path.exists():
                problems.append(f"{note.name}: test file {m.group(1)} does not exist")
            elif f'TEST_CASE("{m.group(2)}"' not in path.read_text():
                problems.append(f'{note.name}: test case "{m.group(2)}" not in {m.group(1)}')

for path, text in code_text.items():
    for tag in re.findall(r"@proof\s+([A-Za-z0-9]+)", text):
        if tag not in lemmas:
            problems.append(f"{path.relative_to(root)}: @proof {tag} names no lemma in proofs-notes/")

tagged = set(re.findall(r"@proof\s+([A-Za-z0-9]+)", all_code))
for lemma, note in sorted(lemmas.items()):
    if lemma not in tagged:
        problems.append(f"{note}: Lemma {lemma} is cited by no @proof tag in the code")

for p in problems:
    print(p)
print(f"proofs-notes: {len(lemmas)} lemmas, {len(problems)} problems")
sys.exit(1 if problems else 0)
