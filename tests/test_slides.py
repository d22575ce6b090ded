"""Slides PDF and notes handout drawn from the deck model; the preview gallery."""

import html
import math
import re
from html.parser import HTMLParser

import pytest
import yaml

from conftest import ALL_KINDS, ROOT, flat_shapes, pdffonts, pdftotext, pptx_texts, run_cli
from handouts.spec.loader import topic_specs

STEMS = [p.stem for p in topic_specs(ROOT / "specs")]


@pytest.fixture(scope="session")
def previewed(tmp_path_factory):
    out = tmp_path_factory.mktemp("preview")
    r = run_cli("preview", ROOT / "specs", ALL_KINDS, "-o", out, timeout=600)
    assert r.returncode == 0, r.stderr
    return out


def _pages(pdf) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pptx_marks(path) -> list[list[str]]:
    """Per slide, the text PowerPoint shows that is not in the text frames: bullet characters,
    auto numbers ('1.') and chart data labels (number format 0"unit")."""
    from pptx import Presentation
    from pptx.oxml.ns import qn

    out = []
    for slide in Presentation(str(path)).slides:
        marks = []
        for shape in flat_shapes(slide.shapes):
            for pPr in shape._element.iter(qn("a:pPr")):
                for bu in pPr.iter(qn("a:buChar")):
                    marks.append(bu.get("char"))
                for bu in pPr.iter(qn("a:buAutoNum")):
                    marks.append(f"{bu.get('startAt', '1')}.")
            if shape.has_chart:
                plot = shape.chart.plots[0]
                unit = re.fullmatch(r'0"(.*)"', plot.data_labels.number_format).group(1)
                marks += [f"{v:.0f}{unit}" for v in plot.series[0].values]
        out.append(marks)
    return out


@pytest.mark.parametrize("stem", STEMS + ["all-kinds"])
def test_slides_pdf_matches_pptx(previewed, stem):
    """Each PDF page holds exactly the text of its PPTX slide: every line, bullet, number
    and chart label, and nothing else (whitespace ignored)."""
    slides, _ = pptx_texts(previewed / f"{stem}.pptx")
    assert _pages(previewed / f"{stem}.slides.pdf") == len(slides)
    pages = pdftotext(previewed / f"{stem}.slides.pdf").split("\f")
    marks = _pptx_marks(previewed / f"{stem}.pptx")
    for k, (pptx_text, pdf_text, extra) in enumerate(zip(slides, pages, marks), 1):
        rest = _norm(pdf_text)
        lines = [_norm(x) for x in pptx_text.replace("\v", "\n").splitlines()]
        for piece in sorted(filter(None, lines + extra), key=len, reverse=True):
            assert piece in rest, (stem, k, piece)
            rest = rest.replace(piece, "", 1)
        assert rest == "", (stem, k, rest)


@pytest.mark.parametrize("stem", STEMS + ["all-kinds"])
def test_notes_handout_pages_and_fonts(previewed, stem):
    slides, _ = pptx_texts(previewed / f"{stem}.pptx")
    assert _pages(previewed / f"{stem}.notes.pdf") == math.ceil(len(slides) / 2)
    for pdf in (previewed / f"{stem}.notes.pdf", previewed / f"{stem}.slides.pdf"):
        fonts = pdffonts(pdf)
        assert fonts and all(f["emb"] == "yes" for f in fonts), fonts
    # every page: the seminar title in the header (a running header: no readings, which
    # the title slide writes in parentheses), its number
    pages = pdftotext(previewed / f"{stem}.notes.pdf").split("\f")[:-1]
    title = re.sub(r"（[ぁ-ゖー]+）", "", _norm(slides[0].splitlines()[0]))[:8]
    for i, page in enumerate(pages, 1):
        text = _norm(page)
        assert text.startswith(title) and f"{i}/{len(pages)}" in text, (i, text[:40])
        assert f"{i}/{len(pages)}" in text


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href"):
                self.refs.append(v)


def test_gallery_references_only_existing_files(previewed):
    page = (previewed / "index.html").read_text(encoding="utf-8")
    links = _Links()
    links.feed(page)
    images = [r for r in links.refs if r.endswith(".png")]
    assert len(images) >= 5 * (2 + 8)  # every topic: its pages and its slides
    for ref in links.refs:
        if not ref.startswith("#"):  # in-page links go to the topic sections
            assert (previewed / ref.split("#page=")[0]).is_file(), ref
    for stem in STEMS:
        assert f"{stem}-slide-01.png" in page and f"{stem}-page-01.png" in page
    for stem in STEMS:  # review dates shown
        spec = yaml.safe_load((ROOT / "specs" / f"{stem}.yaml").read_text(encoding="utf-8"))
        assert str(spec["review_by"]) in page, stem


def test_watch_rebuilds_what_changed(tmp_path):
    import os
    import shutil

    from handouts.watch import Watcher

    specs = tmp_path / "specs"
    shutil.copytree(ALL_KINDS.parent, specs)
    out = tmp_path / "out"
    spec = specs / "all-kinds.yaml"

    def save(path, text=None):  # a save one second later than the last one
        if text is not None:
            path.write_text(text, encoding="utf-8")
        t = path.stat().st_mtime_ns + 1_000_000_000
        os.utime(path, ns=(t, t))

    w = Watcher([specs], out)
    assert w.poll() == [spec]  # the first poll builds everything
    assert (out / "thumbs" / "all-kinds-slide-01.png").is_file()
    assert w.poll() == []  # nothing saved, nothing rebuilt
    save(spec, spec.read_text(encoding="utf-8").replace(
        "title: すべてのブロックを試す", "title: 保存し直した"))
    assert w.poll() == [spec]
    assert "保存し直した" in pdftotext(out / "all-kinds.pdf")
    assert "保存し直した" in pdftotext(out / "all-kinds.slides.pdf")
    assert "保存し直した" in (out / "index.html").read_text(encoding="utf-8")
    for used in (specs / "_clinic.yaml", specs / "assets" / "dot.png"):  # files it reads
        save(used)
        assert w.poll() == [spec], used
    assert w.poll() == []


def test_watch_puts_the_leaflet_in_place_before_it_makes_the_deck(tmp_path, monkeypatch,
                                                                   capsys):
    """After a save the leaflet is rebuilt first (a viewer shows it while the deck is still
    being made); a deck that then fails keeps every previous deck output and says so."""
    import os
    import shutil

    from handouts import build
    from handouts.diagnostics import Mark, SpecError
    from handouts.watch import Watcher

    specs = tmp_path / "specs"
    shutil.copytree(ALL_KINDS.parent, specs)
    out = tmp_path / "out"
    spec = specs / "all-kinds.yaml"
    w = Watcher([spec], out)
    assert w.poll() == [spec] and not w.failed
    deck = {f: (out / f).read_bytes() for f in ("all-kinds.pptx", "all-kinds.slides.pdf",
                                                 "all-kinds.notes.pdf")}
    seen_by_deck = []

    def deck_that_fails(sources, tmp):
        seen_by_deck.append(pdftotext(out / "all-kinds.pdf"))
        raise SpecError([Mark(str(spec), 1, 1).error("the deck cannot be made")])

    monkeypatch.setitem(build.FORMATS, "pptx", (".pptx", deck_that_fails))
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        "title: すべてのブロックを試す", "title: 保存し直した"), encoding="utf-8")
    t = spec.stat().st_mtime_ns + 1_000_000_000
    os.utime(spec, ns=(t, t))
    capsys.readouterr()
    assert w.poll() == [spec]
    assert "保存し直した" in seen_by_deck[0]  # the new leaflet was there already
    assert w.failed == [spec] and w.deck_failed == [spec]
    assert {f: (out / f).read_bytes() for f in deck} == deck
    err = capsys.readouterr().err
    assert "all-kinds.pdf rebuilt in" in err
    assert f"{spec}:1:1: error: the deck cannot be made" in err


@pytest.mark.parametrize("spec", [ROOT / "specs" / f"{s}.yaml" for s in STEMS] + [ALL_KINDS],
                         ids=lambda p: p.stem)
def test_slide_text_sits_inside_its_box_insets(tmp_path, spec):
    """Every character drawn inside a text box keeps the box's inset from its edges, as in
    the PPTX (bodyPr lIns/rIns/tIns/bIns = box.inset)."""
    import pdfplumber

    from handouts.build import Projects, prepare
    from handouts.deck import pdf_writer
    from handouts.deck.model import TextBox
    from handouts.deck.plan import plan

    deck = plan(prepare(spec, Projects()))
    pdf_writer.write(deck, tmp_path / "s.pdf")
    checked = 0
    with pdfplumber.open(tmp_path / "s.pdf") as pdf:
        for slide, page in zip(deck.slides, pdf.pages):
            for box in (s for s in slide.shapes if isinstance(s, TextBox) and s.border):
                for ch in page.chars:
                    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
                    if not (box.x < cx < box.right and box.y < cy < box.bottom):
                        continue
                    checked += 1
                    where = (slide.number, ch["text"], round(ch["x0"], 1), box.x, box.inset)
                    assert box.x + box.inset - 0.5 <= ch["x0"], where
                    assert ch["x1"] <= box.right - box.inset + 0.5, where
                    assert box.y + box.inset <= cy <= box.bottom - box.inset, where
    assert checked  # every topic has bordered boxes (key points at least)


def test_gallery_prints_in_a_real_browser(previewed, tmp_path):
    """Chromium prints index.html: every thumbnail loads and each topic gets its own sheet."""
    import subprocess

    from conftest import need

    chromium = need("chromium")
    pdf = tmp_path / "gallery.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    (previewed / "index.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    links = _Links()
    links.feed((previewed / "index.html").read_text(encoding="utf-8"))
    thumbs = [r for r in links.refs if r.endswith(".png")]
    images = subprocess.run([need("pdfimages"), "-list", str(pdf)], capture_output=True,
                            text=True, check=True).stdout.splitlines()[2:]
    assert len(images) >= len(thumbs)  # a missing or broken image is not printed
    text = _norm(pdftotext(pdf))
    titles = re.findall(r"<h2>(.*?)</h2>", (previewed / "index.html").read_text("utf-8"))
    assert len(titles) == len(STEMS) + 1
    for t in titles:
        assert _norm(html.unescape(t)) in text, t
    assert _pages(pdf) >= 1 + len(titles)  # the contents, then one sheet (or more) per topic


def test_slides_and_notes_same_input_same_bytes(tmp_path):
    for out in ("a", "b"):
        r = run_cli("build", ALL_KINDS, "-o", tmp_path / out, "--format", "slides,notes")
        assert r.returncode == 0, r.stderr
    for name in ("all-kinds.slides.pdf", "all-kinds.notes.pdf"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
