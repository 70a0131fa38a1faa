#!/usr/bin/env python3
"""Differential test of a TOML decoder against Python's tomllib.

  toml-diff.py DECODER [--summary] DIR ...

DECODER reads TOML on stdin and prints toml-test's tagged JSON (exit 0), or
rejects the document (exit non-zero, not by a signal). Every file under each
DIR (but toml-test's expected .json files) is given to both; they must agree: valid for both with equal values, or
invalid for both. A file under a folder named "valid" or "invalid" must also
get that verdict (the repository's corpus says what each case is).

tomllib keeps integers of any size; TOML 1.0 requires an error for one that
does not fit 64 bits, so such a document counts as invalid on tomllib's side.
A leading byte-order mark is allowed (as toml-test has it); tomllib is given
the text without it. tomllib keeps microseconds; fractions of a second compare to that precision.

Prints TAP: one line per file, or with --summary before a DIR (a fuzzer's
corpus of thousands of inputs) one line for the agreeing files of that DIR
and one per disagreement. Exits 1 on a disagreement.
"""
import datetime
import json
import math
import os
import subprocess
import sys

from tagged_json import same
import tomllib

INT64 = (-(2**63), 2**63 - 1)
DEPTH_LIMIT = b"arrays and inline tables nested deeper than"


class Unrepresentable(Exception):
    pass


def tag(v):
    """tomllib's value as toml-test's tagged JSON."""
    if isinstance(v, dict):
        return {k: tag(x) for k, x in v.items()}
    if isinstance(v, list):
        return [tag(x) for x in v]
    if isinstance(v, bool):
        return {"type": "bool", "value": "true" if v else "false"}
    if isinstance(v, int):
        if not INT64[0] <= v <= INT64[1]:
            raise Unrepresentable("integer %d does not fit 64 bits" % v)
        return {"type": "integer", "value": str(v)}
    if isinstance(v, float):
        text = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
        return {"type": "float", "value": text}
    if isinstance(v, str):
        return {"type": "string", "value": v}
    if isinstance(v, datetime.datetime):
        return {"type": "datetime" if v.tzinfo else "datetime-local", "value": v.isoformat()}
    if isinstance(v, datetime.date):
        return {"type": "date-local", "value": v.isoformat()}
    if isinstance(v, datetime.time):
        return {"type": "time-local", "value": v.isoformat()}
    raise TypeError("unexpected value %r" % (v,))


def moment(kind, text):
    """A date-time's text as a comparable value, to the microsecond."""
    t = text.replace("t", "T").replace("z", "Z")
    if kind == "time-local":
        return datetime.time.fromisoformat(truncate_fraction(t))
    if kind == "date-local":
        return datetime.date.fromisoformat(t)
    if len(t) > 10 and t[10] == " ":
        t = t[:10] + "T" + t[11:]
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    d = datetime.datetime.fromisoformat(truncate_fraction(t))
    return d.astimezone(datetime.timezone.utc) if d.tzinfo else d


def truncate_fraction(t):
    """At most six digits of a second's fraction (what datetime holds)."""
    dot = t.find(".")
    if dot < 0:
        return t
    end = dot + 1
    while end < len(t) and t[end].isdigit():
        end += 1
    return t[: min(end, dot + 7)] + t[end:]


def same_scalar(a, b):
    if a.get("type") != b.get("type"):
        return False
    kind, x, y = a["type"], a["value"], b["value"]
    if kind == "float":
        fx, fy = float(x), float(y)
        if math.isnan(fx) or math.isnan(fy):
            return math.isnan(fx) and math.isnan(fy)
        return fx == fy and math.copysign(1, fx) == math.copysign(1, fy)
    if kind == "integer":
        return int(x) == int(y)
    if kind in ("datetime", "datetime-local", "date-local", "time-local"):
        try:
            return moment(kind, x) == moment(kind, y)
        except ValueError:
            return False
    return x == y


def reference(data):
    """(True, tagged JSON) or (False, why) from tomllib."""
    try:
        return True, tag(tomllib.loads(data.decode("utf-8-sig")))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, Unrepresentable) as e:
        return False, str(e)


def verdict(decoder, path):
    """None when both agree (and match what the folder says), else why not."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        p = subprocess.run([decoder], input=data, capture_output=True, timeout=10)
    except subprocess.TimeoutExpired:
        return "decoder timed out"
    if p.returncode < 0:
        return "decoder killed by signal %d" % -p.returncode
    ok, want = reference(data)
    if p.returncode != 0:
        got_ok = False
        # The parser's one deliberate limit (lib/toml/toml-internal.h,
        # TOML_MAX_DEPTH): nesting that would exhaust a small stack is
        # refused; TOML 1.0 sets no bound, tomllib none either.
        if ok and DEPTH_LIMIT in p.stderr:
            return None
        if ok:
            return "decoder rejects, tomllib accepts: " + p.stderr.decode(errors="replace").strip()[:200]
    else:
        got_ok = True
        if not ok:
            return "decoder accepts, tomllib rejects: " + want[:200]
        try:
            got = json.loads(p.stdout)
        except ValueError as e:
            return "decoder printed bad JSON: %s" % e
        if not same(got, want, same_scalar):
            return "values differ: decoder %s, tomllib %s" % (
                p.stdout.decode(errors="replace")[:200], json.dumps(want)[:200])
    parts = os.path.normpath(path).split(os.sep)
    if "invalid" in parts and got_ok:
        return "both accept a case of an 'invalid' folder"
    if "valid" in parts and not got_ok:
        return "both reject a case of a 'valid' folder"
    return None


def files_under(d):
    out = []
    for root, dirs, names in os.walk(d):
        dirs.sort()
        out += [os.path.join(root, n) for n in sorted(names) if not n.startswith(".") and not n.endswith(".json")]
    return out


def main():
    decoder, args = sys.argv[1], sys.argv[2:]
    lines, failed, summary = [], 0, False
    for a in args:
        if a == "--summary":
            summary = True
            continue
        if not os.path.isdir(a):
            lines.append((False, "%s is not a folder" % a))
            failed += 1
            continue
        agreed = 0
        for path in files_under(a):
            why = verdict(decoder, path)
            if why:
                failed += 1
                lines.append((False, "%s # %s" % (path, why.replace("\n", " "))))
            elif summary:
                agreed += 1
            else:
                lines.append((True, path))
        if summary:
            lines.append((True, "%s: decoder and tomllib agree on %d inputs" % (a, agreed)))
        summary = False
    print("1..%d" % len(lines))
    for i, (ok, text) in enumerate(lines, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, text))
    return 1 if failed else 0


if __name__ == "__main__":
    # tomllib, json and tag() recurse once per level of nesting, and the
    # fuzzer makes documents thousands of levels deep: a deep stack of our
    # own, in a thread, rather than a RecursionError that says nothing.
    import threading

    sys.setrecursionlimit(200000)
    threading.stack_size(512 * 1024 * 1024)
    result = []
    t = threading.Thread(target=lambda: result.append(main()))
    t.start()
    t.join()
    sys.exit(result[0] if result else 2)
