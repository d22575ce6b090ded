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
SPECS = ROOT / "specs"
PY = sys.executable
ALL = "pdf,large,print,pptx,slides,notes"


def topics() -> list[Path]:
    return sorted(p for p in SPECS.glob("*.yaml") if not p.name.startswith("_"))


def replicate(n: int, folder: Path) -> Path:
    """n topic specs (the shipped ones, copied round-robin) plus the shared parts."""
    folder.mkdir(parents=True, exist_ok=True)
    for part in SPECS.glob("_*.yaml"):
        shutil.copy(part, folder / part.name)
    src = topics()
    for i in range(n):
        shutil.copy(src[i % len(src)], folder / f"{i:03d}-{src[i % len(src)].name}")
    return folder


def run(args: list[str], **kw) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, **kw)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def build(folder: Path, out: Path, formats: str) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    return run([PY, "-m", "handouts", "build", str(folder), "-o", str(out), "--format",
                formats, "-q"])


def typst_batch(n: int, reuse: bool = True) -> float:
    """Compile n documents with the same text as n of our specs, in one process. With
    `reuse`, one typst.Compiler loads the fonts once, as our batch does; without it,
    typst.compile() loads them again for every document."""
    code = f"""
import sys, time
sys.path.insert(0, {str(ROOT / 'src')!r})
import typst
from handouts.build import Projects, prepare
from pathlib import Path
specs = sorted(p for p in Path({str(SPECS)!r}).glob('*.yaml') if not p.name.startswith('_'))
sources = []
for i in range({n}):
    doc = prepare(specs[i % len(specs)], Projects())
    body = []
    for sec in doc.sections_for('handout'):
        body.append('== ' + sec.heading.plain)
        from handouts.document import block_texts
        for b in sec.for_target('handout'):
            body += [r.plain.replace('#', '') for r in block_texts(b)]
    text = '\\n\\n'.join(x.replace('*', '').replace('_', '').replace('@', '')
                         .replace('<', '').replace('$', '').replace('[', '(').replace(']', ')')
                         for x in body)
    sources.append(('#set page(paper: "a4", margin: 15mm)\\n'
                    '#set text(font: "BIZ UDPGothic", lang: "ja", size: 12.5pt)\\n'
                    '#set par(leading: 0.75em)\\n= ' + doc.title.plain + '\\n\\n' + text)
                   .encode())
fonts = [{str(ROOT / 'fonts')!r}]
compiler = typst.Compiler(font_paths=fonts, ignore_system_fonts=True) if {reuse} else None
for src in sources[:len(specs)] if compiler else []:  # warm-up, as ours gets one
    compiler.compile(input=src)
start = time.perf_counter()
pages = 0
for src in sources:
    if compiler:
        pdf = compiler.compile(input=src)
    else:
        pdf = typst.compile(src, font_paths=fonts)
    pages += pdf.count(b'/Type /Page') - pdf.count(b'/Type /Pages')
print(time.perf_counter() - start, pages)
"""
    out = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True)
    seconds, _pages = out.stdout.split()
    return float(seconds)


def batch_child(folder: Path, out: Path) -> tuple[float, int]:
    """(seconds per document, peak RSS KiB) of a fresh process building `folder`."""
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
result = build(specs, Path({str(out)!r}), ('pdf',))
assert not result.failed
print((time.perf_counter() - start) / len(specs),
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
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

        b50 = replicate(50, tmp / "s50")
        pdf50, _ = build(b50, tmp / "o50", "pdf")
        all50, _ = build(b50, tmp / "o50all", ALL)
        print(f"2. 50 specs in one process, PDF only: {pdf50:.2f} s total, "
              f"{pdf50 / 50 * 1000:.0f} ms/doc (process start and imports included)")
        print(f"   50 specs in one process, all formats ({ALL}): {all50:.2f} s total, "
              f"{all50 / 50 * 1000:.0f} ms/doc")
        # ours and Typst alternate three times; medians damp the noise of a shared machine
        ours, theirs = [], []
        for k in range(3):
            ours.append(batch_child(b50, tmp / f"w50-{k}")[0] * 50)
            theirs.append(typst_batch(50))
        warm, ty = statistics.median(ours), statistics.median(theirs)
        fresh = typst_batch(50, reuse=False)
        print(f"   warm (fonts loaded, imports done), PDF only: {warm / 50 * 1000:.0f} ms/doc "
              "(median of 3)")
        print(f"3. Typst, same text volume, 50 docs in one process: {ty:.2f} s, "
              f"{ty / 50 * 1000:.0f} ms/doc (median of 3); ratio ours/Typst (50-spec PDF "
              f"batch, warm): {warm / ty:.2f}; with our process start-up: {pdf50 / ty:.2f}")
        print(f"   Typst with typst.compile() per document (fonts loaded every time): "
              f"{fresh / 50 * 1000:.0f} ms/doc; ratio ours/that: {warm / fresh:.2f}")

        subprocess.run(["make", "-s"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        noop = [run(["make", "-s"])[0] for _ in range(5)]
        dry = subprocess.run(["make", "-n"], cwd=ROOT, capture_output=True, text=True).stdout
        would = sum("handouts" in ln for ln in dry.splitlines())
        print(f"4. no-op make after a full build: {statistics.median(noop) * 1000:.0f} ms "
              f"(median of 5); commands it would run: {would}")

        per = {}
        peak = {}
        for n in (10, 50, 200):
            folder = replicate(n, tmp / f"m{n}")
            per[n], peak[n] = batch_child(folder, tmp / f"mo{n}")
        print("5. peak RSS of one process building N specs (PDF): "
              + ", ".join(f"{n}: {peak[n] / 1024:.0f} MiB" for n in peak))
        print("   time per document in that process (after a warm-up pass over the topics): "
              + ", ".join(f"{n}: {per[n] * 1000:.1f} ms" for n in per)
              + f"; 200 vs 10: {(per[200] / per[10] - 1) * 100:+.0f} %")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
