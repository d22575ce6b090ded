"""Health-literacy and structure rules for `handouts check`."""

from __future__ import annotations

from .rules import lint

__all__ = ["lint"]
