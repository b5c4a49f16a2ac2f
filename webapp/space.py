"""Hugging Face Spaces entry point (the README's front matter names it as `app_file`).

Spaces runs this file as a script, so the project root is put on the import path first. Visitors sign in
with their Hugging Face account (`hf_oauth: true`); each gets their own memory.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp.server import serve  # noqa: E402

serve(host="0.0.0.0", port=int(os.environ.get("PORT", "7860")))
