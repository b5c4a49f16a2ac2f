"""The Training tab: feedback waiting to be learned, schedule, "Train now" (or why it cannot run), live progress,
history, curves, adapter versions and switching between them. Training runs in its own process
(rlmf.training.runs); this tab only queues and reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import gradio as gr
import pandas as pd

from memory.errors import InvalidInput
from memory.vocab import RunTrigger
from rlmf.training import adapters, plan, runs, submit
from webapp import training_view as view
from webapp.edge import as_id, bind, shows_errors
from webapp.render import adapter_badge

POLL_SECONDS = 2.0


@dataclass
class TrainingUI:
    counts: gr.HTML
    schedule: gr.HTML
    train: gr.Button
    cancel: gr.Button
    progress: gr.HTML
    timer: gr.Timer
    plot: gr.LinePlot
    plot_empty: gr.HTML
    plot_title: gr.State  # what the plot shows, in words (see show_plot_title)
    history: gr.Dataframe
    versions: gr.Dataframe
    use_version: gr.Dropdown
    use: gr.Button
    refresh: gr.Button


def render(ctx) -> TrainingUI:
    """Lay out the Training tab."""
    with gr.Row():
        with gr.Column(scale=2):
            counts = gr.HTML(elem_id="training-counts")
            schedule = gr.HTML(elem_id="training-schedule")
        with gr.Column(scale=1, min_width=200):
            train = gr.Button("Train now", variant="primary", elem_id="training-train")
            cancel = gr.Button("Cancel run", variant="stop", size="sm", interactive=False, elem_id="training-cancel")
            refresh = gr.Button("Refresh", size="sm", elem_id="training-refresh")
    progress = gr.HTML(elem_id="training-progress")
    timer = gr.Timer(POLL_SECONDS, active=False)
    plot_empty = gr.HTML(f'<div class="mebot-notice" data-testid="training-plot-empty">{view.EMPTY_PLOT}</div>',
                         elem_id="training-plot-empty")
    plot = gr.LinePlot(x="point", y="value", color="series", title=view.plot_title([]), visible=False,
                       color_map=view.SERIES_COLOURS, x_title="logged point", y_title="value", height=260,
                       elem_id="training-plot")
    gr.Markdown("#### Runs")
    history = gr.Dataframe(headers=view.RUN_HEADERS, interactive=False, wrap=True,
                           column_widths=view.RUN_COLUMN_WIDTHS, elem_id="training-runs")
    gr.Markdown("#### Versions of your model")
    versions = gr.Dataframe(headers=view.VERSION_HEADERS, interactive=False, wrap=True,
                            column_widths=view.VERSION_COLUMN_WIDTHS, elem_id="training-versions")
    with gr.Row():
        use_version = gr.Dropdown(label="Version to answer with (earlier or later)", choices=[], scale=2,
                                  elem_id="training-use-version")
        use = gr.Button("Use this version", scale=1, elem_id="training-use")
    return TrainingUI(counts, schedule, train, cancel, progress, timer, plot, plot_empty, gr.State(""), history,
                      versions, use_version, use, refresh)


def _frame(rows: list[list[str]], headers: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=headers)


def _curve(points: list[dict]):
    # No frame at all while there are no points: a plot first drawn from an empty frame keeps an empty
    # colour scale and draws no lines when points arrive.
    if not points:
        return None
    frame = pd.DataFrame(points, columns=["point", "value", "series"])
    return frame.astype({"point": "int64", "value": "float64", "series": "str"})


def _plot(points: list[dict]) -> tuple:
    """The plot and the message that stands in for it before any run trained (the title comes last)."""
    return gr.LinePlot(value=_curve(points), visible=bool(points)), gr.HTML(visible=not points)


def badge(ctx, user) -> str:
    """The header badge: what answers this user now (the engine skips an adapter of another base)."""
    if ctx.engine.memory_only:
        return adapter_badge(None, memory_only=True)
    ref = ctx.engine.adapters(user)
    return adapter_badge(ref.version if ref else None, memory_only=False)


def training_off(ctx, user) -> Optional[str]:
    """Why this user cannot train here, with what to do; None when "Train now" works."""
    if not ctx.can_train(user):
        return "Visitors' sandboxes are not trained: sign in to train a model of your own."
    return view.training_off_reason(ctx.engine, ctx.settings)


def waiting(ctx, user) -> Optional[plan.Waiting]:
    """The feedback the user's model in use has not learned (None for a sandbox, which is never trained)."""
    return plan.waiting_feedback(user) if ctx.can_train(user) else None


def needs(ctx, off: Optional[str]) -> Optional[dict]:
    """The examples each preference stage of the next run needs (None where no run can train)."""
    return None if off else plan.minimums(plan.expected_config(ctx.settings))


def feedback_note(ctx, user, kind: str) -> str:
    """The toast after a like, dislike or edit, saying what training will really do with it."""
    off = training_off(ctx, user)
    return view.feedback_note(kind, waiting(ctx, user), needs(ctx, off), off)


def everything(ctx, user) -> tuple:
    """Updates for all of the tab's outputs (see `listen`) plus the header badge."""
    memory = ctx.memory
    active = runs.active_run(memory, user.id)
    points = view.curve(view.latest_with_history(memory, user.id))
    off = training_off(ctx, user)
    return (
        view.counts_html(waiting(ctx, user), needs(ctx, off), off),
        view.schedule_html(ctx.scheduler, user, off),
        gr.Button(interactive=off is None and active is None),
        view.progress_html(active, user),
        gr.Timer(active=active is not None),
        gr.Button(interactive=active is not None),
        *_plot(points),
        _frame(view.run_rows(memory, user), view.RUN_HEADERS),
        _frame(view.version_rows(memory, user), view.VERSION_HEADERS),
        gr.Dropdown(choices=view.version_choices(memory, user.id), value=None),
        view.plot_title(points),
        badge(ctx, user),
    )


# --- handlers: the user always comes from the request ----------------------------------------------

@shows_errors
def show(ctx, request: gr.Request):
    """Read runs, versions and counts when the tab opens or is refreshed."""
    return everything(ctx, ctx.user(request))


@shows_errors
def train_now(ctx, request: gr.Request):
    """Queue a run for the user (and start it, where this process dispatches runs); refused, with the reason and
    the fix, where no run could train (no model loaded, a visitor's sandbox)."""
    user = ctx.user(request)
    off = training_off(ctx, user)
    if off:
        raise InvalidInput(off)
    run = runs.request_run(ctx.memory, user, trigger=RunTrigger.MANUAL)
    if ctx.dispatch_runs:  # starting a process or enqueueing takes milliseconds; training runs elsewhere
        submit.start_queued(ctx.memory, ctx.database_url)
    gr.Info(view.request_note(run.id, waiting(ctx, user), needs(ctx, off)))
    return everything(ctx, user)


@shows_errors
def tick(ctx, request: gr.Request):
    """The timer's poll: progress of the active run, or everything once it has ended."""
    user = ctx.user(request)
    active = runs.active_run(ctx.memory, user.id)
    if active is not None:
        points = view.curve(active)
        plot = (*_plot(points), view.plot_title(points)) if points else (gr.skip(),) * 3
        return (gr.skip(), gr.skip(), gr.skip(), view.progress_html(active, user), gr.skip(), gr.skip(), *plot[:2],
                gr.skip(), gr.skip(), gr.skip(), plot[2], gr.skip())
    return everything(ctx, user)  # the run just ended: show its result and stop polling


@shows_errors
def cancel(ctx, request: gr.Request):
    """Cancel the user's active run."""
    user = ctx.user(request)
    active = runs.active_run(ctx.memory, user.id)
    if active is None:
        raise InvalidInput("No run is in progress.")
    runs.cancel_run(ctx.memory, user.id, active.id)
    gr.Info(f"Cancelling run {active.id}.")
    return everything(ctx, user)


@shows_errors
def use_version(ctx, version, request: gr.Request):
    """Make another adapter version (earlier or later; 0: the base model) answer."""
    user = ctx.user(request)
    if version in (None, ""):
        raise InvalidInput("Choose a version first.")
    version = as_id(version)
    adapters.rollback(ctx.memory, user.id, version)
    gr.Info("The base model answers now." if version == 0 else f"Version v{version} answers now.")
    return everything(ctx, user)


def show_plot_title(title: str):
    """Give the plot its title. Sent after the points (a change of `TrainingUI.plot_title`), because a title
    change redraws the plot, and only a redraw draws a series it did not have before (DPO's after SFT's)."""
    return gr.LinePlot(title=str(title or "")[:200])


def listen(ctx, ui: TrainingUI, *, tab: gr.Tab, badge_output: gr.HTML) -> None:
    """Wire the Training tab's events; `badge_output` is the header's adapter badge."""
    outputs = [ui.counts, ui.schedule, ui.train, ui.progress, ui.timer, ui.cancel, ui.plot, ui.plot_empty,
               ui.history, ui.versions, ui.use_version, ui.plot_title, badge_output]
    gr.on([tab.select, ui.refresh.click], bind(show, ctx), None, outputs, api_name="training_show")
    ui.train.click(bind(train_now, ctx), None, outputs, api_name="training_train")
    ui.timer.tick(bind(tick, ctx), None, outputs, api_name="training_tick", show_progress="hidden")
    ui.cancel.click(bind(cancel, ctx), None, outputs, api_name="training_cancel")
    ui.use.click(bind(use_version, ctx), [ui.use_version], outputs, api_name="training_rollback")
    ui.plot_title.change(show_plot_title, [ui.plot_title], [ui.plot], api_name="training_plot_title",
                         show_progress="hidden")
