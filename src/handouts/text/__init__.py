"""Japanese text services shared by every renderer: inline markup, line breaking, coverage."""
