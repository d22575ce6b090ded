"""Side-by-side crops: our justified Japanese paragraphs next to Typst's (`justify: true`) on
the same text, font (BIZ UDPGothic from fonts/), size and measure.

    make bench    # installs typst==0.15.2 into .venv (a bench-only dependency)
    .venv/bin/python bench/compare_typst.py [out-folder]

Writes ours.pdf, typst.pdf and side-by-side PNGs (200 dpi, ours left) per paragraph, and
prints where each line ends and how far each line's right edge is from the measure."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import typst
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from handouts.diagnostics import Mark
from handouts.fonts import FONT_DIR
from handouts.leaflet.flowables import BODY_CHARS
from handouts.pdfdraw import draw_line, register_fonts
from handouts.text.inline import parse
from handouts.text.setting import ruby_pitch, set_lines

SIZE, PITCH, MEASURE = 12.5, 1.5, 500.0  # the A4 leaflet's body
PARAGRAPHS = [  # from the shipped specs (citations as printed)
    "次のどれかが新しく出たら、すぐ救急外来へ。行けなければ119番へ[4,5]。出ない・もれるまで"
    "待たないでください。",
    "痛みの信号が長く続くと、脳や背骨の中の神経が敏感になります[1]。すると、ふつうなら痛く"
    "ない刺激でも、痛く感じることがあります[1]。これを{中枢性感作|ちゅうすうせいかんさ}と"
    "いいます。",
    "足のストレッチは、痛くない範囲で、20秒以上ゆっくりのばします。L4/5とL5/S1の椎間関節"
    "は、MRIでは「異常なし」とされることがあります（Bogduk 1979）。",
    "背骨は、骨がつみ木のように重なってできています。骨と骨のうしろ側は、左右の小さな関節で"
    "つながっています。これを{椎間関節|つい.かん.かん.せつ}とよびます。",
]


def ours(path: Path) -> None:
    register_fonts()
    c = Canvas(str(path), pagesize=(MEASURE + 40, 200), invariant=1)
    for text in PARAGRAPHS:
        # citation numbers as the leaflet sets them: small and raised
        marked = re.sub(r"\[([0-9,]+)\]", lambda m: "".join(f"[@r{n}]" for n in
                                                        m.group(1).split(",")), text)
        rich = parse(marked, Mark("x", 1, 1), {}, lambda i, m: int(i[1:]), [])
        y = 200 - 20 - SIZE
        for line in set_lines(rich, MEASURE, SIZE, justify=True, chars=BODY_CHARS):
            draw_line(c, line, 20, y, SIZE)
            y -= SIZE * (ruby_pitch(PITCH) if "{" in text else PITCH)
        c.showPage()
    c.save()


def typst_source() -> str:
    pages = []
    for text in PARAGRAPHS:
        body = re.sub(r"\{([^|}]+)\|([^}]+)\}",
                      lambda m: m.group(1), text)  # Typst has no ruby built in
        body = re.sub(r"\[([0-9,]+)\]", r"#super[[\1]]", body)
        pages.append(body)
    head = (f'#set page(width: {MEASURE + 40}pt, height: 200pt, margin: (x: 20pt, top: 20pt))\n'
            f'#set text(font: "BIZ UDPGothic", size: {SIZE}pt, lang: "ja")\n'
            f'#set par(justify: true, leading: {SIZE * (PITCH - 1)}pt, spacing: 0pt)\n')
    return head + "\n#pagebreak()\n".join(pages)


def edges(path: Path) -> list[list[tuple[str, float]]]:
    """Per page: (line text, right edge − measure) of each line."""
    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            rows: dict[float, list] = {}
            for ch in page.chars:
                if ch["size"] > SIZE * 0.9:
                    rows.setdefault(round(ch["top"] / 4) * 4, []).append(ch)
            lines = []
            for top in sorted(rows):
                cs = sorted(rows[top], key=lambda c: c["x0"])
                lines.append(("".join(c["text"] for c in cs), cs[-1]["x1"] - 20 - MEASURE))
            out.append(lines)
    return out


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build/typst-compare")
    out.mkdir(parents=True, exist_ok=True)
    ours(out / "ours.pdf")
    (out / "typst.pdf").write_bytes(typst.compile(typst_source().encode(),
                                                  font_paths=[str(FONT_DIR)]))
    for name in ("ours", "typst"):
        subprocess.run(["pdftoppm", "-r", "200", "-png", str(out / f"{name}.pdf"),
                        str(out / name)], check=True)
    for k in range(len(PARAGRAPHS)):
        a = Image.open(out / f"ours-{k + 1}.png")
        b = Image.open(out / f"typst-{k + 1}.png")
        both = Image.new("RGB", (a.width + b.width + 20, max(a.height, b.height)), "white")
        both.paste(a, (0, 0))
        both.paste(b, (a.width + 20, 0))
        both.save(out / f"side-by-side-{k + 1}.png")
    for name in ("ours", "typst"):
        print(name)
        for k, lines in enumerate(edges(out / f"{name}.pdf"), 1):
            for text, off in lines:
                print(f"  {k}  {off:+6.2f} pt  {text}")


if __name__ == "__main__":
    main()
