"""The batch driver: specs → documents → outputs, written atomically, with depfiles.

One process builds many specs, paying imports and font loading once. A failing spec is
reported with its diagnostics and the others still build; its previous outputs stay as they
were, because every output is written to a temporary file and renamed into place.
"""

from __future__ import annotations

import os
import signal
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .diagnostics import Diagnostic, Mark, SpecError
from .document import Document, load_document
from .fonts import fonts
from .spec.loader import Project, load_project, topic_specs
from .text.coverage import check_glyphs

PACKAGE_DIR = Path(__file__).resolve().parent


def _leaflet(variant: str) -> Callable[[Document, Path], None]:
    def render(doc: Document, out: Path) -> None:
        from .leaflet.typeset import render as typeset

        typeset(doc.for_handout(), out, variant)
    return render


def _pptx(doc: Document, out: Path) -> None:
    from .deck.plan import plan
    from .deck.pptx_writer import write

    write(plan(doc), out)


def _slides(doc: Document, out: Path) -> None:
    from .deck.pdf_writer import write
    from .deck.plan import plan

    write(plan(doc), out)


def _notes(doc: Document, out: Path) -> None:
    from .deck.notes_writer import write
    from .deck.plan import plan

    write(plan(doc), out)


# format name → (file suffix, renderer)
FORMATS: dict[str, tuple[str, Callable[[Document, Path], None]]] = {
    "pdf": (".pdf", _leaflet("pdf")),
    "large": (".large.pdf", _leaflet("large")),
    "print": (".print.pdf", _leaflet("print")),
    "a5": (".a5.pdf", _leaflet("a5")),
    "pptx": (".pptx", _pptx),
    "slides": (".slides.pdf", _slides),
    "notes": (".notes.pdf", _notes),
}
DEFAULT_FORMATS = ("pdf", "pptx")


@dataclass
class Result:
    built: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def expand(paths: list[Path]) -> list[Path]:
    """Files stay as given; folders become their topic specs."""
    out: list[Path] = []
    for p in paths:
        out.extend(topic_specs(p) if p.is_dir() else [p])
    return out


class Projects:
    """Shared parts per specs folder, loaded once per run."""

    def __init__(self, profile: Path | None = None):
        self.profile = profile
        self.cache: dict[Path, Project] = {}

    def get(self, folder: Path) -> Project:
        key = folder.resolve()
        if key not in self.cache:
            outside = [p for p in sorted(folder.glob("_*.yaml")) if not _inside(p, key)]
            if outside:
                raise SpecError([Mark(str(p), 1, 1).error(
                    "shared part is a link leading outside the specs folder; copy the file "
                    "into the folder instead") for p in outside])
            self.cache[key] = load_project(folder, self.profile)
        return self.cache[key]


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # a symlink loop leads nowhere good
        return False


def prepare(path: Path, projects: Projects) -> Document:
    """Load, validate, lower and glyph-check one spec (raises SpecError)."""
    if not path.is_file():
        raise SpecError([Mark(str(path), 1, 1).error("no such spec file")])
    doc = load_document(path, projects.get(path.parent))
    problems = check_glyphs(doc)
    if problems:
        raise SpecError(problems)
    return doc


def write_atomic(out: Path, render: Callable[[Path], None]) -> None:
    """Render into a temporary file beside `out`, then rename over it."""
    write_all([(out, render)])


@contextmanager
def _signals_held():
    """Ctrl-C and SIGTERM wait until the block ends, then arrive as usual."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def write_all(jobs: list[tuple[Path, Callable[[Path], None]]]) -> None:
    """Render every output to a temporary file; rename them into place only if all
    succeeded, so a failing spec leaves all of its previous outputs untouched. A signal
    cannot slip between creating a temporary file and recording it for removal, nor split
    the renames of one spec."""
    temps: list[Path] = []
    try:
        for out, render in jobs:
            out.parent.mkdir(parents=True, exist_ok=True)
            with _signals_held():
                fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp",
                                           dir=out.parent)
                os.close(fd)
                temps.append(Path(tmp))
            render(temps[-1])
            os.chmod(temps[-1], 0o644)
        with _signals_held():
            for tmp, (out, _) in zip(temps, jobs):
                os.replace(tmp, out)
    finally:
        with _signals_held():
            for tmp in temps:
                tmp.unlink(missing_ok=True)


def _rel(p: Path) -> str:
    """A path as make should see it: relative to the working directory, spaces escaped."""
    try:
        return os.path.relpath(p.resolve(), Path.cwd()).replace(" ", "\\ ")
    except ValueError:
        return str(p)


@lru_cache(maxsize=1)
def _tool_inputs() -> tuple[str, ...]:
    """Fonts and the package's own source: every output depends on them (listed once)."""
    files = sorted(f.path for f in fonts().faces.values()) + sorted(PACKAGE_DIR.rglob("*.py"))
    return tuple(_rel(f) for f in files)


def depfile(doc: Document, outputs: list[Path], outdir: Path) -> None:
    """Make-format dependencies: every file the outputs were made from."""
    inputs = [_rel(i) for i in doc.inputs] + list(_tool_inputs())
    text = " ".join(_rel(o) for o in outputs) + ": " + " \\\n  ".join(inputs)
    # an empty rule per input (like gcc -MP): a deleted or renamed file must not stop make
    text += "\n\n" + "\n".join(f"{i}:" for i in inputs)
    dep = outdir / ".deps" / f"{doc.stem}.d"
    write_atomic(dep, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


def build(paths: list[Path], outdir: Path, formats: tuple[str, ...] = DEFAULT_FORMATS,
          profile: Path | None = None, progress: Callable[[int, int, Path], None] | None = None,
          on_document: Callable[[str, Document], None] | None = None) -> Result:
    result = Result()
    projects = Projects(profile)
    specs = expand(paths)
    for i, path in enumerate(specs):
        if progress:
            progress(i, len(specs), path)
        try:
            doc = prepare(path, projects)
            jobs = [(outdir / f"{doc.stem}{FORMATS[name][0]}",
                     lambda tmp, r=FORMATS[name][1]: r(doc, tmp)) for name in formats]
            write_all(jobs)
            outputs = [out for out, _ in jobs]
            depfile(doc, outputs, outdir)
            result.built.extend(outputs)
            if on_document:
                on_document(doc.stem, doc)
        except SpecError as exc:
            result.failed.append(path)
            result.diagnostics.extend(exc.diagnostics)
        except Exception as exc:  # a bug of ours: still one located line, no traceback
            if os.environ.get("HANDOUTS_DEBUG"):
                raise
            result.failed.append(path)
            result.diagnostics.append(Mark(str(path), 1, 1).error(
                f"internal error while building: {type(exc).__name__}: {exc} "
                "(set HANDOUTS_DEBUG=1 for details)"))
    if progress:
        progress(len(specs), len(specs), Path(""))
    return result
