"""The learning benchmark's printed table and its PASS/FAIL lines. Not a script: see bench/learning.py."""

from __future__ import annotations

from typing import Optional

from bench.persona import KINDS, NICKNAME

# (figure key, column title) in the order the table shows them.
COLUMNS = (
    ("base_memory", "base+memory"),
    ("base_closed", "base closed"),
    ("full_closed", "adapter closed"),
    ("full_memory", "adapter+memory"),
    ("incremental_closed", "incr. closed"),
)
INCREMENTAL_TARGET_S = 300


def mean(values: list[float]) -> Optional[float]:
    return sum(values) / len(values) if values else None


def accuracy(answers: Optional[list[dict]], kind: Optional[str] = None) -> Optional[float]:
    """Mean keyword score of the answers (of one kind, or all); None when none was asked."""
    return mean([a["score"] for a in answers or [] if kind is None or a["kind"] == kind])


def habit(answers: Optional[list[dict]]) -> Optional[float]:
    """Share of answers that follow the habit."""
    return mean([float(a["habit"]) for a in answers]) if answers else None


def habit_of(answers: dict, label: str) -> tuple[Optional[float], int]:
    """(share following the habit, how many) over every held-out answer of `label`, closed-book and with memory."""
    pooled = (answers.get(f"{label}_closed") or []) + (answers.get(f"{label}_memory") or [])
    return habit(pooled), len(pooled)


def _cell(value: Optional[float], width: int) -> str:
    return f"{'—' if value is None else f'{value:.2f}':>{width}}"


def recall_table(answers: dict) -> list[str]:
    widths = [max(len(title), 6) for _, title in COLUMNS]
    first = next((a for a in answers.values() if a), [])
    lines = [f"{'kind':<11}{'n':>3}  " + "  ".join(f"{title:>{w}}" for (_, title), w in zip(COLUMNS, widths))]
    for kind in (*KINDS, None):
        count = sum(1 for a in first if kind is None or a["kind"] == kind)
        cells = [_cell(accuracy(answers.get(key), kind), w) for (key, _), w in zip(COLUMNS, widths)]
        lines.append(f"{kind or 'all':<11}{count:>3}  " + "  ".join(cells))
    return lines


def _verdict(ok: Optional[bool]) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "FAIL")


def _fmt(value: Optional[float], spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


def targets(figures: dict) -> list[tuple[Optional[bool], str]]:
    """(passed?, line) for each target of the issue; None when the figure could not be measured."""
    answers, ppl = figures["answers"], figures["perplexity"]
    closed_fact = accuracy(answers.get("full_closed"), "fact")
    base_closed_fact = accuracy(answers.get("base_closed"), "fact")
    base_mem, full_mem = accuracy(answers.get("base_memory")), accuracy(answers.get("full_memory"))
    base_habit, full_habit = habit_of(answers, "base")[0], habit_of(answers, "full")[0]
    rise = (ppl["full"] / ppl["base"] - 1) if "full" in ppl and "base" in ppl else None
    incremental_s = next((s["seconds"] for s in figures.get("stages", []) if s["name"] == "incremental training run"),
                         None)

    rows = [
        (None if closed_fact is None else closed_fact >= 0.5,
         f"closed-book fact accuracy after SFT {_fmt(closed_fact)} ≥ 0.50 (base {_fmt(base_closed_fact)} ≈ 0)"),
        (None if base_mem is None or full_mem is None else full_mem >= base_mem + 0.20,
         f"adapter+memory {_fmt(full_mem)} ≥ base+memory {_fmt(base_mem)} + 0.20"),
        (None if full_habit is None or base_habit is None else full_habit >= 0.8 and base_habit < 0.2,
         f"habit after DPO {_fmt(full_habit)} ≥ 0.80 (base {_fmt(base_habit)} < 0.20)"),
        (None if rise is None else rise <= 0.10, f"perplexity rise on the general text {_fmt(rise, '+.1%')} ≤ +10 %"),
        (None if incremental_s is None else incremental_s <= INCREMENTAL_TARGET_S,
         f"incremental run after {figures.get('new_edits')} edits {_fmt(incremental_s, '.0f')} s ≤ {INCREMENTAL_TARGET_S} s"),
    ]
    return rows


def report(figures: dict) -> str:
    """The whole printout."""
    answers, ppl = figures["answers"], figures["perplexity"]
    lines = [f"Learning benchmark — model {figures.get('model_label') or figures.get('model')}, "
             f"{figures['questions']} held-out questions, greedy replies of ≤ {figures['max_new_tokens']} tokens, "
             f"training settings: {figures['train_config']}", ""]
    lines.append("Recall (mean share of accepted keywords per answer; 'closed' = memory off; the closed-book base and "
                 "the incremental run are asked the facts only):")
    lines += recall_table(answers)
    lines.append("")
    edited_in = "with memory" if figures.get("edits_with_memory") else "with memory off"
    lines.append(f"Habit (the user's edits, made in chats {edited_in}, always call her \"{NICKNAME}\"; share of "
                 "held-out answers that do — all / closed-book / with memory):")
    for label, title in (("base", "base"), ("full", f"after the full run ({figures['habit_edits'].get('full', 0)} edits)"),
                         ("incremental", f"after the incremental run "
                                         f"(+{figures['habit_edits'].get('incremental', 0)} edits)")):
        share, count = habit_of(answers, label)
        lines.append(f"  {title}: {_fmt(share)} (n={count}) / {_fmt(habit(answers.get(f'{label}_closed')))} / "
                     f"{_fmt(habit(answers.get(f'{label}_memory')))}")
    before, after = accuracy(answers.get("full_closed"), "fact"), accuracy(answers.get("incremental_closed"), "fact")
    lines.append(f"Forgetting: closed-book fact accuracy {_fmt(before)} before the incremental run, {_fmt(after)} after; "
                 f"all kinds {_fmt(accuracy(answers.get('full_closed')))} → "
                 f"{_fmt(accuracy(answers.get('incremental_closed')))}")
    lines.append(f"Retention: perplexity of the general text: base {_fmt(ppl.get('base'))}, full-run adapter "
                 f"{_fmt(ppl.get('full'))}, incremental adapter {_fmt(ppl.get('incremental'))}")
    for label, run in figures["runs"].items():
        lines.append(f"Run '{label}' ({run.get('kind')}): {run['status']}; gate: {run.get('gate') or run.get('error')}; "
                     f"data {run.get('data_counts')}")
    lines += ["", f"{'stage':<66}{'wall s':>8}{'peak GiB':>10}  where"]
    for stage in figures.get("stages", []):
        lines.append(f"{stage['name'][:66]:<66}{stage['seconds']:>8.0f}{stage['peak_gib']:>10.2f}  {stage['where']}")
    lines += ["", "Targets (135M model):"]
    lines += [f"  {_verdict(ok)}  {text}" for ok, text in targets(figures)]
    if figures.get("stopped"):
        lines += ["", f"STOPPED EARLY: {figures['stopped']}"]
    lines += ["", f"load before: {figures.get('load_before')}", f"load after:  {figures.get('load_after')}"]
    return "\n".join(lines)
