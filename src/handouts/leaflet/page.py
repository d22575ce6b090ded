"""Page furniture of the leaflet: the footer (clinic, phone, hours, review dates, page x/y,
QR code), crop marks, and the canvas that draws them once the page count is known."""

from __future__ import annotations

import importlib.util
import unicodedata
import zlib
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .. import document as d
from .. import fontcache
from ..diagnostics import Mark
from ..fonts import fonts
from ..pdf import info, tagging
from ..pdf.tagging import Tagger
from ..pdfdraw import draw_line, draw_text
from ..text.inline import Rich, Span, plain
from ..text.setting import one_line_width
from . import pdfx
from .colour import to_cmyk
from .flowables import Para, Type
from .variant import EDGE, FOOTER_H, MARK_GAP, MARK_LEN, Options

MARK = Mark("<clinic profile>", 0, 0)


def tel_uri(phone: str) -> str:
    """A Japanese phone number as a tel: URI in international form (RFC 3966):
    03-0000-0000 → tel:+81-3-0000-0000."""
    number = unicodedata.normalize("NFKC", phone).strip()
    number = "-".join(number.replace("(", " ").replace(")", " ").split())
    if number.startswith("0"):
        number = "+81-" + number[1:].lstrip("-")
    return "tel:" + number


class Footer:
    """Footer on every page: clinic, phone, hours, review dates, page x/y and the clinic's
    QR code. Repeated page furniture is an artifact, except on the last page, where it is
    the document's contact details (with the phone and QR code as links)."""

    def __init__(self, doc: d.Document, opt: Options, accent, tagger: Tagger):
        self.doc, self.opt, self.accent, self.tagger = doc, opt, accent, tagger
        clinic = doc.clinic
        self.qr = 14 * mm if clinic.url else 0
        pw = opt.pagesize[0]
        self.x0, self.right = opt.margin, pw - opt.margin
        self.text_right = self.right - (self.qr + 4 * mm if self.qr else 0)
        least = opt.least  # large print: nothing a patient reads is smaller
        self.label = max(11.0, least)  # the page label's size
        lw = fonts().width("99/99", self.label, True) + 4 * mm  # room for the page label
        big, fine = max(11.0, least), max(8.5, least)  # the name row; the rest
        name = Rich((Span(clinic.name),), MARK)
        rows = []  # (text, size, bold, room kept for the page label, smallest size)
        shrink = max(6.5, least)
        if clinic.phone:
            phone = Span(clinic.phone, link=tel_uri(clinic.phone))
            if least:  # the phone on a line of its own, as large as the name
                rows += [(name, big, True, lw, shrink),
                         (Rich((Span("電話"), phone), MARK), big, True, lw, shrink)]
            else:
                rows.append((Rich((Span(clinic.name + "　電話"), phone), MARK), big, True,
                             lw, shrink))
        else:
            rows.append((name, big, True, lw, shrink))
        if clinic.address:
            rows.append((plain(clinic.address), fine, False, 0, shrink))
        if clinic.hours:
            rows.append((plain(clinic.hours), fine, False, 0, shrink))
        rows.append((plain(f"内容の確認日 {doc.reviewed:%Y-%m-%d}・次の見直し "
                           f"{doc.review_by:%Y-%m-%d}"), fine, False, 0, shrink))
        self.rows = []  # (line, size, bold, baseline below the footer's top rule)
        y, prev = 5 * mm, None
        for rich, pt, bold, reserve, floor in rows:
            width = self.text_right - self.x0 - reserve
            need = one_line_width(rich, pt, bold)  # 和欧間 included
            if need > width:  # smaller rather than wrapped, down to `floor`
                pt = max(floor, pt * width / need)
            # set like a paragraph (ragged), so a wrapped row never ends with one or two
            # characters
            for line in Para(rich, Type(pt, bold, justify=False))._set(width):
                if prev is not None:  # 4.1 mm between 8.5 pt lines, more for larger ones
                    y += max(4.1 * mm, (prev + pt) / 2 * 1.25)
                self.rows.append((line, pt, bold, y))
                prev = pt
        # office printers leave about 5 mm unprinted: the last line's descent stays clear
        self.height = max(FOOTER_H, y + EDGE + 0.25 * prev)

    def draw(self, c, page: int, total: int) -> None:
        off = self.opt.slug
        x0, right, top = off + self.x0, off + self.right, off + self.height
        last = page == total
        c.saveState()
        with tagging.artifact(c, "Pagination"):
            c.setStrokeColor(self.accent)
            c.setLineWidth(1)
            c.line(x0, top, right, top)
            c.setFillColor(colors.black)
            label = f"{page}/{total}"
            lw = fonts().width(label, self.label, True)
            draw_text(c, label, off + self.text_right - lw, top - 5 * mm, self.label, True)
        contact = self.tagger.root if last else None
        for line, size, bold, below in self.rows:
            with tagging.lines(c, contact.child("paragraph") if contact else None) as marks:
                draw_line(c, line, x0, top - below, size, bold, marks=marks)
        if self.qr:
            url = self.doc.clinic.url
            x, y = right - self.qr, top - 2.5 * mm - self.qr
            link = contact.child("link", alt=f"クリニックのウェブサイト {url}") if contact else None
            figure = link.child("figure", alt=f"QRコード（{url}）") if link else None
            with tagging.content(c, figure):
                _draw_qr(c, url, x, y, self.qr)
            if link is not None:
                self.tagger.link_area(c, link, url, x, y, self.qr, self.qr)
        c.restoreState()

    def canvasmaker(self, title: str, probe: list | None = None, write: bool = True):
        """The leaflet's canvas class; with `write` False it lays out the pages but draws
        nothing on them and finishes none (no text, footers, tags or file): `check` counts
        pages."""
        footer, opt, tagger = self, self.opt, self.tagger
        pw, ph = opt.pagesize
        off, bleed = opt.slug, opt.bleed * mm

        class FooterCanvas(Canvas):
            """Holds pages until the end so the footer can say 'page x of y'."""

            def __init__(self, *a, **kw):
                if bleed:
                    kw.update(trimBox=(off, off, off + pw, off + ph),
                              bleedBox=(off - bleed, off - bleed, off + pw + bleed,
                                        off + ph + bleed), cropMarks=None)
                if opt.cmyk:  # every colour set on the page goes through to_cmyk
                    kw.update(enforceColorSpace=to_cmyk)
                if write:  # else no font is registered: nothing is drawn or written
                    # without an initial font reportlab declares an unembedded Helvetica
                    kw.update(initialFontName="BIZUDPGothic", initialFontSize=12)
                super().__init__(*a, **kw)
                self.layout_only = not write  # pdfdraw draws no text or art
                self._pages: list[dict] = []
                self.tagger = tagger
                self.line_probe = probe  # Para.draw reports its lines there (tests)

            def setFont(self, psfontname, size, leading=None):
                if write:  # laid out only: no font is registered (a table's cells ask)
                    super().setFont(psfontname, size, leading)

            def setFillColor(self, aColor, alpha=None):
                super().setFillColor(aColor, alpha)
                if opt.cmyk:  # 100 % K overprints: no white gap where the plates shift
                    ink = self._fillColorObj
                    black = (isinstance(ink, colors.CMYKColor) and ink.black >= 0.999
                             and not (ink.cyan or ink.magenta or ink.yellow))
                    if black:
                        self.setOverprintMask(True)  # OPM 1: 0 in C, M, Y leaves them
                    self.setFillOverprint(black)

            def showPage(self):
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                if not write:
                    return
                total = len(self._pages)
                for i, state in enumerate(self._pages, 1):
                    self.__dict__.update(state)
                    footer.draw(self, i, total)
                    if bleed:
                        with tagging.artifact(self):
                            _crop_marks(self, off, bleed, pw, ph)
                    if not opt.cmyk:  # links do not print (and PDF/X keeps them out)
                        tagger.annotate(self, i - 1, total)
                    Canvas.showPage(self)
                    tagger.page_done(self._doc.Pages.pages[-1], i - 1)
                day = footer.doc.reviewed  # every file dated by its review date
                if opt.cmyk:
                    pdfx.stamp(self, day)
                    xmp = pdfx.xmp(day, f"{title}|{pw:.0f}x{ph:.0f}")
                else:
                    info.date(self, day)
                    xmp = info.xmp_dates(day)
                tagger.finish(self, title, xmp)
                Canvas.save(self)

        return FooterCanvas


@lru_cache(maxsize=16)
def _qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """QR matrix size and its dark runs (row, first column, length); segno computes it,
    once per URL: kept on disk (fontcache, keyed by this module's and segno's code), so a
    build does not import segno (with the XML and HTTP modules it loads) and encode again."""
    version = fontcache.code_version(__file__, importlib.util.find_spec("segno").origin)
    return fontcache.cached_for_text(data, "qr-runs", version, lambda: _make_qr_runs(data))


def _make_qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    import segno

    rows = list(segno.make(data, error="m", micro=False).matrix_iter(border=0))
    runs = []
    for r, row in enumerate(rows):
        k = 0
        while k < len(row):
            if row[k]:
                start = k
                while k < len(row) and row[k]:
                    k += 1
                runs.append((r, start, k - start))
            else:
                k += 1
    return len(rows), tuple(runs)


def _draw_qr(c, data: str, x: float, y: float, size: float) -> None:
    """The clinic URL as a vector QR code: one path of horizontal runs, drawn once per
    document as a form and placed on every page."""
    name = f"qr{zlib.crc32(f'{data}|{size:.3f}'.encode())}"  # stable across runs
    if name not in getattr(c, "_qr_forms", set()):
        n, runs = _qr_runs(data)
        cell = size / n
        c.beginForm(name)
        c.setFillColor(colors.black)
        path = c.beginPath()
        for r, k, length in runs:
            path.rect(k * cell, size - (r + 1) * cell, length * cell, cell + 0.05)
        c.drawPath(path, stroke=0, fill=1)
        c.endForm()
        c._qr_forms = getattr(c, "_qr_forms", set()) | {name}
    c.saveState()
    c.translate(x, y)
    c.doForm(name)
    c.restoreState()


REGISTRATION = colors.CMYKColor(1, 1, 1, 1)  # marks print on every plate


def _crop_marks(c, off: float, bleed: float, pw: float, ph: float) -> None:
    """Corner crop marks, MARK_LEN long on the trim lines, and a centre mark (a cross on the
    centre line) on each side; all outside the bleed, in registration colour."""
    c.saveState()
    c.setLineWidth(0.3)
    c.setStrokeColor(REGISTRATION)
    a, b = bleed + MARK_GAP, bleed + MARK_GAP + MARK_LEN
    for x, dx in ((off, -1), (off + pw, 1)):
        for y, dy in ((off, -1), (off + ph, 1)):
            c.line(x + dx * a, y, x + dx * b, y)
            c.line(x, y + dy * a, x, y + dy * b)
    mid = (a + b) / 2
    cx, cy = off + pw / 2, off + ph / 2
    for y, dy in ((off, -1), (off + ph, 1)):  # top and bottom
        c.line(cx, y + dy * a, cx, y + dy * b)
        c.line(cx - MARK_LEN, y + dy * mid, cx + MARK_LEN, y + dy * mid)
    for x, dx in ((off, -1), (off + pw, 1)):  # left and right
        c.line(x + dx * a, cy, x + dx * b, cy)
        c.line(x + dx * mid, cy - MARK_LEN, x + dx * mid, cy + MARK_LEN)
    c.restoreState()
