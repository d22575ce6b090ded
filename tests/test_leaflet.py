"""Leaflets: Japanese typography and PDF hygiene measured on the real PDFs of every topic."""

import re
import subprocess
from collections import Counter

import pytest

from conftest import ALL_KINDS, ROOT, need, pdffonts, pdftotext, run_cli
from handouts.document import load_document
from handouts.spec.loader import topic_specs
from handouts.text.breaking import violations

SPECS = topic_specs(ROOT / "specs")
STEMS = [p.stem for p in SPECS]


FOOTER = 24 * 72 / 25.4  # the footer band at the foot of every page


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
                chars = [c for c in chars if c["bottom"] < page.height - FOOTER]
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


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("variant,minimum", [("", 12.0), (".large", 14.0)])
def test_body_size(shipped_build, stem, variant, minimum):
    pdf = shipped_build / f"{stem}{variant}.pdf"
    sizes = Counter(round(c["size"], 1) for _, c in _chars(pdf, body_only=True))
    body = sizes.most_common(1)[0][0]
    assert body >= minimum, sizes.most_common(5)
    big = sum(n for size, n in sizes.items() if size >= minimum)
    # below the minimum: only ruby, citation marks and captions, a small minority
    assert big / sum(sizes.values()) >= 0.9, sizes.most_common(8)


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
def test_qpdf_check_and_metadata(shipped_build, stem):
    pdf = shipped_build / f"{stem}.pdf"
    r = subprocess.run([need("qpdf"), "--check", str(pdf)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    info = subprocess.run([need("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip() and fields["Author"].strip() and fields["Subject"].strip()
    assert b"/Lang (ja-JP)" in pdf.read_bytes()


@pytest.mark.parametrize("stem", STEMS)
def test_patient_leaflets_fit_two_pages(shipped_build, stem):
    doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
    import pdfplumber

    with pdfplumber.open(shipped_build / f"{stem}.pdf") as pdf:
        pages = len(pdf.pages)
        assert all(abs(p.width - 595.3) < 1 and abs(p.height - 841.9) < 1 for p in pdf.pages)
    if doc.audience == "patients":
        assert pages <= 2, pages


def test_footer_on_every_page(shipped_build):
    text = pdftotext(shipped_build / "disc-resorption.pdf")
    pages = [p for p in text.split("\f") if p.strip()]
    for k, page in enumerate(pages, 1):
        assert f"{k}/{len(pages)}" in page
        assert "さくら通り整形外科クリニック" in page
        assert "2027-11-20" in page


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
        r = run_cli("build", ALL_KINDS, "-o", tmp_path / out, "--format", "a5,pdf")
        assert r.returncode == 0, r.stderr
    import pdfplumber

    with pdfplumber.open(tmp_path / "a" / "all-kinds.a5.pdf") as pdf:
        assert abs(pdf.pages[0].width - 419.5) < 1 and abs(pdf.pages[0].height - 595.3) < 1
    for name in ("all-kinds.a5.pdf", "all-kinds.pdf"):
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
