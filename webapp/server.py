"""Starting the web app: open the memory, pick how users are identified, build the app, launch Gradio."""

from __future__ import annotations

import os
from typing import Optional

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio's queue re-summarises its event log with pandas after every event (for its monitoring page, which
# Mebot does not serve): a DataFrame over up to 10,000 past events, on the server's one interpreter, each
# time any user clicks. Summarise rarely and keep a short log instead.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")

# Chat streams, note edits and polling share the worker pool; generation itself is serialised by the
# model's own lock, so more workers only let other users' clicks through while one reply streams.
CONCURRENCY = 8


def on_zero_gpu(engine) -> None:
    """On Hugging Face ZeroGPU hardware, run local generation under `spaces.GPU` (a no-op elsewhere)."""
    try:
        import spaces
    except ImportError:
        return
    if getattr(engine.backend, "memory_only", True) or not hasattr(engine.backend, "model"):
        return
    # Only the generation call borrows the GPU; its arguments (messages, adapter ref, config) pickle.
    engine.backend.stream = spaces.GPU(engine.backend.stream)


def launch(app, *, host: str, port: int, login=None, block: bool = True) -> str:
    """Queue and launch an app from webapp.app.build_app (with `login(username, password)` for password
    mode, run off the event loop); returns its URL. With block=False it returns at once (tests, notebooks)
    and `app.close()` stops it. The app is served behind webapp.guard's door."""
    from starlette.middleware import Middleware

    from webapp.app import access_of, launch_options
    from webapp.guard import Guard
    from webapp.logins import off_the_loop

    app.queue(default_concurrency_limit=CONCURRENCY)
    app.launch(server_name=host, server_port=port, auth=off_the_loop(login) if login else None,
               auth_message="Sign in to your Mebot account." if login else None,
               prevent_thread_lock=not block, quiet=not block,
               app_kwargs={"middleware": [Middleware(Guard, access=access_of(app))]}, **launch_options())
    return app.local_url


def serve(*, host: Optional[str] = None, port: Optional[int] = None, auth: bool = False,
          database_url: Optional[str] = None) -> None:
    """Run the app until interrupted: local single user, password accounts (`auth`), or Spaces sign-in."""
    from memory import api
    from memory import settings as settings_module
    from memory.errors import MebotError
    from rlmf.chat.startup import make_engine
    from rlmf.training.scheduler import TrainingScheduler
    from webapp import accounts
    from webapp.app import build_app
    from webapp.identity import PASSWORD, Identity, default_mode

    memory = api.open_memory(database_url)
    memory.embed_pending_in_background()  # vectors a model change or a bulk import left to make
    identity = Identity(default_mode(auth))
    if identity.mode == PASSWORD and not accounts.account_names(memory):
        raise MebotError("No accounts yet: add one with `mebot user add NAME`, then start the server again.")
    settings = settings_module.load()
    if settings.training_queue == "procrastinate":
        from rlmf.training.queue import conninfo

        try:
            conninfo(memory.engine.url.render_as_string(hide_password=False))
        except ValueError as exc:  # the task queue lives in PostgreSQL
            raise MebotError(str(exc)) from exc
    host, port = host or settings.host, port or settings.port
    engine = make_engine(settings, memory)
    on_zero_gpu(engine)
    # Every app process schedules; each firing runs in one of them (rlmf.training.ticks).
    # MEBOT_SCHEDULER=off leaves scheduling to the other processes.
    scheduler = TrainingScheduler(memory, settings).start() if settings.scheduler else None
    app = build_app(memory, engine, identity=identity, scheduler=scheduler)
    login = accounts.login_checker(memory) if identity.mode == PASSWORD else None
    print(f"Mebot is running on http://{host}:{port} ({identity.mode} mode)", flush=True)
    try:
        launch(app, host=host, port=port, login=login)
    finally:
        if scheduler is not None:
            scheduler.shutdown()
