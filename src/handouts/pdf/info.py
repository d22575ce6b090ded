"""Document dates: every PDF is dated by its content's review date (Info and XMP), so the
same spec gives the same bytes and the files agree on when they were made."""

from __future__ import annotations

import datetime as dt

from reportlab.pdfbase.pdfdoc import TimeStamp


def date(canv, day: dt.date) -> None:
    """Date the canvas's document `day` (its Info CreationDate and ModDate)."""
    ts = TimeStamp(invariant=1)
    ts.t = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()
    ts.YMDhms = (day.year, day.month, day.day, 0, 0, 0)
    canv._doc._timeStamp = ts


def xmp_dates(day: dt.date) -> tuple[str, str]:
    """The XMP namespace and properties that give the same dates."""
    when = f"{day:%Y-%m-%d}T00:00:00Z"
    return ('xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
            f"<xmp:CreateDate>{when}</xmp:CreateDate><xmp:ModifyDate>{when}</xmp:ModifyDate>"
            f"<xmp:MetadataDate>{when}</xmp:MetadataDate>"
            "<xmp:CreatorTool>handouts</xmp:CreatorTool>")
