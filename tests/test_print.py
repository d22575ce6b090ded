"""Print-shop variants (A4 `print`, A5 `a5print`): DeviceCMYK only, black text on the K
plate only (checked on Ghostscript's own separations), trim and bleed, large print sizes."""

import re
import subprocess

import pytest

from conftest import ALL_KINDS, ROOT, need, run_cli
from handouts.spec.loader import topic_specs

STEMS = [p.stem for p in topic_specs(ROOT / "specs")]
PRINT = [".print", ".a5.print"]
RGB_OPS = {"rg", "RG"}


def _streams(pdf):
    """(name, content stream object) for every page and every form XObject it uses."""
    seen = set()
    for n, page in enumerate(pdf.pages, 1):
        yield f"page {n}", page
        todo = list(page.obj.get("/Resources", {}).get("/XObject", {}).items())
        while todo:
            name, x = todo.pop()
            if x.objgen in seen:
                continue
            seen.add(x.objgen)
            if x.Subtype == "/Form":
                yield f"form {name}", x
                todo += list(x.get("/Resources", {}).get("/XObject", {}).items())


def _colour_spaces(pdf) -> set:
    spaces = set()
    for page in pdf.pages:
        for _, x in page.obj.get("/Resources", {}).get("/XObject", {}).items():
            if x.Subtype == "/Image":
                spaces.add(str(x.ColorSpace))
        spaces |= {str(v) for v in page.obj.get("/Resources", {}).get("/ColorSpace", {}).values()}
    return spaces


@pytest.mark.parametrize("variant", PRINT)
@pytest.mark.parametrize("stem", STEMS)
def test_no_device_rgb_in_any_content_stream(shipped_build, stem, variant):
    import pikepdf

    with pikepdf.open(shipped_build / f"{stem}{variant}.pdf") as pdf:
        cmyk = 0
        for where, stream in _streams(pdf):
            for operands, op in pikepdf.parse_content_stream(stream):
                op = str(op)
                assert op not in RGB_OPS, f"{where}: {operands} {op}"
                if op in ("cs", "CS"):
                    assert str(operands[0]) != "/DeviceRGB", where
                cmyk += op in ("k", "K")
        assert cmyk > 10
        assert "/DeviceRGB" not in _colour_spaces(pdf)


def test_pictures_are_cmyk_in_print(tmp_path):
    """A raster figure is converted (the PDF's image is DeviceCMYK, the office PDF's RGB)."""
    import pikepdf

    r = run_cli("build", ALL_KINDS, "-o", tmp_path, "--format", "pdf,print")
    assert r.returncode == 0, r.stderr
    with pikepdf.open(tmp_path / "all-kinds.print.pdf") as pdf:
        assert _colour_spaces(pdf) == {"/DeviceCMYK"}
    with pikepdf.open(tmp_path / "all-kinds.pdf") as pdf:
        assert _colour_spaces(pdf) == {"/DeviceRGB"}


@pytest.mark.parametrize("variant", PRINT)
def test_black_text_is_k_only_and_overprints(shipped_build, variant, tmp_path):
    """Ghostscript separates the page with the most black body text (page 1 of an A5
    leaflet may hold the main message alone) into C, M, Y and K plates (tiffsep, no
    anti-aliasing).
    Black body text is inked on the K plate only, and it overprints: under its ink the C,
    M and Y plates hold what they hold around it (paper, or the tint of the box it sits
    in), never a knocked-out hole that would show white if the plates shift."""
    import pdfplumber
    from PIL import Image

    pdf = shipped_build / f"red-flag-weakness{variant}.pdf"
    with pdfplumber.open(pdf) as doc:
        pages = [[c for c in page.chars if c["size"] >= 12 and c["text"].strip()
                  and c["non_stroking_color"] == (0, 0, 0, 1)]  # body black: K 100 only
                 for page in doc.pages]
    chars = max(pages, key=len)
    page_no = pages.index(chars) + 1
    assert len(chars) > 150
    dpi = 150
    subprocess.run([need("gs"), "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep",
                    f"-r{dpi}", f"-dFirstPage={page_no}", f"-dLastPage={page_no}",
                    f"-sOutputFile={tmp_path}/p%d.tif", str(pdf)], check=True)
    plates = {n: Image.open(tmp_path / f"p1({n}).tif") for n in ("Cyan", "Magenta", "Yellow",
                                                                  "Black")}
    scale = dpi / 72
    inked = holes = tinted = 0
    for c in chars:
        box = tuple(round(v * scale) for v in (c["x0"], c["top"], c["x1"], c["bottom"]))
        k = plates["Black"].crop(box).tobytes()
        for name in ("Cyan", "Magenta", "Yellow"):
            plate = plates[name].crop(box).tobytes()
            around = {v for i, v in enumerate(plate) if k[i] >= 128}  # paper or tint
            if len(around) != 1:
                continue  # the box's edge runs through the character
            (ground,) = around
            tinted += ground < 255
            for i, v in enumerate(k):
                if v < 128:
                    inked += 1
                    holes += plate[i] != ground
    assert inked > 5_000 and tinted > 0 and holes == 0, (inked, tinted, holes)


@pytest.mark.parametrize("stem", STEMS[:2])
def test_a5_print_has_bleed_trim_and_a_band_into_the_bleed(shipped_build, stem):
    pdf = shipped_build / f"{stem}.a5.print.pdf"
    out = subprocess.run([need("pdfinfo"), "-box", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    box = {m[1]: [float(x) for x in m[2].split()] for m in
           re.finditer(r"^(\w+Box):\s+(.+)$", out, re.M)}
    trim, bleed = box["TrimBox"], box["BleedBox"]
    mm3 = 3 * 72 / 25.4
    assert abs((trim[2] - trim[0]) - 419.53) < 0.5 and abs((trim[3] - trim[1]) - 595.28) < 0.5
    assert all(abs(abs(trim[i] - bleed[i]) - mm3) < 0.1 for i in range(4))
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        top = page.height - bleed[3]  # the bleed's top edge, from the top of the page
        band = [r for r in page.rects if r["width"] > trim[2] - trim[0]]
        assert band, "the title band runs past the trim"
        r = band[0]
        assert abs(r["x0"] - bleed[0]) < 0.1 and abs(r["x1"] - bleed[2]) < 0.1
        assert abs(r["top"] - top) < 0.1


@pytest.mark.parametrize("stem", STEMS)
def test_large_print_phone_and_hours_at_14pt(shipped_build, stem):
    """What patients act on is set large: the phone number, the hours and the 'go now' box."""
    import pdfplumber

    from handouts.document import load_document
    from handouts.text.inline import plain

    doc = load_document(ROOT / "specs" / f"{stem}.yaml").for_handout()
    with pdfplumber.open(shipped_build / f"{stem}.large.pdf") as pdf:
        for page in pdf.pages:
            text = "".join(c["text"] for c in page.chars)
            sized = [(c["text"], c["size"]) for c in page.chars]
            # as set: spaces beside Japanese give way to the typesetter's 和欧間
            for want in (plain(doc.clinic.phone).plain, plain(doc.clinic.hours).plain):
                at = text.find(want)
                assert at >= 0, want
                small = [t for t, size in sized[at:at + len(want)] if size < 14 - 0.01]
                assert small == [], (want, small)
        danger = [b for s in doc.sections_for("handout") for b in s.for_target("handout")
                  if getattr(b, "level", None) == "danger"]
        assert danger
        words = "".join(c["text"] for p in pdf.pages for c in p.chars
                        if c["size"] >= 14 - 0.01 and c["text"] != " ")
        for b in danger:
            assert b.title.plain in words
            for item in b.items:
                assert re.sub(r"\[[\d,]+\]", "", item.plain)[:12] in words


@pytest.mark.parametrize("variant", PRINT)
@pytest.mark.parametrize("stem", STEMS)
def test_print_files_identify_as_pdfx4_with_a_fogra39_output_intent(shipped_build, stem,
                                                                     variant):
    """PDF/X-4 (ISO 15930-7) as far as it can be read back here (no PDF/X validator is
    free): the version in the document information and the XMP, the same dates in both,
    document and version IDs, trapping stated; one output intent naming the registered
    FOGRA39 condition with its CMYK printer profile embedded (read by LittleCMS); every
    page's trim box inside its bleed box inside the media; no annotations."""
    import io

    import pikepdf
    from PIL import ImageCms

    with pikepdf.open(shipped_build / f"{stem}{variant}.pdf") as pdf:
        info = pdf.docinfo
        assert str(info.GTS_PDFXVersion) == "PDF/X-4"
        assert str(info.Trapped) == "/False"
        assert str(info.CreationDate) == str(info.ModDate)
        day = str(info.CreationDate)[2:10]
        meta = pdf.open_metadata()
        assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert meta["pdf:Trapped"] == "False"
        assert meta["xmpMM:VersionID"] and meta["xmpMM:RenditionClass"] == "default"
        assert meta["xmpMM:DocumentID"].startswith("uuid:")
        for key in ("xmp:CreateDate", "xmp:ModifyDate"):
            assert meta[key].replace("-", "")[:8] == day, key
        assert "/Encrypt" not in pdf.trailer and "/Names" not in pdf.Root
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        assert intent.DestOutputProfile.N == 4
        profile = ImageCms.ImageCmsProfile(io.BytesIO(intent.DestOutputProfile.read_bytes()))
        assert profile.profile.xcolor_space.strip() == "CMYK"
        assert profile.profile.device_class == "prtr"
        assert "FOGRA39" in profile.profile.profile_description
        for page in pdf.pages:
            media, bleed, trim = ([float(v) for v in page.obj[k]]
                                  for k in ("/MediaBox", "/BleedBox", "/TrimBox"))
            assert media[0] <= bleed[0] < trim[0] and trim[2] < bleed[2] <= media[2]
            assert media[1] <= bleed[1] < trim[1] and trim[3] < bleed[3] <= media[3]
            assert "/Annots" not in page.obj
