"""toml-test's tagged JSON ({"type": ..., "value": ...} leaves in plain
objects and arrays), compared as a tree; how two leaves compare is the
caller's (toml-test.py keeps nanoseconds and leap seconds, toml-diff.py
compares to tomllib's microseconds)."""


def same(a, b, same_scalar):
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) == {"type", "value"} and set(b) == {"type", "value"} and isinstance(a.get("type"), str):
            return same_scalar(a, b)
        return a.keys() == b.keys() and all(same(a[k], b[k], same_scalar) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, same_scalar) for x, y in zip(a, b))
    return False
