"""handouts: YAML topic specs to Japanese patient leaflets (PDF) and seminar decks (PPTX)."""

__version__ = "0.1.0"
