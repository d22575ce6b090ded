"""`handouts check`: load, validate, lower and glyph-check specs without building."""

from __future__ import annotations

from pathlib import Path

from .diagnostics import Report, SpecError


def check(paths: list[Path], profile: Path | None = None) -> tuple[Report, dict]:
    from .build import Projects, expand, prepare

    report = Report()
    stats: dict[str, dict] = {}
    projects = Projects(profile)
    for path in expand(paths):
        try:
            doc = prepare(path, projects)
        except SpecError as exc:
            report.extend(exc.diagnostics)
            continue
        from .lint import lint

        diags, figures = lint(doc)
        report.extend(diags)
        stats[str(path)] = figures
    return report, stats
