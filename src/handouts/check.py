"""`handouts check`: load, validate, lower, glyph-check and lint specs without building.

Nothing is written, but what `build` would refuse or warn about is found the same way:
the deck planner runs (to find text that cannot fit), a patient leaflet is typeset into
nowhere (to find one that runs past its pages), the profile's deck template is opened as
the PPTX writer opens it (build.Projects).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .diagnostics import Mark, Report, SpecError


def check(paths: list[Path], profile: Path | None = None, today: dt.date | None = None
          ) -> tuple[Report, dict]:
    """(all findings, readability figures per patient spec path)."""
    from .build import Projects, expand, prepare
    from .lint import lint

    report = Report()
    stats: dict[str, dict] = {}
    seen: set = set()
    projects = Projects(profile)
    for path in expand(paths):
        try:
            doc = prepare(path, projects)
        except SpecError as exc:
            report.extend(exc.diagnostics)
            continue
        report.extend(d for d in doc.warnings if d not in seen)
        seen.update(doc.warnings)
        try:
            diags, figures = lint(doc, today)
            diags += _pages(doc)
        except Exception as exc:  # a bug of ours: still one located line, no traceback
            if os.environ.get("HANDOUTS_DEBUG"):
                raise
            report.extend([Mark(str(path), 1, 1).error(
                f"internal error while checking: {type(exc).__name__}: {exc} "
                "(set HANDOUTS_DEBUG=1 for details)")])
            continue
        # a finding in a shared block (_blocks.yaml) is reported once, not once per topic
        report.extend(d for d in diags if d not in seen)
        seen.update(diags)
        if figures is not None:
            stats[str(path)] = figures
    return report, stats


def _pages(doc) -> list:
    """A patient leaflet past its pages: known only once the pages are made, so the A4
    leaflet is typeset as `build` makes it (its pages made, not finished or written) and
    warns the same."""
    leaflet = doc.for_handout()
    if leaflet.audience != "patients":
        return []
    from .leaflet.typeset import render

    return render(leaflet, None)
