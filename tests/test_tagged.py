"""Tagged PDF (PDF/UA-1), links and per-output citation numbers, read back from the real
leaflets: the `page` validator (PyPI page-validation), pikepdf for the structure tree and the
content streams, poppler's pdfinfo/pdftotext and PDFium for what readers and copying get."""

import re
import subprocess

import pytest

from conftest import ROOT, need, pdftotext, run_cli, struct_headings
from handouts.document import load_document
from handouts.spec.loader import topic_specs

STEMS = [p.stem for p in topic_specs(ROOT / "specs")]
VARIANTS = ["", ".large", ".a5", ".print", ".a5.print"]
PAINT = {"f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "Do", "BI"}
SHOW = {"Tj", "TJ", "'", '"'}


def _struct(pdf):
    """(structure type, element) for every structure element, depth first."""
    out = []

    def walk(node):
        kids = node.get("/K")
        if kids is None:
            return
        for k in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/StructElem" or (
                    isinstance(k, pikepdf.Dictionary) and "/S" in k):
                out.append((str(k.S), k))
                walk(k)

    import pikepdf
    walk(pdf.Root.StructTreeRoot)
    return out


def _mcids(el) -> list:
    import pikepdf
    kids = el.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    return [int(k) if not isinstance(k, pikepdf.Dictionary) else int(k.MCID)
            for k in kids if isinstance(k, int) or (
                isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR")]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("stem", STEMS)
def test_passes_pdf_ua_1(shipped_build, stem, variant):
    import page

    report = page.validate_pdf(shipped_build / f"{stem}{variant}.pdf", profile="ua1")
    failures = [(f.rule_id, f.message) for f in report.failures]
    assert report.is_compliant and failures == [], failures[:5]
    assert report.rules.total > 100  # the whole PDF/UA-1 profile ran


def check_marks(path) -> int:
    """What the validator does not check: each page's MCIDs are 0..n-1, each used once,
    each owned by the structure element the ParentTree names, and no text or painting
    happens outside marked content. Returns how many marks point to another page (MCRs)."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        tree = dict(zip(map(int, nums[::2]), nums[1::2]))
        for index, pg in enumerate(pdf.pages):
            assert int(pg.obj.StructParents) == index and pg.obj.Tabs == "/S"
            depth, seen = 0, []
            for operands, op in pikepdf.parse_content_stream(pg):
                op = str(op)
                if op in ("BDC", "BMC"):
                    depth += 1
                    if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and (
                            "/MCID" in operands[1]):
                        assert depth == 1, "tagged content inside other marked content"
                        seen.append((int(operands[1].MCID), str(operands[0])))
                elif op == "EMC":
                    depth -= 1
                elif op in PAINT or op in SHOW:
                    assert depth > 0, f"page {index + 1}: {op} outside marked content"
            assert depth == 0
            assert [m for m, _ in seen] == list(range(len(seen)))
            owners = tree[index]
            assert len(owners) == len(seen)
            for (mcid, tag), owner in zip(seen, owners):
                # content standing for other text (ruby) is a /Span, as poppler needs
                assert str(owner.S) == tag or tag == "/Span", (owner.S, tag)
                assert mcid in _mcids(owner)
        return sum(1 for _, el in _struct(pdf) for k in _kids(el)
                   if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR")


def _kids(el) -> list:
    import pikepdf
    kids = el.get("/K")
    return list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("stem", STEMS)
def test_every_mark_is_tagged_or_artifact_and_in_the_tree(shipped_build, stem, variant):
    check_marks(shipped_build / f"{stem}{variant}.pdf")


def test_split_paragraphs_tables_and_links_across_pages(tmp_path):
    """A paragraph split over two pages is one P (its second page's marks as MCRs); a
    table's header row repeated on the next page is an artifact (still one TR of THs); a
    URL broken over lines is one link annotation with a quad per line (none in the
    print-shop file: links do not print, and PDF/X keeps annotations out)."""
    import page
    import pikepdf

    (tmp_path / "_clinic.yaml").write_text("name: 架空の医院\nphone: 03-0000-0000\n"
                                           "url: https://example.jp/\n", encoding="utf-8")
    rows = "".join(f'          - ["こうもく{i}の{{説明|せつめい}}", "{i}回"]\n' for i in range(30))
    url = "https://example.jp/" + "/".join(["long-path-part"] * 8) + "/index.html"
    spec = tmp_path / "split.yaml"
    spec.write_text(
        'title: "{長|なが}い資料で分かれ方を試します"\naudience: patients\n'
        "reviewed: 2026-01-01\nreview_by: 2099-01-01\nkey_points: [分かれ方を試します]\n"
        "sections:\n  - heading: 長い段落の見本です\n    blocks:\n"
        f"      - text: {'これは長い文章です。' * 150}[@r1]\n"
        f"      - text: {'これも長い文章です。' * 150}\n"
        "  - heading: 長い表の見本です\n    blocks:\n"
        "      - table:\n          header: [こうもく, 回数]\n          rows:\n" + rows +
        f"references:\n  - id: r1\n    cite: 日本の文献. 2021.\n    url: {url}\n",
        encoding="utf-8")
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf,a5print")
    assert r.returncode == 0, r.stderr
    for name in ("split.pdf", "split.a5.print.pdf"):
        pdf_path = tmp_path / "out" / name
        report = page.validate_pdf(pdf_path, profile="ua1")
        assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures][:5]
        assert check_marks(pdf_path) >= 1  # the long paragraph goes on over a page
        with pikepdf.open(pdf_path) as pdf:
            els = _struct(pdf)
            assert [k for k, _ in els].count("/TH") == 2
            assert [k for k, _ in els].count("/TR") == 31
            if "print" in name:
                assert not any("/Annots" in pg.obj for pg in pdf.pages)
                continue
            links = [a for pg in pdf.pages for a in pg.obj.get("/Annots", [])
                     if str(a.A.URI) == url]
            quads = len(links[0].QuadPoints) / 8 if len(links) == 1 else 0
            assert quads >= 2 and quads.is_integer()  # one per line of the address


def _in_tree(rich) -> str:
    """A heading's content as the structure tree's marked content holds it: the text with
    each ruby base, not its reading (drawn as outlines; the RT gives it as /ActualText,
    which pdfinfo -struct-text prints as "")."""
    return re.sub(r"\s", "", "".join(sp.text for sp in rich.spans))


@pytest.mark.parametrize("stem", STEMS)
def test_struct_text_shows_headings_lists_and_figures(shipped_build, stem):
    pdf = shipped_build / f"{stem}.pdf"
    out = subprocess.run([need("pdfinfo"), "-struct-text", str(pdf)], capture_output=True,
                         text=True, check=True).stdout
    doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
    found = struct_headings(out)
    assert found[0] == ("H1", _in_tree(doc.title))
    h2 = [t for level, t in found if level == "H2"]
    for sec in doc.sections_for("handout"):
        assert _in_tree(sec.heading) in h2
    assert "LBody (block)" in out and "LI (block)" in out
    key = doc.key_points[0].plain
    assert key[:10] in out  # list item text is in the tree
    # each diagram is a Figure whose content is its drawn labels
    from handouts.document import Anatomy, Chart, Flow, Tree

    diagrams = [b for sec in doc.sections_for("handout") for b in sec.for_target("handout")
                if isinstance(b, (Flow, Tree, Chart, Anatomy))]
    figures = [t for t in re.findall(r'^\s*Figure\n\s*"(.*)"', out, re.M)
               if t]  # not the QR code (paths only, alt text in the tree)
    # a pose drawn in two frames: its text is the frames' numbers and words
    poses = [t for t in figures if t.replace(" ", "") in ("1はじめ2のばす", "12")]
    figures = [t for t in figures if t not in poses]
    assert len(poses) == (4 if stem == "stretches" else 0), poses
    assert len(figures) == len(diagrams)
    for b, text in zip(diagrams, figures):
        if isinstance(b, Anatomy):  # its labels, e.g. 「椎間関節」
            assert "椎間関節" in text, text
            continue
        first = (b.steps[0].plain if isinstance(b, Flow) else b.root.label.plain
                 if isinstance(b, Tree) else b.data[0][0])
        assert text.startswith(first), (first, text)


def test_figures_tables_ruby_and_citations_in_the_structure(all_kinds_build):
    """The test spec has every block kind: a figure with alt, a table, ruby, diagrams."""
    import pikepdf

    pdf_path = all_kinds_build / "all-kinds.pdf"
    with pikepdf.open(pdf_path) as pdf:
        els = _struct(pdf)
        kinds = [k for k, _ in els]
        figures = [el for k, el in els if k == "/Figure"]
        alts = [str(el.Alt) for el in figures]
        assert "てんのえ" in alts  # the spec's alt text for the image
        assert "流れ図（4段階）：正常 → 痛み → しびれ → 力が入らない。強調：力が入らない。" \
            "ながれのせつめい。" in alts
        assert "枝分かれの図：ねっこから えだA、えだB に分かれます。きのせつめい。" in alts
        assert any(a.startswith("横棒グラフ「グラフのだい」：遊離脱出型 96人、膨隆型 13人。出典：")
                   for a in alts)
        assert all(el.get("/Alt") for el in figures)
        ths = [el for k, el in els if k == "/TH"]
        assert len(ths) == 2 and all(el.A.Scope == "/Column" for el in ths)
        assert kinds.count("/TR") == 2 and "/Table" in kinds and "/Caption" in kinds
        assert {"/Ruby", "/RB", "/RT"} <= set(kinds)
        numbering = [str(el.A.ListNumbering) for k, el in els if k == "/L"]
        # key points, bullets, steps, checklist, two boxes' items, the anatomy figure's
        # numbered sites, quiz choices
        assert numbering == ["/Disc", "/Disc", "/Decimal", "/None", "/Disc", "/Disc", "/Decimal",
                             "/Decimal"]
        assert "/Lbl" in kinds  # citation marks
    # copied text: the ruby base once, never followed by its reading
    text = pdftotext(pdf_path)
    assert "椎間板を片付けます" in text and "ついかんばん" not in text
    import pypdfium2

    pdf = pypdfium2.PdfDocument(pdf_path)
    copied = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "椎間板を片付けます" in copied and "ついかんばん" not in copied


def test_ruby_reading_is_in_the_tree_for_screen_readers(all_kinds_build):
    """The base's marked content stands for the base (/ActualText); the reading is the
    /ActualText of the RT element beside it, in the tree only; the reading itself is drawn
    as outlines (no glyphs), so extractors that ignore /ActualText (pdfminer here, pdf.js
    in Firefox) copy the base once and never 「股また」."""
    import pikepdf

    with pikepdf.open(all_kinds_build / "all-kinds.pdf") as pdf:
        actual = [str(operands[1].ActualText) for pg in pdf.pages
                  for operands, op in pikepdf.parse_content_stream(pg)
                  if str(op) == "BDC" and "/ActualText" in operands[1]]
        ruby = [el for k, el in _struct(pdf) if k == "/Ruby"]
        # besides the base, single characters set with a gap after them (pdfdraw)
        assert [a for a in actual if len(a) > 1] == ["椎間板"] and len(ruby) == 1
        rb, rt = ruby[0].K
        assert rb.S == "/RB" and rt.S == "/RT" and str(rt.ActualText) == "ついかんばん"
    import pdfplumber

    with pdfplumber.open(all_kinds_build / "all-kinds.pdf") as pdf:
        glyphs = "".join(c["text"] for page in pdf.pages for c in page.chars)
    assert "椎間板を片付けます" in glyphs and "ついかんばん" not in glyphs


@pytest.mark.parametrize("variant", ["", ".large", ".a5"])
def test_ruby_is_copied_once_by_every_extractor(shipped_build, variant):
    """「股」 in the go-now box: pdftotext, PDFium and a glyph-level extractor (pdfminer,
    which like pdf.js ignores /ActualText) all copy 「股・太もも」, never 「股また」; the
    structure tree has each reading (the shipped profile's furigana adds many) as its RT's
    /ActualText, また among them."""
    import pdfplumber
    import pikepdf
    import pypdfium2

    path = shipped_build / f"red-flag-weakness{variant}.pdf"
    poppler = re.sub(r"\s", "", pdftotext(path))
    pdf = pypdfium2.PdfDocument(path)
    pdfium = re.sub(r"\s", "", "".join(pdf[i].get_textpage().get_text_range()
                                       for i in range(len(pdf))))
    with pdfplumber.open(path) as doc:
        glyphs = "".join(c["text"] for page in doc.pages for c in page.chars)
    for text in (poppler, pdfium, glyphs):
        assert "おしり・股・太もも" in text and "股また" not in text and "また・" not in text
    with pikepdf.open(path) as doc:
        readings = [str(el.ActualText) for k, el in _struct(doc) if k == "/RT"]
    assert "また" in readings and all(readings), readings


@pytest.mark.parametrize("stem", STEMS)
def test_links_one_per_reference_plus_qr_and_phone(shipped_build, stem):
    import pikepdf

    doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
    with pikepdf.open(shipped_build / f"{stem}.pdf") as pdf:
        uris = [str(a.A.URI) for pg in pdf.pages for a in pg.obj.get("/Annots", [])]
        links = [el for k, el in _struct(pdf) if k == "/Link"]
    refs = [r.link for r in doc.references if r.link]
    assert len(uris) == len(refs) + 2
    assert sorted(uris) == sorted(refs + [doc.clinic.url, "tel:+81-3-0000-0000"])
    # a DOI always links over https; a URL as the spec writes it
    assert all(u.startswith("https://doi.org/") for u in uris if "doi" in u)
    assert len(links) == len(uris)  # each annotation sits in its own Link element


def test_a_doi_is_printed_short_and_linked_over_https(shipped_build):
    """A reference's DOI is printed as doi:10.… (a shorter line than https://doi.org/10.…)
    and its link annotation, over the printed DOI, still goes to https://doi.org/10.…"""
    import pdfplumber

    doc = load_document(ROOT / "specs" / "chronic-pain.yaml").for_handout()
    dois = [r.doi for r in doc.references if r.doi]
    assert dois
    pdf_path = shipped_build / "chronic-pain.pdf"
    text = re.sub(r"\s", "", pdftotext(pdf_path))
    assert "doi.org" not in text
    with pdfplumber.open(pdf_path) as pdf:
        for doi in dois:
            assert f"doi:{doi}" in text, doi
            words = [(p, w) for p in pdf.pages for w in p.extract_words()
                     if len(w["text"]) > 8 and f"doi:{doi}".startswith(w["text"])]
            annots = [a for p, _ in words for a in p.annots
                      if a["uri"] == f"https://doi.org/{doi}"]
            assert len(words) == 1 and len(annots) == 1, doi
            (page, word), link = words[0], annots[0]
            assert link["x0"] - 1 <= word["x0"] < link["x1"]  # the link is over the DOI
            assert link["top"] - 1 <= word["top"] < link["bottom"]


def test_citations_numbered_in_order_of_first_appearance(shipped_build):
    """medial-branch's leaflet cites only some of the spec's references: they are [1], [2],
    [3] in the order the leaflet cites them (its reading order, the structure tree's: the
    help boxes may be printed overleaf of what follows them), and so listed."""
    tree = subprocess.run([need("pdfinfo"), "-struct-text", str(shipped_build / "medial-branch.pdf")],
                          capture_output=True, text=True, check=True).stdout
    body = tree.split('"参考文献"')[0]
    refs = pdftotext(shipped_build / "medial-branch.pdf").split("参考文献")[1]
    cited = [int(n) for m in re.findall(r"\[([\d,]+)\]", body) for n in m.split(",")]
    first = list(dict.fromkeys(cited))
    assert first == list(range(1, len(first) + 1))
    listed = [int(n) for n in re.findall(r"^\[(\d+)\]", refs, re.M)]
    assert listed == first


def test_deck_numbers_its_own_citations():
    from handouts.document import block_texts

    doc = load_document(ROOT / "specs" / "medial-branch.yaml")
    texts = [doc.title, doc.subtitle, *doc.key_points]
    for sec in doc.sections_for("deck"):
        texts.append(sec.heading)
        for b in sec.for_target("deck"):
            texts += block_texts(b)
    order = [int(n) for r in texts if r for sp in r.spans if sp.cite
             for n in sp.text.strip("[]").split(",")]
    first = list(dict.fromkeys(order))
    assert first == list(range(1, len(first) + 1))
    assert [r.number for r in doc.references] == list(range(1, len(doc.references) + 1))


def test_english_references_are_marked_english(shipped_build):
    import pikepdf

    with pikepdf.open(shipped_build / "disc-resorption.pdf") as pdf:
        assert pdf.Root.Lang == "ja-JP"
        langs = [str(el.Lang) for k, el in _struct(pdf) if "/Lang" in el]
    assert "en-US" in langs


def test_document_metadata_for_pdf_ua(shipped_build):
    import pikepdf

    with pikepdf.open(shipped_build / "stretches.pdf") as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        meta = pdf.open_metadata()
        doc = load_document(ROOT / "specs" / "stretches.yaml").for_handout()
        assert meta["dc:title"] == doc.title.plain
        assert meta["pdfuaid:part"] == "1"


@pytest.mark.parametrize("break_it,rule", [
    ("alt", "PDFUA1-FIGURE-ALTERNATIVE-TEXT-001"),
    ("scope", "PDFUA1-TABLE-HEADERS-SCOPE-001"),
    ("marked", "PDFUA1-TAGGED-DOCUMENT-001"),
    ("xmp", "PDFUA1-ID-PART-001"),
])
def test_the_validator_catches_what_we_write(all_kinds_build, tmp_path, break_it, rule):
    """The checks the leaflets pass are real: the same file with one thing taken out fails
    on that thing's rule."""
    import page
    import pikepdf

    with pikepdf.open(all_kinds_build / "all-kinds.pdf") as pdf:
        els = _struct(pdf)
        if break_it == "alt":
            del [el for k, el in els if k == "/Figure"][0].Alt
        elif break_it == "scope":
            for k, el in els:
                if k == "/TH":
                    del el.A
        elif break_it == "marked":
            del pdf.Root.MarkInfo
        else:
            del pdf.Root.Metadata
        pdf.save(tmp_path / "broken.pdf")
    report = page.validate_pdf(tmp_path / "broken.pdf", profile="ua1")
    assert not report.is_compliant
    assert rule in {f.rule_id for f in report.failures}


@pytest.mark.parametrize("variant", ["", ".large", ".a5"])
@pytest.mark.parametrize("stem", STEMS)
def test_copied_text_is_the_spec_text(shipped_build, stem, variant):
    """Every heading, paragraph, item and label copies out of the PDF (pdftotext and PDFium,
    lines joined) exactly as the spec writes it: ruby bases once and without their readings,
    citation numbers as printed, no space added anywhere by pdftotext. PDFium copies a
    space for any gap over about 0.15 em between two text objects, so the ¼ em 和欧間
    (「119 番」) comes out with spaces there: for PDFium the text is compared without
    whitespace (pdfdraw gives each such gap's character its /ActualText, which poppler
    honours and PDFium places only over the first text object of a span)."""
    import pypdfium2

    from handouts.document import block_texts

    pdf_path = shipped_build / f"{stem}{variant}.pdf"
    doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
    # a paragraph may go on overleaf: leave out each page's footer (it follows the body)
    name = doc.clinic.name
    poppler = "".join(page[:page.rfind(name)] if name in page else page
                      for page in pdftotext(pdf_path).split("\f")).replace("\n", "")
    pdf = pypdfium2.PdfDocument(pdf_path)
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    pdfium = re.sub(r"\s", "", "".join(page[:page.rfind(name)] if name in page else page
                                        for page in pages))
    texts = [doc.title, *doc.key_points]
    for sec in doc.sections_for("handout"):
        texts.append(sec.heading)
        for b in sec.for_target("handout"):
            texts += block_texts(b)
    checked = 0
    for rich in texts:
        text = "".join(sp.text for sp in rich.spans)
        if re.search(r"[A-Za-z] [A-Za-z]", text):  # a line may end at that space
            continue
        assert text in poppler, text
        assert re.sub(r"\s", "", text) in pdfium, text
        checked += 1
    assert checked > 20


def test_drawn_figures_are_tagged_with_their_alt_text(shipped_build):
    """Every pose drawing in the stretches leaflet and the anatomy figure in the
    medial-branch handout are Figures carrying the alt text computed from their data."""
    import pikepdf

    from handouts.document import Anatomy, Exercise

    for stem, kind in (("stretches", Exercise), ("medial-branch", Anatomy)):
        doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
        drawn = [b for sec in doc.sections_for("handout") for b in sec.for_target("handout")
                 if isinstance(b, kind) and (kind is Anatomy or b.pose is not None)]
        assert drawn, stem
        with pikepdf.open(shipped_build / f"{stem}.pdf") as pdf:
            alts = [str(el.Alt) for k, el in _struct(pdf) if k == "/Figure" and "/Alt" in el]
        for b in drawn:
            assert b.alt in alts, (stem, b.alt)


def test_leaflet_and_deck_say_the_same_alt_text(all_kinds_build):
    """One alt text per drawing, computed from the document model: the leaflet's Figure
    /Alt and the deck's shape description are the same words (they once came from two
    modules and said 「分かれ道の図」 and 「枝分かれの図」)."""
    import pikepdf
    from pptx import Presentation

    with pikepdf.open(all_kinds_build / "all-kinds.pdf") as pdf:
        pdf_alts = {str(el.Alt) for k, el in _struct(pdf) if k == "/Figure" and "/Alt" in el}
    deck_alts = set()
    for slide in Presentation(str(all_kinds_build / "all-kinds.pptx")).slides:
        for shape in slide.shapes:
            for el in shape._element.iter():
                if el.tag.endswith("}cNvPr") and el.get("descr"):
                    deck_alts.add(el.get("descr"))
    drawn = [a for a in pdf_alts if a.startswith(("流れ図", "枝分かれの図", "横棒グラフ", "「"))]
    assert len(drawn) >= 4, pdf_alts
    for a in drawn:
        assert a in deck_alts, a
