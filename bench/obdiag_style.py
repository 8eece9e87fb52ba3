"""The error-code tally the way obdiag's ``analyze log`` computes it, as a baseline for ``logs codes``.

A plain Python loop: every file read line by line as text (``.gz`` through ``gzip.open``), a
regular expression per line, a dict of per-code counts with first/last time and a sample.
Kinder than obdiag itself (no copy of every file to a scratch directory first, WDIAG lines
counted too, no per-line object building), so the speed-up measured against it is a lower bound.

    .venv/bin/python bench/obdiag_style.py FILE...
"""

from __future__ import annotations

import gzip
import re
import sys

CODE = re.compile(r"(?<![A-Za-z0-9_])(?:ret|errcode|ret_code|result)=(-\d{1,7})(?![0-9])")
TIME = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\]")


def tally(paths: list[str]) -> dict[int, list]:
    codes: dict[int, list] = {}
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                found = {int(x) for x in CODE.findall(line)}
                found.discard(0)
                if not found:
                    continue
                m = TIME.match(line)
                ts = m.group(1) if m else ""
                for code in found:
                    entry = codes.get(code)
                    if entry is None:
                        codes[code] = [1, ts, ts, line[:400]]
                    else:
                        entry[0] += 1
                        if ts and ts < entry[1]:
                            entry[1] = ts
                        if ts > entry[2]:
                            entry[2] = ts
    return codes


def main() -> None:
    for code, (count, first, last, _) in sorted(tally(sys.argv[1:]).items(), key=lambda kv: -kv[1][0]):
        print(f"{code}\t{count}\t{first}\t{last}")


if __name__ == "__main__":
    main()
