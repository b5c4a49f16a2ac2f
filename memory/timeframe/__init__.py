"""Time frames: "last week", "上周", "seit Montag" → exact, end-exclusive date ranges against the user's now.

parser (the entry point) · calendar (date arithmetic) · rule / rules_en / rules_eu / rules_zh (phrases per
language) · vocab (words and numbers) · combine (ranges and intersections) · fallback (dateparser)."""

from memory.timeframe.parser import GRAINS, RULES, TimeFrame, parse, strip_phrase

__all__ = ["GRAINS", "RULES", "TimeFrame", "parse", "strip_phrase"]
