"""Loading the base LLM once: a Hub id, a local folder or a .gguf file, 4-bit on CUDA, never hanging when
offline. Where the configured default cannot be had (no Hub, nothing cached), the packaged offline model
answers instead (rlmf.model.gguf). Every loaded base carries a content fingerprint; adapters record it."""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional
from urllib.parse import urlparse

from memory.errors import MebotError
from memory.settings import Settings
from rlmf.model.fingerprint import fingerprint
from rlmf.model.gguf import ConversionFailed, ensure_converted, packaged_gguf
from rlmf.model.special_tokens import add_me_token

log = logging.getLogger(__name__)

_HUB_PROBE_TIMEOUT_S = 3.0
DEFAULT_BASE_MODEL = Settings.model_fields["base_model"].default  # the one the packaged model stands in for
PACKAGED_LABEL = "SmolLM2-135M-Instruct (packaged, offline)"
# Written into every adapter folder at save time: which base (by content) the adapter was trained on.
BASE_FILE = "mebot_base.json"


class ModelUnavailable(MebotError):
    """The base model cannot be loaded: no local copy and no way to download it, or the files are unusable."""


class AdapterMismatch(MebotError, ValueError):
    """An adapter was trained on a different base model than the one loaded."""


class BaseSource(NamedTuple):
    """Where a base model comes from, once resolved."""

    source: str  # what from_pretrained gets: a local folder or a Hub id
    label: str  # how to name it to the user and in adapter metadata
    local_only: bool
    note: Optional[str] = None  # why the packaged model stands in for the configured one


class LoadedBase(NamedTuple):
    model: Any
    tokenizer: Any
    device: str
    quantized: bool
    label: str = ""
    fingerprint: str = ""


def default_device() -> str:
    """'cuda' when a GPU is visible, else 'cpu'."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def models_dir() -> Path:
    """Where converted GGUF models and the fingerprint cache live: <data directory>/models."""
    from memory import settings

    return settings.load().home / "models"


def resolve_source(name_or_path: str | Path, *, echo: Optional[Callable[[str], None]] = None) -> BaseSource:
    """Resolve MEBOT_BASE_MODEL: a .gguf file is converted once; the default Hub id falls back to the packaged
    model when it cannot be had here. Raises ModelUnavailable when nothing loadable is found."""
    name = str(name_or_path)
    path = Path(name).expanduser()
    if name.endswith(".gguf") or path.is_file():
        try:
            return BaseSource(str(ensure_converted(path, models_dir(), echo)), name, True)
        except ConversionFailed as exc:
            raise ModelUnavailable(str(exc)) from exc
    try:
        source, local_only = _locate(name)
        return BaseSource(source, name, local_only)
    except ModelUnavailable as exc:
        packaged = packaged_gguf()
        if name != DEFAULT_BASE_MODEL or packaged is None:
            raise
        log.warning("%s; answering with the packaged %s", exc, PACKAGED_LABEL)
        try:
            folder = ensure_converted(packaged, models_dir(), echo)
        except ConversionFailed as failed:
            raise ModelUnavailable(f"{exc}; the packaged model did not load either: {failed}") from failed
        return BaseSource(str(folder), PACKAGED_LABEL, True, note=str(exc))


def base_fingerprint(source: BaseSource) -> str:
    """Content fingerprint of a resolved base (its files in the local folder or the Hub cache)."""
    folder = Path(source.source)
    if not folder.is_dir():
        from huggingface_hub import snapshot_download

        folder = Path(snapshot_download(source.source, local_files_only=True))
    return fingerprint(folder, cache_file=models_dir() / "fingerprints.json")


def load_base(name_or_path: str | Path, *, device: str | None = None, load_in_4bit: bool | None = None,
              echo: Optional[Callable[[str], None]] = None) -> LoadedBase:
    """Load the base model and tokenizer with <|ME|> added: NF4 4-bit on CUDA, fp32 on CPU unless 4-bit is asked.

    `name_or_path`: a Hub id, a model folder or a .gguf file (see resolve_source). Raises ModelUnavailable."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = device or default_device()
    on_cuda = device.startswith("cuda")
    if on_cuda and not torch.cuda.is_available():
        raise ModelUnavailable(f"device {device!r} was asked for but no CUDA GPU is visible")
    if device == "cuda":
        device = f"cuda:{torch.cuda.current_device()}"  # device_map wants an explicit index
    quantized = on_cuda if load_in_4bit is None else load_in_4bit
    resolved = resolve_source(name_or_path, echo=echo)
    source, local_only = resolved.source, resolved.local_only

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
    return LoadedBase(model, tokenizer, device, quantized, resolved.label, base_fingerprint(resolved))


def write_base_record(adapter_dir: Path, base: "LoadedBase | dict") -> None:
    """Record in an adapter folder which base (label and content fingerprint) it was trained on."""
    record = base if isinstance(base, dict) else {"base_model": base.label, "base_fingerprint": base.fingerprint}
    (Path(adapter_dir) / BASE_FILE).write_text(json.dumps(record, indent=2) + "\n")


def read_base_record(adapter_dir: Path) -> Optional[dict]:
    """The base record of an adapter folder, or None for an adapter saved before records existed."""
    try:
        return json.loads((Path(adapter_dir) / BASE_FILE).read_text())
    except FileNotFoundError:
        return None


def check_adapter_base(adapter_dir: Path, fingerprint_: str) -> None:
    """Raise AdapterMismatch unless the adapter was trained on the base with this fingerprint."""
    record = read_base_record(adapter_dir)
    if record is None:
        log.warning("%s records no base model; it is assumed to fit the loaded one", adapter_dir)
        return
    if fingerprint_ and record.get("base_fingerprint") != fingerprint_:
        raise AdapterMismatch(
            f"adapter {adapter_dir} was trained on {record.get('base_model')!r} "
            f"(fingerprint {record.get('base_fingerprint')}), not on the loaded base ({fingerprint_})")


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
