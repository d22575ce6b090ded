"""PDF writing shared by the leaflet and the slide and notes PDFs (tagging for PDF/UA)."""
