#!/usr/bin/env python3
"""Rejects, in BATS files, the assertions that cannot fail.

  bats-lint.py FILE...   print FILE:LINE: why: command for each one found;
                         exit 1 if any, 2 if a file cannot be read or a quote never closes

BATS relies on errexit, and bash's errexit ignores a command negated with `!`
and every command of an `a && b` list but the last. The rules (docs/testing.md):

  negation  a command that begins with `!`: at the start of a line or after
            ; && || { ( ) do then else. Write `run ! cmd` or `is_not`.
            `if ! cmd`, `while ! cmd`, `[ ! -e f ]`, `run ! cmd` and
            `$(! cmd)` are not commands that begin with `!`.
  chain     a test condition ([ ], [[ ]], test, (( ))) after `&&`: whatever
            came before it is not asserted. One condition per line.
            `[[ -f x ]] || cp ...` and `(cd dir && cmd)` are not chains of tests.

Quoted text (an awk program, a command for the guest), comments and here-documents
are not looked at. A command continued on the next line (a trailing \\, &&, ||
or |, or an open quote) is read as one, reported at its first line.
"""
import re
import sys

NEGATION = re.compile(r"(?:^|[;&|{)]|(?<![($])\(|\b(?:do|then|else)\b)\s*!(?=\s|$)")
CHAIN = re.compile(r"&&\s*(?:\[|test(?=\s|$)|\(\()")
HEREDOC = re.compile(r"(?<!<)<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")
# Inside [[ ]] and (( )), ! && || are operators of the condition.
CONDITION = re.compile(r"\[\[.*?\]\]|\(\(.*?\)\)")


class Scanner:
    """Splits a shell file into logical lines of code with quoted text and
    comments blanked out."""

    def __init__(self, lines):
        self.lines = lines
        self.quote = None  # None, "'", '"' or "$'"

    def code_of(self, line):
        """The line's code, quotes blanked; the quote state carries over."""
        out = []
        i = 0
        while i < len(line):
            c = line[i]
            if self.quote == "'":
                if c == "'":
                    self.quote = None
                    out.append("'")
                i += 1
                continue
            if self.quote in ('"', "$'"):
                if c == "\\":
                    i += 2
                    continue
                if (self.quote == '"' and c == '"') or (self.quote == "$'" and c == "'"):
                    self.quote = None
                    out.append(c)
                i += 1
                continue
            if c == "\\":
                out.append(line[i:i + 2])
                i += 2
                continue
            if c == "#" and (i == 0 or line[i - 1] in " \t;"):
                break
            if c == "$" and line[i + 1:i + 2] == "'":
                self.quote = "$'"
                out.append("$'")
                i += 2
                continue
            if c in "'\"":
                self.quote = c
                out.append(c)
                i += 1
                continue
            out.append(c)
            i += 1
        return "".join(out)

    def logical_lines(self):
        """Yields (first line number, code) for each logical line; raises
        ValueError if a quote is still open at the end."""
        heredocs = []
        start, code = None, ""
        for n, line in enumerate(self.lines, 1):
            line = line.rstrip("\n")
            if heredocs:
                strip, word = heredocs[0]
                if (line.lstrip("\t") if strip else line) == word:
                    heredocs.pop(0)
                continue
            part = self.code_of(line)
            if start is None:
                start, code = n, ""
            code += " " + part
            # Looked for in the line as written: the code has the quoted word blanked.
            for m in HEREDOC.finditer(line):
                heredocs.append((m.group(1) == "-", m.group(3)))
            tail = code.rstrip()
            if self.quote or tail.endswith(("\\", "&&", "||", "|")):
                if tail.endswith("\\") and not self.quote:
                    code = tail[:-1]
                continue
            yield start, code.strip()
            start = None
        if self.quote:
            raise ValueError("quote opened at line %d is never closed" % start)
        if start is not None:
            yield start, code.strip()


def lint(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except OSError as e:
        sys.stderr.write("bats-lint: %s: %s\n" % (path, e.strerror))
        return None
    found = []
    try:
        for n, code in Scanner(lines).logical_lines():
            code = CONDITION.sub(lambda m: m.group(0)[:2] + " " + m.group(0)[-2:], code)
            text = lines[n - 1].strip()
            if NEGATION.search(code):
                found.append((n, "a command negated with ! cannot fail (run ! cmd, is_not)", text))
            elif CHAIN.search(code):
                found.append((n, "a test after && hides what comes before it (one condition per line)", text))
    except ValueError as e:
        sys.stderr.write("bats-lint: %s: %s\n" % (path, e))
        return None
    return found


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    rc = 0
    for path in argv[1:]:
        found = lint(path)
        if found is None:
            return 2
        for n, why, code in found:
            print("%s:%d: %s: %s" % (path, n, why, code))
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
