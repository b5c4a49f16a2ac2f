"""Gradio's folder for uploads and cached files, made private: only the user running the app can open it
(Gradio's default is a shared /tmp/gradio, readable by every local account)."""

from __future__ import annotations

import getpass
import os
import tempfile
from pathlib import Path
from typing import MutableMapping


def use_private_upload_folder(environ: MutableMapping[str, str] = os.environ) -> Path:
    """Create (or tighten) the folder GRADIO_TEMP_DIR names, by default one per local account, with mode
    0700, and point Gradio at it; call before any Gradio component is built. Returns the folder."""
    folder = Path(environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / f"mebot-gradio-{getpass.getuser()}")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    environ["GRADIO_TEMP_DIR"] = str(folder)
    return folder
