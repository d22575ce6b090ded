"""`handouts ruby`: every printed text of a spec with the readings it would carry, one line
each (`path:line:col: text`, readings as {base|reading}), so staff can review them before
printing and copy a correction into the spec."""

from __future__ import annotations

from pathlib import Path

from .diagnostics import Mark, Report, SpecError
from .text.inline import Rich, Span


def markup(rich: Rich) -> str:
    """The text in spec markup: readings {base|reading}, terms {term}, citations [@id],
    **strong** (the markup nests nothing: a reading inside strong text is written between
    two strong parts)."""
    out: list[str] = []
    spans = list(rich.spans)
    i = 0
    while i < len(spans):
        sp = spans[i]
        if sp.cite:
            out.append("[" + "; ".join("@" + r for r in sp.refs) + "]")
            i += 1
            continue
        j = i + 1  # a term cut into pieces by automatic readings is still one term
        while sp.term and j < len(spans) and spans[j].term:
            j += 1
        group = spans[i:j]
        if sp.term and not any(s.ruby for s in group):
            text = "{" + "".join(s.text for s in group) + "}"
            out.append(f"**{text}**" if sp.strong else text)
        else:
            out += [_one(s) for s in group]
        i = j
    return "".join(out)


def _one(sp: Span) -> str:
    if sp.ruby:
        return f"{{{sp.text}|{sp.ruby}}}"
    return f"**{sp.text}**" if sp.strong else sp.text


def ruby(paths: list[Path], grade: int | None = None, profile: Path | None = None
         ) -> tuple[Report, list[str]]:
    """(spec problems, one line per printed text). Of a patient spec every text; of a
    practitioners' spec with a patient leaflet, the leaflet's (where its readings are)."""
    from .build import Projects, expand
    from .document import load_document
    from .lint.rules import patient_view

    report, lines = Report(), []
    projects = Projects(profile)
    for path in expand(paths):
        try:
            if not path.is_file():
                raise SpecError([Mark(str(path), 1, 1).error("no such spec file")])
            doc = load_document(path, projects.get(path.parent), grade)
        except SpecError as exc:
            report.extend(exc.diagnostics)
            continue
        for rich in (patient_view(doc) or doc).texts():
            m = rich.mark
            line = f"{m.path}:{m.line}:{m.col}: {markup(rich)}"
            if line not in lines:  # a shared block's text once
                lines.append(line)
    return report, lines

