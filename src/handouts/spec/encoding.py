"""Decoding a spec file's bytes. UTF-8 (with or without the BOM Notepad writes) and UTF-16
with a BOM (Notepad's 「Unicode」; YAML allows it) are read; anything else is named with
what to do, at the first byte that is not text."""

from __future__ import annotations

import re
import unicodedata

from ..diagnostics import Diagnostic, Mark

MAX_BYTES = 1_000_000


def _byte_pos(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return line, col


def read_text(path: str, data: bytes) -> tuple[str | None, list[Diagnostic]]:
    """Decode a spec file, rejecting binary, oversized and non-UTF-8 input with a location."""
    if len(data) > MAX_BYTES:
        return None, [Mark(path, 1, 1).error(
            f"file is {len(data):,} bytes; a spec may be at most {MAX_BYTES:,} bytes")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's 「Unicode」: UTF-16 with BOM
        return _read_utf16(path, data)
    nul = data.find(b"\x00")
    if nul >= 0:
        if _utf16_without_bom(data):  # the whole file is the problem, not one place
            return None, [Mark(path, 1, 1).error(
                "file is UTF-16 text without a byte order mark; " + SAVE_AS_UTF8)]
        line, col = _byte_pos(data, nul)
        return None, [Mark(path, line, col).error(
            "file contains a NUL byte; this looks like a binary file, not a YAML spec")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [_not_utf8(path, data, exc.start)]
    diags = []
    for m in _ODD_BREAKS.finditer(text):  # YAML breaks lines there; editors show nothing
        i = m.start()
        diags.append(Mark(path, text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i)).error(
            f"line break character U+{ord(m.group()):04X} "
            f"{unicodedata.name(m.group(), 'NEXT LINE')} is not allowed in a spec (YAML starts a new line there, editors show nothing); "
            "remove it"))
    if diags:
        return None, diags[:20]
    # Windows line ends read as YAML reads them, so a line's text never ends in '\r'
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


SAVE_AS_UTF8 = ("save it as UTF-8 (メモ帳: 「名前を付けて保存」で文字コードを「UTF-8」にして保存)")


def _read_utf16(path: str, data: bytes) -> tuple[str | None, list[Diagnostic]]:
    """UTF-16 with a byte order mark, as Notepad saves 「Unicode」: YAML allows it, so it
    is read like UTF-8 (the BOM says which byte order)."""
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        return None, [Mark(path, 1, 1).error(
            f"file starts like UTF-16 text but is damaged at byte {exc.start:,}; "
            + SAVE_AS_UTF8)]
    return read_text(path, text.encode("utf-8"))


def _utf16_without_bom(data: bytes) -> bool:
    """Text in UTF-16 without its byte order mark: every other byte of its ASCII is NUL."""
    if len(data) % 2:
        return False
    for order in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(order)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and sum(c.isprintable() or c in "\r\n\t" for c in text) \
                >= 0.95 * len(text):
            return True
    return False


def _not_utf8(path: str, data: bytes, at: int) -> Diagnostic:
    """The first byte that is not UTF-8, named; a file that reads as Japanese in
    Shift_JIS (CP932, what older Windows tools save) is said to be one. (A UTF-8 file
    damaged later on has UTF-8 Japanese before the bad byte: it is not.)"""
    start = data.rfind(b"\n", 0, at) + 1
    try:
        text = data.decode("cp932") if data[:at].isascii() else ""
    except UnicodeDecodeError:
        text = ""
    if any("\u3041" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text):
        line = data.count(b"\n", 0, at) + 1
        col = len(data[start:at].decode("cp932", "replace")) + 1
        return Mark(path, line, col).error(
            "file is saved as Shift_JIS (CP932), not UTF-8; " + SAVE_AS_UTF8)
    line, col = _byte_pos(data, at)
    return Mark(path, line, col).error(
        f"file is not valid UTF-8 (byte 0x{data[at]:02x}); {SAVE_AS_UTF8}")


_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")

# Spaces that look like indentation in an editor but are not YAML's: named so staff can
