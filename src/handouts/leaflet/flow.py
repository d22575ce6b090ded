"""How the leaflet's parts go onto pages: kept together when they fit a page
(KeepIfItFits), a heading never left at a page's foot. Parts go on in the order written:
nothing moves ahead of the help boxes (clinical review)."""

from __future__ import annotations

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from .flowables import Drawing, Para


class KeepIfItFits(KeepTogether):
    """Kept on one page when it fits on one; content taller than a whole page starts where
    it is (if a quarter of the page is left), instead of leaving most of a page empty: its
    lead (a heading with the first block under it) kept together, the rest flowing on."""

    def split(self, aw: float, ah: float):
        if getattr(self, "_wrapInfo", None) != (aw, ah):
            self.wrap(aw, ah)
        frame = getattr(self, "_frame", None)
        if frame is not None and self._H > _page(self, frame) and ah >= frame._height / 4:
            k = next((i for i, f in enumerate(self._content) if not _leads(f)),
                     len(self._content) - 1)
            if k + 1 < len(self._content):  # a heading never ends a page
                # an action first: the lead need not fit here (it then opens the next page)
                return [self.NullActionFlowable(), KeepIfItFits(self._content[:k + 1]),
                        *self._content[k + 1:]]
            # reportlab places the first piece as it is: it must fit here, or split here
            first, rest = self._content[0], list(self._content[1:])
            if first.wrap(aw, ah)[1] <= ah:
                return [first] + rest
            parts = first.split(aw, ah)
            if parts:
                return list(parts) + rest
        return super().split(aw, ah)


class GoesOn(Flowable):
    """「→次のページへ続く」 under what leads into a box when the box opens the next page
    (stretches' introduction in A5: alone at a page's foot it read as the whole help
    section). Nothing where the box follows on the same page. A pagination artifact, as
    a running header is: a screen reader reads on into the box."""

    def __init__(self, cue: Para, box: Flowable):
        super().__init__()
        self.cue, self.box = cue, box
        self._show = False

    def wrap(self, aw: float, ah: float):
        h = self.cue.wrap(aw, ah)[1]
        self._show = h <= ah and self.box.wrap(aw, ah)[1] > ah - h
        return aw, h if self._show else 0.0

    def draw(self) -> None:
        if self._show:
            self.cue.drawOn(self.canv, 0, 0)


class HeadingBreak(CondPageBreak):
    """A page break unless a section's heading fits here with the start of its first
    block: two lines of a paragraph that can be split (four lines or more: two stay, two
    go on), the whole of a shorter one, or `least` for another block. Measured at the
    frame's width when the page is made (a heading with ruby or on two lines is taller
    than an estimate)."""

    def __init__(self, head: list, first, least: float):
        super().__init__(0.0)
        self.head, self.first, self.least = head, first, least

    def wrap(self, aw: float, ah: float):
        self.height = sum(f.wrap(aw, ah)[1] for f in self.head) + self._start(aw, ah)
        return super().wrap(aw, ah)

    def _start(self, aw: float, ah: float) -> float:
        f = self.first
        if not isinstance(f, Para):
            return self.least if f is not None else 0.0
        f.wrap(aw, ah)
        heights = f._heights
        return sum(heights) if len(heights) < 4 else sum(heights[:2])


def _page(f: KeepTogether, frame) -> float:
    """The tallest body a page of the document has (the first page's is shorter: the
    title band): what is taller cannot be kept on one page."""
    templates = f._doctemplateAttr("pageTemplates") or []
    return max([frame._height] + [t.frames[0]._height for t in templates])


def flat(flows: list) -> list:
    """Flowables without their keep-together wrappers and conditional page breaks (a
    KeepTogether inside a KeepTogether always claims a fresh page)."""
    out = []
    for f in flows:
        if isinstance(f, KeepTogether):
            out += flat(f._content)
        elif not isinstance(f, CondPageBreak):
            out.append(f)
    return out


def _leads(f) -> bool:
    """A heading, its rule or a gap: what leads into a block and never ends a page."""
    if isinstance(f, Para):
        return f.element is not None and f.element.kind in ("heading", "subheading")
    return isinstance(f, (Spacer, CondPageBreak)) or (
        isinstance(f, Drawing) and f.element is None)
