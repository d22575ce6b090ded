"""`handouts preview`: PNG thumbnails of every leaflet page and slide, and build/index.html,
a printable gallery grouped by topic with links to each output and its review date."""

from __future__ import annotations

import html
import json
from pathlib import Path

from .build import Result, build, write_atomic
from .document import Document

PREVIEW_FORMATS = ("pdf", "pptx", "slides", "notes")
THUMB_WIDTH = 360  # pixels


def thumbnails(pdf: Path, outdir: Path, prefix: str) -> list[Path]:
    """Render each page of `pdf` to `outdir/<prefix>-NN.png` (pypdfium2, no system tools)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    out = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            scale = THUMB_WIDTH / page.get_width()
            image = page.render(scale=scale).to_pil()
            path = outdir / f"{prefix}-{i + 1:02d}.png"
            write_atomic(path, lambda tmp, im=image: im.save(tmp, format="PNG"))
            out.append(path)
    finally:
        doc.close()
    for old in outdir.glob(f"{prefix}-*.png"):  # pages a longer earlier version had
        if old not in out:
            old.unlink()
    return out


def gallery(entries: list[dict], outdir: Path) -> str:
    """The index page: one section per topic, leaflet pages then slides."""
    def img(path: Path, alt: str, pdf: Path, page: int) -> str:
        # a thumbnail opens its page in the real PDF (browsers honour #page=)
        rel = html.escape(path.relative_to(outdir).as_posix())
        href = html.escape(f"{pdf.relative_to(outdir).as_posix()}#page={page}")
        return f'<a href="{href}"><img src="{rel}" alt="{html.escape(alt)}"></a>'

    parts = []
    toc = []
    for e in entries:
        leaflet, slides = outdir / f"{e['stem']}.pdf", outdir / f"{e['stem']}.slides.pdf"
        links = " ・ ".join(
            f'<a href="{html.escape(p.name)}">{label}</a>' for label, p in e["outputs"])
        toc.append(f'<li><a href="#{html.escape(e["stem"])}">{html.escape(e["title"])}</a>'
                   f' <span class="meta">次の見直し {e["review_by"]}</span></li>')
        parts.append(f"""<section id="{html.escape(e["stem"])}">
<h2>{html.escape(e["title"])}</h2>
<p class="meta">{html.escape(e["audience"])} ・ 確認日 {e["reviewed"]} ・ 次の見直し
<strong>{e["review_by"]}</strong> ・ {links}</p>
<h3>リーフレット（{len(e["pages"])} ページ）</h3>
<div class="pages">{"".join(img(p, f"{e['title']} {i} ページ", leaflet, i)
                          for i, p in enumerate(e["pages"], 1))}</div>
<h3>スライド（{len(e["slides"])} 枚）</h3>
<div class="slides">{"".join(img(p, f"スライド {i}", slides, i)
                           for i, p in enumerate(e["slides"], 1))}</div>
</section>""")
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>handouts 一覧</title>
<style>
body {{ font-family: "BIZ UDPGothic", sans-serif; margin: 2rem; color: #111; }}
h1 {{ font-size: 1.6rem; }} h2 {{ border-bottom: 2px solid #1F5C99; color: #1F5C99; }}
.meta {{ font-size: .95rem; }} img {{ border: 1px solid #999; margin: 4px; }}
.pages img {{ width: 180px; }} .slides img {{ width: 160px; }}
section {{ break-inside: avoid-page; margin-bottom: 2rem; }}
@media print {{ body {{ margin: 0; }} a {{ color: inherit; text-decoration: none; }}
  section {{ break-before: page; }} }}  /* one topic per printed sheet */
</style></head>
<body><h1>資料の一覧（{len(entries)} トピック）</h1>
<ul class="toc">{"".join(toc)}</ul>
{"".join(parts)}
</body></html>
"""


def entry(doc: Document, outdir: Path) -> dict:
    """One topic of the gallery; renders its thumbnails."""
    stem, thumbs = doc.stem, outdir / "thumbs"
    return {
        "stem": stem, "spec": doc.path.resolve(), "inputs": list(doc.inputs),
        "title": doc.title.plain,
        "audience": {"patients": "患者さん向け", "practitioners": "施術者向け"}[doc.audience]
        + ("（リーフレットは患者さん向け）" if doc.for_handout().audience != doc.audience
           else ""),
        "reviewed": doc.reviewed.isoformat(), "review_by": doc.review_by.isoformat(),
        "outputs": [("リーフレット PDF", outdir / f"{stem}.pdf"),
                    ("スライド PPTX", outdir / f"{stem}.pptx"),
                    ("スライド PDF", outdir / f"{stem}.slides.pdf"),
                    ("配布資料 PDF", outdir / f"{stem}.notes.pdf")],
        "pages": thumbnails(outdir / f"{stem}.pdf", thumbs, f"{stem}-page"),
        "slides": thumbnails(outdir / f"{stem}.slides.pdf", thumbs, f"{stem}-slide"),
    }


GALLERY = ".gallery.json"  # the entries index.html shows, so a partial preview keeps the rest


def _load_gallery(outdir: Path) -> dict[str, dict]:
    try:
        saved = json.loads((outdir / GALLERY).read_text(encoding="utf-8"))
        return {e["stem"]: {
            **e, "spec": Path(e["spec"]), "inputs": [Path(p) for p in e["inputs"]],
            "outputs": [(label, Path(p)) for label, p in e["outputs"]],
            "pages": [Path(p) for p in e["pages"]], "slides": [Path(p) for p in e["slides"]],
        } for e in saved}
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or from another version
        return {}


def _save_gallery(outdir: Path, entries: list[dict]) -> None:
    text = json.dumps([{k: ([(a, str(b)) for a, b in v] if k == "outputs" else
                            [str(x) for x in v] if isinstance(v, list) else
                            str(v) if isinstance(v, Path) else v) for k, v in e.items()}
                       for e in entries], ensure_ascii=False, indent=1)
    write_atomic(outdir / GALLERY, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def preview(paths: list[Path], outdir: Path, profile: Path | None = None,
            entries: dict[str, dict] | None = None) -> Result:
    """Build the specs, render their thumbnails and write the index. The index keeps every
    topic it showed before whose spec and thumbnails still exist (a preview or watch of one
    spec does not drop the others); `entries` (stem → entry) receives the rebuilt ones."""
    docs: dict[str, Document] = {}
    result = build(paths, outdir, PREVIEW_FORMATS, profile, on_document=docs.__setitem__)
    entries = {} if entries is None else entries
    for stem, doc in docs.items():
        entries[stem] = entry(doc, outdir)
    shown = {**_load_gallery(outdir), **entries}
    shown = {k: e for k, e in sorted(shown.items()) if e["spec"].is_file()
             and all(p.is_file() for p in e["pages"] + e["slides"])}
    page = gallery(list(shown.values()), outdir)
    _save_gallery(outdir, list(shown.values()))
    write_atomic(outdir / "index.html", lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return result
