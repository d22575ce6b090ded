"""A safe YAML reader that remembers where every node came from.

Built on PyYAML's event parser (iterative, so 10 000-deep nesting cannot overflow the Python
stack). It rejects what a spec never needs and what could hurt: aliases (alias bombs),
non-standard tags (``!!python/...``), duplicate keys, absurd depth, sizes or lengths.
Every problem becomes a Diagnostic with the line and column of the node at fault.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostic, Mark
from .encoding import MAX_BYTES, read_text
from .syntax import (ODD_SPACES, flow_citation_problem, fullwidth_colon_problem,
                     indent_problem, indentation_problem, value_start_problem)

MAX_DEPTH = 40
MAX_ITEMS = 1_000  # items in one list or mapping
MAX_SCALAR = 10_000  # characters in one value
ALLOWED_TAGS = {
    None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}

Loc = tuple  # path of keys and indexes from the document root
# libyaml's event parser when present (several times faster); same events and marks.
# A file it rejects is read again by PyYAML's own parser, so what a user is told never
# depends on which libyaml is installed (libyaml stops at its own nesting limit, 1000 in
# PyYAML 6.0.4, before our depth rule can speak, and words its messages differently).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Marked:
    """A loaded YAML document: plain Python data plus where each node was written."""

    path: str
    data: Any
    marks: dict[Loc, Mark] = field(default_factory=dict)  # value positions
    key_marks: dict[Loc, Mark] = field(default_factory=dict)  # mapping-key positions
    source: str = ""  # the text the document was read from
    spans: dict[Loc, tuple[int, int]] = field(default_factory=dict)  # scalars in `source`

    def mark(self, loc: Loc, key: bool = False) -> Mark:
        """The mark of the deepest node on `loc` that exists (skips union tags)."""
        cur: Loc = ()
        for item in loc:
            if cur + (item,) in self.marks:
                cur = cur + (item,)
        if key and cur in self.key_marks:
            return self.key_marks[cur]
        return self.marks.get(cur, Mark(self.path, 1, 1))

    def position(self, loc: Loc, token: str, nth: int = 0) -> Mark:
        """Where the `nth` occurrence of `token` inside the value at `loc` was written: its
        own line and column even in folded (`>-`) or literal (`|`) text, whose value no
        longer matches the file character for character. Else the value's mark."""
        mark = self.mark(loc)
        span = self.spans.get(loc)
        if span is None:
            return mark
        at = span[0] - 1
        for _ in range(nth + 1):
            at = self.source.find(token, at + 1, span[1])
            if at < 0:
                return mark
        return _offset_mark(self.path, self.source, at)


def _offset_mark(path: str, text: str, offset: int) -> Mark:
    return Mark(path, text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset))


def _mark(path: str, m: yaml.Mark) -> Mark:
    return Mark(path, m.line + 1, m.column + 1)


def load(path: str | Path, data: bytes | None = None) -> tuple[Marked | None, list[Diagnostic]]:
    """Load one YAML file. Returns (document or None, diagnostics)."""
    path = str(path)
    if data is None:
        try:
            if not Path(path).is_file():  # a folder, FIFO or device would hang or fail
                return None, [Mark(path, 1, 1).error("not a regular file")]
            with open(path, "rb") as f:  # never more than the limit (think /dev/zero)
                data = f.read(MAX_BYTES + 1)
        except OSError as exc:
            return None, [Mark(path, 1, 1).error(f"cannot read file: {exc.strerror}")]
    text, diags = read_text(path, data)
    if text is None:
        return None, diags
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return None, [Mark(path, 1, 1).error("file is empty; a spec needs at least a title")]
    return _Builder(path).build(text)


class _Builder:
    """Turns the YAML event stream into Python data without recursion."""

    def __init__(self, path: str):
        self.path = path
        self.resolver = yaml.SafeLoader("")
        self.text, self.lines = "", [""]
        self._reset()

    def _reset(self) -> None:
        self.diags: list[Diagnostic] = []
        self.doc = Marked(self.path, None)
        self.block_lines: set[int] = set()  # 0-based lines inside `|` and `>` text
        self.plain_spans: list[tuple[int, int]] = []  # plain values over several lines

    def error(self, m: yaml.Mark, message: str) -> None:
        self.diags.append(_mark(self.path, m).error(message))

    def build(self, text: str) -> tuple[Marked | None, list[Diagnostic]]:
        self.text, self.lines = text, text.split("\n")
        doc, diags = self._build(text, _LOADER)
        if doc is None and _LOADER is not yaml.SafeLoader:
            self._reset()
            doc, diags = self._build(text, yaml.SafeLoader)
        if doc is not None:
            doc.source = text
            for start, end in self.plain_spans:  # 「　　- text: b」 swallowed into a text
                problem = indent_problem(self.path, self.lines, start + 1, end, set(), True)
                if problem:
                    diags.append(problem)
        return doc, diags

    def _syntax(self, exc: yaml.MarkedYAMLError) -> Diagnostic:
        """A YAML syntax error, worded for the mistake that most likely caused it."""
        m = exc.problem_mark or exc.context_mark
        line = m.line if m else 0
        lines = self.lines
        if m is not None and m.buffer and m.pointer < len(m.buffer) \
                and m.buffer[m.pointer] == "\t":
            return _mark(self.path, m).error(
                "tab character (タブ) used for indentation; indent with spaces (YAML reads "
                "only spaces as indentation)")
        # the odd space is usually lines before the place the parser gave up
        start = exc.context_mark.line if exc.context_mark else line
        key_line = start if "simple key" in (exc.context or "") else None
        problem = (
            indent_problem(self.path, lines, 0, line, self.block_lines, True)
            or (flow_citation_problem(self.path, self.text, m.index) if m else None)
            or value_start_problem(self.path, lines, start, line)
            or fullwidth_colon_problem(self.path, lines, min(start, line - 2), line, key_line)
            or indentation_problem(self.path, lines, line, self.block_lines, _LOADER))
        if problem is not None:
            return problem
        text = exc.problem or "invalid YAML"
        if exc.context:
            text = f"{text} ({exc.context}"
            if exc.context_mark is not None and exc.context_mark is not m:
                text += f" at line {exc.context_mark.line + 1}"
            text += ")"
        return Mark(self.path, line + 1, (m.column + 1) if m else 1).error(
            f"YAML syntax: {text}")

    def _build(self, text: str, loader: type) -> tuple[Marked | None, list[Diagnostic]]:
        # stack frames: [container, loc, pending_key_or_None, start_mark]
        stack: list[list[Any]] = []
        documents = 0
        root_set = False
        try:
            for ev in yaml.parse(text, Loader=loader):
                if isinstance(ev, yaml.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        self.error(ev.start_mark, "a spec file holds one YAML document; "
                                   "remove the second '---'")
                        break
                    continue
                if isinstance(ev, (yaml.StreamStartEvent, yaml.StreamEndEvent,
                                   yaml.DocumentEndEvent)):
                    continue
                if isinstance(ev, yaml.AliasEvent):
                    self.error(ev.start_mark, f"aliases (*{ev.anchor}) are not allowed in "
                               "specs; write the value out or use a shared block ('use:')")
                    self._add(stack, None, ev.start_mark)
                    continue
                tag = getattr(ev, "tag", None)
                if tag not in ALLOWED_TAGS:
                    short = tag.replace("tag:yaml.org,2002:", "!!")
                    self.error(ev.start_mark, f"tag '{short}' is not allowed in specs; "
                               "remove it")
                    if isinstance(ev, yaml.ScalarEvent):
                        self._add(stack, None, ev.start_mark)
                        continue
                if isinstance(ev, yaml.ScalarEvent):
                    self._add(stack, self._scalar(ev, stack), ev.start_mark, ev.end_mark)
                elif isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    if len(stack) >= MAX_DEPTH:
                        self.error(ev.start_mark, f"nesting is deeper than {MAX_DEPTH} "
                                   "levels; a spec never needs this")
                        return None, self.diags
                    container: Any = {} if isinstance(ev, yaml.MappingStartEvent) else []
                    loc = self._add(stack, container, ev.start_mark)
                    stack.append([container, loc, None, ev.start_mark])
                elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    stack.pop()
                    if not stack:
                        root_set = True
        except yaml.MarkedYAMLError as exc:
            if loader is yaml.SafeLoader:  # else it is read again by PyYAML, which says it
                self.diags.append(self._syntax(exc))
            return None, self.diags
        except yaml.reader.ReaderError as exc:  # a control character in the file
            before = text[:exc.position]
            line = before.count("\n") + 1
            col = exc.position - (before.rfind("\n") + 1) + 1
            ch = exc.character if isinstance(exc.character, str) else chr(exc.character)
            self.diags.append(Mark(self.path, line, col).error(
                f"control character U+{ord(ch):04X} is not allowed in a spec; remove it"))
            return None, self.diags
        except yaml.YAMLError as exc:
            self.diags.append(Mark(self.path, 1, 1).error(f"YAML: {exc}"))
            return None, self.diags
        if not root_set and not isinstance(self.doc.data, (dict, list)) \
                and self.doc.data is None:
            self.diags.append(Mark(self.path, 1, 1).error(
                "file is empty; a spec needs at least a title"))
        return self.doc, self.diags

    def _scalar(self, ev: yaml.ScalarEvent, stack: list[list[Any]]) -> Any:
        first, last = ev.start_mark.line, ev.end_mark.line - (ev.end_mark.column == 0)
        if ev.style in ("|", ">"):
            self.block_lines.update(range(first + 1, last + 1))
        elif not ev.style and last > first:
            self.plain_spans.append((first, last))
        is_key = _is_key(stack)
        if is_key and not ev.style and ev.value[:1] in ODD_SPACES:  # 「　　blocks:」
            problem = indent_problem(self.path, self.lines, first, first, set(), False)
            if problem:
                self.diags.append(problem)
        elif "\u00a0" in ev.value:
            self._nbsp(ev, is_key)
        if len(ev.value) > MAX_SCALAR:
            self.error(ev.start_mark, f"value is {len(ev.value):,} characters long; "
                       f"the limit is {MAX_SCALAR:,}")
            return ev.value[:MAX_SCALAR]
        value = self._compose(ev)
        if ev.tag in (None, "!"):
            tag = self.resolver.resolve(yaml.ScalarNode, value, ev.implicit)
        else:
            tag = ev.tag
        if tag == "tag:yaml.org,2002:str":  # most values: nothing to construct
            return value
        node = yaml.ScalarNode(tag, value, ev.start_mark, ev.end_mark, ev.style)
        try:
            return self.resolver.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            self.error(ev.start_mark, f"cannot read value '{ev.value}': {exc}")
            return None

    def _nbsp(self, ev: yaml.ScalarEvent, is_key: bool) -> None:
        """A non-breaking space: an error where YAML needed a real space (after `key:` or
        `-`, or in a key), a warning inside text (it prints as a visible gap)."""
        raw = self.text[ev.start_mark.index:ev.end_mark.index]
        at = _offset_mark(self.path, self.text, ev.start_mark.index + max(raw.find("\u00a0"), 0))
        indent = indent_problem(self.path, self.lines, at.line - 1, at.line - 1, set(), False)
        if indent is not None and indent.col <= at.col:
            self.diags.append(indent)
            return
        name = ODD_SPACES["\u00a0"]
        plain = not ev.style
        value = ev.value
        after = re.search("(^-|:)\u00a0", value) if plain else None
        if after:
            at = _offset_mark(self.path, self.text,
                              ev.start_mark.index + max(raw.find(after.group()), 0) + 1)
            self.diags.append(at.error(
                f"{name} after '{value[:after.end() - 1].lstrip()}': YAML needs an ordinary "
                "space there, else this line is not read as "
                + ("a key and its value" if after.group(1) == ":" else "a list item")
                + "; retype that space"))
        elif is_key:
            self.diags.append(at.error(f"{name} in the key '{value.strip()}'; delete it"))
        else:
            self.diags.append(at.warning(
                f"{name} in the text prints as a visible gap; replace it with an ordinary "
                "space or delete it"))

    def _compose(self, ev: yaml.ScalarEvent) -> str:
        """Combining marks joined to their letters (NFC: 'e'+U+0301 → 'é', 'か'+U+3099 →
        'が'); the fonts cannot place a mark left over, so that is an error naming it.
        Only text with combining marks is normalised (NFC would also rewrite CJK
        compatibility ideographs, which name writers choose on purpose)."""
        value = ev.value
        if value.isascii() or not any(map(unicodedata.combining, value)):
            return value
        value = unicodedata.normalize("NFC", value)
        for i, c in enumerate(value):
            if unicodedata.combining(c):
                after = f" after '{value[i - 1]}'" if i else ""
                self.error(ev.start_mark, f"combining mark U+{ord(c):04X} "
                           f"{unicodedata.name(c, '')}{after} has no precomposed form the "
                           "fonts can draw; type the accented letter itself or remove the mark")
                break
        return value

    def _add(self, stack: list[list[Any]], value: Any, m: yaml.Mark,
             end: yaml.Mark | None = None) -> Loc:
        """Place `value` into the current container; return its location."""
        text = end is not None and isinstance(value, str) and not _is_key(stack)
        here = self._place(stack, value, m)
        if text:
            self.doc.spans[here] = (m.index, end.index)
        return here

    def _place(self, stack: list[list[Any]], value: Any, m: yaml.Mark) -> Loc:
        mark = _mark(self.path, m)
        if not stack:
            self.doc.data = value
            self.doc.marks[()] = mark
            return ()
        frame = stack[-1]
        container, loc = frame[0], frame[1]
        if isinstance(container, list):
            here = loc + (len(container),)
            if len(container) == MAX_ITEMS:
                self.error(m, f"list has more than {MAX_ITEMS:,} items")
            if len(container) < MAX_ITEMS:
                container.append(value)
            self.doc.marks[here] = mark
            return here
        if frame[2] is None:  # this node is a key
            if isinstance(value, (dict, list)):
                self.error(m, "a mapping key must be a plain word, not a list or mapping")
                value = f"<invalid key at line {m.line + 1}>"
            elif value is None:
                value = ""
            key = value if isinstance(value, str) else value
            if key in container:
                first = self.doc.key_marks.get(loc + (key,))
                where = f" (first written at line {first.line})" if first else ""
                self.error(m, f"duplicate key '{key}'{where}")
                key = (_Dup(key, m.line),)
            if len(container) >= MAX_ITEMS:
                self.error(m, f"mapping has more than {MAX_ITEMS:,} keys")
            frame[2] = (key,)
            self.doc.key_marks[loc + (key,)] = mark
            return loc + (key,)
        key = frame[2][0]
        frame[2] = None
        here = loc + (key,)
        if not isinstance(key, tuple):
            container[key] = value
        self.doc.marks[here] = mark
        return here


def _is_key(stack: list[list[Any]]) -> bool:
    """Is the next node a mapping key? (frames: [container, loc, pending key, mark])"""
    return bool(stack) and isinstance(stack[-1][0], dict) and stack[-1][2] is None


@dataclass(frozen=True)
class _Dup:
    """Placeholder for the second copy of a duplicate key (kept out of the data)."""

    key: Any
    line: int
