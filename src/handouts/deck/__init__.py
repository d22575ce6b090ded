"""Seminar decks: Document → Deck (pure model) → PPTX writer / slide PDF."""
