"""A base model's identity by content: the hash an adapter records, so it is never applied to another base."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Optional

from rlmf.model.gguf import file_digest

# What defines the weights and the token ids an adapter depends on.
_FILES = ("config.json", "tokenizer.json", "tokenizer.model", "vocab.json", "merges.txt")
_WEIGHTS = ("*.safetensors", "*.bin")
FINGERPRINT_LENGTH = 16


def fingerprint(folder: str | Path, cache_file: Optional[Path] = None) -> str:
    """Hex digest over the folder's config, tokenizer and weight files (their bytes, names in order).

    Hashing ~0.5 GB takes a second or two; with `cache_file`, each file's digest is kept keyed by its
    size and modification time, so later calls are instant.
    """
    folder = Path(folder)
    files = sorted({p for pattern in (*_FILES, *_WEIGHTS) for p in folder.glob(pattern) if p.is_file()})
    if not files:
        raise ValueError(f"{folder} holds no model files")
    cache = _read(cache_file)
    overall = hashlib.sha256()
    for path in files:
        stat = path.stat()
        key = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        if key not in cache:
            cache[key] = file_digest(path)
        overall.update(f"{path.name}\0{cache[key]}\n".encode())
    if cache_file is not None:
        _write(cache_file, cache)
    return overall.hexdigest()[:FINGERPRINT_LENGTH]


def _read(cache_file: Optional[Path]) -> dict:
    try:
        return json.loads(cache_file.read_text()) if cache_file else {}
    except (OSError, ValueError):
        return {}


def _write(cache_file: Path, cache: dict) -> None:
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        partial = cache_file.with_suffix(".tmp")
        partial.write_text(json.dumps(cache, indent=1))
        partial.replace(cache_file)
    except OSError:
        pass  # a read-only data directory only costs the next start a re-hash
