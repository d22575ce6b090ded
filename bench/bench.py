"""`make bench`: build-speed figures on this machine (not a test; nothing is asserted).

0. the three ratios against Typst, whole processes, interleaved: a cold `handouts check
   SPEC` and a cold `handouts build --format pdf SPEC` against a cold Typst compile of the
   same leaflet text (Python start, font loading, layout and PDF included), each both for
   the spec as it is and for the spec just edited (one sentence new each round: what the
   on-disk caches of unchanged text still serve, as they would a user), and a 50-leaflet
   `handouts build` against one Typst process compiling the same 50 documents; the first
   PDF build on a machine (empty font cache). `bench.py REV` (or BEFORE=REV) measures the
   package at git revision REV in the same rounds, for a before/after from one run;
1. a `watch` rebuild after a save;
2. a batch of 50 topic specs (the shipped ones replicated) in one process: PDF only and
   all formats, total and per document;
3. the same text volume compiled by Typst (PyPI `typst`) with the same BIZ UD font in one
   process, and the ratio ours / Typst;
4. a no-op `make` after a full build;
5. peak memory at 200 specs and time per document at 10, 50 and 200 specs;
then a Markdown table of the figures with the issue's targets, for the README.
"""

from __future__ import annotations

import itertools
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from handouts.parallel import usable_cpus  # noqa: E402
SPECS = ROOT / "specs"
PY = sys.executable
ALL = "pdf,large,print,pptx,slides,notes"
ROUNDS = 5  # repeated measurements, reported as medians
COLD_ROUNDS = 9  # cold whole processes: short, so more of them
# children may write bytecode caches (as a user's Python does): with
# PYTHONDONTWRITEBYTECODE set, every cold run would compile the package's source again
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def topics() -> list[Path]:
    return sorted(p for p in SPECS.glob("*.yaml") if not p.name.startswith("_"))


def replicate(n: int, folder: Path, distinct: bool = False) -> Path:
    """n topic specs (the shipped ones, copied round-robin) plus the shared parts. With
    `distinct`, copy i shifts every hiragana by i places in the kana table: the same volume,
    glyphs and markup, but text no cache has seen (ours caches set paragraphs, Typst
    memoises whole layouts)."""
    folder.mkdir(parents=True, exist_ok=True)
    for part in SPECS.glob("_*.yaml"):
        shutil.copy(part, folder / part.name)
    src = topics()
    for i in range(n):
        text = src[i % len(src)].read_text(encoding="utf-8")
        if distinct:
            text = "".join(chr(0x3041 + (ord(c) - 0x3041 + i + 1) % 86)
                           if "\u3041" <= c <= "\u3096" else c for c in text)
        (folder / f"{i:03d}-{src[i % len(src)].name}").write_text(text, encoding="utf-8")
    return folder


EDITS = itertools.count(1)


def edit(spec: Path, dest: Path) -> None:
    """Write `spec` to `dest` with one sentence of its first paragraph changed (a text no
    earlier round has seen): what a user does between two runs. Caches of unchanged text
    still serve the rest, as they would the user."""
    text = spec.read_text(encoding="utf-8")
    marker = "ヘルニアです。"
    assert marker in text, "the bench edits a sentence that is no longer in the spec"
    word = "".join("〇一二三四五六七八九"[int(d)] for d in str(next(EDITS)))
    dest.write_text(text.replace(marker, f"ヘルニアです（{word}）。", 1), encoding="utf-8")


def run(args: list[str], **kw) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    kw.setdefault("env", ENV)
    done = subprocess.run(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          **kw)
    if done.returncode:  # warnings are expected (and not shown); a failure is not
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr.decode()}")
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def build(folder: Path, out: Path, formats: str, *extra: str) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    return run([PY, "-m", "handouts", "build", str(folder), "-o", str(out), "--format",
                formats, "-q", *extra])


def typst_sources(folder: Path, dest: Path) -> list[Path]:
    """One Typst source per topic spec of `folder`, with the leaflet's text (title,
    headings, every block's text) on A4 in the same BIZ UD font and body size."""
    code = f"""
import sys
sys.path.insert(0, {str(ROOT / 'src')!r})
from handouts.build import Projects, prepare
from handouts.document import block_texts
from pathlib import Path

def source(spec):
    doc = prepare(spec, Projects())
    body = []
    for sec in doc.sections_for('handout'):
        body.append('== ' + sec.heading.plain)
        for b in sec.for_target('handout'):
            body += [r.plain.replace('#', '') for r in block_texts(b)]
    text = '\\n\\n'.join(x.replace('*', '').replace('_', '').replace('@', '')
                          .replace('<', '').replace('$', '').replace('[', '(').replace(']', ')')
                          for x in body)
    return ('#set page(paper: "a4", margin: 15mm)\\n'
            '#set text(font: "BIZ UDPGothic", lang: "ja", size: 12.5pt)\\n'
            '#set par(leading: 0.75em)\\n= ' + doc.title.plain + '\\n\\n' + text)

dest = Path({str(dest)!r})
dest.mkdir(parents=True, exist_ok=True)
for spec in sorted(p for p in Path({str(folder)!r}).glob('*.yaml') if not p.name.startswith('_')):
    (dest / (spec.stem + '.typ')).write_text(source(spec), encoding='utf-8')
"""
    subprocess.run([PY, "-c", code], check=True, env=ENV)
    return sorted(dest.glob("*.typ"))


TYPST_COLD = f"""
import sys, typst
typst.compile(sys.argv[1], output=sys.argv[2], font_paths=[{str(ROOT / 'fonts')!r}],
              ignore_system_fonts=True)
"""

TYPST_MANY = f"""
import sys, typst
from pathlib import Path
compiler = typst.Compiler(font_paths=[{str(ROOT / 'fonts')!r}], ignore_system_fonts=True)
for src in sorted(Path(sys.argv[1]).glob('*.typ')):
    compiler.compile(input=src.read_bytes(), output=str(Path(sys.argv[2]) / (src.stem + '.pdf')))
"""


def typst_batch(sources: list[Path], warmup: list[Path], reuse: bool = True
                ) -> tuple[float, float]:
    """Compile `sources` in one process. With `reuse`, one typst.Compiler loads the fonts
    once, as our batch does, and first compiles `warmup` (the shipped topics), as ours gets
    a warm-up; without it, typst.compile() loads them again for every document. Returns
    wall and CPU seconds (all of its threads)."""
    code = f"""
import time, typst
from pathlib import Path
fonts = [{str(ROOT / 'fonts')!r}]
sources = [Path(p).read_bytes() for p in {[str(p) for p in sources]!r}]
compiler = typst.Compiler(font_paths=fonts, ignore_system_fonts=True) if {reuse} else None
for p in {[str(p) for p in warmup]!r} if compiler else []:
    compiler.compile(input=Path(p).read_bytes())
start, cpu = time.perf_counter(), time.process_time()
for src in sources:
    if compiler:
        pdf = compiler.compile(input=src)
    else:
        pdf = typst.compile(src, font_paths=fonts)
print(time.perf_counter() - start, time.process_time() - cpu)
"""
    out = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True,
                         env=ENV)
    wall, cpu = map(float, out.stdout.split())
    return wall, cpu


def batch_child(folder: Path, out: Path, jobs: int = 1) -> tuple[float, int]:
    """(seconds per document, peak RSS KiB of the largest process) of a fresh process
    building `folder` to PDF, with `jobs` worker processes."""
    code = f"""
import resource, sys, time
sys.path.insert(0, {str(ROOT / 'src')!r})
from pathlib import Path
from handouts.build import build
# warm-up: one copy of every shipped topic (fonts, width caches, BudouX), so that the
# figures at 10, 50 and 200 compare the steady per-document cost
build([Path({str(SPECS)!r})], Path({str(out / 'warm')!r}), ('pdf',))
specs = sorted(Path({str(folder)!r}).glob('[!_]*.yaml'))
start = time.perf_counter()
result = build(specs, Path({str(out)!r}), ('pdf',), jobs={jobs})
assert not result.failed
print((time.perf_counter() - start) / len(specs),
      max(resource.getrusage(who).ru_maxrss
          for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
"""
    got = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True,
                         env=ENV)
    per, rss = got.stdout.split()
    return float(per), int(rss)


def export(rev: str, dest: Path) -> Path:
    """The package's source at git revision `rev` (for a before/after in one run): its
    src/ folder, run with this checkout's fonts and virtual environment."""
    dest.mkdir(parents=True)
    tar = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, check=True,
                         capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar, check=True)
    return dest / "src"


def watch_rebuild(spec: Path, out: Path, saves: int) -> tuple[float, float]:
    """Median seconds `handouts watch` takes after a save of `spec` until the leaflet is
    in place, and until everything is (one Watcher poll: leaflet, then deck, slides and
    notes PDFs, thumbnails; not the up to 0.5 s it waits between polls)."""
    code = f"""
import statistics, sys, time
sys.path.insert(0, {str(ROOT / 'src')!r})
from pathlib import Path
from handouts.watch import Watcher
spec = Path({str(spec)!r})
w = Watcher([spec], Path({str(out)!r}))
w.poll()
leaflet, whole = [], []
for k in range({saves}):
    spec.write_text(spec.read_text(encoding='utf-8') + f'# save {{k}}\\n', encoding='utf-8')
    start = time.perf_counter()
    assert w.poll() == [spec] and not w.failed
    whole.append(time.perf_counter() - start)
    leaflet.append(w.leaflets_took)
print(statistics.median(leaflet), statistics.median(whole))
"""
    got = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True,
                         env=ENV)
    leaflet, whole = map(float, got.stdout.split())
    return leaflet, whole


def ratios(tmp: Path, before: str | None) -> dict[str, float]:
    """Section 0: cold whole processes, ours against Typst's on the same leaflet text,
    interleaved round by round (the machine is shared); medians. With `before`, the
    package at that revision is measured in the same rounds."""
    spec = SPECS / "disc-resorption.yaml"
    typ = {p.stem: p for p in typst_sources(SPECS, tmp / "typ")}[spec.stem]
    b50 = replicate(50, tmp / "r50")
    typst_sources(b50, tmp / "typ50")
    (tmp / "typ50-out").mkdir()
    handouts = [PY, "-m", "handouts"]
    cases: dict[str, tuple[list[str], dict]] = {
        "typst": ([PY, "-c", TYPST_COLD, str(typ), str(tmp / "t.pdf")], ENV),
        "typst50": ([PY, "-c", TYPST_MANY, str(tmp / "typ50"), str(tmp / "typ50-out")], ENV),
    }
    for part in SPECS.glob("_*.yaml"):  # the spec a user has just edited: see edit()
        shutil.copy(part, tmp / part.name)
    # each version its own cache folder (warmed in round -1): entries are keyed by the
    # code that made them, so two versions sharing one would replace each other's
    versions = {"": ENV}
    if before:
        versions["before "] = {**ENV, "PYTHONPATH": str(export(before, tmp / "before")),
                               "HANDOUTS_FONTS": str(ROOT / "fonts"),
                               "HANDOUTS_CACHE": str(tmp / "cache-before")}
    for label, env in versions.items():
        cases[label + "check"] = (handouts + ["check", str(spec)], env)
        cases[label + "pdf"] = (handouts + ["build", str(spec), "-o", str(tmp / "c1"),
                                            "--format", "pdf", "-q"], env)
        cases[label + "check edited"] = (handouts + ["check", str(tmp / spec.name)], env)
        cases[label + "pdf edited"] = (handouts + ["build", str(tmp / spec.name), "-o",
                                                   str(tmp / "c1e"), "--format", "pdf", "-q"],
                                       env)
        cases[label + "batch50"] = (handouts + ["build", str(b50), "-o", str(tmp / "c50"),
                                                "--format", "pdf", "-q"], env)
    cases["first pdf"] = cases["pdf"]
    times: dict[str, list[float]] = {name: [] for name in cases}
    for k in range(-1, COLD_ROUNDS):  # round -1 warms the font cache, bytecode, page cache
        for name, (args, env) in cases.items():
            if name.endswith("edited"):
                edit(spec, tmp / spec.name)
            if name == "first pdf":  # a machine's first run: an empty font cache
                env = {**env, "HANDOUTS_CACHE": str(tmp / f"empty-cache-{k}")}
            took = run(args, env=env)[0]
            if k >= 0:
                times[name].append(took)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    before = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BEFORE") or None
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python "
               f"{platform.python_version()}, {platform.platform()}")
    print(f"machine: {machine}")
    tmp = Path(tempfile.mkdtemp(prefix="handouts-bench-"))
    # a cache folder of the bench's own (filled by its first runs), not one other
    # checkouts of other versions on the machine may be refilling meanwhile
    ENV["HANDOUTS_CACHE"] = str(tmp / "cache")
    summary: list[tuple[str, str, str]] = []  # figure, measured, target
    try:
        cold = ratios(tmp, before)
        ty, ty50 = cold["typst"], cold["typst50"]

        def was(name: str) -> str:
            return f" (before: {cold['before ' + name]:.2f} s)" if before else ""

        check_r, pdf_r, batch_r = cold["check"] / ty, cold["pdf"] / ty, cold["batch50"] / ty50
        print(f"0. cold whole processes, medians of {COLD_ROUNDS} interleaved rounds"
              + (f"; before = {before}" if before else "") + ":")
        print(f"   Typst, one leaflet's text, python -c typst.compile: {ty:.3f} s")
        print(f"   handouts check SPEC: {cold['check']:.3f} s{was('check')}, "
              f"ratio {check_r:.1f}x Typst")
        print(f"   handouts build --format pdf SPEC: {cold['pdf']:.3f} s{was('pdf')}, ratio "
              f"{pdf_r:.1f}x Typst; the machine's first run (empty font cache): "
              f"{cold['first pdf']:.3f} s")
        for name in ("check", "pdf"):
            print(f"   the same {name}, the spec just edited (one sentence changed each round): "
                  f"{cold[name + ' edited']:.3f} s{was(name + ' edited')}, ratio "
                  f"{cold[name + ' edited'] / ty:.1f}x Typst")
        print(f"   50 leaflets, handouts build --format pdf: {cold['batch50']:.2f} s"
              f"{was('batch50')}; Typst, 50 documents in one process: {ty50:.2f} s; ratio "
              f"{batch_r:.2f}x")
        for name, label in (("check", "cold `handouts check SPEC` / Typst cold compile"),
                            ("check edited", "the same, the spec just edited"),
                            ("pdf", "cold `handouts build --format pdf SPEC` / Typst"),
                            ("pdf edited", "the same, the spec just edited")):
            summary.append((label, f"{cold[name]:.2f} s / {ty:.3f} s = "
                            f"**{cold[name] / ty:.1f}×**"
                            + (f" (before: {cold['before ' + name]:.2f} s = "
                               f"{cold['before ' + name] / ty:.1f}×)" if before else ""),
                            "≤ 3×" if name.startswith("check") else "≤ 4×"))
        summary.append(("first PDF build on a machine (empty font cache)",
                        f"{cold['first pdf']:.2f} s", "—"))
        summary.append(("50 leaflets, whole processes: `handouts build` / Typst",
                        f"{cold['batch50']:.2f} s / {ty50:.2f} s = **{batch_r:.2f}×**"
                        + (f" (before: {cold['before batch50']:.2f} s = "
                           f"{cold['before batch50'] / ty50:.2f}×)" if before else ""),
                        "≤ 1.0×"))

        shutil.copy(SPECS / "disc-resorption.yaml", tmp / "watched.yaml")
        for part in SPECS.glob("_*.yaml"):
            shutil.copy(part, tmp / part.name)
        leaflet, whole = watch_rebuild(tmp / "watched.yaml", tmp / "watch-out", COLD_ROUNDS)
        print(f"1. `handouts watch`, after a save: the leaflet in place in {leaflet:.3f} s; "
              f"deck, slides and notes PDFs and thumbnails too in {whole:.3f} s "
              f"(medians of {COLD_ROUNDS})")
        summary.append(("`watch`: leaflet rebuilt after a save",
                        f"{leaflet:.2f} s (everything, deck and thumbnails too: {whole:.2f} s)",
                        "< 0.15 s"))

        cores = usable_cpus()
        b50 = replicate(50, tmp / "s50")
        pdf50, _ = build(b50, tmp / "o50", "pdf")
        pdf50_1, _ = build(b50, tmp / "o50-1", "pdf", "-j", "1")
        all50, _ = build(b50, tmp / "o50all", ALL)
        print(f"2. 50 specs, `handouts build` whole process ({cores} workers), PDF only: "
              f"{pdf50:.2f} s, {pdf50 / 50 * 1000:.0f} ms/doc (start-up and imports "
              f"included); with -j 1: {pdf50_1:.2f} s, {pdf50_1 / 50 * 1000:.0f} ms/doc")
        print(f"   all formats ({ALL}): {all50:.2f} s, {all50 / 50 * 1000:.0f} ms/doc")

        d50 = replicate(50, tmp / "d50", distinct=True)
        warmup = typst_sources(SPECS, tmp / "typ-warm")
        for label, folder in (("identical replicas", b50), ("distinct text", d50)):
            sources = typst_sources(folder, tmp / f"typ-{folder.name}")
            # ours and Typst alternate; medians damp a shared machine's noise
            serial, forked, theirs, cpu = [], [], [], []
            for k in range(ROUNDS):
                serial.append(batch_child(folder, tmp / f"w1-{k}", 1)[0] * 1000)
                forked.append(batch_child(folder, tmp / f"wn-{k}", cores)[0] * 1000)
                wall, used = typst_batch(sources, warmup)
                theirs.append(wall / 50 * 1000)
                cpu.append(used / wall)
            one, many, t = map(statistics.median, (serial, forked, theirs))
            print(f"3. {label}, 50 docs, warm (fonts loaded, imports done), PDF only: ours "
                  f"{one:.1f} ms/doc with 1 process, {many:.1f} ms/doc with {cores}; Typst "
                  f"(one reused compiler) {t:.1f} ms/doc using {statistics.median(cpu):.1f} "
                  f"cores; ratio ours/Typst {many / t:.2f} ({one / t:.2f} with 1 process) "
                  f"(medians of {ROUNDS})")
            summary.append((f"50 leaflets, {label}, warm processes: ours / Typst",
                            f"{many:.1f} / {t:.1f} ms/doc = {many / t:.2f}× "
                            f"({one / t:.2f}× with one process)", "—"))
        fresh, _ = typst_batch(typst_sources(b50, tmp / "typ-fresh"), warmup, reuse=False)
        print(f"   Typst with typst.compile() per document (fonts loaded every time): "
              f"{fresh / 50 * 1000:.0f} ms/doc")

        subprocess.run(["make", "-s"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        noop = [run(["make", "-s"])[0] for _ in range(5)]
        dry = subprocess.run(["make", "-n"], cwd=ROOT, capture_output=True, text=True).stdout
        would = sum("handouts" in ln for ln in dry.splitlines())
        print(f"4. no-op make after a full build: {statistics.median(noop) * 1000:.0f} ms "
              f"(median of 5); commands it would run: {would}")
        summary.append(("no-op `make` after a full build",
                        f"{statistics.median(noop) * 1000:.0f} ms ({would} commands)",
                        "< 0.3 s"))

        per = {}
        peak = {}
        sizes = (10, 50, 200)
        folders = {n: replicate(n, tmp / f"m{n}") for n in sizes}
        # interleaved rounds, medians: a 10-spec batch lasts 0.2 s, short enough for
        # another job on the machine to move it by 10 %
        got: dict[int, list[tuple[float, int]]] = {n: [] for n in sizes}
        for k in range(ROUNDS):
            for n in sizes:
                got[n].append(batch_child(folders[n], tmp / f"mo{n}-{k}"))
        for n in sizes:
            per[n] = statistics.median(g[0] for g in got[n])
            peak[n] = max(g[1] for g in got[n])
        many200, peak200 = batch_child(tmp / "m200", tmp / "mo200n", usable_cpus())
        print("5. peak RSS of one process building N specs (PDF, 1 process): "
              + ", ".join(f"{n}: {peak[n] / 1024:.0f} MiB" for n in peak))
        print(f"   time per document in that process (after a warm-up pass over the topics; "
              f"medians of {ROUNDS}): "
              + ", ".join(f"{n}: {per[n] * 1000:.1f} ms" for n in per)
              + f"; 200 vs 10: {(per[200] / per[10] - 1) * 100:+.0f} %")
        print(f"   200 specs with {usable_cpus()} workers: {many200 * 1000:.1f} ms/doc, largest "
              f"process {peak200 / 1024:.0f} MiB")
        summary.append(("peak memory building 200 specs, one process",
                        f"{peak[200] / 1024:.0f} MiB ({usable_cpus()} workers: "
                        f"{peak200 / 1024:.0f} MiB per process)", "< 400 MB"))
        summary.append(("time per document at 10 / 200 specs, one process",
                        f"{per[10] * 1000:.1f} / {per[200] * 1000:.1f} ms "
                        f"({(per[200] / per[10] - 1) * 100:+.0f} %)", "within 10 %"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nmachine: {machine}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print("| figure | measured | target |\n|---|---|---|")
    for row in summary:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
