import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
ALL_KINDS = DATA / "allkinds" / "all-kinds.yaml"
IN_CI = os.environ.get("CI") == "true"

# the font cache of this run only (every build, in this process or a child, reads
# HANDOUTS_CACHE): no test depends on what earlier runs or the user's builds left in
# ~/.cache, and the suite writes nothing there
_CACHE = tempfile.mkdtemp(prefix="handouts-test-cache-")
os.environ["HANDOUTS_CACHE"] = _CACHE


def pytest_unconfigure(config):
    shutil.rmtree(_CACHE, ignore_errors=True)


def need(tool: str) -> str:
    """Path of a system tool; skip without it locally, fail in CI (which installs it)."""
    path = shutil.which(tool)
    if path is None:
        if IN_CI:
            pytest.fail(f"{tool} is required in CI (.ci/run installs it)")
        pytest.skip(f"{tool} not installed")
    return path


def struct_headings(struct_text: str) -> list[tuple[str, str]]:
    """(level, text) of each heading in `pdfinfo -struct-text`: all the content below it
    (a word with a reading is a Ruby element inside), white space removed."""
    lines = struct_text.splitlines()
    out = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(H1|H2|H3) \(block\)$", line)
        if m:
            depth, parts = len(m.group(1)), []
            for below in lines[i + 1:]:
                if len(below) - len(below.lstrip()) <= depth:
                    break
                parts += re.findall(r'^\s*"(.*)"$', below)
            out.append((m.group(2), re.sub(r"\s", "", "".join(parts))))
    return out


def ruby_readings(pdf_path) -> list[tuple[str, str]]:
    """(base, reading) of every ruby of a tagged leaflet, in reading order: the base as
    `pdfinfo -struct-text` prints its RB element's text, the reading as its RT element's
    /ActualText (readings are drawn as outlines, so no text extractor sees them)."""
    import pikepdf

    tree = subprocess.run([need("pdfinfo"), "-struct-text", str(pdf_path)],
                          capture_output=True, text=True, check=True).stdout
    bases = re.findall(r'^\s*RB\n\s*"(.*)"$', tree, re.M)
    readings: list[str] = []

    def walk(node):
        kids = node.get("/K")
        for k in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(k, pikepdf.Dictionary) and "/S" in k:
                if k.S == "/RT":
                    readings.append(str(k.ActualText))
                walk(k)

    with pikepdf.open(pdf_path) as pdf:
        walk(pdf.Root.StructTreeRoot)
    assert len(bases) == len(readings), (len(bases), len(readings))
    return list(zip(bases, readings))


def ink_above(page, base: str) -> int:
    """How many drawn paths (outlined readings) sit right above the first `base` on a
    pdfplumber page: within an em over its characters."""
    chars = page.chars
    first = next(i for i, c in enumerate(chars) if "".join(
        d["text"] for d in chars[i:i + len(base)]) == base)
    lo, hi = chars[first], chars[first + len(base) - 1]
    return sum(1 for o in page.curves
               if lo["top"] - lo["size"] < o["bottom"] <= lo["top"] + 1
               and lo["x0"] - lo["size"] / 2 <= (o["x0"] + o["x1"]) / 2
               <= hi["x1"] + lo["size"] / 2)


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120):
    """Run the real command line in a fresh process."""
    return subprocess.run([sys.executable, "-m", "handouts", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd or ROOT, timeout=timeout)


def topics(folder: Path, names: list[str]) -> Path:
    """A specs folder with the all-kinds shared parts and image, and one copy of the all-kinds
    spec per name (`<name>.yaml`)."""
    specs = folder / "specs"
    shutil.copytree(ALL_KINDS.parent, specs, ignore=shutil.ignore_patterns(ALL_KINDS.name))
    text = ALL_KINDS.read_text(encoding="utf-8")
    for name in names:
        (specs / f"{name}.yaml").write_text(text, encoding="utf-8")
    return specs


WINDOWS_SIM = Path(__file__).resolve().parent / "windows"


def windows_env(**extra: str) -> dict[str, str]:
    """The environment of a simulated Windows process (see tests/windows/sitecustomize.py):
    no fork, no signal masks, spawned workers, and redirected output in the ANSI code page of
    a Japanese Windows (cp932), as Python has it there."""
    path = os.pathsep.join(filter(None, [str(WINDOWS_SIM), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "PYTHONIOENCODING": "cp932",
            "PYTHONWARNDEFAULTENCODING": "1", **extra}


def run_cli_windows(*args: str, cwd: Path | None = None, timeout: float = 180,
                    **extra: str) -> subprocess.CompletedProcess:
    """Run the real command line as on Windows."""
    return subprocess.run([sys.executable, "-m", "handouts", *map(str, args)],
                          capture_output=True, cwd=cwd or ROOT,
                          timeout=timeout, env=windows_env(**extra), encoding="cp932",
                          errors="strict")


def soffice_convert(files: list[Path], tmp: Path, target: str = "pdf",
                    system_fonts: bool = False) -> Path:
    """Convert files with LibreOffice, seeing only the project's fonts, or with
    `system_fonts` the system's as well, as a presenter's LibreOffice does (its own
    OpenSymbol included); returns the folder the converted files are in (same stems)."""
    soffice = need("soffice")
    tmp.mkdir(parents=True, exist_ok=True)
    conf = tmp / "fonts.conf"
    system = '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>' \
        if system_fonts else ""
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>{system}<dir>{ROOT / 'fonts'}</dir><cachedir>{tmp / 'cache'}</cachedir></fontconfig>
""", encoding="utf-8")
    env = {"FONTCONFIG_FILE": str(conf), "HOME": str(tmp), "PATH": "/usr/bin:/bin"}
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp / 'profile'}", "--headless",
                    "--convert-to", target, "--outdir", str(tmp / "out"), *map(str, files)],
                   env=env, capture_output=True, timeout=600, check=True)
    return tmp / "out"


def pdftotext(pdf: Path, layout: bool = False) -> str:
    args = [need("pdftotext"), "-enc", "UTF-8"] + (["-layout"] if layout else [])
    return subprocess.run(args + [str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdffonts(pdf: Path) -> list[dict]:
    out = subprocess.run([need("pdffonts"), str(pdf)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    rows = []
    for line in out:
        parts = line.split()
        # name type... emb sub uni object ID: the flags are the 5th-3rd fields from the end
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def overlapping_chars(chars) -> list:
    """Pairs of characters from different text lines whose boxes overlap substantially
    (pdfplumber characters of one page)."""
    bad = []
    boxes = [(c["x0"], c["top"], c["x1"], c["bottom"], c["text"]) for c in chars]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if abs(a[1] - b[1]) < 1.0:  # same line: neighbours may touch
                continue
            w = min(a[2], b[2]) - max(a[0], b[0])
            h = min(a[3], b[3]) - max(a[1], b[1])
            if w > 0 and h > 0:
                small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
                if small > 0 and w * h > 0.25 * small:
                    bad.append((a[4], b[4], round(a[1]), round(b[1])))
    return bad


def shape_rects(slide, scale: float = 1.0) -> list[tuple[float, float, float, float]]:
    """Every shape's box on a slide in PDF points (connectors carry no text); `scale`:
    PDF points per slide point (LibreOffice's PDF page is the slide's size)."""
    emu = 12700 / scale
    return [(s.left / emu, s.top / emu, (s.left + s.width) / emu, (s.top + s.height) / emu)
            if s.left is not None and s.width is not None else (0, 0, 0, 0)
            for s in slide.shapes if s.shape_type != 9 and not s.name.startswith("Connector")]


def chars_outside_shapes(pptx: Path, pdf: Path, tol: float = 1.5) -> list:
    """Characters LibreOffice drew outside every shape of their slide, or outside the page:
    text that wrapped to more lines than planned spills out of its box."""
    import pdfplumber
    from pptx import Presentation

    prs = Presentation(str(pptx))
    out = []
    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) == len(prs.slides), pptx
        for k, (slide, page) in enumerate(zip(prs.slides, doc.pages), 1):
            scale = float(page.width) * 12700 / prs.slide_width
            rects = shape_rects(slide, scale)
            # text a template's master or layout shows by itself (its own slide number)
            for part in (slide.slide_layout, slide.slide_layout.slide_master):
                rects += [r for s, r in zip(part.shapes, shape_rects(part, scale))
                          if not s.is_placeholder and s.has_text_frame and s.text_frame.text]
            for c in page.chars:
                if not c["text"].strip():
                    continue
                inside = any(x0 - tol <= c["x0"] and c["x1"] <= x1 + tol and
                             y0 - tol <= c["top"] and c["bottom"] <= y1 + tol
                             for x0, y0, x1, y1 in rects)
                if not inside or c["x1"] > page.width + 0.5 or c["bottom"] > page.height + 0.5:
                    out.append((pptx.stem, k, c["text"], round(c["x0"]), round(c["top"])))
            out += [(pptx.stem, k, "overlap", *o) for o in overlapping_chars(
                [c for c in page.chars if c["text"].strip()])]
    return out


def pptx_parts(path: Path, pattern: str) -> dict:
    """The XML parts of a package whose names match `pattern`, parsed, by name."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as z:
        return {n: etree.fromstring(z.read(n)) for n in sorted(z.namelist())
                if re.fullmatch(pattern, n)}


def pptx_slides(path: Path) -> list:
    """The slide parts of a deck, parsed, in slide order."""
    parts = pptx_parts(path, r"ppt/slides/slide\d+\.xml")
    return [parts[k] for k in sorted(parts, key=lambda n: int(re.findall(r"\d+", n)[0]))]


def flat_shapes(shapes):
    """Every shape of a slide, those inside groups included (groups themselves left out)."""
    for shape in shapes:
        if shape.shape_type == 6:  # MSO_SHAPE_TYPE.GROUP
            yield from flat_shapes(shape.shapes)
        else:
            yield shape


def pptx_texts(path: Path) -> tuple[list[str], list[str]]:
    """(slide texts, notes texts) read back with python-pptx."""
    from pptx import Presentation

    prs = Presentation(str(path))
    slides, notes = [], []
    for slide in prs.slides:
        parts = []
        for shape in flat_shapes(slide.shapes):
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [c.text for r in shape.table.rows for c in r.cells]
            if shape.has_chart:
                parts += list(shape.chart.plots[0].categories)
        slides.append("\n".join(parts))
        notes.append(slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else "")
    return slides, notes


@pytest.fixture(scope="session")
def all_kinds_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("allkinds")
    r = run_cli("build", ALL_KINDS, "-o", out, "--format", "pdf,pptx")
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("shipped")
    r = run_cli("build", ROOT / "specs", "-o", out, "--format",
                "pdf,large,print,a5,a5print,pptx,slides,notes",
                timeout=600)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="session")
def decks(shipped_build, all_kinds_build) -> dict[str, Path]:
    """Every shipped deck and the all-kinds test deck, by stem."""
    from handouts.spec.loader import topic_specs

    out = {p.stem: shipped_build / f"{p.stem}.pptx" for p in topic_specs(ROOT / "specs")}
    out["all-kinds"] = all_kinds_build / "all-kinds.pptx"
    return out
