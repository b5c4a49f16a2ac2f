"""The Training tab: feedback counts, schedule, "Train now", live progress, history, curves, adapter
versions and rollback. Training runs in its own process (rlmf.training.runs); this tab only queues and reads."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import pandas as pd

from memory.errors import InvalidInput
from memory.vocab import RunTrigger
from rlmf.training import adapters, runs, submit
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
    history: gr.Dataframe
    versions: gr.Dataframe
    rollback_to: gr.Dropdown
    rollback: gr.Button
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
    plot = gr.LinePlot(x="point", y="value", color="series", title="Loss and reward margin (latest run)",
                       x_title="logged point", y_title="value", height=260, elem_id="training-plot")
    gr.Markdown("#### Runs")
    history = gr.Dataframe(headers=view.RUN_HEADERS, interactive=False, wrap=True, elem_id="training-runs")
    gr.Markdown("#### Adapter versions")
    versions = gr.Dataframe(headers=view.VERSION_HEADERS, interactive=False, wrap=True, elem_id="training-versions")
    with gr.Row():
        rollback_to = gr.Dropdown(label="Make this version live", choices=[], scale=2, elem_id="training-rollback-to")
        rollback = gr.Button("Roll back", scale=1, elem_id="training-rollback")
    return TrainingUI(counts, schedule, train, cancel, progress, timer, plot, history, versions, rollback_to,
                      rollback, refresh)


def _frame(rows: list[list[str]], headers: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=headers)


def _curve(points: list[dict]):
    # No frame at all while there are no points: a plot first drawn from an empty frame keeps an empty
    # colour scale and draws no lines when points arrive.
    if not points:
        return None
    frame = pd.DataFrame(points, columns=["point", "value", "series"])
    return frame.astype({"point": "int64", "value": "float64", "series": "str"})


def badge(ctx, user) -> str:
    """The header badge: what answers this user now (the engine skips an adapter of another base)."""
    if ctx.engine.memory_only:
        return adapter_badge(None, memory_only=True)
    ref = ctx.engine.adapters(user)
    return adapter_badge(ref.version if ref else None, memory_only=False)


def everything(ctx, user) -> tuple:
    """Updates for all of the tab's outputs (see `listen`) plus the header badge."""
    memory = ctx.memory
    active = runs.active_run(memory, user.id)
    points = view.curve(view.latest_with_history(memory, user.id))
    return (
        view.counts_html(user),
        view.schedule_html(ctx.scheduler, user),
        view.progress_html(active, user),
        gr.Timer(active=active is not None),
        gr.Button(interactive=active is not None),
        _curve(points),
        _frame(view.run_rows(memory, user), view.RUN_HEADERS),
        _frame(view.version_rows(memory, user), view.VERSION_HEADERS),
        gr.Dropdown(choices=view.rollback_choices(memory, user.id), value=None),
        badge(ctx, user),
    )


# --- handlers: the user always comes from the request ----------------------------------------------

@shows_errors
def show(ctx, request: gr.Request):
    """Read runs, versions and counts when the tab opens or is refreshed."""
    return everything(ctx, ctx.user(request))


@shows_errors
def train_now(ctx, request: gr.Request):
    """Queue a run for the user (and start it, where this process dispatches runs)."""
    user = ctx.user(request)
    if not ctx.can_train(user):
        raise InvalidInput("Sign in to train a model of your own; sandboxes are not trained.")
    run = runs.request_run(ctx.memory, user, trigger=RunTrigger.MANUAL)
    if ctx.dispatch_runs:  # starting a process or enqueueing takes milliseconds; training runs elsewhere
        submit.start_queued(ctx.memory, ctx.database_url)
    gr.Info(f"Training run {run.id} requested.")
    return everything(ctx, user)


@shows_errors
def tick(ctx, request: gr.Request):
    """The timer's poll: progress of the active run, or everything once it has ended."""
    user = ctx.user(request)
    active = runs.active_run(ctx.memory, user.id)
    if active is not None:
        points = view.curve(active)
        plot = _curve(points) if points else gr.skip()
        return (gr.skip(), gr.skip(), view.progress_html(active, user), gr.skip(), gr.skip(), plot,
                gr.skip(), gr.skip(), gr.skip(), gr.skip())
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
def rollback(ctx, version, request: gr.Request):
    """Make an earlier adapter version (0: the base model) answer again."""
    user = ctx.user(request)
    if version in (None, ""):
        raise InvalidInput("Choose a version first.")
    version = as_id(version)
    adapters.rollback(ctx.memory, user.id, version)
    gr.Info("The base model answers now." if version == 0 else f"Adapter v{version} answers now.")
    return everything(ctx, user)


def listen(ctx, ui: TrainingUI, *, tab: gr.Tab, badge_output: gr.HTML) -> None:
    """Wire the Training tab's events; `badge_output` is the header's adapter badge."""
    outputs = [ui.counts, ui.schedule, ui.progress, ui.timer, ui.cancel, ui.plot, ui.history, ui.versions,
               ui.rollback_to, badge_output]
    gr.on([tab.select, ui.refresh.click], bind(show, ctx), None, outputs, api_name="training_show")
    ui.train.click(bind(train_now, ctx), None, outputs, api_name="training_train")
    ui.timer.tick(bind(tick, ctx), None, outputs, api_name="training_tick", show_progress="hidden")
    ui.cancel.click(bind(cancel, ctx), None, outputs, api_name="training_cancel")
    ui.rollback.click(bind(rollback, ctx), [ui.rollback_to], outputs, api_name="training_rollback")
