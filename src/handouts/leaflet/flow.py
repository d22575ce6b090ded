"""How the leaflet's parts go onto pages: kept together when they fit a page
(KeepIfItFits), the help boxes as a float that may open the next page while what follows
fills this one (Float, placed by LeafletTemplate), a heading never left at a page's foot."""

from __future__ import annotations

from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, KeepTogether,
                                Spacer)

from .flowables import Box, Drawing, Para


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


def _page(f: KeepTogether, frame) -> float:
    """The tallest body a page of the document has (the first page's is shorter: the
    title band): what is taller cannot be kept on one page."""
    templates = f._doctemplateAttr("pageTemplates") or []
    return max([frame._height] + [t.frames[0]._height for t in templates])


class Float(KeepIfItFits):
    """A part kept on one page (the help boxes) that may open the next page while what
    follows it fills this one (LeafletTemplate places it). Its structure elements keep
    their place in the reading order (the tagger orders them as they were made).

    Taller than a page, it flows as its parts: what leads into the boxes (a heading with
    an introduction) goes where it is, and the boxes, together, float on as a Float of
    their own (what follows fills this page); but when the boxes together are taller than
    a page too, its lead, from its heading through the never-split box, is kept together
    (if it fits a page) and the rest flows on after it."""

    def __init__(self, flows: list):
        super().__init__(_flat(flows))
        self.flows = flows
        self._spans = []  # (part of flows, where its flowables start and end in _content)
        at = 0
        for f in flows:
            n = len(_flat([f]))
            self._spans.append((f, at, at + n))
            at += n

    def _box(self) -> int | None:
        """Where the never-split box (the go-now box) is in _content."""
        return next((i for i, f in enumerate(self._content) if isinstance(f, Box) and f.keep),
                    None)

    def _boxes(self) -> int:
        """Where (in flows) the part holding the never-split box starts; 0: none."""
        box = self._box()
        return next((k for k, (_, a, b) in enumerate(self._spans) if box is not None
                     and a <= box < b), 0)

    def _lead(self, aw: float, page: float) -> int:
        """How many of its flowables (in _content) to keep together; 0: none."""
        box = self._box()
        if box is None:
            return 0
        heights = [f.wrap(aw, page)[1] for f in self._content]
        start, end = next((a, b) for _, a, b in self._spans if a <= box < b)
        if sum(heights[:end]) <= page:
            return end
        if sum(heights[start:end]) <= page:
            return 0  # the boxes fit a page together: they go as one part
        return box + 1 if sum(heights[:box + 1]) <= page else 0

    def needs(self, aw: float, page: float) -> float:
        """The height that must be on one page: all of it, or, taller than a `page`, its
        lead (its heading with the first block, when the lead would not fit a page)."""
        self.wrap(aw, page)
        if self._H <= page:
            return self._H
        n = self._lead(aw, page) or next(
            (i for i, f in enumerate(self._content) if not _leads(f)), 0) + 1
        return sum(f.wrap(aw, page)[1] for f in self._content[:n])

    def split(self, aw: float, ah: float):
        frame = getattr(self, "_frame", None)
        if getattr(self, "_wrapInfo", None) != (aw, ah):
            self.wrap(aw, ah)
        page = _page(self, frame) if frame is not None else 0.0
        if frame is None or self._H <= page:
            return super().split(aw, ah)
        n = self._lead(aw, page)
        if not n:
            k = self._boxes()
            if not k:
                return [self.NullActionFlowable(), *self.flows]
            # what leads into the boxes (the heading, an introduction) goes here; the boxes
            # wait as a float of their own while what follows fills this page
            return [self.NullActionFlowable(), KeepIfItFits(_flat(self.flows[:k])),
                    Float(self.flows[k:])]
        # the rest: what is left of the part the lead ends in, then the parts after it
        rest = []
        for f, start, end in self._spans:
            if start >= n:
                rest.append(f)
            elif end > n:
                rest += self._content[n:end]
        return [self.NullActionFlowable(), KeepIfItFits(self._content[:n]), *rest]


class LeafletTemplate(BaseDocTemplate):
    """reportlab's page layout with one addition: a Float that does not fit the space left
    on a page waits while the flowables after it fill the page; the first one that does
    not fit (or the end of the story) places it, so it opens the next page and that
    flowable follows it whole."""

    _waiting: Float | None = None

    def handle_flowable(self, flowables):
        frame = getattr(self, "frame", None)
        if frame is None:  # reportlab's own page start, before the first frame
            return super().handle_flowable(flowables)
        f = flowables[0]
        room = frame._y - frame._y1p
        if self._waiting is not None and (
                frame._atTop or isinstance(f, _PlaceWaiting)
                or self._needs(flowables, frame) > room):
            flowables.insert(0, self._waiting)
            self._waiting = None
        elif isinstance(f, Float):
            page = max(pt.frames[0]._height for pt in self.pageTemplates)
            f.canv, f._frame = self.canv, frame
            if not frame._atTop and room < f.needs(frame._width, page) <= page:
                self._waiting = flowables.pop(0)
                return
        if isinstance(flowables[0], _PlaceWaiting):
            del flowables[0]
            return
        super().handle_flowable(flowables)

    def build(self, flowables, **kw):
        super().build(list(flowables) + [_PlaceWaiting()], **kw)

    def _needs(self, flowables: list, frame) -> float:
        """The room the next flowable needs here; a section's start (its conditional
        break) needs its heading with the whole first block, so a waiting float goes
        before the section rather than leave the heading at the foot of the page."""
        f = flowables[0]
        if not isinstance(f, CondPageBreak):
            return _height(f, frame, self.canv)
        need = 0.0
        for g in flowables[1:]:
            need += _height(g, frame, self.canv)
            if not _leads(g):
                break
        return max(need, f.height)


def _height(f, frame, canv) -> float:
    """How much of the frame `f` needs here (a keep-together: all of it)."""
    if isinstance(f, CondPageBreak):
        return f.height
    f.canv, f._frame = canv, frame
    _, h = f.wrap(frame._width, frame._height)
    return f._H if isinstance(f, KeepTogether) else h


class _PlaceWaiting(Flowable):
    """The end of the story: a float still waiting is placed here."""

    def wrap(self, aw: float, ah: float):
        return 0, 0

    def draw(self) -> None:
        pass


def _flat(flows: list) -> list:
    """Flowables without their keep-together wrappers and conditional page breaks (a
    KeepTogether inside a KeepTogether always claims a fresh page)."""
    out = []
    for f in flows:
        if isinstance(f, KeepTogether):
            out += _flat(f._content)
        elif not isinstance(f, CondPageBreak):
            out.append(f)
    return out


def _leads(f) -> bool:
    """A heading, its rule or a gap: what leads into a block and never ends a page."""
    if isinstance(f, Para):
        return f.element is not None and f.element.kind in ("heading", "subheading")
    return isinstance(f, (Spacer, CondPageBreak)) or (
        isinstance(f, Drawing) and f.element is None)
