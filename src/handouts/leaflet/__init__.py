"""The A4 patient leaflet (PDF) typeset with reportlab."""

import re


class _OnFirstUse:
    """A regular expression compiled when it is first used, not when it is written."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._args, self._compiled = (pattern, flags), None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


# Patterns reportlab compiles at import for features the leaflet never uses: its own
# Paragraph's URL splitting (a case-insensitive class over nearly all of Unicode: ~26 ms,
# a twentieth of a cold `handouts build`) and its CJK word wrap (~3 ms). Compiled on first
# use instead, should anything use them; any other pattern is compiled as usual.
_UNUSED = ("(^(?:[a-z0-9\\.\\-\\+]*)://)", "([\u2e80-\uffff])")


def _import_reportlab() -> None:
    compile_ = re.compile

    def compile_later(pattern, flags=0):
        if isinstance(pattern, str) and pattern.startswith(_UNUSED):
            return _OnFirstUse(pattern, flags)
        return compile_(pattern, flags)

    re.compile = compile_later
    try:
        import reportlab.platypus  # noqa: F401
    finally:
        re.compile = compile_


_import_reportlab()
