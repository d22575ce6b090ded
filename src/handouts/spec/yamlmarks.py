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

MAX_BYTES = 1_000_000
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

    def mark(self, loc: Loc, key: bool = False) -> Mark:
        """The mark of the deepest node on `loc` that exists (skips union tags)."""
        cur: Loc = ()
        for item in loc:
            if cur + (item,) in self.marks:
                cur = cur + (item,)
        if key and cur in self.key_marks:
            return self.key_marks[cur]
        return self.marks.get(cur, Mark(self.path, 1, 1))


def _mark(path: str, m: yaml.Mark) -> Mark:
    return Mark(path, m.line + 1, m.column + 1)


def _byte_pos(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return line, col


def read_text(path: str, data: bytes) -> tuple[str | None, list[Diagnostic]]:
    """Decode a spec file, rejecting binary, oversized and non-UTF-8 input with a location."""
    if len(data) > MAX_BYTES:
        return None, [Mark(path, 1, 1).error(
            f"file is {len(data):,} bytes; a spec may be at most {MAX_BYTES:,} bytes")]
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _byte_pos(data, nul)
        return None, [Mark(path, line, col).error(
            "file contains a NUL byte; this looks like a binary file, not a YAML spec")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _byte_pos(data, exc.start)
        return None, [Mark(path, line, col).error(
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8 "
            "(files from older Japanese Windows tools are often Shift_JIS)")]
    diags = []
    for m in _ODD_BREAKS.finditer(text):  # YAML breaks lines there; editors show nothing
        i = m.start()
        diags.append(Mark(path, text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i)).error(
            f"line break character U+{ord(m.group()):04X} "
            f"{unicodedata.name(m.group(), 'NEXT LINE')} is not allowed in a spec (YAML starts a new line there, editors show nothing); "
            "remove it"))
    return (None, diags[:20]) if diags else (text, [])


_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")


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
        self.diags: list[Diagnostic] = []
        self.doc = Marked(path, None)
        self.resolver = yaml.SafeLoader("")

    def error(self, m: yaml.Mark, message: str) -> None:
        self.diags.append(_mark(self.path, m).error(message))

    def build(self, text: str) -> tuple[Marked | None, list[Diagnostic]]:
        doc, diags = self._build(text, _LOADER)
        if doc is None and _LOADER is not yaml.SafeLoader:
            self.diags, self.doc = [], Marked(self.path, None)
            doc, diags = self._build(text, yaml.SafeLoader)
        return doc, diags

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
                    self._add(stack, self._scalar(ev), ev.start_mark)
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
            m = exc.problem_mark or exc.context_mark
            problem = exc.problem or "invalid YAML"
            if m is not None and m.buffer and m.pointer < len(m.buffer) \
                    and m.buffer[m.pointer] == "\t":
                problem = "tab character found; YAML indentation must use spaces"
            elif exc.context:
                problem = f"{problem} ({exc.context}"
                if exc.context_mark is not None and exc.context_mark is not m:
                    problem += f" at line {exc.context_mark.line + 1}"
                problem += ")"
            self.diags.append(Mark(self.path, (m.line + 1) if m else 1,
                                   (m.column + 1) if m else 1)
                              .error(f"YAML syntax: {problem}"))
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

    def _scalar(self, ev: yaml.ScalarEvent) -> Any:
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

    def _add(self, stack: list[list[Any]], value: Any, m: yaml.Mark) -> Loc:
        """Place `value` into the current container; return its location."""
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


@dataclass(frozen=True)
class _Dup:
    """Placeholder for the second copy of a duplicate key (kept out of the data)."""

    key: Any
    line: int
