"""Mebot's memory: L0 notes and messages in SQL, search over them, time frames, the L1 profile."""
