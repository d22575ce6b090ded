"""The A4 patient leaflet (PDF) typeset with reportlab."""
