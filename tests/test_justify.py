"""Japanese line adjustment in the shipped leaflets (A4, A5, large print), read back from the
PDFs: justified lines end on the measure, the A4 measure holds at most 40 characters, and
the line pitch inside a paragraph is steady, ruby lines included.

The typesetter reports where it set each paragraph line (`render(..., probe=[])`); every
reported line is then found in the PDF with pdfplumber, and the checks use the glyph
positions read back from the file."""

import pytest

from conftest import ROOT
from handouts.document import load_document
from handouts.fonts import fonts
from handouts.leaflet.typeset import render
from handouts.spec.loader import topic_specs
from handouts.text.adjust import squeeze_after
from handouts.text.breaking import char_count

STEMS = [p.stem for p in topic_specs(ROOT / "specs")]
VARIANTS = ["pdf", "a5", "large"]


@pytest.fixture(scope="module")
def set_leaflets(tmp_path_factory):
    """{(stem, variant): (pdf path, the lines the typesetter set)}."""
    out = tmp_path_factory.mktemp("justify")
    result = {}
    for stem in STEMS:
        doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
        for variant in VARIANTS:
            probe: list = []
            path = out / f"{stem}.{variant}.pdf"
            render(doc, path, variant, probe)
            result[stem, variant] = path, probe
    return result


def _read_lines(path, probe):
    """Each set line with the glyphs pdfplumber finds on its baseline between its start
    and its measure (plus a hung or squeezed mark)."""
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        chars = {i + 1: [c for c in page.chars if c["upright"]]
                 for i, page in enumerate(pdf.pages)}
        height = pdf.pages[0].height
        for ln in probe:
            if not ln["text"]:
                continue
            y = height - ln["y"]  # pdfplumber measures from the top
            right = ln["x"] + ln["measure"]
            glyphs = sorted((c for c in chars[ln["page"]]
                             if abs(c["matrix"][5] - ln["y"]) < 0.05
                             and ln["x"] - 1 <= c["x0"] <= right + ln["size"]
                             and abs(c["size"] - ln["size"]) < 0.05),
                            key=lambda c: c["x0"])
            assert glyphs, (path.name, ln["text"], y)
            out.append((ln, glyphs))
    return out


def _stretchable(text: str) -> bool:
    """A line that can be spread: more than one character outside Latin words."""
    return any(not ch.isascii() for ch in text) or " " in text


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("stem", STEMS)
def test_full_lines_end_on_the_measure(set_leaflets, stem, variant):
    """Every justified line but a paragraph's last ends within 0.5 pt of the measure: its
    last glyph's advance ends there (a squeezed 、。 gives up at most what its advance has
    over half an em, a hung one lies past the measure); last lines end short of it."""
    path, probe = set_leaflets[stem, variant]
    checked = 0
    for ln, glyphs in _read_lines(path, probe):
        if not ln["justified"]:
            continue
        right = ln["x"] + ln["measure"]
        end = glyphs[-1]["x1"]
        last = glyphs[-1]["text"]
        squeezable = squeeze_after(last, fonts().width(last, ln["size"]), ln["size"])
        if ln["last"] or not _stretchable(ln["text"]):
            assert end <= right + squeezable + 0.5, (ln["text"], end, right)
            continue
        if ln["hang"]:
            assert abs(glyphs[-2]["x1"] - right) <= 0.5 + squeezable, ln["text"]
            assert end > right, ln["text"]
        else:
            assert right - 0.5 <= end <= right + squeezable + 0.5, (
                path.name, ln["text"], round(end - right, 2))
        checked += 1
    assert checked


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("stem", STEMS)
def test_body_lines_hold_at_most_40_characters(set_leaflets, stem, variant):
    """JLREQ's comfortable maximum for horizontal text, counted from the glyphs read back
    at the body size (citation marks and ruby are smaller and not counted) the way JLREQ
    counts a line (字詰め): a full-width character is one, a half-width letter or digit half
    of one. The A4 measure is 40 em; BIZ UDPGothic's proportional kana are narrower than an
    em, so the measure alone let A4 lines hold 41-44 characters: the breaker's cap ends
    them at 40 and justification spreads them."""
    path, probe = set_leaflets[stem, variant]
    body = [(ln, g) for ln, g in _read_lines(path, probe)
            if ln["justified"] and not ln["last"]]
    assert body
    counts = [sum(char_count(c["text"]) for c in g if c["text"].strip()) for _, g in body]
    assert max(counts) <= 40, [ln["text"] for (ln, _), k in zip(body, counts) if k > 40]
    if variant == "pdf":
        full = [ln for ln, _ in body if ln["measure"] >= 39 * ln["size"]]
        assert full, "no A4 body paragraph on the full measure"
        assert all(ln["measure"] <= 40 * ln["size"] + 1e-6 for ln in full)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("stem", STEMS)
def test_line_pitch_is_steady_in_a_paragraph(set_leaflets, stem, variant):
    """The distance between baselines inside a paragraph (on one page) varies by at most
    0.5 pt, lines with ruby included: by the font's metrics the ruby fits in the gap."""
    path, probe = set_leaflets[stem, variant]
    paras: dict = {}
    for ln, glyphs in _read_lines(path, probe):
        paras.setdefault((ln["para"], ln["page"]), []).append(glyphs[0]["matrix"][5])
    for (pid, _), ys in paras.items():
        steps = [a - b for a, b in zip(ys, ys[1:])]
        if len(steps) >= 2:
            assert max(steps) - min(steps) <= 0.5, (stem, variant, steps)


def test_ruby_paragraph_keeps_its_pitch(tmp_path):
    """A paragraph whose middle line has ruby: same baseline distance above and below it,
    and the reading does not reach the line above."""
    from handouts.diagnostics import Mark
    from handouts.leaflet.flowables import Para, Type
    from handouts.text.inline import Rich, Span
    from handouts.text.setting import ruby_top

    spans = (Span("あ" * 50),
             Span("椎間板", ruby="ついかんばん"), Span("い" * 60))
    p = Para(Rich(spans, Mark("x", 1, 1)), Type(12.5, pitch=1.5))
    p.wrap(300, 10_000)
    ys = [p.baseline(k) for k in range(len(p._lines))]
    steps = {round(a - b, 6) for a, b in zip(ys, ys[1:])}
    assert len(steps) == 1
    k = next(i for i, ln in enumerate(p._lines) if "椎間板" in ln.text)
    assert k > 0
    descent = fonts().faces["body"].descent
    assert ys[k] + (ruby_top() + 0.11) * 12.5 <= ys[k - 1] - descent * 12.5 + 1e-6


@pytest.mark.parametrize("variant", VARIANTS)
def test_pages_laid_out_without_drawing_are_the_pages_written(set_leaflets, variant):
    """`check` lays the leaflet out without drawing or writing it (render to None): every
    line lands on the same page, at the same place, with the same text as in the file."""
    for stem in STEMS:
        doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
        probe: list = []
        render(doc, None, variant, probe)
        written = set_leaflets[stem, variant][1]
        assert probe == written, stem
        assert max(p["page"] for p in probe) >= 3  # every shipped leaflet has 3 or more
