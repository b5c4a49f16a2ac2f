"""Loading the base LLM once: a Hub id or a local folder, 4-bit on CUDA, never hanging when offline."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

from memory.errors import MebotError
from rlmf.model.special_tokens import add_me_token

_HUB_PROBE_TIMEOUT_S = 3.0


class ModelUnavailable(MebotError):
    """The base model cannot be loaded: no local copy and no way to download it, or the files are unusable."""


class LoadedBase(NamedTuple):
    model: Any
    tokenizer: Any
    device: str
    quantized: bool


def default_device() -> str:
    """'cuda' when a GPU is visible, else 'cpu'."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_base(name_or_path: str | Path, *, device: str | None = None, load_in_4bit: bool | None = None) -> LoadedBase:
    """Load the base model and tokenizer with <|ME|> added: NF4 4-bit on CUDA, fp32 on CPU unless 4-bit is asked."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = device or default_device()
    on_cuda = device.startswith("cuda")
    if on_cuda and not torch.cuda.is_available():
        raise ModelUnavailable(f"device {device!r} was asked for but no CUDA GPU is visible")
    if device == "cuda":
        device = f"cuda:{torch.cuda.current_device()}"  # device_map wants an explicit index
    quantized = on_cuda if load_in_4bit is None else load_in_4bit
    source, local_only = _locate(str(name_or_path))

    kwargs: dict[str, Any] = {"local_files_only": local_only, "device_map": {"": device}}
    if quantized:
        kwargs["quantization_config"] = _nf4_config(torch.bfloat16 if on_cuda else torch.float32)
    else:
        kwargs["dtype"] = torch.bfloat16 if on_cuda else torch.float32
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_only)
        model = AutoModelForCausalLM.from_pretrained(source, **kwargs)
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"cannot load model {name_or_path!r}: {exc}") from exc
    if quantized and not on_cuda:
        disable_cpu_4bit_repacking(model)
    add_me_token(tokenizer, model)
    model.eval()
    return LoadedBase(model, tokenizer, device, quantized)


def _nf4_config(compute_dtype: Any) -> Any:
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_compute_dtype=compute_dtype,
        bnb_4bit_use_double_quant=True,
    )


def disable_cpu_4bit_repacking(model: Any) -> None:
    """Stop bitsandbytes repacking 4-bit CPU weights into an inference-only layout that breaks later training."""
    import bitsandbytes as bnb

    # On AVX512-BF16 CPUs the first no-grad forward repacks the weights; training afterwards crashes or
    # silently gets zero gradients. Turning the fast path off keeps one layout for both.
    for module in model.modules():
        if isinstance(module, bnb.nn.Linear4bit):
            module.support_avx512bf16_for_cpu = False


def _locate(name_or_path: str) -> tuple[str, bool]:
    """Return what to pass to from_pretrained and whether it must come from local files only."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return str(path), True
    if path.is_absolute() or name_or_path.startswith((".", "~")) or name_or_path.count("/") > 1:
        raise ModelUnavailable(f"no model folder at {name_or_path}")
    if _cached(name_or_path):
        return name_or_path, True
    if _offline():
        raise ModelUnavailable(f"{name_or_path!r} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set")
    if not _hub_reachable():
        raise ModelUnavailable(f"{name_or_path!r} is not in the local Hugging Face cache and the Hub is unreachable")
    return name_or_path, False


def _offline() -> bool:
    # Read at call time: huggingface_hub reads its own copy only once, at import.
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _cached(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo_id, "config.json")
    return isinstance(found, str)


def _hub_reachable() -> bool:
    # A firewalled network drops packets instead of refusing them; without this the Hub client waits on
    # every file. A proxy makes the direct probe meaningless, so trust the client's own timeouts then.
    if any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    from huggingface_hub import constants

    url = urlparse(os.environ.get("HF_ENDPOINT") or constants.ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname, port), timeout=_HUB_PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False
