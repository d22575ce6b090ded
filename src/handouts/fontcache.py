"""Parsed font data kept on disk between runs: metrics, reportlab's parse, ruby outlines;
and, the same way, what is worked out per unit of text (the words and readings of each
text, the analyser's likely readings of each sentence, the lines each text of a spec was
set in, a QR code), so a spec just edited has only its changed texts worked out again.

Parsing a 4.6 MB CJK face costs reportlab ~0.1 s and fontTools' glyph set ~0.4 s, once
per process; a cold `handouts build` paid it every time. What they produce depends only on
the font file's bytes and the code that reads them, so it is kept in a cache folder, keyed
by the SHA-256 of the font file and by a version naming that code, and read back (pickled
data: exactly what was computed, so the outputs are the same bytes) in a millisecond or two.
An entry for a text is keyed by the SHA-256 of the text instead of the font file's.

The folder is HANDOUTS_CACHE, else the user's cache folder (~/.cache/handouts,
%LOCALAPPDATA%\\handouts\\cache). HANDOUTS_CACHE=off turns the cache off. An entry is
written to a temporary file and renamed into place, so parallel builds (make -j) read a
whole entry or none; two writers of one entry write the same data. A folder that cannot be
written, or an entry that cannot be read, only means parsing again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

FORMAT = 1  # of the entries themselves: bump when their layout changes


def folder() -> Path | None:
    """Where entries live (None: the cache is off)."""
    given = os.environ.get("HANDOUTS_CACHE")
    if given is not None:
        return None if given.strip().lower() in ("", "off", "0", "no") else Path(given)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "handouts" / "cache" if base else None
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "handouts"
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        return Path(base) / "handouts" if base else Path.home() / ".cache" / "handouts"
    except RuntimeError:  # no home folder
        return None


@lru_cache(maxsize=None)
def code_version(*files: str) -> str:
    """A version for data computed by the code in `files` (module paths): their bytes'
    hash, so an entry made by older code is never read back."""
    h = hashlib.sha256()
    for f in files:
        h.update(Path(f).read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=None)
def package_versions(*names: str) -> str:
    """The installed versions of the packages `names` ('-' for one not installed), read
    from their metadata: a version for data a library computes, without importing it."""
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "-"

    return ";".join(map(version, names))


@lru_cache(maxsize=None)
def digest(path: Path) -> str:
    """SHA-256 of a font file. Hashing 4.6 MB takes ~6 ms, so the digest is remembered
    beside the entries under the file's path, size, times and inode (as make and git trust
    a file's stat)."""
    where = folder()
    stamp = None
    if where is not None:
        st = path.stat()
        key = f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}"
        stamp = where / "stat" / hashlib.sha256(key.encode()).hexdigest()
        try:
            known = stamp.read_text(encoding="ascii")
            if len(known) == 64:
                return known
        except (OSError, ValueError):
            pass
    value = hashlib.sha256(path.read_bytes()).hexdigest()
    if stamp is not None:
        _write(stamp, value.encode("ascii"))
    return value


def _entry(font: Path, kind: str) -> Path | None:
    where = folder()
    return where / "fonts" / f"{digest(font)}.{kind}.pickle" if where else None


def _text_entry(text: str, kind: str) -> Path | None:
    where = folder()
    if where is None:
        return None
    return where / "texts" / f"{hashlib.sha256(text.encode()).hexdigest()}.{kind}.pickle"


def _read(entry: Path | None, version: str) -> Any | None:
    if entry is None:
        return None
    try:
        with open(entry, "rb") as f:
            key, value = pickle.load(f)
    except Exception:  # absent, unreadable, cut short, from another Python: parse again
        return None
    return value if key == (FORMAT, version) else None


def _store(entry: Path | None, version: str, value: Any) -> None:
    if entry is not None:
        _write(entry, pickle.dumps(((FORMAT, version), value), pickle.HIGHEST_PROTOCOL))


def load(font: Path, kind: str, version: str) -> Any | None:
    """The stored `kind` data of `font` made by code of `version`, or None."""
    return _read(_entry(font, kind), version)


def save(font: Path, kind: str, version: str, value: Any) -> None:
    """Store `value` as the `kind` data of `font` (silently nothing if it cannot be)."""
    _store(_entry(font, kind), version, value)


def cached(font: Path, kind: str, version: str, make: Callable[[], Any]) -> Any:
    """The `kind` data of `font`: read back if stored, else made and stored."""
    return _cached(_entry(font, kind), version, make)


def load_for_text(text: str, kind: str, version: str) -> Any | None:
    """The stored `kind` data of `text` (a sentence, a spec's path) made by code and data
    named by `version`, or None."""
    return _read(_text_entry(text, kind), version)


def save_for_text(text: str, kind: str, version: str, value: Any) -> None:
    _store(_text_entry(text, kind), version, value)


def cached_for_text(text: str, kind: str, version: str, make: Callable[[], Any]) -> Any:
    """The `kind` data of `text`: read back if stored, else made and stored."""
    return _cached(_text_entry(text, kind), version, make)


def _cached(entry: Path | None, version: str, make: Callable[[], Any]) -> Any:
    value = _read(entry, version)
    if value is None:
        value = make()
        _store(entry, version, value)
    return value


def _write(path: Path, data: bytes) -> None:
    """Write atomically (a temporary file renamed into place); give up quietly."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
