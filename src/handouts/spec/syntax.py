"""YAML syntax mistakes clinic staff make, named at the line and column where they were made
(PyYAML says what confused the parser, often a line later, in its own terms)."""

from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Mark


# Spaces that look like indentation in an editor but are not YAML's: named so staff can
# search for them (the Japanese name is what an IME or Word calls them).
ODD_SPACES = {
    "\t": "tab character (タブ)",
    "\u3000": "full-width space 「全角スペース」 U+3000",
    "\u00a0": "non-breaking space U+00A0 (ノーブレークスペース, often pasted from Word)",
}
_INDENT = re.compile("^[ \t\u3000\u00a0]*")
# what follows the indentation of a line that is structure, not text: `- ` or `key:`
_STRUCTURE = re.compile(r"^(?:-(?:[ \t\u3000\u00a0]|$)|[^\s:#\-][^:#]*:(?:[ \t\u3000\u00a0]|$))")


def indent_problem(path: str, lines: list[str], first: int, last: int, skip: set[int],
                    structure_only: bool) -> Diagnostic | None:
    """The first line in first..last (0-based) indented with a tab, a full-width space or a
    non-breaking space, at the column of that character (lines of block text skipped)."""
    for n in range(first, min(last, len(lines) - 1) + 1):
        if n in skip:
            continue
        lead = _INDENT.match(lines[n]).group()
        rest = lines[n][len(lead):]
        odd = [i for i, c in enumerate(lead) if c in ODD_SPACES]
        if not odd or not rest or rest.startswith("#"):
            continue
        if structure_only and not _STRUCTURE.match(rest):
            continue
        c = lead[odd[0]]
        how = {"\t": "indent with spaces (YAML reads only spaces as indentation)",
               "\u3000": "indent with ordinary half-width spaces (YAML reads only those "
                          "as indentation)",
               "\u00a0": "retype the indentation with ordinary spaces"}[c]
        return Mark(path, n + 1, odd[0] + 1).error(f"{ODD_SPACES[c]} used for indentation; {how}")
    return None


_VALUE_START = re.compile(r"^\s*(?:-\s+)*(?:[^\s:#\-\[{][^:#]*:\s+)?([\[{*@`])")
_INDICATORS = {"[": "is read as a list, not as text", "{": "is read as a mapping, not as text",
               "*": "is read as an alias (a YAML reference), not as text",
               "@": "is reserved in YAML", "`": "is reserved in YAML"}


def value_start_problem(path: str, lines: list[str], first: int, last: int
                         ) -> Diagnostic | None:
    """A text value that starts with a character YAML reserves: 「[注意] これは…」,
    「{用語}は…」 (a list or mapping that goes on after its closing bracket), 「**大切**」
    (an alias), 「@」 or a backquote. The cure is the same: quotes around the value."""
    for n in range(min(last, len(lines) - 1), max(first, 0) - 1, -1):
        m = _VALUE_START.match(lines[n])
        if not m:
            continue
        c = m.group(1)
        if c in "[{":  # a list or mapping that ends before the line does
            end = lines[n].find("]" if c == "[" else "}", m.end(1))
            after = lines[n][end + 1:].strip() if end >= 0 else ""
            if end < 0 or not after or after.startswith(("#", ",", "]", "}")):
                continue
        value = lines[n][m.start(1):].strip()
        quoted = f'"{value}"' if '"' not in value else "'" + value.replace("'", "''") + "'"
        return Mark(path, n + 1, m.start(1) + 1).error(
            f"a value that starts with '{c}' {_INDICATORS[c]}; put the whole value in "
            f"quotes: {quoted}")
    return None
