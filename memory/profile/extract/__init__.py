"""Rule-based L1 extraction: rules (the entry point: one note in, facts out) and its helpers per language."""
