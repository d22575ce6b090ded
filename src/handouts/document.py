"""The output-neutral document: what every renderer reads, and nothing else.

`lower()` turns a validated spec (plus the project's shared parts) into a `Document`:
inline markup parsed, references numbered and resolved, shared blocks included, images
checked to lie inside the project, the clinic profile attached. Every text keeps its mark,
so later stages (lint, glyph checks, fitting) can point at the spec line.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from .diagnostics import Diagnostic, Mark, SpecError
from . import alt as alt_text
from .diagrams import figure
from .diagrams.pose import PoseError
from .images import upright_size
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

    @property
    def address(self) -> str | None:
        """The address as a leaflet prints it: a DOI in its short form (doi:10.…, 12
        characters less on a line; the link still goes to https://doi.org/…), else the
        URL."""
        return f"doi:{self.doi}" if self.doi else self.url


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
    tier: str | None = None  # "now" | "today" | "soon" in a shared triage box


@dataclass(frozen=True)
class Tier:
    """One urgency tier as the project's shared blocks define it (see lint/triage.py)."""

    block: str  # the shared block's id, for `use:`
    tier: str  # "now" | "today" | "soon"
    signs: tuple[str, ...]
    mark: Mark


@dataclass
class Flow(Block):
    steps: list[Rich]
    highlight: int | None
    caption: Rich | None

    @property
    def alt(self) -> str:
        return alt_text.flow(self)


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
        return alt_text.tree(self)


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
        return alt_text.chart(self)


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
    pixels: tuple[int, int] = (1, 1)  # upright (a phone photo stored sideways is turned)
    dpi: float | None = None  # the resolution the image file declares, if any
    width: str | None = None  # as the spec gives it: 60mm, 6cm, 50%
    height: str | None = None  # 40mm, 4cm

    def printed_size(self, column: float, max_height: float, fill: bool = False
                     ) -> tuple[float, float]:
        """Width and height in points: the spec's `width`/`height` (inside both when both
        are given), else the image's own size at its resolution (or 300 ppi; with `fill`,
        as large as the space), never wider than `column` nor taller than `max_height`."""
        iw, ih = self.pixels
        w = column if fill else iw / (self.dpi or DEFAULT_PPI) * 72
        if self.width:
            w = _length(self.width, column)
        if self.height:
            tall = _length(self.height, column) * iw / ih
            w = min(w, tall) if self.width else tall
        w = min(w, column, max_height * iw / ih)
        return w, w * ih / iw

    def ppi(self, width: float) -> float:
        """Pixels per inch when printed `width` points wide."""
        return self.pixels[0] / (width / 72)


def _length(text: str, whole: float) -> float:
    """'60mm', '6cm' or '50%' (of `whole`) in points."""
    number = float(text.rstrip("mc%").strip())
    if text.endswith("%"):
        return whole * number / 100
    return number * (10 if text.endswith("cm") else 1) / 25.4 * 72


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
    pose: figure.Pose | None = None  # drawn beside the steps
    alt: str = ""  # the figure's alt text, computed once from the pose data


@dataclass
class AnatomyTarget:
    site: str
    text: Rich


@dataclass
class Anatomy(Block):
    """The lumbar spine from behind, with numbered targets (diagrams/lumbar.py)."""

    figure: str
    detail: str  # full | simple
    markers: list[AnatomyTarget]  # numbered target markers, in order
    emphasis: list[str]
    caption: Rich | None
    alt: str = ""


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
    triage: list[Tier] = field(default_factory=list)  # the project's tiers, used or not
    warnings: list[Diagnostic] = field(default_factory=list)  # of the spec and parts it used
    handout: "Document | None" = None  # leaflet front matter when it differs from the deck
    leaflet: "Document | None" = field(default=None, repr=False)  # see for_handout()
    readings: list = field(default_factory=list)  # automatic furigana (text/furigana.py)

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

    def renumber(rich: Rich) -> Rich:
        spans = tuple(replace(sp, text="[" + ",".join(
            map(str, sorted({order[rid] for rid in sp.refs}))) + "]") if sp.refs else sp
            for sp in rich.spans)
        return rich if spans == rich.spans else Rich(spans, rich.mark)

    def ref(r: Reference) -> Reference:
        return r if r.number == order[r.id] else replace(r, number=order[r.id])

    refs = sorted((r for r in doc.references if r.id in order), key=lambda r: order[r.id])
    sections = doc.sections
    if only_cited:  # the output's own view: only what it shows
        sections = [replace(sec, blocks=sec.for_target(target))
                    for sec in doc.sections_for(target)]
    if all(r.number == order[r.id] for r in refs):  # the spec's numbers already
        return replace(doc, sections=sections, references=refs)
    return replace(doc, title=rewrite(doc.title, renumber),
                   subtitle=rewrite(doc.subtitle, renumber),
                   key_points=rewrite(doc.key_points, renumber),
                   sections=rewrite(sections, renumber, ref),
                   glossary=rewrite(doc.glossary, renumber), references=rewrite(refs, ref=ref))


def rewrite(v: Any, fn: Callable[[Rich], Rich] = lambda r: r,
            ref: Callable[[Reference], Reference] = lambda r: r) -> Any:
    """`v` (a text, block, section, list of them …) with `fn` applied to each text it
    holds, in reading order, and `ref` to each reference; the same object where nothing
    changes."""
    if isinstance(v, Rich):
        return fn(v)
    if isinstance(v, list):
        new = [rewrite(x, fn, ref) for x in v]
        return v if all(a is b for a, b in zip(new, v)) else new
    if isinstance(v, Reference):
        return ref(v)
    if isinstance(v, (Block, Node, Section, GlossaryEntry, AnatomyTarget)):
        changed = {}
        for name in _fields(type(v)):
            old = getattr(v, name)
            new = rewrite(old, fn, ref)
            if new is not old:
                changed[name] = new
        return replace(v, **changed) if changed else v
    return v


def with_furigana(doc: Document, grade: int) -> Document:
    """`doc` with automatic readings (text/furigana.py) for words with a kanji beyond
    school grade `grade`, each on its first occurrence in the front matter, in each section
    and in the glossary. Applied once, before the leaflet and deck views are made, so every
    renderer gets the same ruby."""
    from .text.furigana import Furigana

    f = Furigana(grade)

    def front(d: Document, targets: frozenset[str]) -> dict:
        f.section()
        return {"title": f.rich(d.title, targets), "subtitle": f.rich(d.subtitle, targets),
                "key_points": [f.rich(r, targets) for r in d.key_points]}

    out = replace(doc, **front(doc, frozenset({"deck"}) if doc.handout else BOTH))
    sections: dict[int, Section] = {}
    for sec in doc.sections:
        f.section()
        heading = f.rich(sec.heading, sec.targets)
        sections[id(sec)] = replace(sec, heading=heading, blocks=[
            rewrite(b, lambda r, b=b: f.rich(r, b.targets)) for b in sec.blocks])
    f.section()
    glossary = {id(g): replace(g, meaning=f.rich(g.meaning, BOTH)) for g in doc.glossary}
    out.sections = [sections[id(s)] for s in doc.sections]
    out.glossary = [glossary[id(g)] for g in doc.glossary]
    if doc.handout is not None:
        h = doc.handout
        out.handout = replace(h, **front(h, frozenset({"handout"})),
                              sections=[sections[id(s)] for s in h.sections],
                              glossary=[glossary[id(g)] for g in h.glossary])
    out.readings = f.readings
    return out


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
        elif isinstance(v, AnatomyTarget):
            walk(v.text)

    for name in b.__dataclass_fields__:
        if name not in ("mark", "targets"):
            walk(getattr(b, name))
    return out


class _Lowerer:
    def __init__(self, loaded: LoadedSpec, project: Project, grade: int | None = None):
        self.loaded = loaded
        # automatic furigana: the caller's grade, else the spec's, else the clinic's
        given = loaded.spec.furigana or project.clinic.furigana
        self.grade = grade or (given.grade if given else None)
        self.project = project
        self.spec = loaded.spec
        self.diags: list[Diagnostic] = []
        self.glossary = dict(self.spec.glossary)
        self.refs: dict[str, Reference] = {}  # numbered in order: the spec's, then shared
        self.inputs: list[Path] = [loaded.path]
        self.using: list[tuple[str, Mark]] = []  # the `use:` chain being lowered
        for i, r in enumerate(self.spec.references):
            mark = loaded.marked.mark(("references", i))
            if r.id in self.refs:
                self.diags.append(mark.error(f"reference id '{r.id}' is used twice"))
            self.refs[r.id] = Reference(i + 1, r.id, r.cite, r.doi, r.url, mark)
        self.count = len(self.spec.references)

    def reference(self, rid: str) -> Reference | None:
        """The spec's own reference `rid`, else the shared parts' one, numbered after the
        spec's own on its first citation."""
        if rid not in self.refs and rid in self.project.references:
            shared = self.project.references[rid]
            r = shared.reference
            self.count += 1
            self.refs[rid] = Reference(self.count, r.id, r.cite, r.doi, r.url,
                                       shared.marked.mark(shared.loc))
            self.inputs.append(shared.path)
        return self.refs.get(rid)

    def cite(self, rid: str, at: Mark, what: str = "citation") -> int | None:
        """The number of reference `rid`, or None with an error saying where to add it."""
        ref = self.reference(rid)
        if ref is not None:
            return ref.number
        close = difflib.get_close_matches(rid, [*self.refs, *self.project.references], n=1)
        meant = f"; did you mean '{close[0]}'?" if close else ""
        if not self.using:
            name = f"'@{rid}'" if what == "citation" else f"'{rid}'"
            self.diags.append(at.error(f"{what} {name} names no reference{meant}"))
        else:  # said at the spec's `use:`, where the spec's author can act on it
            block, use = self.using[0]
            self.diags.append(use.error(
                f"shared block '{block}' cites '@{rid}' ({at.path}:{at.line}:{at.col}), a "
                "reference neither this spec nor the shared parts define" + (
                    meant or f"; add it to the 'references:' of {at.path} (then every spec "
                    "using the block has it) or of this spec")))
        return None

    def rich(self, marked: Marked, loc: tuple, value: str | None) -> Rich | None:
        if value is None:
            return None
        return parse(value, marked.mark(loc), self.glossary, self.cite, self.diags,
                     lambda token, nth: marked.position(loc, token, nth))

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
        if self.project.deck_template:
            self.inputs.append(self.project.deck_template)
        h = s.handout
        if h is not None:  # lowered before the list of references is taken
            h_title = self.rich(m, ("handout", "title"), h.title)
            h_subtitle = self.rich(m, ("handout", "subtitle"), h.subtitle)
            h_points = self.riches(m, ("handout", "key_points"), h.key_points or [])
        inputs = list(dict.fromkeys(self.inputs))
        warnings = list(self.loaded.warnings)
        for part in inputs[1:]:
            warnings += self.project.warnings.get(part, [])
        doc = Document(
            stem=self.loaded.path.stem, path=self.loaded.path,
            title=self.rich(m, ("title",), s.title),
            subtitle=self.rich(m, ("subtitle",), s.subtitle),
            audience=s.audience, reviewed=s.reviewed, review_by=s.review_by,
            key_points=self.riches(m, ("key_points",), s.key_points),
            sections=sections, glossary=glossary, references=list(self.refs.values()),
            clinic=self.project.clinic, inputs=inputs, warnings=warnings,
            triage=self.tiers())
        if h is not None:
            doc.handout = replace(
                doc, audience=h.audience, title=h_title or doc.title,
                subtitle=h_subtitle or doc.subtitle, key_points=h_points or doc.key_points,
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
        # readings for patients: the whole of a patient spec, a practitioners' patient leaflet
        if self.grade and doc.audience == "patients":
            doc = with_furigana(doc, self.grade)
        leaflet = numbered(doc.handout or doc, "handout", only_cited=True)
        if self.grade and doc.audience != "patients" and leaflet.audience == "patients":
            leaflet = with_furigana(leaflet, self.grade)
        doc = numbered(doc, "deck", only_cited=False)
        doc.leaflet = leaflet
        return doc

    def tiers(self) -> list[Tier]:
        """The urgency tiers the shared blocks define (read, not lowered: a spec that does
        not use a tier box need not cite what the box cites)."""
        out = []
        for name, shared in self.project.blocks.items():
            box = getattr(shared.block, "callout", None)
            if box is not None and box.tier:
                out.append(Tier(name, box.tier, tuple(box.signs),
                                shared.marked.mark(shared.loc)))
        return out

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
            self.using.append((v, m.mark(at)))
            try:
                return self.block(shared.marked, shared.loc, shared.block, targets,
                                  using | {v})
            finally:
                self.using.pop()
        if kind == "text":
            return Text(mark, targets, self.rich(m, at, v))
        if kind in ("bullets", "steps", "checklist"):
            return ItemList(mark, targets, kind, self.riches(m, at, v))
        if kind == "callout":
            return Callout(mark, targets, v.kind, R("title", v.title), R("text", v.text),
                           Rs("items", v.items), v.tier)
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
            number = self.cite(v.source, m.mark(at + ("source",)), "chart source")
            ref = self.refs[v.source] if number is not None else None
            for label, value in v.data.items():  # a bar shows an amount from 0 to `max`
                where = m.mark(at + ("data", label))
                if value < 0:
                    self.diags.append(where.error(
                        f"bar '{label}' is {value:g}; a bar chart shows amounts from 0 up, so "
                        "check the number (a change or difference belongs in the text)"))
                elif v.max is not None and value > v.max:
                    self.diags.append(where.error(
                        f"bar '{label}' is {value:g}, above the chart's max of {v.max:g}; "
                        "check the number or raise 'max'"))
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
                          *_image_size(image), v.width, v.height)
        if kind == "exercise":
            ex = Exercise(mark, targets, R("name", v.name), R("target", v.target),
                          R("position", v.position), Rs("steps", v.steps), v.hold_seconds,
                          v.reps, R("breathing", v.breathing), R("stop_if", v.stop_if))
            if v.pose is not None:
                ex.pose = self.pose(m, at + ("pose",), v.pose)
                if ex.pose is not None:
                    ex.alt = alt_text.exercise(ex.pose, ex.name.plain)
            return ex
        if kind == "anatomy":
            tgts = [AnatomyTarget(t.at, self.rich(m, at + ("targets", i, "text"), t.text))
                    for i, t in enumerate(v.targets)]
            a = Anatomy(mark, targets, v.figure, v.detail, tgts, list(v.emphasis),
                        R("caption", v.caption))
            a.alt = alt_text.anatomy(a.detail, [(t.site, t.text.plain) for t in tgts], a.emphasis)
            return a
        if kind == "quiz":
            if v.choices and v.answer.strip() not in [c.strip() for c in v.choices]:
                close = difflib.get_close_matches(v.answer, v.choices, n=1, cutoff=0.3)
                self.diags.append(m.mark(at + ("answer",)).error(
                    "the quiz answer is not one of its choices; write it exactly as one of "
                    "them" + (f" (the closest is '{close[0]}')" if close else "")))
            return Quiz(mark, targets, R("question", v.question), Rs("choices", v.choices),
                        R("answer", v.answer), R("explanation", v.explanation))
        raise AssertionError(f"unhandled block kind {kind}")

    def pose(self, m: Marked, loc: tuple, raw: Any) -> figure.Pose | None:
        """A pose from the library by name, or one given as joint angles in the spec."""
        if isinstance(raw, str):
            pose = figure.library().get(raw)
            if pose is None:
                known = ", ".join(sorted(figure.library()))
                self.diags.append(m.mark(loc).error(
                    f"no pose '{raw}' in the pose library (known: {known})"))
            else:
                self.inputs.append(figure.LIBRARY)
            return pose
        try:
            return figure.Pose.from_data("", raw.model_dump(exclude_none=True))
        except PoseError as exc:  # each problem at the value (or key) it is about
            for p in exc.problems:
                self.diags.append(m.mark(loc + p.path, key=p.key).error(f"pose: {p.message}"))
            return None

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
    """Pixel size as it is meant to be seen (a phone photo stored sideways, upright) and
    declared resolution (None when the file gives none or only an aspect ratio) of an
    image already checked by _image_problem."""
    from PIL import Image

    with Image.open(path) as im:
        dpi = im.info.get("dpi")
    x = float(dpi[0]) if dpi else 0.0
    return upright_size(path), (x if 10 <= x <= 10_000 else None)


def lower(loaded: LoadedSpec, project: Project, grade: int | None = None) -> Document:
    """Spec → Document, or SpecError with every problem found. `grade` sets automatic
    furigana whatever the spec and clinic profile say."""
    return _Lowerer(loaded, project, grade).document()


def load_document(path: Path, project: Project | None = None, grade: int | None = None
                  ) -> Document:
    """Load, validate and lower one spec file (loading its folder's shared parts if needed)."""
    project = project or load_project(path.parent)
    return lower(load_spec(path), project, grade)
