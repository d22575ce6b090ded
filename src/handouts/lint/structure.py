"""Rules about what a spec must contain, for every audience (content-brief rules 3 and 5).

Sources: content brief (claims need sources; every patient leaflet says when to get help);
WCAG 1.1.1 (text alternatives); e-ヘルスネット (厚生労働省) for stretches held 20 s or more.
"""

from __future__ import annotations

import datetime as dt

from ..diagnostics import Diagnostic
from ..document import (Block, Callout, Chart, Document, Exercise, Figure, Table, Text,
                        block_texts)
from ..text.inline import Rich
from .japanese import sentences
from . import triage
from .numbers import claims
from .where import Where

MIN_HOLD = 20  # seconds


def help_box(doc: Document | None) -> list[Diagnostic]:
    """A patient leaflet says when to get help in two tiers: a danger box (go now) and a
    warning box (see a doctor soon). Only boxes that reach the handout count. Where the
    shared blocks define tiers, the triage rule asks for each tier's box instead."""
    if doc is None or doc.triage:  # nothing for patients, or tiers (see triage.py)
        return []
    levels = {b.level for sec in doc.sections for b in sec.blocks
              if isinstance(b, Callout) and "handout" in b.targets}
    diags = []
    if "danger" not in levels:
        diags.append(doc.title.mark.error(
            "patient leaflet has no 'when to get help' box; add a callout with kind: danger "
            "(e.g. `use: help-now`) that appears in the handout", "help-box"))
    if "warning" not in levels:
        diags.append(doc.title.mark.warning(
            "patient leaflet has no 'see a doctor soon' box (the second tier); add a callout "
            "with kind: warning (e.g. `use: help-soon`)", "help-box"))
    return diags


def _covered(b: Block) -> bool:
    """A source under a chart, table, diagram or quiz answer covers the numbers in it."""
    if isinstance(b, Chart) and b.source is not None:
        return True
    for name in ("caption", "explanation"):
        note = getattr(b, name, None)
        if isinstance(note, Rich) and note.cited:
            return True
    return False


def _uncited(rich: Rich, prose: bool) -> list[Diagnostic]:
    """In prose a citation covers its sentence; in an item (bullet, cell, label) the item."""
    units = [(s.text, s.cited) for s in sentences(rich)] if prose else [(rich.plain, rich.cited)]
    diags = []
    for text, cited in units:
        found = claims(text)
        if found and not cited:
            where = "sentence" if prose else "item"
            diags.append(rich.mark.error(
                f"「{found[0]}」 needs a citation ([@id]) in the same {where}", "cite"))
    return diags


def cite(doc: Document) -> list[Diagnostic]:
    items: list[Rich] = []
    for front in (doc, doc.handout) if doc.handout else (doc,):
        items += [front.title, *([front.subtitle] if front.subtitle else []), *front.key_points]
    prose: list[Rich] = [g.meaning for g in doc.glossary]
    diags = []
    for sec in doc.sections:
        items.append(sec.heading)
        for b in sec.blocks:
            if _covered(b):
                continue
            if isinstance(b, Table):  # a citation anywhere in a row covers the row
                for row in b.rows:
                    if not any(c.cited for c in row):
                        items.extend(row)
                items.extend(b.header)
                continue
            texts = block_texts(b)
            paragraphs = [b.text] if isinstance(b, (Text, Callout)) and b.text else []
            prose.extend(paragraphs)
            items.extend(r for r in texts if all(r is not p for p in paragraphs))
    for rich in items:
        diags += _uncited(rich, prose=False)
    for rich in prose:
        diags += _uncited(rich, prose=True)
    return diags


def alt(doc: Document, where: Where) -> list[Diagnostic]:
    return [where.field(b, "figure", "alt").error(
        "figure has no alt text; write alt: saying in a sentence what the picture shows", "alt")
        for sec in doc.sections for b in sec.blocks
        if isinstance(b, Figure) and not b.alt.strip()]


MIN_PPI = 150  # under this, print shops see pixels
A4_COLUMN = (210 - 2 * 15) / 25.4 * 72  # the widest leaflet column (A4), in points
FIGURE_H = 90 / 25.4 * 72  # the tallest a leaflet figure is printed


def resolution(doc: Document, where: Where) -> list[Diagnostic]:
    """Figures that would print under 150 ppi in the A4 leaflet (its column is the widest,
    so every other variant prints them sharper)."""
    diags = []
    for sec in doc.sections:
        for b in sec.blocks:
            if isinstance(b, Figure) and "handout" in b.targets:
                w, _ = b.printed_size(A4_COLUMN, FIGURE_H)
                ppi = b.ppi(w)
                if ppi < MIN_PPI:
                    diags.append(where.field(b, "figure", "image").warning(
                        f"image is {b.pixels[0]}×{b.pixels[1]} pixels at {b.dpi or 0:.0f} dpi: it "
                        f"prints {w / 72 * 25.4:.0f} mm wide at {ppi:.0f} ppi (under "
                        f"{MIN_PPI}); use a larger image or set its resolution", "resolution"))
    return diags


def ref_link(doc: Document) -> list[Diagnostic]:
    return [r.mark.error(f"reference '{r.id}' has no DOI or URL; readers cannot check it",
                         "ref-link") for r in doc.references if not r.doi and not r.url]


def review_due(doc: Document, where: Where, today: dt.date) -> list[Diagnostic]:
    if doc.review_by >= today:
        return []
    mark = where.value(str(doc.path), ("review_by",), doc.title.mark)
    return [mark.error(f"review_by {doc.review_by} is in the past; review the content, then "
                       "update reviewed and review_by", "review-due")]


def exercise(doc: Document, where: Where) -> list[Diagnostic]:
    diags = []
    for sec in doc.sections:
        for b in sec.blocks:
            if not isinstance(b, Exercise):
                continue
            missing = [name for name in ("hold_seconds", "reps", "breathing", "stop_if")
                       if getattr(b, name) is None]
            if missing:
                diags.append(where.field(b, "exercise").warning(
                    f"exercise 「{b.name.plain}」 has no {', '.join(missing)}; say how long, "
                    "how often, how to breathe and when to stop", "exercise"))
            if b.hold_seconds is not None and b.hold_seconds < MIN_HOLD:
                diags.append(where.field(b, "exercise", "hold_seconds").warning(
                    f"hold time {b.hold_seconds} s is under {MIN_HOLD} s; e-ヘルスネット advises "
                    f"holding a stretch {MIN_HOLD} seconds or more", "hold-time"))
    return diags


def check(doc: Document, patients: Document | None, where: Where, today: dt.date
          ) -> list[Diagnostic]:
    """`patients` is the part of `doc` patients read (see rules.patient_view), if any."""
    return (help_box(patients) + triage.check(doc, patients, where) + cite(doc) + alt(doc, where)
            + resolution(doc, where) + ref_link(doc) + review_due(doc, where, today)
            + exercise(doc, where))
