"""PDF/X-4 for the print-shop leaflets (`print`, `a5print`): the output intent, the
identification PDF/X asks for in the document information and the XMP, dated by the
leaflet's review date (so the same spec still gives the same bytes), and no annotations
(a link does not print; PDF/X keeps annotations out of the printed area).

The output intent is FOGRA39 (offset on coated paper, ISO 12647-2), the condition most
print shops accept; its profile is built from Fogra's data (FOGRA39L.icc.txt)."""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase.pdfdoc import (PDFArray, PDFCatalog, PDFDate, PDFDictionary, PDFInfo,
                                      PDFName, PDFStream, PDFString)

from ..pdf import info as dates

PROFILE = Path(__file__).with_name("FOGRA39L.icc")
VERSION = "PDF/X-4"
CONDITION = "FOGRA39"  # registered at the ICC (color.org) characterization registry
CONDITION_INFO = "Coated FOGRA39 (ISO 12647-2:2004)"


@lru_cache(maxsize=1)
def _profile() -> bytes:
    """The profile Flate-compressed once per process (155 KB → 62 KB), not per file."""
    return zlib.compress(PROFILE.read_bytes(), 9)


class _Info(PDFInfo):
    """reportlab's document information with the PDF/X version added."""

    def format(self, document):
        d = PDFDictionary({
            "Title": PDFString(self.title), "Author": PDFString(self.author),
            "Subject": PDFString(self.subject), "Keywords": PDFString(self.keywords),
            "Creator": PDFString(self.creator), "Producer": PDFString(self.producer),
            "Trapped": PDFName(self.trapped), "GTS_PDFXVersion": PDFString(VERSION)})
        d["CreationDate"] = d["ModDate"] = PDFDate(ts=document._timeStamp)
        return d.format(document)


def stamp(canv, day: dt.date) -> None:
    """Make the canvas's document a PDF/X-4 file dated `day` (before it is saved)."""
    doc = canv._doc
    dates.date(canv, day)
    info = _Info()
    info.__dict__.update(doc.info.__dict__)
    doc.info = info
    profile = PDFStream(PDFDictionary({"N": 4, "Filter": PDFName("FlateDecode")}), _profile())
    intent = PDFDictionary({
        "Type": PDFName("OutputIntent"), "S": PDFName("GTS_PDFX"),
        "OutputConditionIdentifier": PDFString(CONDITION),
        "OutputCondition": PDFString(CONDITION_INFO), "Info": PDFString(CONDITION_INFO),
        "RegistryName": PDFString("http://www.color.org"),
        "DestOutputProfile": doc.Reference(profile)})
    cat = doc.Catalog
    cat.__NoDefault__ = PDFCatalog.__NoDefault__ + ["OutputIntents"]
    cat.OutputIntents = PDFArray([intent])


def xmp(day: dt.date, key: str) -> tuple[str, str]:
    """The XMP namespaces and properties PDF/X-4 asks for (identification, dates, a
    document ID made from `key`, a version ID, trapping)."""
    ident = uuid.uuid5(uuid.NAMESPACE_URL, key)
    ns, when = dates.xmp_dates(day)
    ns += (' xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
           'xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"')
    props = (f"<pdfxid:GTS_PDFXVersion>{VERSION}</pdfxid:GTS_PDFXVersion>"
             f"<pdf:Trapped>False</pdf:Trapped>{when}"
             f"<xmpMM:DocumentID>uuid:{ident}</xmpMM:DocumentID>"
             "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>"
             "<xmpMM:VersionID>1</xmpMM:VersionID>")
    return ns, props
