"""Diagnostics: the only way problems reach a user.

Every problem is a `Diagnostic` pointing at `path:line:col` (1-based), printed GCC-style or
as JSON. Code that finds a problem raises `SpecError` with all problems of a file at once.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterable


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    severity: str  # "error" | "warning"
    message: str
    code: str = ""

    def format(self) -> str:
        rule = f"[{self.code}] " if self.code else ""
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {rule}{self.message}"


@dataclass(frozen=True)
class Mark:
    """A position in a spec file (1-based line and column)."""

    path: str
    line: int
    col: int

    def error(self, message: str, code: str = "") -> Diagnostic:
        return Diagnostic(self.path, self.line, self.col, "error", message, code)

    def warning(self, message: str, code: str = "") -> Diagnostic:
        return Diagnostic(self.path, self.line, self.col, "warning", message, code)


class SpecError(Exception):
    """One or more spec problems; carries every diagnostic found in the file."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.path, d.line, d.col))
        super().__init__("\n".join(d.format() for d in self.diagnostics))


@dataclass
class Report:
    """Diagnostics gathered over a run, with the exit status they imply."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(items)

    def errors(self, strict: bool = False) -> int:
        bad = {"error", "warning"} if strict else {"error"}
        return sum(1 for d in self.diagnostics if d.severity in bad)

    def as_text(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)

    def as_json(self, extra: dict | None = None) -> str:
        payload = {"diagnostics": [asdict(d) for d in self.diagnostics]}
        payload.update(extra or {})
        return json.dumps(payload, ensure_ascii=False, indent=2)
