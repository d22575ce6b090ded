"""Colours of the leaflet: the palette, WCAG contrast, and the print shops' CMYK.

One formula converts RGB to DeviceCMYK (`to_cmyk`), for vector colours and pictures alike,
so black text is K only and never needs four plates in register."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors

from .. import images

DANGER = colors.HexColor("#A00000")
WARNING = colors.HexColor("#7A4300")
INFO = colors.HexColor("#1F4E79")
GREY = colors.HexColor("#444444")
PALE = colors.HexColor("#F2F2F2")
DANGER_FILL = colors.HexColor("#FFF5F5")
HIGHLIGHT_FILL = colors.HexColor("#FDE8E8")
KEY_FILL = colors.HexColor("#F4F8FC")
MIN_CONTRAST = 4.5  # WCAG AA for body text


def luminance(c) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.red) + 0.7152 * lin(c.green) + 0.0722 * lin(c.blue)


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours (1–21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def to_cmyk(color):
    """The print shops' colour: an RGB colour in DeviceCMYK by the device formula with full
    black generation (no ICC profile): K = 1 − max(R, G, B), C = (1 − R − K) / (1 − K),
    M = (1 − G − K) / (1 − K), Y = (1 − B − K) / (1 − K). Black is K only (0/0/0/100), so
    text never needs four plates in register, and greys are K only too."""
    color = colors.toColor(color)
    if isinstance(color, colors.CMYKColor):
        return color
    k = 1 - max(color.red, color.green, color.blue)
    if k >= 1 - 1e-9:
        return colors.CMYKColor(0, 0, 0, 1)
    c, m, y = ((1 - v - k) / (1 - k) for v in (color.red, color.green, color.blue))
    return colors.CMYKColor(*(round(v, 4) for v in (c, m, y, k)))


def cmyk_image(source: Path | bytes):
    """An RGB picture (a file, or what images.prepared made) converted to CMYK pixel by
    pixel with `to_cmyk`'s formula."""
    from PIL import Image as PILImage
    from PIL import ImageChops, ImageMath

    with images.open_prepared(source) as im:
        rgb = im.convert("RGB")
    r, g, b = rgb.split()
    k = ImageChops.invert(ImageChops.lighter(ImageChops.lighter(r, g), b))  # 255 − max

    def ink(v):  # (1 − v − k) / (1 − k), on 0–255 values
        return ImageMath.lambda_eval(lambda a: a["convert"](
            a["float"](255 - a["v"] - a["k"]) * 255 / a["max"](a["float"](255 - a["k"]), 1.0),
            "L"), v=v, k=k)

    return PILImage.merge("CMYK", (ink(r), ink(g), ink(b), k))


def readable(color, *backgrounds, target: float = MIN_CONTRAST + 0.1):
    """`color` darkened just enough to reach the target contrast on every background
    (a clinic may choose a light accent colour; text in it must still be legible)."""
    r, g, b = color.red, color.green, color.blue
    while min(contrast(colors.Color(r, g, b), bg) for bg in backgrounds) < target:
        r, g, b = r * 0.93, g * 0.93, b * 0.93
    return colors.Color(r, g, b)
