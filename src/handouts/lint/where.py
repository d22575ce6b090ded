"""Marks for spec values the Document keeps without one (numbers, dates, plain strings).

The Document marks every text and block; a rule about `hold_seconds` or `review_by` should
still point at that very value, so we look it up in the (re-read) YAML, once per file.
"""

from __future__ import annotations

from ..diagnostics import Mark
from ..document import Block, Section
from ..text.inline import plain
from .japanese import sentences
from ..spec.yamlmarks import Marked, load


class Where:
    def __init__(self) -> None:
        self._files: dict[str, Marked | None] = {}

    def _marked(self, path: str) -> Marked | None:
        if path not in self._files:
            self._files[path] = load(path)[0]
        return self._files[path]

    def value(self, path: str, loc: tuple, default: Mark, key: bool = False) -> Mark:
        """The mark of the value (or key) at `loc` in `path`, else `default`."""
        marked = self._marked(path)
        table = (marked.key_marks if key else marked.marks) if marked else {}
        return table.get(loc, default)

    def loc(self, mark: Mark) -> tuple | None:
        """Where in its file the node marked `mark` is (the first node written there)."""
        marked = self._marked(mark.path)
        return next((loc for loc, m in marked.marks.items() if m == mark), None) if (
            marked) else None

    def inside(self, mark: Mark, token: str, nth: int = 0) -> Mark:
        """Where the `nth` `token` inside the text value marked `mark` was written (its own
        line and column in folded text), else `mark`."""
        marked = self._marked(mark.path)
        loc = self.loc(mark)
        return marked.position(loc, token, nth) if marked and loc else mark

    def notes(self, sec: Section) -> list[tuple[str, Mark]]:
        """A section's speaker notes, sentence by sentence, each with its own line and column
        (notes are plain text in the Document, kept without marks)."""
        if not sec.notes:
            return []
        marked = self._marked(sec.mark.path)
        loc = self.loc(sec.mark)
        return [(s.text, marked.position(loc + ("notes",), s.text) if marked and loc
                 else sec.mark) for s in sentences(plain(sec.notes))]

    def field(self, block: Block, *keys: str) -> Mark:
        """The mark of a value inside a block (`field(b, "exercise", "hold_seconds")`), or
        of the deepest part of that path that exists (the `exercise:` mapping if it has no
        `hold_seconds`). The block is found by its mark, so shared blocks work too."""
        marked = self._marked(block.mark.path)
        if marked is None:
            return block.mark
        for loc, mark in marked.marks.items():
            if mark == block.mark and loc + keys[:1] in marked.marks:
                return marked.mark(loc + keys)
        return block.mark
