"""Pictures (photos, scans) as a page or slide needs them.

A phone photo is stored sideways with an EXIF Orientation tag, at 12 megapixels or more and
with the camera's metadata (where it was taken, too). Layout uses its upright size
(`upright_size`); a renderer embeds `prepared(...)`: turned upright, scaled down to the
resolution it is shown at, metadata left out. A picture that is upright and no sharper
than it needs to be is embedded as the file it is, less its metadata blocks (a leaflet posted
online must not tell where the photo was taken).
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path

PRINT_PPI = 300  # leaflets: office printers and print shops resolve no more
SCREEN_PPI = 150  # slides: a 13.3 in wide slide on a 1920-pixel projector is 144 ppi
KEEP = 1.25  # a picture at most this much sharper than needed is embedded as it is
JPEG_QUALITY = 90
ORIENTATION = 0x0112  # the EXIF tag


def _orientation(im) -> int:
    try:
        value = im.getexif().get(ORIENTATION, 1)
    except Exception:  # a damaged EXIF block: the picture is shown as stored
        return 1
    return value if value in range(1, 9) else 1


def upright_size(path: Path) -> tuple[int, int]:
    """Width and height in pixels as the picture is meant to be seen (orientations 5-8
    are turned a quarter: width and height swap)."""
    from PIL import Image

    with Image.open(path) as im:
        w, h = im.size
        return (h, w) if _orientation(im) >= 5 else (w, h)


def prepared(path: Path, width: float, height: float, ppi: float) -> Path | bytes:
    """The picture to embed in a box `width` × `height` points shown at `ppi`: the file
    itself when it is upright and at most KEEP times the pixels needed, else JPEG or PNG
    bytes (as the file was) turned upright and scaled down to those pixels."""
    need = (math.ceil(width / 72 * ppi), math.ceil(height / 72 * ppi))
    stat = path.stat()
    return _prepared(path, stat.st_mtime_ns, stat.st_size, need)


@lru_cache(maxsize=16)  # the PPTX, slides and notes of a deck embed the same picture
def _prepared(path: Path, _mtime: int, _size: int, need: tuple[int, int]) -> Path | bytes:
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        turn = _orientation(im)
        w, h = (im.height, im.width) if turn >= 5 else im.size
        scale = min(1.0, need[0] / w, need[1] / h)
        if turn == 1 and scale * KEEP >= 1.0:
            data = path.read_bytes()
            bare = without_metadata(data)
            return path if bare == data else bare
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        kind = im.format
        icc = im.info.get("icc_profile")
        if kind == "JPEG":  # decode at 1/2, 1/4 or 1/8 size straight away where that is enough
            im.draft(im.mode, (size[1], size[0]) if turn >= 5 else size)
        upright = ImageOps.exif_transpose(im)
        if upright.mode in ("P", "1"):  # palette pictures resize well only as colours
            upright = upright.convert("RGBA" if upright.mode == "P" else "L")
        if upright.size != size:
            upright = upright.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    if kind == "JPEG":
        upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, icc_profile=icc)
    else:
        upright.save(out, "PNG", icc_profile=icc)
    return out.getvalue()


# JPEG segments that carry metadata: APP1 (Exif, with GPS; XMP) and APP13 (IPTC). APP0
# (JFIF), APP2 (the ICC profile) and APP14 (Adobe: how CMYK is stored) are needed to show it.
_METADATA = (0xE1, 0xED)
_PNG_METADATA = (b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME")


def without_metadata(data: bytes) -> bytes:
    """`data` (a JPEG or PNG file) with its metadata blocks left out, pixels untouched;
    anything else, or a file it cannot walk, as it is."""
    if data[:2] == b"\xff\xd8":
        out, i = [data[:2]], 2
        while i + 4 <= len(data) and data[i] == 0xFF:
            marker = data[i + 1]
            if marker == 0xDA:  # start of scan: the compressed picture follows
                return b"".join(out) + data[i:]
            end = i + 2 + int.from_bytes(data[i + 2:i + 4], "big")
            if marker not in _METADATA:
                out.append(data[i:end])
            i = end
        return data
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        out, i = [data[:8]], 8
        while i + 12 <= len(data):
            end = i + 12 + int.from_bytes(data[i:i + 4], "big")
            if data[i + 4:i + 8] not in _PNG_METADATA:
                out.append(data[i:end])
            i = end
        return b"".join(out) if i == len(data) else data
    return data


def open_prepared(source: Path | bytes):
    """A PIL image of what `prepared` gave."""
    from PIL import Image

    return Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
