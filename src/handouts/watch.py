"""`handouts watch`: rebuild a spec's outputs (and thumbnails) when it or a part it uses is
saved. Polls modification times: no extra dependency, works on every filesystem."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .build import expand
from .diagnostics import Report


def _stamps(files: list[Path]) -> dict[Path, float]:
    out = {}
    for f in files:
        try:
            out[f] = f.stat().st_mtime_ns
        except OSError:
            out[f] = -1
    return out


def watch(paths: list[Path], outdir: Path, interval: float = 0.5,
          rounds: int | None = None) -> None:
    """Rebuild changed specs until interrupted (or for `rounds` polls, for tests)."""
    from .preview import preview

    def inputs() -> list[Path]:
        specs = expand(paths)
        parts = {p for s in specs for p in s.parent.glob("_*.yaml")}
        return specs + sorted(parts)

    seen = _stamps(inputs())
    n = 0
    while rounds is None or n < rounds:
        n += 1
        time.sleep(interval)
        now = _stamps(inputs())
        changed = [p for p, t in now.items() if seen.get(p) != t]
        if not changed:
            continue
        seen = now
        # a shared part affects every spec of its folder; a spec only itself
        targets = sorted({s for s in expand(paths) if s in changed or any(
            c.name.startswith("_") and c.parent == s.parent for c in changed)})
        started = time.monotonic()
        result = preview(targets, outdir)
        if result.diagnostics:
            print(Report(result.diagnostics).as_text(), file=sys.stderr)
        print(f"rebuilt {', '.join(t.name for t in targets)} in "
              f"{time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
