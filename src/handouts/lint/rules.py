"""`lint(doc)`: every rule of `handouts check` over one Document, plus readability figures.

Errors are what must not be printed; warnings are what a careful reviewer would change
(`--strict` makes them errors too). Language rules apply to patient specs only: practitioner
decks may use technical terms (content brief rule 6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..diagnostics import Diagnostic
from ..document import Document
from . import language, readability as jreadability, readings, scope, structure
from .fit import fit
from .japanese import length, sentences
from .where import Where


def patient_view(doc: Document) -> Document | None:
    """What patients read: the whole spec (leaflet and deck) when it is for patients; only
    the leaflet when a practitioners' spec gives it `handout: {audience: patients}`."""
    if doc.audience == "patients":
        return doc
    leaflet = doc.for_handout()
    if leaflet.audience != "patients":
        return None
    return replace(leaflet, sections=[replace(s, blocks=s.for_target("handout"))
                                      for s in leaflet.sections])


def readability(doc: Document) -> dict:
    """Figures over all text a reader sees (speaker notes excluded)."""
    texts = doc.texts()
    said = [s.text for r in texts for s in sentences(r)]
    longest = max(said, key=length, default="")
    ratio = language.kana_ratio(texts)
    return {"audience": doc.audience,
            "jreadability": round(jreadability.score(doc), 2),
            "kana_ratio": round(ratio, 3) if ratio is not None else None,
            "mean_sentence_chars": round(sum(map(length, said)) / len(said), 1) if said else 0.0,
            "longest_sentence_chars": length(longest),
            "longest_sentence": longest,
            "sentences": len(said),
            "characters": sum(length(r.plain) for r in texts)}


def lint(doc: Document, today: dt.date | None = None, deck: bool = True
         ) -> tuple[list[Diagnostic], dict | None]:
    """(findings, readability figures of the patients' text or None if there is none).
    `deck=False` skips the slide-fit planning."""
    where = Where()
    patients = patient_view(doc)
    diags = structure.check(doc, patients, where, today or dt.date.today())
    diags += scope.check(doc, where)
    figures = None
    if patients is not None:
        diags += language.check(patients, where) + readings.check(patients, where)
        figures = readability(patients)
        diags += jreadability.check(patients, figures["jreadability"],
                                    doc.clinic.readability_target)
    if deck:
        diags += fit(doc)
    # one finding per place and message (a shared block repeats its text in the document)
    unique = sorted(set(diags), key=lambda d: (d.path, d.line, d.col, d.severity, d.code,
                                               d.message))
    return unique, figures
