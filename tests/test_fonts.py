"""Font metrics read from the raw tables agree with fontTools' full decoding."""

import pytest
from fontTools.ttLib import TTFont

from handouts import fonts as fonts_module
from handouts.fonts import FACES, FONT_DIR, read_metrics


def _reference(path):
    font = TTFont(str(path))
    upem = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    widths = {cp: hmtx[name][0] / upem for cp, name in font.getBestCmap().items()
              if name != ".notdef"}
    return widths, (font["hhea"].ascent / upem, -font["hhea"].descent / upem)


@pytest.mark.parametrize("key", list(FACES))
def test_raw_cmap_and_hmtx_match_fonttools(key):
    path = FONT_DIR / FACES[key][0]
    assert read_metrics(path) == _reference(path)


def test_fonts_without_a_format_12_cmap_go_through_fonttools(monkeypatch):
    path = FONT_DIR / FACES["fallback"][0]
    monkeypatch.setattr(fonts_module, "_cmap_format_12", lambda table: None)
    assert read_metrics(path) == _reference(path)
