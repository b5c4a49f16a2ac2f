"""Starting the web app: build it over one memory database and launch Gradio."""

from __future__ import annotations

import os
from typing import Optional

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def serve(*, host: str = "127.0.0.1", port: int = 7860, auth: bool = False,
          database_url: Optional[str] = None) -> None:
    """Run the app until interrupted."""
    from memory import api
    from webapp.app import build_app

    memory = api.open_memory(database_url)
    app = build_app(memory)
    print(f"Mebot is running on http://{host}:{port}", flush=True)
    app.launch(server_name=host, server_port=port, show_error=True)
