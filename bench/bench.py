"""`make bench`: build-speed figures on this machine (not a test; nothing is asserted).

1. whole-process time for one spec, cold (fresh interpreter, imports and fonts included);
2. a batch of 50 topic specs (the shipped ones replicated) in one process: PDF only and
   all formats, total and per document;
3. the same text volume compiled by Typst (PyPI `typst`) with the same BIZ UD font in one
   process, and the ratio ours / Typst;
4. a no-op `make` after a full build;
5. peak memory at 200 specs and time per document at 10, 50 and 200 specs.
"""

from __future__ import annotations

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


def run(args: list[str], **kw) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, **kw)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def build(folder: Path, out: Path, formats: str, *extra: str) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    return run([PY, "-m", "handouts", "build", str(folder), "-o", str(out), "--format",
                formats, "-q", *extra])


def typst_batch(folder: Path, reuse: bool = True) -> tuple[float, float]:
    """Compile one document per spec in `folder`, with the same text, in one process. With
    `reuse`, one typst.Compiler loads the fonts once, as our batch does, and first compiles
    the shipped topics as a warm-up, as ours gets one; without it, typst.compile() loads
    them again for every document. Returns wall and CPU seconds (all of its threads)."""
    code = f"""
import sys, time
sys.path.insert(0, {str(ROOT / 'src')!r})
import typst
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
            '#set par(leading: 0.75em)\\n= ' + doc.title.plain + '\\n\\n' + text).encode()

def specs(folder):
    return sorted(p for p in Path(folder).glob('*.yaml') if not p.name.startswith('_'))

sources = [source(p) for p in specs({str(folder)!r})]
fonts = [{str(ROOT / 'fonts')!r}]
compiler = typst.Compiler(font_paths=fonts, ignore_system_fonts=True) if {reuse} else None
for src in [source(p) for p in specs({str(SPECS)!r})] if compiler else []:
    compiler.compile(input=src)
start, cpu = time.perf_counter(), time.process_time()
for src in sources:
    if compiler:
        pdf = compiler.compile(input=src)
    else:
        pdf = typst.compile(src, font_paths=fonts)
print(time.perf_counter() - start, time.process_time() - cpu)
"""
    out = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True)
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
    got = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True)
    per, rss = got.stdout.split()
    return float(per), int(rss)


def main() -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    tmp = Path(tempfile.mkdtemp(prefix="handouts-bench-"))
    try:
        one = topics()[1]
        cold = [run([PY, "-m", "handouts", "build", str(one), "-o", str(tmp / "one"),
                     "--format", "pdf,pptx", "-q"])[0] for _ in range(3)]
        print(f"1. one spec, whole process (pdf+pptx), cold: {statistics.median(cold):.2f} s "
              f"(median of 3)")

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
        for label, folder in (("identical replicas", b50), ("distinct text", d50)):
            # ours and Typst alternate three times; medians damp a shared machine's noise
            serial, forked, theirs, cpu = [], [], [], []
            for k in range(ROUNDS):
                serial.append(batch_child(folder, tmp / f"w1-{k}", 1)[0] * 1000)
                forked.append(batch_child(folder, tmp / f"wn-{k}", cores)[0] * 1000)
                wall, used = typst_batch(folder)
                theirs.append(wall / 50 * 1000)
                cpu.append(used / wall)
            one, many, ty = map(statistics.median, (serial, forked, theirs))
            print(f"3. {label}, 50 docs, warm (fonts loaded, imports done), PDF only: ours "
                  f"{one:.1f} ms/doc with 1 process, {many:.1f} ms/doc with {cores}; Typst "
                  f"(one reused compiler) {ty:.1f} ms/doc using {statistics.median(cpu):.1f} "
                  f"cores; ratio ours/Typst {many / ty:.2f} ({one / ty:.2f} with 1 process) "
                  f"(medians of {ROUNDS})")
        fresh, _ = typst_batch(b50, reuse=False)
        print(f"   Typst with typst.compile() per document (fonts loaded every time): "
              f"{fresh / 50 * 1000:.0f} ms/doc")

        subprocess.run(["make", "-s"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        noop = [run(["make", "-s"])[0] for _ in range(5)]
        dry = subprocess.run(["make", "-n"], cwd=ROOT, capture_output=True, text=True).stdout
        would = sum("handouts" in ln for ln in dry.splitlines())
        print(f"4. no-op make after a full build: {statistics.median(noop) * 1000:.0f} ms "
              f"(median of 5); commands it would run: {would}")

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
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
