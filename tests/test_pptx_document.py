"""The decks as PowerPoint documents: schema-valid (openxml-audit), built on a 16:9 master and
layouts, text in placeholders, fields, glued diagrams, theme colours, no shadows, and the
clinic's own template (made here with python-pptx) used for masters, layouts and size."""

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import (ALL_KINDS, ROOT, flat_shapes, pptx_parts, pptx_slides, run_cli,
                      soffice_convert)
from handouts.spec.loader import topic_specs

SPECS = topic_specs(ROOT / "specs")
NAMES = [p.stem for p in SPECS] + ["all-kinds"]
NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
A = "{%s}" % NS["a"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@pytest.mark.parametrize("name", NAMES)
def test_openxml_audit_finds_no_error(decks, name):
    """openxml-audit: package structure, schema and semantic checks of the Open XML SDK
    (python-pptx's negative chart axis ids were the errors before)."""
    from openxml_audit import validate_pptx

    result = validate_pptx(str(decks[name]))
    assert result.error_count == 0, [(e.part_uri, e.path, e.description)
                                     for e in result.errors][:5]


@pytest.mark.parametrize("name", NAMES)
def test_master_and_layouts_are_drawn_for_16_9(decks, name):
    (pres,) = pptx_parts(decks[name], r"ppt/presentation\.xml").values()
    size = pres.find("p:sldSz", NS)
    cx, cy = int(size.get("cx")), int(size.get("cy"))
    assert abs(cx / cy - 16 / 9) < 0.001 and size.get("type") != "screen4x3"
    assert pres.find("p:notesMasterIdLst", NS) is not None
    layouts = pptx_parts(decks[name], r"ppt/slideLayouts/slideLayout\d+\.xml")
    masters = pptx_parts(decks[name], r"ppt/slideMasters/slideMaster\d+\.xml")
    wide = 0
    for part, root in {**layouts, **masters}.items():
        for off, ext in zip(root.iter(A + "off"), root.iter(A + "ext")):
            x, w = int(off.get("x")), int(ext.get("cx"))
            assert 0 <= x and x + w <= cx, part  # nothing drawn off the 16:9 slide
            wide = max(wide, w)
    assert wide > 0.85 * cx  # the body spans the wide slide, not 75 % of it
    with zipfile.ZipFile(decks[name]) as z:
        assert "docProps/thumbnail.jpeg" not in z.namelist()  # python-pptx's blank 4:3 one


def _text_of(el) -> str:
    return "".join(t.text or "" for t in el.iter(A + "t"))


def placeholder_share(path: Path) -> float:
    """Characters of slide text inside placeholders / all characters of slide text (tables
    included; footers, slide numbers, speaker notes and the chart's own labels not)."""
    inside = total = 0
    for slide in pptx_slides(path):
        for sp in slide.iter("{%s}sp" % NS["p"]):
            ph = sp.find("p:nvSpPr/p:nvPr/p:ph", NS)
            if ph is not None and ph.get("type") in ("ftr", "sldNum", "dt"):
                continue
            n = len(re.sub(r"\s", "", _text_of(sp)))
            total += n
            if ph is not None:
                inside += n
        for frame in slide.iter("{%s}graphicFrame" % NS["p"]):
            total += len(re.sub(r"\s", "", _text_of(frame)))
    return inside / total


def test_most_slide_text_is_in_placeholders(decks):
    shares = {name: placeholder_share(decks[name]) for name in NAMES[:-1]}
    everything = sum(shares.values()) / len(shares)
    print("placeholder share:", {k: round(v, 3) for k, v in shares.items()}, round(everything, 3))
    assert everything >= 0.8 and min(shares.values()) >= 0.7, shares


@pytest.mark.parametrize("name", NAMES)
def test_no_forced_line_breaks_and_paragraphs_wrap_themselves(decks, name):
    """Paragraphs wrap in their box; only a drawing's one-line labels never wrap (in a
    wider font than planned a label runs on rather than onto the next one)."""
    for k, slide in enumerate(pptx_slides(decks[name]), 1):
        assert not list(slide.iter(A + "br")), k
        for body in slide.iter(A + "bodyPr"):
            if body.get("wrap") == "none":
                sp = body.getparent().getparent()
                assert sp.getparent().tag == "{%s}grpSp" % NS["p"], k  # inside a drawing
                assert len(sp.findall("p:txBody/a:p", NS)) == 1, k
                continue
            assert body.get("wrap") in (None, "square"), k


@pytest.mark.parametrize("name", NAMES)
def test_titles_and_body_in_placeholders_with_the_right_layouts(decks, name):
    from pptx import Presentation

    prs = Presentation(str(decks[name]))
    for k, slide in enumerate(prs.slides, 1):
        title = slide.shapes.title
        assert title is not None and title.text_frame.text.strip(), k
        kind = slide.slide_layout._element.get("type")
        assert kind == ("title" if k == 1 else kind), k
        if k == 1:
            continue
        assert kind in ("obj", "twoObj", "titleOnly"), (k, kind)
        bodies = [ph for ph in slide.placeholders if ph.placeholder_format.idx in (1, 2)]
        if kind != "titleOnly":
            assert bodies and bodies[0].text_frame.text.strip(), k


@pytest.mark.parametrize("name", NAMES)
def test_diagrams_are_groups_with_alt_text_and_glued_arrows(decks, name):
    from pptx import Presentation

    prs = Presentation(str(decks[name]))
    arrows = 0
    for k, slide in enumerate(prs.slides, 1):
        for cxn in slide._element.iter("{%s}cxnSp" % NS["p"]):
            arrows += 1
            group = cxn.getparent()
            assert group.tag == "{%s}grpSp" % NS["p"], k  # never a loose arrow
            ids = {e.get("id") for e in group.iter("{%s}cNvPr" % NS["p"])}
            for end in ("a:stCxn", "a:endCxn"):
                glue = cxn.find(f"p:nvCxnSpPr/p:cNvCxnSpPr/{end}", NS)
                assert glue is not None and glue.get("id") in ids, (k, end)
        for group in slide._element.iter("{%s}grpSp" % NS["p"]):
            descr = group.find("p:nvGrpSpPr/p:cNvPr", NS).get("descr", "")
            labels = [_text_of(sp) for sp in group.iter("{%s}sp" % NS["p"])]
            assert len(descr) > 10, k
            assert all(lb[:3] in descr for lb in labels[:2] if lb and "出典" not in lb), \
                (k, descr, labels[:2])
    source = (ALL_KINDS if name == "all-kinds" else ROOT / "specs" / f"{name}.yaml").read_text(
        encoding="utf-8")
    if re.search(r"^\s*- (flow|tree):", source, re.M):
        assert arrows > 0


@pytest.mark.parametrize("name", NAMES)
def test_charts_have_alt_text_and_positive_axis_ids(decks, name):
    from pptx import Presentation

    prs = Presentation(str(decks[name]))
    for slide in prs.slides:
        for shape in flat_shapes(slide.shapes):
            if not shape.has_chart:
                continue
            descr = shape._element.nvGraphicFramePr.cNvPr.get("descr", "")
            cats = list(shape.chart.plots[0].categories)
            assert descr.startswith("横棒グラフ") and all(c in descr for c in cats), descr
            for el in shape.chart._chartSpace.iter("{%s}axId" % NS["c"],
                                                   "{%s}crossAx" % NS["c"]):
                assert int(el.get("val")) > 0


@pytest.mark.parametrize("name", NAMES)
def test_no_shadows_and_theme_accent_is_the_clinics(decks, name):
    profile = (ALL_KINDS.parent if name == "all-kinds" else ROOT / "specs") / "_clinic.yaml"
    accent = re.search(r'accent: "#([0-9A-Fa-f]{6})"', profile.read_text(encoding="utf-8"))
    (theme,) = pptx_parts(decks[name], r"ppt/theme/theme1\.xml").values()
    a1 = theme.find(".//a:clrScheme/a:accent1/a:srgbClr", NS).get("val")
    assert a1 == (accent.group(1).upper() if accent else "1F5C99")
    for eff in theme.iter(A + "effectStyle"):  # no theme effect a shape could refer to
        assert not list(eff.iter(A + "outerShdw")) and not list(eff.iter(A + "effectRef"))
    for k, slide in enumerate(pptx_slides(decks[name]), 1):
        for style in slide.iter("{%s}style" % NS["p"]):
            ref = style.find("a:effectRef", NS)
            assert ref is None or ref.get("idx") == "0", k
        assert not list(slide.iter(A + "outerShdw")), k


def test_the_title_accent_bar_is_decorative(decks):
    first = pptx_slides(decks["disc-resorption"])[0]
    marks = [sp for sp in first.iter("{%s}sp" % NS["p"])
             if sp.find(".//{http://schemas.microsoft.com/office/drawing/2017/decorative}"
                        "decorative") is not None]
    assert len(marks) == 1 and not _text_of(marks[0])


# -- the clinic's own template ----------------------------------------------------------

TINT = "F3EEE0"
LATIN = "DejaVu Sans"
OWN_ACCENT = "8B1F3A"


def make_template(path: Path, width_in: float = 13.333, height_in: float = 7.5,
                  potx: bool = False) -> Path:
    """A clinic template as someone would make it: python-pptx's default, layouts renamed,
    the master's background tinted, another Latin theme font and accent, a sample slide."""
    from pptx import Presentation
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(width_in), Inches(height_in)
    for layout in prs.slide_layouts:
        layout._element.cSld.set("name", "院内 " + layout.name)
    bg = prs.slide_master._element.cSld.find("p:bg", NS)
    for child in list(bg):
        bg.remove(child)
    bg_pr = etree.SubElement(bg, "{%s}bgPr" % NS["p"])
    fill = etree.SubElement(bg_pr, A + "solidFill")
    etree.SubElement(fill, A + "srgbClr", val=TINT)
    etree.SubElement(bg_pr, A + "effectLst")
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme.blob)
    for latin in root.iterfind(".//a:fontScheme//a:latin", NS):
        latin.set("typeface", LATIN)
    a1 = root.find(".//a:clrScheme/a:accent1", NS)
    for child in list(a1):
        a1.remove(child)
    etree.SubElement(a1, A + "srgbClr", val=OWN_ACCENT)
    theme._blob = etree.tostring(root)
    sample = prs.slides.add_slide(prs.slide_layouts[1])
    sample.shapes.title.text = "サンプルのスライド"
    prs.save(path)
    if potx:  # the same package declared as a template
        zin = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                blob = zin.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    blob = blob.replace(b"presentation.main+xml", b"template.main+xml")
                zout.writestr(info, blob)
    return path


SPEC = """title: 院内テンプレートの見本です
audience: patients
reviewed: 2026-01-01
review_by: 2030-01-01
key_points: [テンプレートの上に作ります]
sections:
  - heading: 流れと本文
    blocks:
      - text: 本文は PowerPoint のプレースホルダーに入ります。
      - flow: {steps: [ふだん, 痛み, しびれ]}
"""


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "_clinic.yaml").write_text("name: 架空の医院\naccent: \"#1F6F8B\"\n",
                                           encoding="utf-8")
    (tmp_path / "t.yaml").write_text(SPEC, encoding="utf-8")
    return tmp_path


def _check_on_template(deck: Path, template: Path) -> None:
    from openxml_audit import validate_pptx
    from pptx import Presentation

    from handouts.deck.template import load

    own = load(template).prs  # python-pptx itself does not open a .potx
    prs = Presentation(str(deck))
    assert (prs.slide_width, prs.slide_height) == (own.slide_width, own.slide_height)
    bg = prs.slide_master._element.cSld.find("p:bg/p:bgPr/a:solidFill/a:srgbClr", NS)
    assert bg is not None and bg.get("val") == TINT  # the clinic's master
    names = [s.slide_layout.name for s in prs.slides]
    assert all(n.startswith("院内 ") for n in names), names
    assert names[0] == "院内 Title Slide" and "院内 Title and Content" in names
    texts = [s.shapes.title.text_frame.text for s in prs.slides]
    assert "サンプルのスライド" not in texts  # the template's own slides are not kept
    (theme,) = pptx_parts(deck, r"ppt/theme/theme1\.xml").values()
    minor = theme.find(".//a:minorFont", NS)
    assert minor.find("a:latin", NS).get("typeface") == LATIN
    # python-pptx's theme leaves ea empty and names ＭＳ Ｐゴシック for Japanese (Jpan), as
    # Office does with 游ゴシック: honoured, and written as the ea font LibreOffice reads
    assert minor.find("a:ea", NS).get("typeface") == "ＭＳ Ｐゴシック"
    assert theme.find(".//a:clrScheme/a:accent1/a:srgbClr", NS).get("val") == OWN_ACCENT
    japanese = 0
    for slide in prs.slides:
        for r in slide._element.iter(A + "r"):
            if JAPANESE.search(_text_of(r)):
                japanese += 1
                rpr = r.find(A + "rPr")
                assert rpr.get("lang") == "ja-JP"
                assert rpr.find(A + "latin") is None and rpr.find(A + "ea") is None
    assert japanese > 5
    assert validate_pptx(str(deck)).error_count == 0


def test_build_on_the_clinics_own_template(project, tmp_path):
    template = make_template(tmp_path / "own.pptx")
    out = tmp_path / "out"
    r = run_cli("build", project / "t.yaml", "-o", out, "--format", "pptx,slides",
                "--template", template)
    assert r.returncode == 0, r.stderr
    _check_on_template(out / "t.pptx", template)
    # drawn by LibreOffice: Japanese in BIZ UDPGothic, Latin in the template's own font
    import pdfplumber

    pdf = soffice_convert([out / "t.pptx"], tmp_path / "lo") / "t.pdf"
    with pdfplumber.open(pdf) as doc:
        chars = [c for page in doc.pages for c in page.chars if c["text"].strip()]
    japanese = {c["fontname"] for c in chars if JAPANESE.search(c["text"])}
    latin = {c["fontname"] for c in chars if c["text"].isascii() and c["text"].isalpha()}
    assert japanese and all("BIZUDPGothic" in f for f in japanese), japanese
    assert any("DejaVuSans" in f for f in latin), latin
    default = tmp_path / "default"
    assert run_cli("build", project / "t.yaml", "-o", default, "--format", "pptx").returncode == 0
    from pptx import Presentation

    assert len(Presentation(str(out / "t.pptx")).slides) == \
        len(Presentation(str(default / "t.pptx")).slides)


def test_profile_deck_template_and_the_option_wins(project, tmp_path):
    make_template(project / "院内.potx", potx=True)
    clinic = project / "_clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8") + "deck_template: 院内.potx\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    r = run_cli("build", project / "t.yaml", "-o", out, "--format", "pptx")
    assert r.returncode == 0, r.stderr
    _check_on_template(out / "t.pptx", project / "院内.potx")
    assert "院内.potx" in (out / ".deps" / "t.d").read_text(encoding="utf-8")
    # --template wins over the profile: python-pptx's own layouts, not renamed ones
    plain = tmp_path / "plain.pptx"
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    prs.save(plain)
    r = run_cli("build", project / "t.yaml", "-o", out, "--format", "pptx", "--template", plain)
    assert r.returncode == 0, r.stderr
    names = {s.slide_layout.name for s in Presentation(str(out / "t.pptx")).slides}
    assert "Title Slide" in names and not any(n.startswith("院内") for n in names)


def test_unusable_templates_are_refused_naming_the_file(project, tmp_path):
    portrait = make_template(tmp_path / "portrait.pptx", 7.5, 10)
    text = tmp_path / "notes.pptx"
    text.write_text("not a deck", encoding="utf-8")
    untitled = tmp_path / "untitled.pptx"
    from pptx import Presentation

    prs = Presentation(str(make_template(tmp_path / "base.pptx")))
    for layout in prs.slide_layouts:  # every title placeholder gone
        for sp in list(layout.placeholders):
            if sp.placeholder_format.type in (1, 3):  # TITLE, CENTER_TITLE
                sp._element.getparent().remove(sp._element)
    prs.save(untitled)
    for bad, why in ((portrait, "(0.75:1); decks are planned for landscape slides from 5:4 "
                                "to 2:1"), (text, "not a PowerPoint file"),
                     (tmp_path / "missing.potx", "no such file"),
                     (untitled, "no slide layout has a title placeholder")):
        r = run_cli("build", project / "t.yaml", "-o", tmp_path / "out", "--template", bad)
        assert r.returncode == 1, r.stderr
        assert f"{bad}:1:1: error: cannot use this deck template: " in r.stderr, r.stderr
        assert why in r.stderr and "Traceback" not in r.stderr
    clinic = project / "_clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8") + "deck_template: ../x.pptx\n",
                      encoding="utf-8")
    r = run_cli("build", project / "t.yaml", "-o", tmp_path / "out")
    assert r.returncode == 1 and "_clinic.yaml:3:16: error: deck_template '../x.pptx'" in \
        r.stderr, r.stderr
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
