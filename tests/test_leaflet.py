"""Leaflets: Japanese typography and PDF hygiene measured on the real PDFs of every topic."""

import re
import subprocess
from pathlib import Path
from collections import Counter

import pytest

from conftest import ALL_KINDS, ROOT, need, pdffonts, pdftotext, run_cli
from handouts.document import load_document
from handouts.spec.loader import topic_specs
from handouts.text.breaking import violations

SPECS = topic_specs(ROOT / "specs")
STEMS = [p.stem for p in SPECS]


FOOTER = 24 * 72 / 25.4  # the footer band at the foot of every page


def footer_top(page) -> float:
    """The footer's rule: the lowest line across the page (large print has a taller footer)."""
    rules = [ln["top"] for ln in page.lines if ln["x1"] - ln["x0"] > page.width * 0.6]
    return max(rules, default=page.height - FOOTER)


def _chars(pdf_path, body_only: bool = False):
    """Characters with their page index; `body_only` drops the footer band and everything
    from the 「参考文献」 heading on (small print by design)."""
    import pdfplumber

    out = []
    with pdfplumber.open(pdf_path) as pdf:
        in_refs = False
        for k, page in enumerate(pdf.pages):
            chars = [c for c in page.chars if c["text"].strip()]
            if body_only:
                chars = [c for c in chars if c["bottom"] < footer_top(page)]
                text = "".join(c["text"] for c in chars)
                at = text.find("参考文献")
                if in_refs:
                    chars = []
                elif at >= 0:
                    chars, in_refs = chars[:at], True
            out += [(k, c) for c in chars]
    return out


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("variant", ["", ".large"])
def test_no_kinsoku_violation_in_extracted_lines(shipped_build, stem, variant):
    text = pdftotext(shipped_build / f"{stem}{variant}.pdf")
    for page in text.split("\f"):
        lines = [ln for ln in page.splitlines() if ln.strip()]
        assert violations(lines) == [], stem


CITE_CHARS = set("[],0123456789")


def _is_ruby(c, chars) -> bool:
    """A reading set small directly above a full-size base character."""
    return any(b["size"] > 1.5 * c["size"] and abs(b["top"] - c["bottom"]) < 0.2 * b["size"]
               and b["x0"] < c["x1"] and c["x0"] < b["x1"] for b in chars)


def _is_cite(c, chars) -> bool:
    """A citation marker: digits and brackets set small beside full-size text on its line."""
    return c["text"] in CITE_CHARS and any(
        b["size"] > 1.4 * c["size"] and b["top"] < c["bottom"] and c["top"] < b["bottom"]
        for b in chars)


def _lines(chars):
    """Characters grouped into lines by baseline (rounded bottom), each sorted by x."""
    rows = {}
    for c in chars:
        rows.setdefault((c["page_number"], round(c["bottom"] - 0.12 * c["size"])), []).append(c)
    return [sorted(r, key=lambda c: c["x0"]) for _, r in sorted(rows.items())]


def body_chars(pdf_path):
    """The body: every character outside the footer band and the small print (the
    reference list and chart source lines), minus ruby readings and citation markers,
    which are set small above or beside the body text on purpose."""
    chars = [c for _, c in _chars(pdf_path, body_only=True)]
    by_page = {}
    for c in chars:
        by_page.setdefault(c["page_number"], []).append(c)
    out = []
    for line in _lines(chars):
        if "".join(c["text"] for c in line).startswith("出典："):
            continue
        page = by_page[line[0]["page_number"]]
        out += [c for c in line if not (_is_ruby(c, page) or _is_cite(c, page))]
    return out


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("variant,minimum", [("", 12.0), (".large", 14.0)])
def test_body_size(shipped_build, stem, variant, minimum):
    chars = body_chars(shipped_build / f"{stem}{variant}.pdf")
    assert len(chars) > 300
    small = [(c["text"], round(c["size"], 2)) for c in chars if c["size"] < minimum - 0.01]
    assert small == [], small[:20]


@pytest.mark.parametrize("stem", STEMS)
def test_line_pitch_is_1_5_to_1_8(shipped_build, stem):
    """Consecutive lines of body text in one column: 1.5–1.8 × the size apart."""
    chars = body_chars(shipped_build / f"{stem}.pdf")
    body = Counter(c["size"] for c in chars).most_common(1)[0][0]
    lines = _lines(chars)
    pitches = []
    for a, b in zip(lines, lines[1:]):
        size = a[0]["size"]
        if (a[0]["page_number"] == b[0]["page_number"] and size == b[0]["size"] == body
                and abs(a[0]["x0"] - b[0]["x0"]) < 2):
            pitches.append(round((b[0]["bottom"] - a[0]["bottom"]) / size, 2))
    assert len(pitches) >= 10
    assert min(pitches) >= 1.5 - 0.01, sorted(pitches)[:5]
    assert Counter(pitches).most_common(1)[0][0] <= 1.8, Counter(pitches).most_common(3)


@pytest.mark.parametrize("stem", STEMS)
def test_ruby_clear_of_the_line_above(shipped_build, stem):
    chars = [c for _, c in _chars(shipped_build / f"{stem}.pdf")]
    ruby = [c for c in chars if _is_ruby(c, chars)]
    for r in ruby:
        above = [c["bottom"] for c in chars if c["top"] < r["top"]
                 and c["page_number"] == r["page_number"] and c["size"] > r["size"]
                 and c["x0"] < r["x1"] + 30 and r["x0"] - 30 < c["x1"]]
        if above:
            gap = r["top"] - max(above)
            assert gap >= 0.1 * 2 * r["size"], (r["text"], gap)


@pytest.mark.parametrize("variant", ["", ".large", ".a5"])
@pytest.mark.parametrize("stem", STEMS)
def test_no_heading_ends_a_page(shipped_build, stem, variant):
    """The last line above the footer of a page that continues is never a heading (a
    float, the help boxes opening the next page, included)."""
    chars = [c for _, c in _chars(shipped_build / f"{stem}{variant}.pdf", body_only=True)]
    body = Counter(round(c["size"], 1) for c in chars).most_common(1)[0][0]
    pages = max(c["page_number"] for c in chars)
    for p in range(1, pages):
        last = _lines([c for c in chars if c["page_number"] == p])[-1]
        assert max(c["size"] for c in last) < body + 3, "".join(c["text"] for c in last)


@pytest.mark.parametrize("stem", STEMS)
def test_headings_are_at_least_body_plus_2(shipped_build, stem):
    doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
    chars = _chars(shipped_build / f"{stem}.pdf")
    body = Counter(round(c["size"], 1) for _, c in chars).most_common(1)[0][0]
    text_by_size = {}
    for _, c in chars:
        text_by_size.setdefault(round(c["size"], 1), []).append(c["text"])
    heading_sizes = {s for s, t in text_by_size.items() if s >= body + 2}
    heading_text = "".join("".join(text_by_size[s]) for s in heading_sizes)
    for sec in doc.sections_for("handout"):
        assert sec.heading.plain.replace(" ", "")[:6] in heading_text, sec.heading.plain


@pytest.mark.parametrize("stem", STEMS)
def test_title_headings_present_and_text_clean(shipped_build, stem):
    doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
    text = pdftotext(shipped_build / f"{stem}.pdf")
    flat = re.sub(r"\s+", "", text)
    assert "\x00" not in text and "\ufffd" not in text
    assert re.sub(r"\s+", "", doc.title.plain) in flat
    for sec in doc.sections_for("handout"):
        assert re.sub(r"\s+", "", sec.heading.plain) in flat, sec.heading.plain


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("variant", ["", ".large", ".print"])
def test_fonts_embedded_and_subset(shipped_build, stem, variant):
    fonts = pdffonts(shipped_build / f"{stem}{variant}.pdf")
    assert fonts
    for f in fonts:
        assert f["emb"] == "yes" and f["sub"] == "yes", f
        assert re.match(r"[A-Z]{6}\+(BIZUD|DejaVu)", f["name"]), f


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("variant", ["", ".large", ".print"])
def test_qpdf_check_and_metadata(shipped_build, stem, variant):
    pdf = shipped_build / f"{stem}{variant}.pdf"
    r = subprocess.run([need("qpdf"), "--check", str(pdf)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    info = subprocess.run([need("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip() and fields["Author"].strip() and fields["Subject"].strip()
    assert b"/Lang (ja-JP)" in pdf.read_bytes()


# A decision after the clinical review (issue 22): an A4 patient leaflet may run to three pages
# (MAX_PAGES). Two is not met: the help section alone takes about 675 pt of a 731 pt page
# body, and content past two pages is 313-623 pt a topic (README, "Three A4 pages").
@pytest.mark.parametrize("stem", STEMS)
def test_patient_leaflets_fit_three_a4_pages(shipped_build, stem):
    from handouts.leaflet.variant import MAX_PAGES

    doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
    import pdfplumber

    with pdfplumber.open(shipped_build / f"{stem}.pdf") as pdf:
        pages = len(pdf.pages)
        assert all(abs(p.width - 595.3) < 1 and abs(p.height - 841.9) < 1 for p in pdf.pages)
    assert MAX_PAGES == 3
    if doc.audience == "patients":
        assert pages <= 3, pages


def _line_of(words, text: str):
    return next(w for w in words if w["text"].startswith(text))


def test_emergency_signs_in_two_columns_when_short(shipped_build):
    """The go-now box's first six signs (short, early ones) sit in two columns on A4, read
    down the left column first, the rows level although the fourth sign (the right
    column's first) has ruby; the longer ones run across the box; in large print, where
    they would not fit, one column."""
    import pdfplumber

    first, second, third, fourth, fifth = ("おしっこが出にくい、いきおい", "おしっこが出ている",
                                           "便がたまった", "おしり・", "両足が")
    with pdfplumber.open(shipped_build / "red-flag-weakness.pdf") as pdf:
        words = [w for p in pdf.pages for w in p.extract_words(keep_blank_chars=True)]
        a, b, c, d, e = (_line_of(words, t) for t in (first, second, third, fourth, fifth))
        assert abs(a["bottom"] - d["bottom"]) < 0.05 and d["x0"] > pdf.pages[0].width * 0.45
        assert abs(b["bottom"] - e["bottom"]) < 0.05 and abs(d["x0"] - e["x0"]) < 1
        assert abs(a["x0"] - b["x0"]) < 1 and abs(a["x0"] - c["x0"]) < 1
        assert a["bottom"] < b["top"] and b["bottom"] < c["top"]
        later = _line_of(words, "がんになったことがあり")
        assert abs(later["x0"] - a["x0"]) < 1 and later["top"] > c["bottom"]
    with pdfplumber.open(shipped_build / "red-flag-weakness.large.pdf") as pdf:
        words = [w for p in pdf.pages for w in p.extract_words(keep_blank_chars=True)]
        a, d = _line_of(words, first), _line_of(words, fourth)
        assert abs(a["x0"] - d["x0"]) < 1


@pytest.mark.parametrize("stem", STEMS)
def test_footer_on_every_page(shipped_build, stem):
    doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
    text = pdftotext(shipped_build / f"{stem}.pdf")
    pages = [p for p in text.split("\f") if p.strip()]
    for k, page in enumerate(pages, 1):
        assert f"{k}/{len(pages)}" in page
        assert doc.clinic.name[:8] in page and doc.clinic.phone in page
        assert f"{doc.review_by:%Y-%m-%d}" in page


@pytest.mark.parametrize("stem", STEMS[:2])
def test_print_variant_has_bleed_trim_and_crop_marks(shipped_build, stem):
    out = subprocess.run([need("pdfinfo"), "-box", str(shipped_build / f"{stem}.print.pdf")],
                         capture_output=True, text=True, check=True).stdout
    box = {m[1]: [float(x) for x in m[2].split()] for m in
           re.finditer(r"^(\w+Box):\s+(.+)$", out, re.M)}
    trim, bleed, media = box["TrimBox"], box["BleedBox"], box["MediaBox"]
    mm3 = 3 * 72 / 25.4
    assert abs((trim[2] - trim[0]) - 595.28) < 0.5 and abs((trim[3] - trim[1]) - 841.89) < 0.5
    for i in (0, 1):
        assert abs(trim[i] - bleed[i] - mm3) < 0.1
        assert abs(bleed[i + 2] - trim[i + 2] - mm3) < 0.1
        assert media[i] < bleed[i] and media[i + 2] > bleed[i + 2]  # room for the marks
    import pdfplumber

    with pdfplumber.open(shipped_build / f"{stem}.print.pdf") as pdf:
        page = pdf.pages[0]
        marks = [ln for ln in page.lines if ln["x1"] < bleed[0] or ln["x0"] > bleed[2]
                 or ln["top"] > page.height - bleed[1] or ln["bottom"] < page.height - bleed[3]]
        assert len(marks) >= 8  # two per corner


def test_a5_and_same_bytes(tmp_path):
    for out in ("a", "b"):
        r = run_cli("build", ALL_KINDS, "-o", tmp_path / out, "--format", "a5,pdf,print,a5print")
        assert r.returncode == 0, r.stderr
    import pdfplumber

    with pdfplumber.open(tmp_path / "a" / "all-kinds.a5.pdf") as pdf:
        assert abs(pdf.pages[0].width - 419.5) < 1 and abs(pdf.pages[0].height - 595.3) < 1
    for name in ("all-kinds.a5.pdf", "all-kinds.pdf", "all-kinds.print.pdf",
                 "all-kinds.a5.print.pdf"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_symbols_fall_back_to_dejavu_not_tofu(tmp_path):
    spec = tmp_path / "sym.yaml"
    (tmp_path / "_clinic.yaml").write_text("name: 架空の医院\n", encoding="utf-8")
    spec.write_text("title: 記号の見本です\naudience: patients\nreviewed: 2026-01-01\n"
                    "review_by: 2099-01-01\nkey_points: [注意 ⚠ と ✔ と ☎ です]\n"
                    "sections:\n  - heading: 見出しです\n    blocks: [{text: 本文です。}]\n",
                    encoding="utf-8")
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf")
    assert r.returncode == 0, r.stderr
    text = pdftotext(tmp_path / "out" / "sym.pdf")
    assert "⚠" in text and "✔" in text and "☎" in text
    assert any("DejaVu" in f["name"] for f in pdffonts(tmp_path / "out" / "sym.pdf"))


def _rgb(color):
    from reportlab.lib import colors

    if color is None:
        return colors.black
    v = list(color) if isinstance(color, (list, tuple)) else [color]
    if len(v) == 1:
        return colors.Color(v[0], v[0], v[0])
    if len(v) == 4:  # CMYK
        c, m, y, k = v
        return colors.Color((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return colors.Color(*v[:3])


@pytest.mark.parametrize("stem", STEMS)
def test_text_contrast_at_least_4_5(shipped_build, stem):
    """Every character against the filled shape behind it (title band, boxes) or paper."""
    import pdfplumber
    from reportlab.lib import colors

    from handouts.leaflet.colour import contrast

    with pdfplumber.open(shipped_build / f"{stem}.pdf") as pdf:
        for page in pdf.pages:
            fills = [r for r in page.rects if r["fill"] and r["width"] > 20]
            for c in page.chars:
                cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
                under = [r for r in fills
                         if r["x0"] <= cx <= r["x1"] and r["top"] <= cy <= r["bottom"]]
                bg = _rgb(under[-1]["non_stroking_color"]) if under else colors.white
                ratio = contrast(_rgb(c["non_stroking_color"]), bg)
                assert ratio >= 4.5, (c["text"], c["non_stroking_color"], ratio)


def test_light_accent_is_darkened_until_readable():
    from reportlab.lib import colors

    from handouts.leaflet.colour import KEY_FILL, contrast, readable

    light = colors.HexColor("#FFD54F")
    assert contrast(light, colors.white) < 2  # too pale as given
    ink = readable(light, colors.white, KEY_FILL)
    assert contrast(ink, colors.white) >= 4.5 and contrast(ink, KEY_FILL) >= 4.5


def test_crop_marks_are_5mm_outside_the_bleed(shipped_build):
    import pdfplumber

    mm = 72 / 25.4
    with pdfplumber.open(shipped_build / "disc-resorption.print.pdf") as pdf:
        page = pdf.pages[-1]
        trim = page.trimbox if hasattr(page, "trimbox") else None
        lines = [ln for ln in page.lines if ln["x1"] < 12 * mm or ln["x0"] > page.width - 12 * mm
                 or ln["bottom"] < 12 * mm or ln["top"] > page.height - 12 * mm]
    lengths = sorted(round(max(ln["x1"] - ln["x0"], ln["bottom"] - ln["top"]) / mm, 1)
                     for ln in lines)
    # two 5 mm marks per corner; a centre mark (5 mm on the centre line, 10 mm across) a side
    assert len(lengths) == 16, (lengths, trim)
    assert all(4.5 <= x <= 5.5 for x in lengths[:12]) and all(9.5 <= x <= 10.5
                                                                for x in lengths[12:]), lengths
    centre = [ln for ln in lines if abs((ln["x0"] + ln["x1"]) / 2 - page.width / 2) < 0.5
              or abs((ln["top"] + ln["bottom"]) / 2 - page.height / 2) < 0.5]
    assert len(centre) == 8


def _spec(tmp_path, extra: str = "", clinic: str = "name: 架空の医院\n") -> Path:
    (tmp_path / "_clinic.yaml").write_text(clinic, encoding="utf-8")
    spec = tmp_path / "t.yaml"
    spec.write_text("title: 文字の見本です\naudience: patients\nreviewed: 2026-01-01\n"
                    "review_by: 2099-01-01\nkey_points: [本文です]\n"
                    "sections:\n  - heading: 見出しです\n    blocks:\n"
                    "      - text: 本文です。\n" + extra, encoding="utf-8")
    return spec


def test_missing_glyph_in_chart_label_is_an_error(tmp_path):
    spec = _spec(tmp_path, "      - chart: {unit: 人, source: r1, data: {初心者🔰: 3, ほか: 5}}\n"
                 "references:\n  - {id: r1, cite: Doe J. Test. 2020;1:1-2.}\n")
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf")
    assert r.returncode == 1
    assert f"{spec}:" in r.stderr and "U+1F530" in r.stderr, r.stderr
    assert not (tmp_path / "out" / "t.pdf").exists()


def test_missing_glyph_in_clinic_profile_is_an_error_at_its_line(tmp_path):
    spec = _spec(tmp_path, clinic="name: 架空の医院\nhours: 月〜金 🕘 9:00〜\n")
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf")
    assert r.returncode == 1
    assert f"{tmp_path / '_clinic.yaml'}:2:" in r.stderr and "U+1F558" in r.stderr, r.stderr


def test_diagram_taller_than_a_page_is_a_located_error(tmp_path):
    chain = "{label: 最後の段です}"
    for k in range(14):
        chain = "{label: 段%d, note: 説明の文です, children: [%s]}" % (k, chain)
    spec = _spec(tmp_path, "      - tree: {root: %s}\n" % chain)
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf")
    assert r.returncode == 1
    assert f"{spec}:10:9: error: [fit] tree diagram is taller than a page" in r.stderr, r.stderr


def test_no_one_character_last_line():
    """21 characters in a 20-character measure would leave one alone on the last line."""
    from handouts.fonts import fonts
    from handouts.leaflet.flowables import Para, Type
    from handouts.text.inline import plain

    text = "あいうえおかきくけこさしすせそたちつてとな"
    width = fonts().width("あ", 12.5) * 20
    para = Para(plain(text), Type(12.5))
    para.wrap(width, 1000)
    lines = [ln.text for ln in para._lines]
    assert len(lines) == 2 and len(lines[-1]) >= 3, lines
    assert "".join(lines) == text


def test_a_box_split_across_pages_repeats_its_title_as_continued(tmp_path):
    (tmp_path / "_clinic.yaml").write_text("name: 架空の医院\n", encoding="utf-8")
    items = ", ".join(f"{i}番目の受診のめやすです。足に力が入らない、しびれが強くなる、"
                      "などの変化が続くとき" for i in range(1, 41))
    spec = tmp_path / "long.yaml"
    spec.write_text("title: 長い囲みの見本です\naudience: patients\nreviewed: 2026-01-01\n"
                    "review_by: 2099-01-01\nkey_points: [要点です]\nsections:\n"
                    "  - heading: 見出しです\n    blocks:\n"
                    f"      - callout: {{kind: danger, title: 今すぐ救急へ, items: [{items}]}}\n",
                    encoding="utf-8")
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf")
    assert r.returncode == 0, r.stderr
    pages = pdftotext(tmp_path / "out" / "long.pdf").split("\f")
    assert len([p for p in pages if p.strip()]) >= 2
    boxed = [p for p in pages if "番目" in p]
    assert len(boxed) >= 2 and "今すぐ救急へ（続き）" not in boxed[0].replace(" ", "")
    # taller than a page, the box starts on the first page rather than leave it empty
    assert "1番目" in pages[0]
    for page in boxed[1:]:  # every later page of the box starts with its title again
        first, second = [ln.strip() for ln in page.splitlines() if ln.strip()][:2]
        assert first.replace(" ", "") == "今すぐ救急へ（続き）", page[:200]
        assert re.match(r"\d+番目", second), page[:200]  # no lone last line of an item
    text = "".join(pages)
    assert all(f"{i}番目" in text for i in range(1, 41))  # nothing lost at the splits


def test_a_split_box_leaves_no_lone_item_and_no_title_alone():
    """A box split over pages carries at least two of its items onto the next page, and
    no part of it is only its (continued) title."""
    from reportlab.platypus import Spacer

    from handouts.leaflet.flowables import Box, Para, Type
    from handouts.text.inline import plain

    t = Type(12.0)
    title = Para(plain("今すぐ救急へ"), t)
    again = [Para(plain("今すぐ救急へ（続き）"), t), Spacer(1, 3)]
    items = [Para(plain(f"項目{i}です"), t) for i in range(8)]
    box = Box([title, Spacer(1, 3)] + items, pad=8, gap=2, title_again=again)
    _, whole = box.wrap(300, 10_000)
    one_line = items[0].wrap(300, 100)[1] + 2
    head, rest = box.split(300, whole - one_line)  # room for all but the last item
    assert [c for c in rest.children if c in items] == items[-2:]
    assert [c for c in head.children if c in items] == items[:-2]
    title_only = again[0].wrap(300, 100)[1] + 2 * 8 + 6
    assert box.split(300, title_only) == [] and Box(again + items[-2:], pad=8, gap=2,
                                                     title_again=again).split(300, title_only) == []
