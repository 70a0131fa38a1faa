#!/usr/bin/env python3
"""Runs the toml-test cases listed in files-toml-1.0.0 against a decoder.

  toml-test.py DECODER TOML_TEST_DIR

Valid cases: the decoder's JSON must equal the .json beside the case as JSON
values (floats numerically, nan == nan, date-times as instants or as the same
local time). Invalid cases: the decoder must exit non-zero, and not by a
signal. Prints TAP and a '# toml-test:' summary line; exits 1 on a failure.
"""
import datetime
import json
import math
import os
import re
import subprocess
import sys

from tagged_json import same


def parse_dt(kind, text):
    t = text.replace("t", "T").replace(" ", "T").replace("z", "Z")
    m = re.match(r"^(.*?)(\.\d+)?(Z|[+-]\d\d:\d\d)?$", t)
    base, frac, off = m.group(1), m.group(2) or "", m.group(3)
    ns = int((frac[1:] + "000000000")[:9]) if frac else 0
    if kind == "time-local":
        h, mi, s = (int(x) for x in base.split(":"))
        return (h, mi, s, ns)
    if kind == "date-local":
        return tuple(int(x) for x in base.split("-"))
    d, tm = base.split("T")
    y, mo, da = (int(x) for x in d.split("-"))
    h, mi, s = (int(x) for x in tm.split(":"))
    if kind == "datetime-local":
        return (y, mo, da, h, mi, s, ns)
    if off == "Z":
        delta = 0
    else:
        sign = -1 if off[0] == "-" else 1
        delta = sign * (int(off[1:3]) * 60 + int(off[4:6]))
    sec = 59 if s == 60 else s  # a leap second compares as :59 here
    dt = datetime.datetime(y, mo, da, h, mi, sec) - datetime.timedelta(minutes=delta)
    return (dt.isoformat(), ns, s == 60)


def same_scalar(a, b):
    if a.get("type") != b.get("type"):
        return False
    kind, x, y = a["type"], a["value"], b["value"]
    if kind == "float":
        fx, fy = float(x.replace("_", "")), float(y.replace("_", ""))
        if math.isnan(fx) or math.isnan(fy):
            return math.isnan(fx) and math.isnan(fy)
        return fx == fy
    if kind == "integer":
        return int(x) == int(y)
    if kind in ("datetime", "datetime-local", "date-local", "time-local"):
        return parse_dt(kind, x) == parse_dt(kind, y)
    return x == y


def main():
    decoder, root = sys.argv[1], sys.argv[2]
    with open(os.path.join(root, "files-toml-1.0.0")) as f:
        cases = [l.strip() for l in f if l.strip().endswith(".toml")]
    print("1..%d" % len(cases))
    counts = {"valid": [0, 0], "invalid": [0, 0]}
    failed = 0
    for i, case in enumerate(cases, 1):
        kind = "valid" if case.startswith("valid/") else "invalid"
        counts[kind][1] += 1
        with open(os.path.join(root, case), "rb") as f:
            data = f.read()
        try:
            p = subprocess.run([decoder], input=data, capture_output=True, timeout=5)
        except subprocess.TimeoutExpired:
            print("not ok %d - %s # timeout" % (i, case))
            failed += 1
            continue
        why = None
        if kind == "valid":
            if p.returncode != 0:
                why = "rejected: " + p.stderr.decode(errors="replace").strip()[:200]
            else:
                with open(os.path.join(root, case[:-5] + ".json")) as f:
                    want = json.load(f)
                try:
                    got = json.loads(p.stdout)
                except ValueError as e:
                    why = "bad JSON: %s" % e
                else:
                    if not same(got, want, same_scalar):
                        why = "got %s" % p.stdout.decode(errors="replace")[:200]
        else:
            if p.returncode == 0:
                why = "accepted"
            elif p.returncode < 0:
                why = "killed by signal %d" % -p.returncode
        if why:
            failed += 1
            print("not ok %d - %s # %s" % (i, case, why.replace("\n", " ")))
        else:
            counts[kind][0] += 1
            print("ok %d - %s" % (i, case))
    print("# toml-test: valid %d/%d passed, invalid %d/%d rejected" % (
        counts["valid"][0], counts["valid"][1], counts["invalid"][0], counts["invalid"][1]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
