"""Every page of every variant, read back from the real files: the go-now box whole, pages
filled, large print that is large, office-printer margins, no short last lines, exercise
cards on one grid, and tagged, linked, bookmarked slides and notes PDFs; unique font
subset tags and one date in every file."""

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, need, pdffonts, pdftotext, run_cli, struct_headings
from handouts.document import Callout, load_document
from handouts.spec.loader import topic_specs

SPECS = topic_specs(ROOT / "specs")
STEMS = [p.stem for p in SPECS]
LEAFLETS = ["", ".large", ".a5", ".print", ".a5.print"]
OFFICE = ["", ".large", ".a5"]  # printed on office printers
MM = 72 / 25.4
CLOSING = "、。，．！？」）』】"


def _doc(stem: str):
    return load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()


def _go_now(doc) -> Callout:
    return next(b for s in doc.sections_for("handout") for b in s.for_target("handout")
                if isinstance(b, Callout) and b.level == "danger")


def _trim(page) -> tuple[float, float, float, float]:
    """The trimmed page (x0, top, x1, bottom) in pdfplumber's coordinates: the print-shop
    files carry bleed and crop marks around it."""
    box = page.page_obj.attrs.get("TrimBox")
    if box is None:
        return 0.0, 0.0, float(page.width), float(page.height)
    x0, y0, x1, y1 = (float(v) for v in box)
    return x0, float(page.height) - y1, x1, float(page.height) - y0


def _footer_top(page) -> float:
    rules = [ln["top"] for ln in page.lines if ln["x1"] - ln["x0"] > page.width * 0.6]
    return max(rules)


# -- the go-now box ------------------------------------------------------------------------
@pytest.mark.parametrize("variant", LEAFLETS)
@pytest.mark.parametrize("stem", STEMS)
def test_go_now_box_whole_on_one_page(shipped_build, stem, variant):
    """The go-now box's title and every one of its signs on one page, never 「（続き）」."""
    import pdfplumber

    box = _go_now(_doc(stem))
    signs = [re.sub(r"\[[\d,]+\]", "", item.plain)[:10] for item in box.items]
    with pdfplumber.open(shipped_build / f"{stem}{variant}.pdf") as pdf:
        pages = ["".join(c["text"] for c in p.chars) for p in pdf.pages]
    on = [i for i, text in enumerate(pages) if box.title.plain in text]
    assert len(on) == 1, on
    assert all(sign in pages[on[0]] for sign in signs), [s for s in signs
                                                         if s not in pages[on[0]]]
    assert box.title.plain + "（続き）" not in "".join(pages)


def _find(pages: list[list[dict]], text: str,
          after: tuple[int, int] = (0, -1)) -> tuple[int, int, float]:
    """(page index, index among the page's characters, top) of the first character of
    `text`'s first occurrence after the position `after` (page, index) in the pages'
    characters, in the order drawn (white space left out; readings are outlines)."""
    text = re.sub(r"\s", "", text)
    for k, chars in enumerate(pages):
        if k < after[0]:
            continue
        chars = [c for c in chars if c["text"].strip()]
        at = "".join(c["text"] for c in chars).find(text, after[1] + 1 if k == after[0] else 0)
        if at >= 0:
            return k, at, chars[at]["top"]
    raise AssertionError(f"「{text}」 is on no page after {after}")


def _start(rich) -> str:
    """The first characters of a paragraph or item, citation marks left out."""
    return re.sub(r"\[[\d,–-]+\]", "", rich.plain)[:8]


@pytest.mark.parametrize("variant", LEAFLETS)
@pytest.mark.parametrize("stem", STEMS)
def test_help_section_follows_the_key_points_and_nothing_later_comes_first(
        shipped_build, stem, variant):
    """Clinical review: the help heading, its introduction (stretches: ask your doctor
    before you start) and the whole go-now box are together on page 1, after the key
    points; the today and the soon box follow, each whole on one page; no later section
    comes before any help box, in the order drawn or on the page."""
    import pdfplumber

    doc = _doc(stem)
    sections = doc.sections_for("handout")
    k = next(i for i, s in enumerate(sections) if any(
        isinstance(b, Callout) and b.level == "danger" for b in s.for_target("handout")))
    assert k == 0, "the shipped topics put the help section first"
    blocks = sections[k].for_target("handout")
    boxes = [b for b in blocks if isinstance(b, Callout)]
    intros = [b.text for b in blocks[:blocks.index(boxes[0])]]
    with pdfplumber.open(shipped_build / f"{stem}{variant}.pdf") as pdf:
        pages = [p.chars for p in pdf.pages]
        pdf_pages = list(pdf.pages)
        pushed = _lead_pushed_over(pdf, doc)
    key = _find(pages, _start(doc.key_points[-1]))
    head = _find(pages, sections[k].heading.plain, key[:2])
    intro = [_find(pages, _start(r), head[:2]) for r in intros]
    last = intro[-1] if intro else head
    for box in boxes:
        title = _find(pages, box.title.plain, last[:2])
        last = title
        for item in box.items:
            sign = _find(pages, _start(item), last[:2])
            assert sign[0] == title[0] and sign[2] > title[2], (box.title.plain, item.plain)
            last = sign
        if box.level == "danger":  # the help heading, its introduction and this box
            go_now = title
            body = _body_text(pdf_pages[head[0]])
            if title[0] != head[0]:  # together taller than a page (stretches A5): the
                # introduction ends the heading's page, saying that the box follows
                # (alone it read as the whole help section), and the box opens the next one
                assert title[:2] == (head[0] + 1, 0) and intro, (head, intro, title)
                assert {p for p, _, _ in intro} == {head[0]}
                end = re.sub(r"\[[\d,–-]+\]", "", intros[-1].plain)[-8:]
                assert body.endswith(end + "→次のページへ続く"), body[-30:]
            else:
                assert "次のページへ続く" not in body
    for later in sections[k + 1:]:  # drawn after the last sign, and lower on its page
        at = _find(pages, later.heading.plain, key[:2])
        assert at[:2] > last[:2] and (at[0] > last[0] or at[2] > last[2]), later.heading.plain
    # page 1 (under the key points) unless it cannot hold the heading through the go-now
    # box: then they open page 2, and page 1 holds the key points alone
    assert head[0] == 0 or pushed, (head, go_now)
    if variant in ("", ".print"):  # A4 holds it all on page 1
        assert head[0] == go_now[0] == 0, (head, go_now)


def test_go_now_box_opens_the_next_page_rather_than_split(tmp_path):
    """The help boxes together are taller than an A5 page and follow the key points, so
    the go-now box would start half way down page 1 (where it used to be split, its late
    signs overleaf): it opens the next page whole (page 1 keeps the key points: nothing
    after the box may move ahead of it), and only the box after it may go on overleaf."""
    import pdfplumber

    (tmp_path / "_clinic.yaml").write_text("name: 架空の医院\n", encoding="utf-8")
    signs = ", ".join(f"{i}番目のサインがあるとき、ふだんと違うと感じたら、すぐに" for i in range(1, 11))
    spec = tmp_path / "push.yaml"
    spec.write_text(
        "title: 受診の目安の置き方を試します\naudience: patients\nreviewed: 2026-01-01\n"
        "review_by: 2099-01-01\nkey_points: ["
        + ", ".join(f"{i}つ目の要点です。長めに書いて二行になるようにしています" for i in range(1, 6))
        + "]\nsections:\n  - heading: 受診の目安です\n    blocks:\n"
        f"      - callout: {{kind: danger, title: 今すぐ救急へ, items: [{signs}]}}\n"
        "      - callout: {kind: warning, title: 今日か明日に受診, items: ["
        + ", ".join(f"{i}番目の今日か明日のサインです" for i in range(1, 16)) + "]}\n"
        "  - heading: あとの文章です\n    blocks:\n"
        f"      - text: {'あとに続く文章です。' * 20}\n", encoding="utf-8")
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf,a5")
    assert r.returncode == 0, r.stderr
    for name in ("push.pdf", "push.a5.pdf"):
        with pdfplumber.open(tmp_path / "out" / name) as pdf:
            pages = ["".join(c["text"] for c in p.chars) for p in pdf.pages]
        on = [i for i, text in enumerate(pages) if "今すぐ救急へ" in text]
        assert len(on) == 1 and all(f"{i}番目のサイン" in pages[on[0]]
                                    for i in range(1, 11)), name
        assert "今すぐ救急へ（続き）" not in "".join(pages)


def test_boxes_after_a_long_introduction_follow_it_in_order_each_whole(tmp_path):
    """A help section with a long introduction before its boxes: the introduction, the
    go-now box and the today box come in the order written, each box whole on one page
    (never 「（続き）」), the go-now box on the introduction's page (or opening the next one
    when they are taller than a page together), and the next section
    only after the last sign of the last box, on the page and in the reading order (the
    float that moved it up ahead of the boxes is gone: clinical review)."""
    import pdfplumber

    (tmp_path / "_clinic.yaml").write_text("name: 架空の医院\n", encoding="utf-8")
    signs = ", ".join(f"{i}番目のサインがあるとき、ふだんと違うと感じたら、すぐに救急へ行ってください"
                      for i in range(1, 11))
    spec = tmp_path / "intro.yaml"
    spec.write_text(
        "title: 受診の目安の置き方を試します\naudience: patients\nreviewed: 2026-01-01\n"
        "review_by: 2099-01-01\nkey_points: [一つ目の要点です。, 二つ目の要点です。]\n"
        "sections:\n  - heading: 受診の目安です\n    blocks:\n"
        f"      - text: {'受診の目安の前に読む文章です。' * 55}最後の一文です。\n"
        f"      - callout: {{kind: danger, title: 今すぐ救急へ, items: [{signs}]}}\n"
        "      - callout: {kind: warning, title: 今日か明日に受診, items: ["
        + ", ".join(f"{i}番目の今日か明日のサインです" for i in range(1, 9)) + "]}\n"
        "  - heading: あとの文章です\n    blocks:\n"
        f"      - text: {'あとに続く文章です。' * 8}\n", encoding="utf-8")
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf,a5")
    assert r.returncode == 0, r.stderr
    for name in ("intro.pdf", "intro.a5.pdf"):
        pdf_path = tmp_path / "out" / name
        with pdfplumber.open(pdf_path) as pdf:
            pages = [p.chars for p in pdf.pages]
        text = "".join(c["text"] for p in pages for c in p)
        assert "（続き）" not in text, name
        intro = _find(pages, "最後の一文です。")
        now = _find(pages, "今すぐ救急へ", intro[:2])
        last = now
        for i in range(1, 11):
            last = _find(pages, f"{i}番目のサインがあるとき", last[:2])
            assert last[0] == now[0], (name, i)
        # heading, introduction and go-now box kept together; taller than a page together
        # (A5), the introduction ends its page and the box opens the next one
        assert now[0] == intro[0] or now[:2] == (intro[0] + 1, 0), (name, intro, now)
        today = _find(pages, "今日か明日に受診", last[:2])
        last = today
        for i in range(1, 9):
            last = _find(pages, f"{i}番目の今日か明日", last[:2])
            assert last[0] == today[0], (name, i)
        after = _find(pages, "あとの文章です")
        assert after[:2] > last[:2] and (after[0] > last[0] or after[2] > last[2]), name
        tree = subprocess.run([need("pdfinfo"), "-struct-text", str(pdf_path)],
                              capture_output=True, text=True, check=True).stdout
        h2 = [text for level, text in struct_headings(tree) if level == "H2"]
        assert h2 == ["この紙でいちばん伝えたいこと", "受診の目安です", "あとの文章です"], h2
        assert tree.index("今日か明日に受診") < tree.index("あとに続く文章")


def test_help_boxes_are_read_right_after_the_key_points(shipped_build):
    """Printed overleaf of the sections after them (a float), the help boxes still come
    second in the reading order (the structure tree): key points, help boxes, the rest."""
    for stem in STEMS:
        for variant in LEAFLETS:
            tree = subprocess.run([need("pdfinfo"), "-struct-text",
                                   str(shipped_build / f"{stem}{variant}.pdf")],
                                  capture_output=True, text=True, check=True).stdout
            h2 = [text for level, text in struct_headings(tree) if level == "H2"]
            assert h2[:2] == ["この紙でいちばん伝えたいこと", "受診の目安（急ぐ順）"], (stem, h2)


# -- pages filled --------------------------------------------------------------------------
def _body(page, first: bool) -> tuple[float, float, float]:
    """(start, end, floor) of the body area: from under the title band (page 1) or the top
    margin, down to where the content reaches, and the floor above the footer's rule."""
    x0, top, x1, bottom = _trim(page)
    rule = _footer_top(page)
    inside = [o for o in page.chars + page.rects + page.curves + page.lines + page.images
              if o["top"] >= top and o["bottom"] < rule - 1 and o["x0"] >= x0 - 0.5
              and o["x1"] <= x1 + 0.5]
    if first:
        band = [r for r in page.rects if r["top"] <= top + 1 and r["width"] > page.width * 0.8]
        start = max(r["bottom"] for r in band)
    else:
        start = top + 10 * MM  # the top margin (12 mm, less a little)
    body = [o for o in inside if o["top"] >= start - 0.5]
    end = max((o["bottom"] for o in body), default=start)
    return start, end, rule - 4 * MM


def _body_text(page) -> str:
    """The text above the footer, without white space and citation marks."""
    rule = _footer_top(page)
    text = "".join(c["text"] for c in page.chars if c["bottom"] < rule and c["text"].strip())
    return re.sub(r"\[[\d,–-]+\]", "", text)


def _fill(page, first: bool) -> float:
    """How far down the body area the content reaches (0–1)."""
    start, end, floor = _body(page, first)
    return (end - start) / (floor - start)


def _lead_pushed_over(pdf, doc) -> bool:
    """The help heading opens page 2 because it and everything through the go-now box
    (measured there: heading top to the last sign's foot, less than the whole lead) is
    taller than what page 1 has left under the key points."""
    pages = [p.chars for p in pdf.pages]
    help_section = next(s for s in doc.sections_for("handout") if any(
        isinstance(b, Callout) and b.level == "danger" for b in s.for_target("handout")))
    head = _find(pages, help_section.heading.plain)
    if head[:2] != (1, 0):
        return False
    go_now = _go_now(doc)
    at = _find(pages, go_now.title.plain, head[:2])
    for item in go_now.items:
        at = _find(pages, _start(item), at[:2])
    chars = [c for c in pages[1] if c["text"].strip()]
    lead = chars[at[1]]["bottom"] - head[2]
    _, end, floor = _body(pdf.pages[0], True)
    return at[0] == 1 and lead > floor - end


@pytest.mark.parametrize("variant", LEAFLETS)
@pytest.mark.parametrize("stem", STEMS)
def test_no_page_but_the_last_under_55_percent(shipped_build, stem, variant):
    import pdfplumber

    with pdfplumber.open(shipped_build / f"{stem}{variant}.pdf") as pdf:
        fills = [_fill(p, i == 0) for i, p in enumerate(pdf.pages)]
        short = [i for i, f in enumerate(fills[:-1]) if f < 0.55]
        # page 1 may hold the key points alone when the help section's lead cannot follow
        # them there (clinical review: nothing else may go before it)
        if short == [0] and _lead_pushed_over(pdf, _doc(stem)):
            short = []
    assert not short, [round(f, 2) for f in fills]


# -- large print ---------------------------------------------------------------------------
@pytest.mark.parametrize("stem", STEMS)
def test_large_print_body_16pt_and_nothing_under_14pt(shipped_build, stem):
    """UKAAF G003: 16 pt body at least; everything a patient reads, the footer, sources
    and references included, at 14 pt or more (citation marks, set small beside their
    word, and ruby readings, drawn as outlines, aside)."""
    import pdfplumber

    from test_leaflet import body_chars

    path = shipped_build / f"{stem}.large.pdf"
    body = Counter(round(c["size"], 1) for c in body_chars(path)).most_common(1)[0][0]
    assert body >= 16
    with pdfplumber.open(path) as pdf:
        chars = [c for p in pdf.pages for c in p.chars if c["text"].strip()]
    cites = re.compile(r"[\[\],\d–-]")
    small = {(c["text"], round(c["size"], 1)) for c in chars
             if c["size"] < 14 - 0.01 and not cites.fullmatch(c["text"])}
    assert small == set(), sorted(small)[:10]
    # the citation marks are the only smaller text: 0.6 of the text they follow
    assert min(c["size"] for c in chars) >= 0.6 * 14 - 0.01


# -- office-printer margins ---------------------------------------------------------------
@pytest.mark.parametrize("variant", OFFICE)
@pytest.mark.parametrize("stem", STEMS)
def test_nothing_printed_within_5mm_of_the_paper_edge(shipped_build, stem, variant):
    """Office printers leave about 5 mm unprinted: no text, figure, rule or QR code
    there. The title band is a background running off the top: a printer's white edge
    leaves it whole, so it alone may reach the edge."""
    import pdfplumber

    with pdfplumber.open(shipped_build / f"{stem}{variant}.pdf") as pdf:
        for k, page in enumerate(pdf.pages, 1):
            w, h = float(page.width), float(page.height)
            band = [r for r in page.rects if r["top"] <= 1 and r["width"] > w * 0.8]
            near = []
            for o in page.chars + page.rects + page.curves + page.lines + page.images:
                if o in band:
                    continue
                gap = min(o["x0"], o["top"], w - o["x1"], h - o["bottom"])
                if gap < 5 * MM - 0.01:
                    near.append((o.get("text", o["object_type"]), round(gap / MM, 2)))
            assert near == [], (k, near[:5])


# -- no short last lines -------------------------------------------------------------------
@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """{(stem, variant): the lines the typesetter set, by paragraph}."""
    from handouts.leaflet.typeset import render

    out = tmp_path_factory.mktemp("probed")
    result = {}
    for spec in SPECS:
        doc = load_document(spec).for_handout()
        for variant in ("pdf", "large", "a5"):
            probe: list = []
            render(doc, out / f"{spec.stem}.{variant}.pdf", variant, probe)
            paras: dict[int, list] = {}
            for line in probe:
                paras.setdefault(line["para"], []).append(line)
            result[spec.stem, variant] = (out / f"{spec.stem}.{variant}.pdf",
                                          list(paras.values()))
    return result


def _visible(text: str) -> str:
    """A line as counted for short last lines: no citation marks, no closing marks."""
    return re.sub(r"\[[\d,–-]+\]", "", text).strip(CLOSING + " ")


@pytest.mark.parametrize("variant", ["pdf", "large", "a5"])
@pytest.mark.parametrize("stem", STEMS)
def test_no_paragraph_item_or_entry_ends_with_one_or_two_characters(probed, stem, variant):
    """Every paragraph, list item, box text and glossary entry of two lines or more ends
    with a line of three characters or more (closing punctuation not counted), and a
    reading in parentheses 「（ちゅうすうせいかんさ）」 is never split between lines."""
    _, paras = probed[stem, variant]
    short, split = [], []
    for lines in paras:
        texts = [ln["text"] for ln in lines]
        if len(lines) >= 2 and lines[-1]["last"] and len(_visible(texts[-1])) <= 2:
            short.append(texts[-2:])
        ends, at = [], 0
        for t in texts:
            at += len(t)
            ends.append(at)
        for m in re.finditer(r"（[ぁ-ゖァ-ヺー・]+）", "".join(texts)):
            if any(m.start() < e < m.end() for e in ends):
                split.append(m.group())
    assert short == [] and split == [], (short, split)


@pytest.mark.parametrize("variant", OFFICE)
@pytest.mark.parametrize("stem", STEMS[:1])
def test_footer_lines_never_end_with_one_or_two_characters(shipped_build, stem, variant):
    """Every line of the footer (large print wraps the hours at 14 pt) holds three
    characters or more, the page label aside."""
    import pdfplumber

    with pdfplumber.open(shipped_build / f"{stem}{variant}.pdf") as pdf:
        for page in pdf.pages:
            foot = page.crop((0, _footer_top(page) + 1, page.width, page.height))
            for line in foot.extract_text_lines():
                text = line["text"].replace(" ", "")
                if not re.fullmatch(r"\d+/\d+", text):
                    assert len(_visible(re.sub(r"\d+/\d+$", "", text))) >= 3, text


# -- exercise cards ------------------------------------------------------------------------
def _cards(lines_by_para, body: float):
    """(names, step paragraphs) of the exercise cards: a name is set at body + 2 and ends
    in 「のばす」; its steps are the numbered paragraphs after it."""
    names, steps = [], []
    for lines in lines_by_para:
        first = lines[0]
        if abs(first["size"] - (body + 2)) < 0.01 and first["text"].endswith("のばす"):
            names.append(first)
        elif names and abs(first["size"] - body) < 0.01 and first["y"] < names[-1]["y"] and (
                first["page"] == names[-1]["page"]) and first["x"] > names[-1]["x"] - 1:
            steps.append(lines)
    return names, steps


@pytest.mark.parametrize("variant,body", [("pdf", 12.5), ("large", 16.0), ("a5", 12.0)])
def test_exercise_cards_share_one_grid_with_wide_text(probed, variant, body):
    """The text of every card whose figure is beside it starts at one x (no jog: one
    grid column), the name of a card whose figure is too wide for that (it goes above
    the text) at the card's left, so the names start at two x at most; the text holds
    16 characters a line or more; in a narrow column (under 20 characters) it breaks
    only between phrases (BudouX) or after punctuation, never inside a word
    (「片/ひざ」「か/かと」)."""
    from handouts.text.breaking import phrase_starts

    _, paras = probed["stretches", variant]
    names, steps = _cards(paras, body)
    xs = sorted({round(n["x"], 1) for n in names})
    assert len(names) == 4 and len(xs) <= 2, names
    for lines in steps:  # a numbered step's text starts 1.6 em right of one of them
        assert any(abs(lines[0]["x"] - 1.6 * body - x) < 0.5 for x in xs), (lines[0], xs)
    assert steps
    for lines in steps:
        assert all(ln["measure"] >= 16 * body - 0.5 for ln in lines)
        if lines[0]["measure"] >= 20 * body:  # justified: JLREQ breaks between characters
            continue
        assert not any(ln["justified"] for ln in lines)  # ragged
        text = "".join(ln["text"] for ln in lines)
        at = 0
        for ln in lines[:-1]:
            at += len(ln["text"])
            assert at in phrase_starts(text) or text[at - 1] in CLOSING, (text[:at], text[at:])


@pytest.mark.parametrize("variant,least", [("", 40.0), (".large", 50.0),
                                           (".a5", 40.0 * 148 / 210)])
def test_pose_figures_large_enough_to_copy(shipped_build, variant, least):
    """Each pose figure's ink is at least 40 mm tall on A4, 50 mm in large print, and on
    the A5 page at least 40 mm scaled to its width (it was 29-30 mm in all three, then
    33 mm on A4 when shrunk to leave 16 characters beside the widest pose): measured as
    the paths of each figure's marked content (tagged Figure) above the footer, beside
    the text or above it."""
    import pdfplumber

    heights = []
    with pdfplumber.open(shipped_build / f"stretches{variant}.pdf") as pdf:
        for page in pdf.pages:
            figures: dict[int, list] = {}
            rule = _footer_top(page)  # the footer's QR code is a figure too
            for o in page.curves + page.rects + page.lines:
                if o.get("tag") == "Figure" and o["bottom"] < rule:
                    figures.setdefault(o["mcid"], []).append(o)
            heights += [(max(o["bottom"] for o in ink) - min(o["top"] for o in ink)) / MM
                        for ink in figures.values()]
    assert len(heights) == 4 and min(heights) >= least, heights


def test_a_dose_shared_by_every_exercise_is_printed_once(shipped_build):
    from handouts.document import Exercise

    doc = _doc("stretches")
    exercises = [b for s in doc.sections_for("handout") for b in s.for_target("handout")
                 if isinstance(b, Exercise)]
    doses = {(e.hold_seconds, e.reps, e.stop_if.plain) for e in exercises}
    assert len(exercises) == 4 and len(doses) == 1  # the spec still shares one dose
    hold, _, stop = doses.pop()
    text = re.sub(r"\s", "", pdftotext(shipped_build / "stretches.pdf"))
    assert text.count(f"{hold}秒保つ") == 1 and text.count(f"中止：{stop}") == 1


# -- slides and notes ------------------------------------------------------------------------
def _struct_kinds(pdf) -> list[tuple[str, object]]:
    import pikepdf

    out = []

    def walk(node):
        kids = node.get("/K")
        for k in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(k, pikepdf.Dictionary) and "/S" in k:
                out.append((str(k.S), k))
                walk(k)

    walk(pdf.Root.StructTreeRoot)
    return out


@pytest.mark.parametrize("kind", ["slides", "notes"])
@pytest.mark.parametrize("stem", STEMS)
def test_slides_and_notes_pdfs_are_tagged_linked_and_bookmarked(shipped_build, stem, kind):
    """PDF/UA-1 (the `page` validator), a section per slide led by its title as a
    heading, the deck's alt text on its figures, every web address of the references a
    link, a bookmark per slide, the document's title shown and its language set."""
    import page
    import pikepdf
    from pptx import Presentation

    path = shipped_build / f"{stem}.{kind}.pdf"
    report = page.validate_pdf(path, profile="ua1")
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures][:5]
    slides = len(Presentation(str(shipped_build / f"{stem}.pptx")).slides)
    deck = load_document(ROOT / "specs" / f"{stem}.yaml")
    links = {r.link for r in deck.references if r.link}
    with pikepdf.open(path) as pdf:
        els = _struct_kinds(pdf)
        sects = [el for k, el in els if k == "/Sect"]
        assert len(sects) == slides
        for sect in sects:
            kids = sect.K if isinstance(sect.K, pikepdf.Array) else [sect.K]
            assert str(kids[0].S) in ("/H1", "/H2")
        assert all(el.get("/Alt") for k, el in els if k == "/Figure")
        uris = {str(a.A.URI) for p in pdf.pages for a in p.get("/Annots", [])}
        assert links <= uris, links - uris
        with pdf.open_outline() as outline:
            assert len(outline.root) == slides
        assert str(pdf.Root.Lang) == "ja-JP"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle


@pytest.mark.parametrize("stem", STEMS)
def test_notes_handout_prints_text_at_6pt_or_more(shipped_build, stem):
    """The slides' smallest text (12 pt footers, 12.6 pt figure labels) at half size;
    citation marks, set at 0.6 of the text beside them, aside."""
    import pdfplumber

    with pdfplumber.open(shipped_build / f"{stem}.notes.pdf") as pdf:
        chars = [c for p in pdf.pages for c in p.chars if c["text"].strip()]
    cites = re.compile(r"[\[\],\d–-]")
    small = {(c["text"], round(c["size"], 2)) for c in chars
             if c["size"] < 6 - 0.01 and not cites.fullmatch(c["text"])}
    assert small == set(), sorted(small)[:10]


# -- fonts and dates -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", LEAFLETS + [".slides", ".notes"])
def test_every_font_subset_has_its_own_tag(shipped_build, kind):
    """ISO 32000-1 §9.6.4: different subsets shall have different tags (the Bold and
    Regular faces' first subsets were both AAAAAA+)."""
    for stem in STEMS:
        tags = [f["name"].split("+")[0] for f in pdffonts(shipped_build / f"{stem}{kind}.pdf")]
        assert len(tags) == len(set(tags)) > 1, (stem, tags)


@pytest.mark.parametrize("kind", LEAFLETS + [".slides", ".notes"])
@pytest.mark.parametrize("stem", STEMS)
def test_every_file_is_dated_by_its_review_date(shipped_build, stem, kind):
    """Info and XMP agree on one date, the content's review date (screen, print, slides
    and notes files alike; it was 2000-01-01 outside the print files)."""
    import pikepdf

    day = _doc(stem).reviewed
    with pikepdf.open(shipped_build / f"{stem}{kind}.pdf") as pdf:
        assert str(pdf.docinfo.CreationDate).startswith(f"D:{day:%Y%m%d}")
        assert str(pdf.docinfo.ModDate).startswith(f"D:{day:%Y%m%d}")
        with pdf.open_metadata() as meta:
            assert meta["xmp:CreateDate"].startswith(f"{day:%Y-%m-%d}")


# -- charts ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["", ".slides"])
def test_chart_values_have_a_quarter_em_before_their_unit(shipped_build, kind):
    """「96 人/100 人」: 和欧間 between a figure and the Japanese unit after it."""
    import pdfplumber

    gaps = []
    with pdfplumber.open(shipped_build / f"disc-resorption{kind}.pdf") as pdf:
        for page in pdf.pages:
            chars = page.chars
            for a, b in zip(chars, chars[1:]):
                if a["text"] in "0123456789" and b["text"] == "人" and abs(
                        a["bottom"] - b["bottom"]) < 0.5:
                    gaps.append((b["x0"] - a["x1"]) / b["size"])
    assert len(gaps) >= 8 and min(gaps) >= 0.2, sorted(gaps)[:5]
