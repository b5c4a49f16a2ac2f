"""Training data: feedback (votes, edits, regenerations), preference_pairs (DPO pairs and KTO rows),
synthesis (SFT rows synthesised from notes and the profile)."""
