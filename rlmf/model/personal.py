"""The personal model: one base per process, per-user LoRA adapters switched in place, streamed replies."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Iterator

from rlmf.model.base import LoadedBase, check_adapter_base, load_base
from rlmf.model.generation import GenerationConfig
from rlmf.model.special_tokens import ME_TOKEN, mark_user_turns

_ACTIVE = object()  # "the adapter chosen by use_adapter", as opposed to None, the bare base


class PersonalModel:
    """A base model with named PEFT adapters; replies are generated with one adapter (or none) at a time."""

    def __init__(self, base: LoadedBase):
        self.model = base.model
        self.tokenizer = base.tokenizer
        self.device = base.device
        self.label = base.label  # which base answers, for the UI
        self.fingerprint = base.fingerprint  # its content hash: adapters of other bases are refused
        self._paths: dict[str, Path] = {}
        self._active: str | None = None
        # A plain Lock, not an RLock: a streamed reply may be resumed on another thread (Gradio does this),
        # and the thread that finishes it must be able to release the lock.
        self._lock = threading.Lock()

    @classmethod
    def load(cls, name_or_path: str | Path, *, device: str | None = None, load_in_4bit: bool | None = None):
        """Load the base (see rlmf.model.base.load_base) and wrap it."""
        return cls(load_base(name_or_path, device=device, load_in_4bit=load_in_4bit))

    @property
    def active_adapter(self) -> str | None:
        """Name of the adapter replies use by default; None for the bare base."""
        return self._active

    @property
    def adapters(self) -> dict[str, Path]:
        """Loaded adapters by name."""
        return dict(self._paths)

    def load_adapter(self, name: str, path: str | Path) -> None:
        """Load an adapter folder under `name` (once; the base is not reloaded)."""
        with self._lock:
            self._load(name, Path(path))

    def use_adapter(self, name: str | None, path: str | Path | None = None) -> None:
        """Make `name` the default adapter (loading it from `path` if new); None selects the bare base."""
        with self._lock:
            if name is not None:
                if path is not None:
                    self._load(name, Path(path))
                elif name not in self._paths:
                    raise ValueError(f"adapter {name!r} is not loaded; give its path")
            self._active = name

    def unload_adapter(self, name: str) -> None:
        """Free an adapter's weights; if it was the default, the bare base becomes the default."""
        with self._lock:
            if name not in self._paths:
                raise ValueError(f"adapter {name!r} is not loaded")
            if self._active == name:
                self._active = None
            remaining = [other for other in self._paths if other != name]
            if remaining:
                # PEFT refuses to delete the adapter that is currently set.
                self.model.set_adapter(remaining[0])
                self.model.delete_adapter(name)
            else:
                self.model = self.model.unload()  # removes the LoRA layers, leaving the untouched base
            del self._paths[name]

    def _load(self, name: str, path: Path) -> None:
        from peft import PeftModel

        if name in self._paths:
            if self._paths[name] != path:
                raise ValueError(f"adapter {name!r} is already loaded from {self._paths[name]}")
            return
        if not (path / "adapter_config.json").is_file():
            raise ValueError(f"{path} is not an adapter folder (no adapter_config.json)")
        check_adapter_base(path, self.fingerprint)
        if isinstance(self.model, PeftModel):
            self.model.load_adapter(str(path), adapter_name=name)
        else:
            self.model = PeftModel.from_pretrained(self.model, str(path), adapter_name=name)
        self.model.eval()
        self._paths[name] = path

    def stream(self, messages: list[dict], gen_config: GenerationConfig | None = None, *,
               adapter=_ACTIVE) -> Iterator[str]:
        """Yield the reply's text in chunks as it is generated; stops at the end of the assistant's turn."""
        import torch
        from transformers import TextIteratorStreamer

        gen_config = gen_config or GenerationConfig()
        cancel = threading.Event()
        worker = None
        self._lock.acquire()
        try:
            model, adapter_ctx = self._select(adapter)
            streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
            kwargs = self._generate_kwargs(messages, gen_config, cancel)
            failure: list[BaseException] = []

            def work() -> None:
                try:
                    with adapter_ctx, torch.inference_mode():
                        model.generate(**kwargs, streamer=streamer)
                except BaseException as exc:  # re-raised in the consumer's thread below
                    failure.append(exc)
                    streamer.end()

            worker = threading.Thread(target=work, name="mebot-generate", daemon=True)
            worker.start()
            for text in streamer:
                if text:
                    yield text
            if failure:
                raise failure[0]
        finally:
            # Also reached when the consumer stops early: stop the worker before freeing the model.
            cancel.set()
            if worker is not None:
                worker.join()
            self._lock.release()

    def generate(self, messages: list[dict], gen_config: GenerationConfig | None = None, *, adapter=_ACTIVE) -> str:
        """Return the whole reply at once (same text as joining stream's chunks)."""
        import torch

        gen_config = gen_config or GenerationConfig()
        with self._lock:
            model, adapter_ctx = self._select(adapter)
            kwargs = self._generate_kwargs(messages, gen_config, threading.Event())
            with adapter_ctx, torch.inference_mode():
                output = model.generate(**kwargs)
        prompt_len = kwargs["input_ids"].shape[1]
        return self.tokenizer.decode(output[0, prompt_len:], skip_special_tokens=True)

    def score(self, prompt_messages: list[dict], completion: str, *, adapter=_ACTIVE) -> float:
        """Summed log-probability of `completion` as the reply to `prompt_messages` (see rlmf.model.scoring)."""
        from rlmf.model.scoring import completion_logprob

        with self._lock:
            model, adapter_ctx = self._select(adapter)
            with adapter_ctx:
                return completion_logprob(model, self.tokenizer, prompt_messages, completion)

    def _select(self, adapter) -> tuple[Any, Any]:
        """Set the adapter to answer with; return the model and a context to run generation in."""
        name = self._active if adapter is _ACTIVE else adapter
        if name is None:
            if hasattr(self.model, "disable_adapter"):
                return self.model, self.model.disable_adapter()
            return self.model, nullcontext()
        if name not in self._paths:
            raise ValueError(f"adapter {name!r} is not loaded")
        self.model.set_adapter(name)
        return self.model, nullcontext()

    def _generate_kwargs(self, messages: list[dict], gen_config: GenerationConfig, cancel: threading.Event) -> dict:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        class _Cancelled(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return torch.full((input_ids.shape[0],), cancel.is_set(), dtype=torch.bool, device=input_ids.device)

        inputs = self.tokenizer.apply_chat_template(
            mark_user_turns(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        kwargs: dict[str, Any] = {
            "input_ids": inputs["input_ids"].to(self.model.device),
            "attention_mask": inputs["attention_mask"].to(self.model.device),
            "max_new_tokens": gen_config.max_new_tokens,
            "eos_token_id": end_of_turn_ids(self.tokenizer, self.model),
            "pad_token_id": self.tokenizer.pad_token_id,
            "repetition_penalty": gen_config.repetition_penalty,
            "no_repeat_ngram_size": gen_config.no_repeat_ngram_size,
            # The marker only ever starts a user turn; a reply must not produce it.
            "suppress_tokens": [self.tokenizer.convert_tokens_to_ids(ME_TOKEN)],
            "stopping_criteria": StoppingCriteriaList([_Cancelled()]),
        }
        if gen_config.greedy:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        else:
            kwargs.update(do_sample=True, temperature=gen_config.temperature, top_p=gen_config.top_p)
            if gen_config.seed is not None:
                torch.manual_seed(gen_config.seed)
        return kwargs


def end_of_turn_ids(tokenizer: Any, model: Any) -> list[int]:
    """Token ids that end the assistant's turn: the special token the chat template puts after a reply
    (<|im_end|>, <|eot_id|>, <end_of_turn>), the tokenizer's EOS and the model's configured EOS."""
    ids = set(template_end_ids(tokenizer))
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if configured is not None:
        ids.update(configured if isinstance(configured, list) else [configured])
    return sorted(ids)


def template_end_ids(tokenizer: Any) -> list[int]:
    """The first special token the chat template writes after an assistant reply (empty if none)."""
    sentinel = "Mebot-end-probe"
    try:
        rendered = tokenizer.apply_chat_template(
            [{"role": "user", "content": "hi"}, {"role": "assistant", "content": sentinel}], tokenize=False)
    except Exception:  # a template that cannot render this probe: fall back to the EOS ids
        return []
    after = rendered[rendered.rfind(sentinel) + len(sentinel):]
    special = set(tokenizer.all_special_ids) | {
        i for i, token in tokenizer.added_tokens_decoder.items() if getattr(token, "special", False)}
    for token_id in tokenizer(after, add_special_tokens=False)["input_ids"]:
        if token_id in special:
            return [token_id]
    return []
