"""Tagged PDF (PDF/UA-1) for the leaflet: marked content in the page streams and the
structure tree beside it. reportlab has no tagging API, so this module writes both.

The typesetter gives every flowable an `Element` that says what it is in the document
model's words ("heading", "item", "figure" with its alt text, ...); this module alone knows
the PDF side: structure types, MCIDs, the ParentTree, artifacts, link annotations, XMP.
Anything drawn on a tagged canvas outside an element is marked as an artifact.

A flowable that draws something new (a diagram, a drawing) declares its role by taking an
`Element("figure", alt=...)` and drawing inside `with content(canv, element):`.
"""

from __future__ import annotations

from html import escape

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFObject, PDFPage, PDFStream

# document-model kinds → PDF standard structure types (no RoleMap needed)
STRUCTURE = {
    "document": "Document", "section": "Sect",
    "title": "H1", "heading": "H2", "subheading": "H3",
    "paragraph": "P", "caption": "Caption", "figure": "Figure",
    "list": "L", "item": "LI", "label": "Lbl", "item body": "LBody",
    "table": "Table", "row": "TR", "header cell": "TH", "cell": "TD",
    "citation": "Lbl", "link": "Link", "ruby": "Ruby", "ruby base": "RB", "ruby text": "RT",
}


class Element:
    """One node of the document's logical structure, created by the typesetter in reading
    order. It enters the PDF's structure tree when something of it is drawn."""

    __slots__ = ("kind", "parent", "alt", "lang", "attribute", "actual", "kids", "attached",
                 "inline", "order")
    _made = 0  # elements made so far: their reading order

    def __init__(self, kind: str, parent: "Element | None" = None, alt: str | None = None,
                 lang: str | None = None, attribute: str | None = None,
                 actual: str | None = None):
        self.kind, self.parent, self.alt, self.lang = kind, parent, alt, lang
        # a header cell's Scope (Column) or a list's ListNumbering (Disc, Decimal, None)
        self.attribute = attribute
        self.actual = actual  # the text it stands for, when it has no content of its own
        self.kids: list = []  # Elements, (page, mcid) pairs and link annotations, in order
        self.attached = parent is None
        self.inline: dict | None = None  # a paragraph's link elements, by span identity
        Element._made += 1
        self.order = Element._made

    def child(self, kind: str, alt: str | None = None, lang: str | None = None,
              attribute: str | None = None, actual: str | None = None) -> "Element":
        return Element(kind, self, alt, lang, attribute, actual)

    def attach(self) -> None:
        """Enter the tree, in reading order among the elements beside it: the order they
        were made, not drawn (a float is drawn after what follows it)."""
        if not self.attached:
            self.attached = True
            self.parent.attach()
            kids = self.parent.kids
            at = len(kids)
            while at and isinstance(kids[at - 1], Element) and kids[at - 1].order > self.order:
                at -= 1
            kids.insert(at, self)


class _Annotation:
    """A link annotation written on a page: its reference, page and ParentTree key."""

    __slots__ = ("ref", "page", "key")

    def __init__(self, ref, page: int, key: int):
        self.ref, self.page, self.key = ref, page, key


class Tagger:
    """The structure of one document while reportlab draws it."""

    def __init__(self, lang: str = "ja-JP"):
        self.lang = lang
        self.root = Element("document")
        self.mcids: dict[int, list[Element]] = {}  # page index → element of each MCID
        self.links: dict[int, list] = {}  # page index → [(link element, uri, rects)]
        self.annotations: list[tuple[Element, _Annotation]] = []
        self.open = False  # a marked-content sequence is open (they never nest)

    # -- marked content ------------------------------------------------------------------
    def begin(self, canv, element: Element, actual: str | None = None) -> None:
        """Open the content of `element`. Content standing for `actual` is marked /Span:
        poppler reads /ActualText only there (the structure element keeps its own type)."""
        assert not self.open, "marked content never nests"
        page = canv._pageNumber - 1
        ids = self.mcids.setdefault(page, [])
        element.attach()
        element.kids.append((page, len(ids)))
        if actual is None:
            canv._code.append(f"/{STRUCTURE[element.kind]} <</MCID {len(ids)}>> BDC")
        else:
            canv._code.append(f"/Span <</MCID {len(ids)} /ActualText {_hex(actual)}>> BDC")
        ids.append(element)
        self.open = True

    def begin_artifact(self, canv, kind: str | None = None) -> None:
        assert not self.open, "marked content never nests"
        canv._code.append(f"/Artifact <</Type /{kind}>> BDC" if kind else "/Artifact BMC")
        self.open = True

    def end(self, canv) -> None:
        canv._code.append("EMC")
        self.open = False

    # -- links ---------------------------------------------------------------------------
    def link_area(self, canv, element: Element, uri: str, x: float, y: float, w: float,
                  h: float) -> None:
        """A clickable area of a link element (in the current coordinates)."""
        a, b, c, d, e, f = canv._currentMatrix
        pts = [(a * px + c * py + e, b * px + d * py + f)
               for px, py in ((x, y), (x + w, y), (x + w, y + h), (x, y + h))]
        page = self.links.setdefault(canv._pageNumber - 1, [])
        for entry in page:
            if entry[0] is element:
                entry[2].append(pts)
                return
        page.append((element, uri, [pts]))

    def annotate(self, canv, page: int, pages: int) -> None:
        """Write this page's link annotations (called before reportlab closes the page);
        `pages` in the document, the ParentTree's keys for annotations follow the pages'."""
        for element, uri, quads in self.links.get(page, []):
            xs = [x for q in quads for x, _ in q]
            ys = [y for q in quads for _, y in q]
            key = len(self.annotations)
            rect = " ".join(f"{v:.2f}" for v in (min(xs), min(ys), max(xs), max(ys)))
            points = " ".join(f"{v:.2f}" for q in quads for v in (*q[3], *q[2], *q[0], *q[1]))
            ann = _Raw()
            ann.text = (f"<< /Type /Annot /Subtype /Link /Rect [{rect}] /QuadPoints [{points}]"
                        f" /Border [0 0 0] /F 4 /Contents {_hex(element.alt or uri)}"
                        f" /A << /S /URI /URI <{uri.encode('ascii').hex()}> >>"
                        f" /StructParent {pages + key} >>")
            name = f"link{key}"
            canv._addAnnotation(ann, name)
            annotation = _Annotation(canv._doc.refAnnotation(name), page, pages + key)
            element.kids.append(annotation)
            self.annotations.append((element, annotation))

    # -- the end ----------------------------------------------------------------------------
    def page_done(self, page: PDFPage, index: int) -> None:
        """Give reportlab's page object its StructParents and tab order."""
        page.__NoDefault__ = PDFPage.__NoDefault__ + ["StructParents", "Tabs"]
        page.StructParents = index
        page.Tabs = PDFName("S")

    def finish(self, canv, title: str, xmp: tuple[str, str] = ("", "")) -> None:
        """Write the structure tree, ParentTree, MarkInfo, XMP (with `xmp`'s namespaces
        and properties added) and viewer preferences."""
        doc = canv._doc
        pages = len(doc.Pages.pages)
        order: list[Element] = []
        stack = [self.root]
        while stack:
            el = stack.pop()
            order.append(el)
            stack.extend(reversed([k for k in el.kids if isinstance(k, Element)]))
        # objects are numbered now and written as text we format (formatting reportlab's
        # nested dictionaries took longer than all the rest of the tagging)
        raws = {id(el): _Raw() for el in order}
        root = _Raw()
        obj = doc.idToObjectNumberAndVersion
        root_ref = _register(doc, root)
        refs = {k: _register(doc, raw) for k, raw in raws.items()}
        page_refs = [f"{obj[f'Page{i + 1}'][0]} 0 R" for i in range(pages)]
        for el in order:
            first = None
            kids = []
            for k in el.kids:
                cls = type(k)
                if cls is tuple:
                    if first is None:
                        first = k[0]
                    kids.append(str(k[1]) if k[0] == first else
                                f"<</Type /MCR /Pg {page_refs[k[0]]} /MCID {k[1]}>>")
                elif cls is Element:
                    kids.append(refs[id(k)])
                else:
                    kids.append(f"<</Type /OBJR /Obj {obj[k.ref.name][0]} 0 R "
                                f"/Pg {page_refs[k.page]}>>")
            parent = refs[id(el.parent)] if el.parent is not None else root_ref
            text = [f"<< /Type /StructElem /S /{STRUCTURE[el.kind]} /P {parent}"]
            if first is not None:
                text.append(f" /Pg {page_refs[first]}")
            if kids:
                text.append(f" /K {kids[0]}" if len(kids) == 1 else f" /K [{' '.join(kids)}]")
            if el.actual:
                text.append(f" /ActualText {_hex(el.actual)}")
            if el.alt:
                text.append(f" /Alt {_hex(el.alt)}")
            if el.lang:
                text.append(f" /Lang ({el.lang})")
            if el.attribute:
                text.append(f" /A << /O /List /ListNumbering /{el.attribute} >>"
                            if el.kind == "list" else f" /A << /O /Table /Scope /{el.attribute} >>")
            raws[id(el)].text = "".join(text) + " >>"
        nums = []
        for page in range(pages):
            owners = " ".join(refs[id(el)] for el in self.mcids.get(page, []))
            nums.append(f"{page} [{owners}]")
        for element, annotation in self.annotations:
            nums.append(f"{annotation.key} {refs[id(element)]}")
        root.text = (f"<< /Type /StructTreeRoot /K {refs[id(self.root)]} /ParentTree "
                     f"<< /Nums [{' '.join(nums)}] >> /ParentTreeNextKey "
                     f"{pages + len(self.annotations)} >>")
        cat = doc.Catalog
        cat.StructTreeRoot = root
        cat.MarkInfo = PDFDictionary({"Marked": "true"})
        cat.ViewerPreferences = PDFDictionary({"DisplayDocTitle": "true"})
        cat.Metadata = _xmp(title, self.lang, *xmp)


def _register(doc, raw: "_Raw") -> str:
    """Number a new indirect object as reportlab's PDFDocument.Reference does (without its
    checks, which cost more than the tree); its reference as text."""
    n = doc.objectcounter = doc.objectcounter + 1
    name = f"R{n}"
    raw.__InternalName__ = name
    doc.idToObjectNumberAndVersion[name] = (n, 0)
    doc.numberToId[n] = name
    doc.idToObject[name] = raw
    return f"{n} 0 R"


class _Raw(PDFObject):
    """An indirect object whose text we wrote (ASCII only: strings are hex)."""

    text = ""

    def format(self, document) -> bytes:
        return self.text.encode("ascii")


def _hex(text: str) -> str:
    """A PDF text string in UTF-16BE hex (ASCII-safe inside a content stream)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _xmp(title: str, lang: str, ns: str = "", props: str = "") -> PDFStream:
    """The XMP packet PDF/UA asks for: dc:title and pdfuaid:part 1 (no dates, so the same
    input still gives the same bytes), and the namespaces and properties of `ns`/`props`
    (PDF/X)."""
    xml = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" {ns}>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title, quote=False)}</rdf:li></rdf:Alt></dc:title>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>handouts (reportlab)</pdf:Producer>
   <pdfuaid:part>1</pdfuaid:part>{props}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
                     xml.encode("utf-8"))


def text_lang(text: str) -> str | None:
    """en-US for text written in English (a reference), set apart from the Japanese
    document; None (the document's language) otherwise."""
    letters = [ch for ch in text if ch.isalpha()]
    return "en-US" if letters and all(ch.isascii() for ch in letters) else None


# -- what flowables call ------------------------------------------------------------------
def tagger(canv) -> Tagger | None:
    return getattr(canv, "tagger", None)


class _Marked:
    """A `with` block of marked content (a class: generator context managers cost more,
    and there is one per paragraph and decoration)."""

    __slots__ = ("canv", "t", "runs")

    def __init__(self, canv, element: Element | None, actual: str | None = None,
                 kind: str | None = None, runs: bool = False):
        self.canv, self.t, self.runs = canv, getattr(canv, "tagger", None), None
        if self.t is None:
            return
        if element is None:
            self.t.begin_artifact(canv, kind)
        elif runs:
            self.runs = Runs(self.t, canv, element)
        else:
            self.t.begin(canv, element, actual)

    def __enter__(self):
        return self.runs

    def __exit__(self, *exc) -> None:
        if self.runs is not None:
            self.runs.close()
        elif self.t is not None:
            self.t.end(self.canv)


def content(canv, element: Element | None, actual: str | None = None) -> _Marked:
    """`with content(canv, element):` draws the content of `element`; an artifact when it
    is None. Nothing is marked on a canvas without a tagger (the slide PDFs)."""
    return _Marked(canv, element, actual)


def artifact(canv, kind: str | None = None) -> _Marked:
    """`with artifact(canv):` draws decoration, rules, icons, repeated page furniture."""
    return _Marked(canv, None, kind=kind)


def lines(canv, element: Element | None) -> _Marked:
    """`with lines(canv, element) as marks:` gives the marks for `pdfdraw.draw_line` (None
    when nothing is marked); text of no element (a title repeated with 「（続き）」) is an
    artifact."""
    return _Marked(canv, element, runs=True)


_SPACED = Element("paragraph")  # stands for a spaced character's own marked sequence


class Runs:
    """Marks the runs of set lines for `pdfdraw.draw_line`: plain text as the element's
    content, citation marks as labels, links as Link elements with their annotation, and
    ruby as Ruby/RB/RT: the RB's marked content is the base (a /Span with the base as
    /ActualText: poppler then copies no space after it), the RT's the reading drawn as
    outlines, so no viewer copies it; the RT element carries the reading as its
    /ActualText in the tree for screen readers (in the content stream, pdftotext would
    copy it)."""

    def __init__(self, t: Tagger, canv, element: Element):
        self.t, self.canv, self.element = t, canv, element
        self.current: Element | None = None
        self._back = element  # where text goes on after a spaced character

    def _switch(self, target: Element | None, actual: str | None = None) -> None:
        if self.current is not None:
            self.t.end(self.canv)
        self.current = target
        if target is not None:
            self.t.begin(self.canv, target, actual)

    def spaced(self, text: str) -> None:
        """A character of the element's text drawn with a gap after it (pdfdraw), marked
        with its own text as /ActualText (in the element it belongs to: a link's text
        stays the link's)."""
        if self.current is not _SPACED:
            self._back = self.current or self.element
        self._switch(self._back, text)
        self.current = _SPACED

    def resume(self) -> None:
        """Back to the element's own text after a spaced character."""
        if self.current is _SPACED:
            self._switch(self._back)

    def begin(self, span, x: float, y: float, w: float, size: float) -> None:
        if not (span.ruby or span.cite or span.link):  # most runs: the element's own text
            if self.current is not self.element:
                self._switch(self.element)
        elif span.ruby:
            ruby = self.element.child("ruby")
            self._switch(ruby.child("ruby base"), actual=span.text)
            self._ruby = ruby
        elif span.cite:
            self._switch(self.element.child("citation"))
        else:
            inline = self.element.inline
            if inline is None:
                inline = self.element.inline = {}
            link = inline.get(id(span))
            if link is None:
                link = inline[id(span)] = self.element.child("link", alt=span.link)
            self._switch(link)
            self.t.link_area(self.canv, link, span.link, x, y - 0.2 * size, w, 1.1 * size)

    def reading(self, span) -> None:
        """The ruby's reading (drawn as outlines): the RT element's content, the reading
        its /ActualText in the tree (not in the stream) for screen readers."""
        self._switch(self._ruby.child("ruby text", actual=span.ruby))

    def end(self, span) -> None:
        if span.ruby or span.cite or span.link:
            self._switch(None)

    def close(self) -> None:
        self._switch(None)
