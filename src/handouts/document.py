"""The output-neutral document: what every renderer reads, and nothing else.

`lower()` turns a validated spec (plus the project's shared parts) into a `Document`:
inline markup parsed, references numbered and resolved, shared blocks included, images
checked to lie inside the project, the clinic profile attached. Every text keeps its mark,
so later stages (lint, glyph checks, fitting) can point at the spec line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Mark, SpecError
from .spec import models
from .spec.loader import LoadedSpec, Project, load_project, load_spec
from .spec.yamlmarks import Marked
from .text.inline import Rich, parse

BOTH = frozenset({"handout", "deck"})


@dataclass
class Reference:
    number: int
    id: str
    cite: str
    doi: str | None
    url: str | None
    mark: Mark

    @property
    def link(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else self.url


@dataclass
class Block:
    mark: Mark
    targets: frozenset[str]

    @property
    def kind(self) -> str:
        return type(self).__name__.lower()


@dataclass
class Text(Block):
    text: Rich


@dataclass
class ItemList(Block):
    style: str  # "bullets" | "steps" | "checklist"
    items: list[Rich]

    @property
    def kind(self) -> str:
        return self.style


@dataclass
class Callout(Block):
    level: str  # "danger" | "warning" | "info"
    title: Rich
    text: Rich | None
    items: list[Rich]


@dataclass
class Flow(Block):
    steps: list[Rich]
    highlight: int | None
    caption: Rich | None

    @property
    def alt(self) -> str:
        """「流れ図：ふだん → 痛み → しびれ → 力が入らない（強調：力が入らない）」"""
        text = "流れ図：" + " → ".join(s.plain for s in self.steps)
        if self.highlight is not None:
            text += f"（強調：{self.steps[self.highlight].plain}）"
        return text


@dataclass
class Node:
    label: Rich
    note: Rich | None
    highlight: bool
    children: list["Node"]


@dataclass
class Tree(Block):
    root: Node
    caption: Rich | None

    @property
    def alt(self) -> str:
        """「分かれ道の図：A（注）から B、C に分かれます。B から …」"""
        def name(n: Node) -> str:
            return n.label.plain + (f"（{n.note.plain}）" if n.note else "") + (
                "（強調）" if n.highlight else "")

        parts, stack = [], [self.root]
        while stack:
            n = stack.pop(0)
            if n.children:
                parts.append(f"{name(n)} から " + "、".join(name(k) for k in n.children)
                             + " に分かれます。")
                stack += n.children
        return "分かれ道の図：" + ("".join(parts) or name(self.root))


@dataclass
class Chart(Block):
    title: Rich | None
    unit: str
    data: list[tuple[str, float]]
    max: float
    source: Reference | None
    caption: Rich | None

    @property
    def alt(self) -> str:
        """「棒グラフ（人/100人）：遊離脱出型 96、脱出型 70」"""
        def num(v: float) -> str:
            return str(int(v)) if float(v).is_integer() else f"{v:g}"

        head = f"棒グラフ（{self.title.plain}、{self.unit}）" if self.title else (
            f"棒グラフ（{self.unit}）")
        return head + "：" + "、".join(f"{k} {num(v)}" for k, v in self.data)


@dataclass
class Table(Block):
    header: list[Rich]
    rows: list[list[Rich]]
    caption: Rich | None


DEFAULT_PPI = 300  # an image that does not say its resolution is printed at 300 ppi


@dataclass
class Figure(Block):
    image: Path
    alt: str
    caption: Rich | None
    pixels: tuple[int, int] = (1, 1)
    dpi: float | None = None  # the resolution the image file declares, if any

    def printed_size(self, column: float, max_height: float) -> tuple[float, float]:
        """Width and height in points: the image's own size at its resolution (or 300 ppi),
        made smaller if it is wider than the column or taller than `max_height`."""
        iw, ih = self.pixels
        w = iw / (self.dpi or DEFAULT_PPI) * 72
        w = min(w, column, max_height * iw / ih)
        return w, w * ih / iw

    def ppi(self, width: float) -> float:
        """Pixels per inch when printed `width` points wide."""
        return self.pixels[0] / (width / 72)


@dataclass
class Exercise(Block):
    name: Rich
    target: Rich | None
    position: Rich | None
    steps: list[Rich]
    hold_seconds: int | None
    reps: int | None
    breathing: Rich | None
    stop_if: Rich | None


@dataclass
class Quiz(Block):
    question: Rich
    choices: list[Rich]
    answer: Rich
    explanation: Rich | None


@dataclass
class Section:
    heading: Rich
    blocks: list[Block]
    notes: str
    targets: frozenset[str]
    mark: Mark

    def for_target(self, target: str) -> list[Block]:
        return [b for b in self.blocks if target in b.targets]


@dataclass
class GlossaryEntry:
    term: str
    meaning: Rich


@dataclass
class Document:
    stem: str
    path: Path
    title: Rich
    subtitle: Rich | None
    audience: str
    reviewed: dt.date
    review_by: dt.date
    key_points: list[Rich]
    sections: list[Section]
    glossary: list[GlossaryEntry]
    references: list[Reference]
    clinic: models.Clinic
    inputs: list[Path] = field(default_factory=list)  # every file this document read
    handout: "Document | None" = None  # leaflet front matter when it differs from the deck
    leaflet: "Document | None" = field(default=None, repr=False)  # see for_handout()

    def for_handout(self) -> "Document":
        """The leaflet's view: the spec's `handout:` front matter replaces the deck's, and
        citations are numbered in the leaflet's own order (it lists only what it cites)."""
        return self.leaflet or self.handout or self

    def sections_for(self, target: str) -> list[Section]:
        return [s for s in self.sections if target in s.targets and s.for_target(target)]

    def texts(self) -> list[Rich]:
        """Every piece of text in reading order (for glyph and lint checks)."""
        out: list[Rich] = [self.title, *([self.subtitle] if self.subtitle else []),
                           *self.key_points]
        for s in self.sections:
            out.append(s.heading)
            for b in s.blocks:
                out.extend(block_texts(b))
        out.extend(g.meaning for g in self.glossary)
        if self.handout is not None:
            h = self.handout
            out += [h.title, *([h.subtitle] if h.subtitle else []), *h.key_points]
        return out


def numbered(doc: Document, target: str, only_cited: bool) -> Document:
    """A copy of `doc` whose citations are numbered in order of first appearance in the
    output for `target` (each output numbers its own: [1] is the first reference it cites).
    References the output never cites follow in spec order, or are left out."""
    order: dict[str, int] = {}

    def see(rich: Rich | None) -> None:
        for sp in rich.spans if rich else ():
            for rid in sp.refs:
                order.setdefault(rid, len(order) + 1)

    for r in [doc.title, doc.subtitle, *doc.key_points]:
        see(r)
    for sec in doc.sections_for(target):
        see(sec.heading)
        for b in sec.for_target(target):
            for r in block_texts(b):
                see(r)
            if isinstance(b, Chart) and b.source is not None:  # 「出典：… [n]」 under the chart
                order.setdefault(b.source.id, len(order) + 1)
    for g in doc.glossary:
        see(g.meaning)
    if not only_cited:
        for r in doc.references:
            order.setdefault(r.id, len(order) + 1)

    def renumber(v: Any) -> Any:
        """`v` with its citation numbers from `order`; the same object if none changes."""
        if isinstance(v, Rich):
            spans = tuple(replace(sp, text="[" + ",".join(
                map(str, sorted({order[rid] for rid in sp.refs}))) + "]") if sp.refs else sp
                for sp in v.spans)
            return v if spans == v.spans else Rich(spans, v.mark)
        if isinstance(v, list):
            new = [renumber(x) for x in v]
            return v if all(a is b for a, b in zip(new, v)) else new
        if isinstance(v, Reference):
            return v if v.number == order[v.id] else replace(v, number=order[v.id])
        if isinstance(v, (Block, Node, Section, GlossaryEntry)):
            changed = {}
            for name in _fields(type(v)):
                old = getattr(v, name)
                new = renumber(old)
                if new is not old:
                    changed[name] = new
            return replace(v, **changed) if changed else v
        return v

    refs = sorted((r for r in doc.references if r.id in order), key=lambda r: order[r.id])
    sections = doc.sections
    if only_cited:  # the output's own view: only what it shows
        sections = [replace(sec, blocks=sec.for_target(target))
                    for sec in doc.sections_for(target)]
    if all(r.number == order[r.id] for r in refs):  # the spec's numbers already
        return replace(doc, sections=sections, references=refs)
    return replace(doc, title=renumber(doc.title), subtitle=renumber(doc.subtitle),
                   key_points=renumber(doc.key_points), sections=renumber(sections),
                   glossary=renumber(doc.glossary), references=renumber(refs))


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple[str, ...]:
    """The fields of a model class that can hold citations."""
    return tuple(f.name for f in fields(cls) if f.name not in ("mark", "targets", "notes"))


def block_texts(b: Block) -> list[Rich]:
    """The Rich texts a block holds, in reading order."""
    out: list[Rich] = []

    def walk(v: Any) -> None:
        if isinstance(v, Rich):
            out.append(v)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif isinstance(v, Node):
            walk(v.label), walk(v.note), walk(v.children)

    for name in b.__dataclass_fields__:
        if name not in ("mark", "targets"):
            walk(getattr(b, name))
    return out


class _Lowerer:
    def __init__(self, loaded: LoadedSpec, project: Project):
        self.loaded = loaded
        self.project = project
        self.spec = loaded.spec
        self.diags: list[Diagnostic] = []
        self.glossary = dict(self.spec.glossary)
        self.refs: dict[str, Reference] = {}
        self.inputs: list[Path] = [loaded.path]
        for i, r in enumerate(self.spec.references):
            mark = loaded.marked.mark(("references", i))
            if r.id in self.refs:
                self.diags.append(mark.error(f"reference id '{r.id}' is used twice"))
            self.refs[r.id] = Reference(i + 1, r.id, r.cite, r.doi, r.url, mark)
        self.numbers = {k: v.number for k, v in self.refs.items()}

    def rich(self, marked: Marked, loc: tuple, value: str | None) -> Rich | None:
        if value is None:
            return None
        return parse(value, marked.mark(loc), self.glossary, self.numbers, self.diags)

    def riches(self, marked: Marked, loc: tuple, values: list[str]) -> list[Rich]:
        return [self.rich(marked, loc + (i,), v) for i, v in enumerate(values)]

    def document(self) -> Document:
        s, m = self.spec, self.loaded.marked
        sections = []
        for i, sec in enumerate(s.sections):
            loc = ("sections", i)
            targets = frozenset({sec.only}) if sec.only else BOTH
            blocks = [self.block(m, loc + ("blocks", j), b, targets, set())
                      for j, b in enumerate(sec.blocks)]
            sections.append(Section(self.rich(m, loc + ("heading",), sec.heading),
                                    [b for b in blocks if b is not None], sec.notes or "",
                                    targets, m.mark(loc)))
        glossary = [GlossaryEntry(k, self.rich(m, ("glossary", k), v))
                    for k, v in s.glossary.items()]
        if self.project.clinic_path:
            self.inputs.append(self.project.clinic_path)
        doc = Document(
            stem=self.loaded.path.stem, path=self.loaded.path,
            title=self.rich(m, ("title",), s.title),
            subtitle=self.rich(m, ("subtitle",), s.subtitle),
            audience=s.audience, reviewed=s.reviewed, review_by=s.review_by,
            key_points=self.riches(m, ("key_points",), s.key_points),
            sections=sections, glossary=glossary, references=list(self.refs.values()),
            clinic=self.project.clinic, inputs=list(dict.fromkeys(self.inputs)))
        h = s.handout
        if h is not None:
            doc.handout = replace(
                doc, audience=h.audience,
                title=self.rich(m, ("handout", "title"), h.title) or doc.title,
                subtitle=self.rich(m, ("handout", "subtitle"), h.subtitle) or doc.subtitle,
                key_points=(self.riches(m, ("handout", "key_points"), h.key_points)
                            if h.key_points else doc.key_points),
                sections=[sec for sec in sections if "handout" in sec.targets])
            # the leaflet explains only the terms its own text uses
            doc.handout.glossary = []
            used = "".join(r.plain for r in doc.handout.texts())
            doc.handout.glossary = [g for g in glossary if g.term in used]
            # ... and lists only the references it cites (numbers stay as in the text)
            cited = {rid for r in doc.handout.texts() for sp in r.spans for rid in sp.refs}
            doc.handout.references = [r for r in doc.references if r.id in cited]
        if self.diags:
            raise SpecError(self.diags)
        leaflet = numbered(doc.handout or doc, "handout", only_cited=True)
        doc = numbered(doc, "deck", only_cited=False)
        doc.leaflet = leaflet
        return doc

    def block(self, m: Marked, loc: tuple, b: Any, targets: frozenset[str],
              using: set[str]) -> Block | None:
        mark = m.mark(loc)
        if b.only:
            targets = targets & {b.only}
        kind = models.block_kind(b)
        v = getattr(b, kind)
        at = loc + (kind,)
        R = lambda key, val: self.rich(m, at + (key,), val)  # noqa: E731
        Rs = lambda key, vals: self.riches(m, at + (key,), vals)  # noqa: E731
        if kind == "use":
            shared = self.project.blocks.get(v)
            if shared is None:
                known = ", ".join(sorted(self.project.blocks)) or "none"
                self.diags.append(m.mark(at).error(
                    f"no shared block '{v}' in {self.project.root}/_*.yaml (known: {known})"))
                return None
            if v in using:
                self.diags.append(m.mark(at).error(f"shared block '{v}' includes itself"))
                return None
            self.inputs.append(self.project.block_files[v])
            return self.block(shared.marked, shared.loc, shared.block, targets, using | {v})
        if kind == "text":
            return Text(mark, targets, self.rich(m, at, v))
        if kind in ("bullets", "steps", "checklist"):
            return ItemList(mark, targets, kind, self.riches(m, at, v))
        if kind == "callout":
            return Callout(mark, targets, v.kind, R("title", v.title), R("text", v.text),
                           Rs("items", v.items))
        if kind == "flow":
            hi = v.steps.index(v.highlight) if v.highlight else None
            return Flow(mark, targets, Rs("steps", v.steps), hi, R("caption", v.caption))
        if kind == "tree":
            def node(n: models.TreeNode, nloc: tuple) -> Node:
                return Node(self.rich(m, nloc + ("label",), n.label),
                            self.rich(m, nloc + ("note",), n.note), n.highlight,
                            [node(c, nloc + ("children", k)) for k, c in enumerate(n.children)])
            return Tree(mark, targets, node(v.root, at + ("root",)), R("caption", v.caption))
        if kind == "chart":
            ref = self.refs.get(v.source)
            if ref is None:
                self.diags.append(m.mark(at + ("source",)).error(
                    f"chart source '{v.source}' names no reference"))
            top = v.max if v.max is not None else max(v.data.values())
            return Chart(mark, targets, R("title", v.title), v.unit, list(v.data.items()),
                         top or 1.0, ref, R("caption", v.caption))
        if kind == "table":
            rows = [self.riches(m, at + ("rows", i), r) for i, r in enumerate(v.rows)]
            return Table(mark, targets, Rs("header", v.header), rows, R("caption", v.caption))
        if kind == "figure":
            image = self.image(m, at + ("image",), v.image)
            if image is None:
                return None
            return Figure(mark, targets, image, v.alt, R("caption", v.caption),
                          *_image_size(image))
        if kind == "exercise":
            return Exercise(mark, targets, R("name", v.name), R("target", v.target),
                            R("position", v.position), Rs("steps", v.steps), v.hold_seconds,
                            v.reps, R("breathing", v.breathing), R("stop_if", v.stop_if))
        if kind == "quiz":
            return Quiz(mark, targets, R("question", v.question), Rs("choices", v.choices),
                        R("answer", v.answer), R("explanation", v.explanation))
        raise AssertionError(f"unhandled block kind {kind}")

    def image(self, m: Marked, loc: tuple, name: str) -> Path | None:
        """Resolve an image path; only files inside the spec's folder are allowed."""
        mark = m.mark(loc)
        base = Path(m.path).parent.resolve()
        raw = Path(name)
        if raw.is_absolute() or ".." in raw.parts:
            self.diags.append(mark.error(
                f"image '{name}' must be a path inside the specs folder (no '..', not absolute)"))
            return None
        try:
            path = (base / raw).resolve()
        except (OSError, RuntimeError, ValueError) as exc:  # symlink loop, NUL byte
            self.diags.append(mark.error(f"image '{name}' cannot be opened: {exc}"))
            return None
        if not path.is_relative_to(base):
            self.diags.append(mark.error(f"image '{name}' leads outside the specs folder"))
            return None
        if not path.is_file():
            self.diags.append(mark.error(f"image '{name}' not found"))
            return None
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            self.diags.append(mark.error(f"image '{name}' must be PNG or JPEG"))
            return None
        problem = _image_problem(path)
        if problem:
            self.diags.append(mark.error(f"image '{name}' {problem}"))
            return None
        self.inputs.append(path)
        return path


MAX_PIXELS = 40_000_000  # a 300 dpi A4 page is 8.7 million


def _image_problem(path: Path) -> str | None:
    """Why the renderers could not use this file, or None: it must really be a whole PNG
    or JPEG (not a renamed or truncated file) of a sane size (no decompression bomb)."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            if im.format not in ("PNG", "JPEG"):
                return f"is a {im.format or 'unknown'} file, not PNG or JPEG"
            if im.width * im.height > MAX_PIXELS:
                return (f"is {im.width}×{im.height} pixels; the limit is "
                        f"{MAX_PIXELS // 1_000_000} million pixels")
            im.verify()
    except Exception as exc:  # PIL raises many kinds for damaged files
        return f"is not a readable PNG or JPEG ({type(exc).__name__}: {exc or 'damaged'})"
    return None


def _image_size(path: Path) -> tuple[tuple[int, int], float | None]:
    """Pixel size and declared resolution (None when the file gives none or only an
    aspect ratio) of an image already checked by _image_problem."""
    from PIL import Image

    with Image.open(path) as im:
        dpi = im.info.get("dpi")
        x = float(dpi[0]) if dpi else 0.0
        return im.size, (x if 10 <= x <= 10_000 else None)


def lower(loaded: LoadedSpec, project: Project) -> Document:
    """Spec → Document, or SpecError with every problem found."""
    return _Lowerer(loaded, project).document()


def load_document(path: Path, project: Project | None = None) -> Document:
    """Load, validate and lower one spec file (loading its folder's shared parts if needed)."""
    project = project or load_project(path.parent)
    return lower(load_spec(path), project)
