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


def quoted(value: str) -> str:
    """`value` as a quoted YAML scalar, in the quotes it does not contain."""
    return f'"{value}"' if '"' not in value else "'" + value.replace("'", "''") + "'"


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
        return Mark(path, n + 1, m.start(1) + 1).error(
            f"a value that starts with '{c}' {_INDICATORS[c]}; put the whole value in "
            f"quotes: {quoted(value)}")
    return None


def flow_citation_problem(path: str, text: str, at: int) -> Diagnostic | None:
    """A citation inside a list or mapping written in brackets (「[痛み, 96人[@x]]」): the
    '[' of [@x] opens a list there and '@' cannot start a value, so the cell needs quotes.
    `at` is where the parser stopped (the '@'); the cell runs from the ',', '[', '{' or
    ': ' before it to the ',', ']' or '}' after its citation."""
    if not (0 < at < len(text) and text[at] in "@＠" and text[at - 1] == "["):
        return None
    start = at - 1
    while start > 0 and text[start - 1] not in ",[{\n" and text[start - 2:start] != ": ":
        start -= 1
    while text[start] == " ":
        start += 1
    end, depth = at - 1, 0
    while end < len(text) and text[end] != "\n":
        c = text[end]
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        elif c in ",]}" and not depth:
            break
        end += 1
    cell = text[start:end].rstrip()
    line = text.count("\n", 0, start) + 1
    col = start - text.rfind("\n", 0, start)
    return Mark(path, line, col).error(
        f"a citation inside a list written in brackets [a, b] must be in quotes (else '[' "
        f"starts a list there); write the cell as {quoted(cell)}")


# a key typed with the IME on: 「subtitle：手術を…」 (any key a spec has is ASCII; a glossary
# term is Japanese, told by the parser's "while scanning a simple key at line n")
_WIDE_COLON_KEY = re.compile(r"^[ ]*(?:-[ ]+)*([A-Za-z_][A-Za-z0-9_]*)[ ]*：")
_WIDE_COLON_ANY = re.compile(r"^[ ]*(?:-[ ]+)*([^\s:#：][^:#：]*?)[ ]*：")


def fullwidth_colon_problem(path: str, lines: list[str], first: int, last: int,
                            key_line: int | None) -> Diagnostic | None:
    """A key followed by the full-width colon 「：」: YAML reads the whole line as text and
    stumbles a line later. `key_line` is the line where the parser looked for a key."""
    for n in range(min(last, len(lines) - 1), max(first, 0) - 1, -1):
        pattern = _WIDE_COLON_ANY if n == key_line else _WIDE_COLON_KEY
        m = pattern.match(lines[n])
        if not m:
            continue
        key, colon = m.group(1), lines[n].index("：", m.start(1))
        value = lines[n][colon + 1:].strip(" \u3000")
        shown = value if len(value) <= 12 else value[:12] + "…"
        return Mark(path, n + 1, colon + 1).error(
            f"full-width colon 「：」 after '{key}': YAML needs a half-width ':' and a space "
            f"after a key ({key}: {shown}); retype the colon with the IME off")
    return None


_LEAD = re.compile(r"^( *)((?:- +)*)")  # a structure line's indentation and its dashes


def _structure(line: str) -> tuple[int, int] | None:
    """(indentation, where its key or value starts) of a line that is structure (`key:` or
    `- `), None for text, comments and blank lines."""
    m = _LEAD.match(line)
    rest = line[m.end():]
    if not (m.group(2) or _STRUCTURE.match(rest)) or rest.startswith("#"):
        return None
    return len(m.group(1)), m.end()


def _first_error(text: str, loader) -> int | None:
    """The 0-based line of the first YAML error in `text`, None if it reads."""
    import yaml

    try:
        for _ in yaml.parse(text, Loader=loader):
            pass
    except yaml.MarkedYAMLError as exc:
        m = exc.problem_mark or exc.context_mark
        return m.line if m else 0
    except yaml.YAMLError:
        return 0
    return None


REPAIR_LIMIT = 200_000  # characters: reparsing a larger file for a hint is not worth it


def indentation_problem(path: str, lines: list[str], line: int, skip: set[int], loader
                        ) -> Diagnostic | None:
    """A line indented differently from the lines it belongs with: YAML reads it as part
    of another key or value and complains a line or two later. Each structure line from
    the error up to three before it is tried at the indentations around it (its
    neighbours', and those of the keys it sits under); the move that makes the whole file
    read names the line, at its own line (the smallest move of the line nearest the error).
    When the file has more such lines, the move that gets the parser furthest past the
    error does."""
    if sum(map(len, lines)) > REPAIR_LIMIT:
        return None
    # (reads, how far it reads, line moved, -move, -rank, indent, want): max is best
    found: list[tuple] = []
    structure = {k: s for k in range(len(lines)) if k not in skip
                 and (s := _structure(lines[k])) is not None}
    tried = 0
    for n in range(min(line, len(lines) - 1), -1, -1):
        if n not in structure:
            continue
        tried += 1
        if tried > 4:
            break
        indent, key = structure[n]
        before = [structure[k] for k in range(n - 1, -1, -1) if k in structure]
        after = next((structure[k] for k in range(n + 1, len(lines)) if k in structure), None)
        wants: list[int] = []
        if before:
            wants += [before[0][0], before[0][1], before[0][0] + 2]
            lowest = before[0][0]
            for b in before:  # the keys it sits under
                if b[0] < lowest:
                    wants.append(b[0])
                    lowest = b[0]
        if after:
            wants += [after[0], after[0] - (key - indent)]
        wants = [w for w in dict.fromkeys(wants) if w >= 0 and w != indent]
        for rank, want in enumerate(wants):  # the line before's own indentation first
            fixed = lines[:n] + [" " * want + lines[n].lstrip(" ")] + lines[n + 1:]
            err = _first_error("\n".join(fixed), loader)
            if err is None or err >= line + 2:
                found.append((err is None, err or 0, n, -abs(want - indent), -rank,
                              indent, want))
    if not found:
        return None
    best = max(found)
    return _misindented(path, lines, best[2], best[5], best[6])


def _misindented(path: str, lines: list[str], n: int, indent: int, want: int) -> Diagnostic:
    word = lines[n].strip().split(":")[0].strip()
    nearest = sorted((k for k in range(len(lines)) if k != n), key=lambda k: abs(k - n))
    like = next((k + 1 for k in nearest if (s := _structure(lines[k])) and want in s), None)
    like_text = f" (as on line {like})" if like else ""
    fix = (f"add {want - indent} space{'s' if want - indent > 1 else ''} before it"
           if want > indent else
           f"remove {indent - want} space{'s' if indent - want > 1 else ''} before it")
    return Mark(path, n + 1, indent + 1).error(
        f"the indentation is off: '{word}' is indented {indent} space"
        f"{'s' if indent != 1 else ''}, the lines it belongs with {want}{like_text}; {fix}")
