"""`handouts watch`: rebuild a spec's outputs (and thumbnails) when it or a file it uses is
saved. Polls modification times: no extra dependency, works on every filesystem."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .build import expand
from .diagnostics import Report


def _stamp(f: Path) -> int:
    try:
        return f.stat().st_mtime_ns
    except OSError:  # deleted or being replaced: counts as a change
        return -1


class Watcher:
    """Remembers, per spec, the files it was built from and their modification times."""

    def __init__(self, paths: list[Path], outdir: Path, profile: Path | None = None):
        self.paths, self.outdir, self.profile = paths, outdir, profile
        self.entries: dict[str, dict] = {}  # gallery entries of every topic, by stem
        self.seen: dict[Path, dict[Path, int]] = {}  # spec → {input: mtime}
        self.failed: list[Path] = []  # specs the last poll could not build
        self.deck_failed: list[Path] = []  # of those, the ones whose leaflet was rebuilt
        self.leaflets_took: float | None = None  # seconds until the last poll's leaflets

    def inputs(self, spec: Path) -> list[Path]:
        """What the last build of `spec` read (images, shared parts, clinic profile);
        before a successful build, the spec and its folder's shared parts."""
        e = self.entries.get(spec.stem)
        if e and spec in e["inputs"]:
            return e["inputs"]
        return [spec] + sorted(spec.parent.glob("_*.yaml"))

    def poll(self) -> list[Path]:
        """Rebuild every spec whose inputs changed since the last poll (all of them on the
        first poll, as `preview`); return the rebuilt specs. After a save the leaflets come
        first, on their own: a leaflet takes a tenth of what its deck, slides and notes
        PDFs and thumbnails take, and it is what an editor looks at; then everything."""
        from .build import build
        from .preview import preview

        started = time.monotonic()
        specs = expand(self.paths)
        changed = [s for s in specs if self.seen.get(s) != {
            f: _stamp(f) for f in self.inputs(s)}]
        for stem in set(self.entries) - {s.stem for s in specs}:
            del self.entries[stem]  # a removed spec leaves the gallery
        self.failed, self.deck_failed, self.leaflets_took = [], [], None
        if not changed:
            return []
        said: list = []
        failed: list[Path] = []  # specs whose leaflet failed: they fail as a whole
        if self.seen:
            leaflets = build(changed, self.outdir, ("pdf",), self.profile)
            self.leaflets_took = time.monotonic() - started
            said, failed = _say(leaflets.diagnostics, said), leaflets.failed
            if len(failed) < len(changed):
                print(f"{', '.join(s.stem + '.pdf' for s in changed if s not in failed)} "
                      f"rebuilt in {self.leaflets_took:.1f}s; now the deck and previews",
                      file=sys.stderr, flush=True)
        done = [s for s in changed if s not in failed]
        result = preview(done, self.outdir, self.profile, self.entries) if done else None
        if result is not None:
            _say(result.diagnostics, said)
            self.deck_failed = result.failed if self.seen else []
            failed = failed + result.failed
        self.failed = failed
        for s in changed:  # stamps of what the new build read
            self.seen[s] = {f: _stamp(f) for f in self.inputs(s)}
        return changed


def _say(diagnostics: list, said: list) -> list:
    """Print the diagnostics not printed yet; return all printed."""
    new = [d for d in diagnostics if d not in said]
    if new:
        print(Report(new).as_text(), file=sys.stderr)
    return said + new


def watch(paths: list[Path], outdir: Path, profile: Path | None = None,
          interval: float = 0.5) -> None:
    """Build everything once, then rebuild what changes until interrupted."""
    w = Watcher(paths, outdir, profile)
    while True:
        started = time.monotonic()
        changed = w.poll()
        rebuilt = [s for s in changed if s not in w.failed]
        if rebuilt:
            print(f"rebuilt {', '.join(s.name for s in rebuilt)} in "
                  f"{time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
        for s in w.failed:
            kept = ("its leaflet was rebuilt; its previous deck outputs were kept"
                    if s in w.deck_failed else "its previous outputs were kept"
                    if (outdir / f"{s.stem}.pdf").exists() else "nothing was written")
            print(f"{s.name} failed to build (see above); {kept}", file=sys.stderr,
                  flush=True)
        time.sleep(interval)
