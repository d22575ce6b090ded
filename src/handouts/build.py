"""The batch driver: specs → documents → outputs, written atomically, with depfiles.

One process builds many specs, paying imports and font loading once. A failing spec is
reported with its diagnostics and the others still build; its previous outputs stay as they
were, because every output is written to a temporary file and renamed into place.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Callable

from .diagnostics import Diagnostic, Mark, SpecError
from .document import Document, load_document
from .fonts import fonts
from .parallel import WorkerLost, worker_map
from .spec.loader import Project, load_project, topic_specs
from .text.coverage import check_glyphs

PACKAGE_DIR = Path(__file__).resolve().parent


class Sources:
    """What a spec's outputs are made from: its document, the deck template (`--template`,
    else the profile's `deck_template`, else the default made in code) and, made on first
    use and then shared by PPTX, slides and notes, its deck plan."""

    def __init__(self, doc: Document, template: Path | None = None):
        self.doc = doc
        self.warnings: list[Diagnostic] = []  # found while rendering (a leaflet too long)
        self.template_path = template or _profile_template(doc)

    def template(self):
        """A fresh copy of the template for one PPTX (None: the default template)."""
        from .deck.template import load

        return load(self.template_path) if self.template_path else None

    @cached_property
    def deck(self):
        from .deck.plan import plan

        if not self.template_path:
            return plan(self.doc)
        # a clinic's template brings its own geometry and colours: its accent 1 wins over
        # the profile's
        tpl = self.template()
        return plan(self.doc, tpl.accent(), tpl.frame())


def _profile_template(doc: Document) -> Path | None:
    name = doc.clinic.deck_template
    return (doc.path.parent / name).resolve() if name else None


def _leaflet(variant: str) -> Callable[[Sources, Path], None]:
    def render(src: Sources, out: Path) -> None:
        from .leaflet.typeset import render as typeset

        src.warnings += typeset(src.doc.for_handout(), out, variant)
    return render


def _pptx(src: Sources, out: Path) -> None:
    from .deck.pptx_writer import write

    write(src.deck, out, src.template())


def _slides(src: Sources, out: Path) -> None:
    from .deck.pdf_writer import write

    write(src.deck, out)


def _notes(src: Sources, out: Path) -> None:
    from .deck.notes_writer import write

    write(src.deck, out)


# format name → (file suffix, renderer)
FORMATS: dict[str, tuple[str, Callable[[Sources, Path], None]]] = {
    "pdf": (".pdf", _leaflet("pdf")),
    "large": (".large.pdf", _leaflet("large")),
    "print": (".print.pdf", _leaflet("print")),
    "a5": (".a5.pdf", _leaflet("a5")),
    "a5print": (".a5.print.pdf", _leaflet("a5print")),
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
    """Shared parts per specs folder, loaded once per run. The profile's deck template is
    opened here too, so `check` refuses what `build` would (unless `--template` replaces
    it), at the profile's line."""

    def __init__(self, profile: Path | None = None, template: Path | None = None):
        self.profile, self.template = profile, template
        self.cache: dict[Path, Project | SpecError] = {}

    def get(self, folder: Path) -> Project:
        key = folder.resolve()
        if key not in self.cache:
            self.cache[key] = self._load(folder, key)
        if isinstance(self.cache[key], SpecError):  # said for every spec of the folder
            raise self.cache[key]
        return self.cache[key]

    def __getstate__(self):  # a spawned worker loads the shared parts itself
        return {"profile": self.profile, "template": self.template, "cache": {}}

    def _load(self, folder: Path, key: Path) -> Project | SpecError:
        outside = [p for p in sorted(folder.glob("_*.yaml")) if not _inside(p, key)]
        if outside:
            return SpecError([Mark(str(p), 1, 1).error(
                "shared part is a link leading outside the specs folder; copy the file "
                "into the folder instead") for p in outside])
        try:
            project = load_project(folder, self.profile)
            if project.deck_template and self.template is None:
                _check_template(project)
        except SpecError as exc:
            return exc
        return project


def _check_template(project: Project) -> None:
    """Open the profile's deck template as the PPTX writer will; a refusal is said at the
    `deck_template:` line. An OpenDocument file renamed .pptx is named as one."""
    import zipfile

    from .deck.template import load

    path, mark = project.deck_template, project.deck_template_mark
    name = project.clinic.deck_template
    try:
        with zipfile.ZipFile(path) as z:
            kind = z.read("mimetype") if "mimetype" in z.namelist() else b""
    except (zipfile.BadZipFile, OSError):
        kind = b""
    if kind.startswith(b"application/vnd.oasis.opendocument"):
        raise SpecError([mark.error(
            f"deck_template '{name}' is an OpenDocument file (LibreOffice .odp) with a "
            ".pptx name; open it in LibreOffice Impress and save it as PowerPoint: "
            "「名前を付けて保存」, file type 「PowerPoint 2007-365 (.pptx)」")])
    try:
        load(path)
    except SpecError as exc:
        raise SpecError([mark.error(f"deck_template '{name}': {d.message}")
                         for d in exc.diagnostics])


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
    """Ctrl-C and SIGTERM wait until the block ends, then arrive as usual. Their handlers
    are swapped for one that only takes note (Python runs handlers between bytecodes, in the
    main thread), so this works where there are no signal masks (Windows)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers run in the main thread only: nothing arrives here
        return
    stop = (signal.SIGINT, signal.SIGTERM)
    handlers = {sig: signal.getsignal(sig) for sig in stop}
    arrived: list[int] = []
    try:
        for sig in stop:
            signal.signal(sig, lambda signum, frame: arrived.append(signum))
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if arrived:
            signal.raise_signal(arrived[0])


class HeldOpen(Exception):
    """Outputs that another program holds open (Windows: PowerPoint, Acrobat), so they could
    not be replaced and keep their previous version; the others were replaced."""

    def __init__(self, held: dict[Path, str], written: list[Path]):
        super().__init__(", ".join(map(str, held)))
        self.held = held  # output → why it could not be replaced
        self.written = written


# Windows refuses to replace a file another program has open: a sharing or lock violation,
# or access denied (also what a read-only file gives)
HELD_OPEN = {32: "it is open in another program", 33: "it is open in another program",
             5: "it is open in another program or read-only"}


def _replace(tmp: Path, out: Path) -> str | None:
    """Rename `tmp` over `out`; None, or why another program kept it from happening. A virus
    scanner, the search indexer or OneDrive holds a file for a moment: tried again first."""
    for pause in (0.05, 0.1, 0.2, 0.4, None):
        try:
            os.replace(tmp, out)
            return None
        except PermissionError as exc:
            why = HELD_OPEN.get(getattr(exc, "winerror", None))
            if why is None:
                raise
            if pause is None:
                return why
            time.sleep(pause)


def write_all(jobs: list[tuple[Path, Callable[[Path], None]]]) -> None:
    """Render every output to a temporary file; rename them into place only if all
    succeeded, so a failing spec leaves all of its previous outputs untouched. A signal
    cannot slip between creating a temporary file and recording it for removal, nor split
    the renames of one spec. An output held open by another program (Windows) keeps its
    previous version and the others are still replaced: raises HeldOpen."""
    temps: list[Path] = []
    held: dict[Path, str] = {}
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
                why = _replace(tmp, out)
                if why:
                    held[out] = why
    finally:
        with _signals_held():
            for tmp in temps:
                tmp.unlink(missing_ok=True)
    if held:
        raise HeldOpen(held, [out for out, _ in jobs if out not in held])


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


@dataclass
class Outcome:
    """What building one spec produced (sent back from a worker process)."""
    built: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = False


def build_one(path: Path, projects: Projects, outdir: Path, formats: tuple[str, ...],
              on_document: Callable[[str, Document], None] | None = None,
              template: Path | None = None) -> Outcome:
    """Build every output of one spec, or none of them; never raises (but for Ctrl-C)."""
    try:
        doc = prepare(path, projects)
        if template:
            doc.inputs.append(template)
        sources = Sources(doc, template)
        jobs = [(outdir / f"{doc.stem}{FORMATS[name][0]}",
                 lambda tmp, r=FORMATS[name][1]: r(sources, tmp)) for name in formats]
        write_all(jobs)
        outputs = [out for out, _ in jobs]
        depfile(doc, outputs, outdir)
        if on_document:
            on_document(doc.stem, doc)
        return Outcome(built=outputs, diagnostics=doc.warnings + sources.warnings)
    except SpecError as exc:
        return Outcome(diagnostics=exc.diagnostics, failed=True)
    except HeldOpen as exc:
        return Outcome(built=exc.written, failed=True, diagnostics=[
            _held_open(path, out, why) for out, why in exc.held.items()])
    except Exception as exc:  # a bug of ours: still one located line, no traceback
        if os.environ.get("HANDOUTS_DEBUG"):
            raise
        return Outcome(diagnostics=[_internal(path, f"{type(exc).__name__}: {exc}")],
                       failed=True)


def _held_open(spec: Path, out: Path, why: str) -> Diagnostic:
    program = "PowerPoint" if out.suffix == ".pptx" else "Acrobat"
    return Mark(str(spec), 1, 1).error(
        f"{out} could not be replaced: {why}; close it in {program} and build again (its "
        "previous version was kept)")


def _internal(path: Path, what: str) -> Diagnostic:
    return Mark(str(path), 1, 1).error(
        f"internal error while building: {what} (set HANDOUTS_DEBUG=1 for details)")


def build(paths: list[Path], outdir: Path, formats: tuple[str, ...] = DEFAULT_FORMATS,
          profile: Path | None = None, progress: Callable[[int, int, Path], None] | None = None,
          on_document: Callable[[str, Document], None] | None = None,
          jobs: int = 1, template: Path | None = None) -> Result:
    """Build many specs in this process, or with `jobs` > 1 in worker processes. The first
    spec is always built here: it loads fonts and imports the writers, which forked workers
    then share instead of each loading them again."""
    assert jobs == 1 or on_document is None, "documents stay in the worker that built them"
    specs = expand(paths)
    outcomes: list[Outcome | None] = [None] * len(specs)
    # a partial, not a closure: spawned workers (Windows, macOS) get it pickled
    one = partial(build_one, projects=Projects(profile, template), outdir=outdir,
                  formats=formats,
                  on_document=on_document, template=template)

    # progress(done, total, the spec that just finished, or the first one as it starts)
    done = 0
    if progress and specs:
        progress(0, len(specs), specs[0])
    if specs:
        outcomes[0] = one(specs[0])
        done = 1
        if progress:
            progress(done, len(specs), specs[0])
    with closing(worker_map(one, specs[1:], jobs)) as finished:
        for i, got in finished:
            if isinstance(got, WorkerLost):
                got = Outcome(diagnostics=[_internal(specs[i + 1], str(got))], failed=True)
            outcomes[i + 1] = got
            done += 1
            if progress:
                progress(done, len(specs), specs[i + 1])
    if progress:
        progress(len(specs), len(specs), Path(""))
    result = Result()
    for path, outcome in zip(specs, outcomes):
        result.built.extend(outcome.built)
        # a warning in a shared part is said once, not once per spec that uses it
        result.diagnostics.extend(d for d in outcome.diagnostics
                                  if d not in result.diagnostics)
        if outcome.failed:
            result.failed.append(path)
    return result
