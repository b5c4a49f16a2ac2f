"""A small OpenAI-compatible chat server over the personal model: /v1/models, /v1/chat/completions
(streamed or not), /v1/load_lora_adapter and /v1/unload_lora_adapter — the subset Mebot's openai backend
uses, with vLLM's request bodies and status codes (400 for a name already loaded, 404 for an unknown one),
so the backend's loading, unloading and retries are tested here without a GPU.

It lets one machine serve many users' adapters to several app processes; on a GPU, vLLM with
--enable-lora is the faster choice and speaks the same protocol.
"""

# No `from __future__ import annotations`: FastAPI reads the handlers' annotations at run time.

import argparse
import json
import time
import uuid
from typing import Optional

from rlmf.model.generation import GenerationConfig


def make_app(model, model_name: str):
    """A FastAPI app serving `model` (a rlmf.model.personal.PersonalModel) as `model_name`."""
    from fastapi import FastAPI, HTTPException, Request
    from fastapi.responses import JSONResponse, StreamingResponse

    app = FastAPI(title="Mebot model server")
    app.state.lora_calls = []  # ("load" | "unload", name, path): what clients asked for, in order

    def adapter_for(name: str) -> Optional[str]:
        if name == model_name:
            return None
        if name in model.adapters:
            return name
        raise HTTPException(404, f"unknown model or adapter {name!r}")

    @app.get("/v1/models")
    def models():
        names = [model_name, *model.adapters]
        return {"object": "list", "data": [{"id": n, "object": "model", "owned_by": "mebot"} for n in names]}

    @app.post("/v1/load_lora_adapter")
    async def load_lora_adapter(request: Request):
        from rlmf.training.store import local_copy

        body = await request.json()
        name, path = body.get("lora_name"), body.get("lora_path")
        if not name or not path:
            raise HTTPException(400, "lora_name and lora_path are required")
        app.state.lora_calls.append(("load", name, path))
        if name in model.adapters:
            if not body.get("load_inplace"):
                raise HTTPException(400, f"The lora adapter {name!r} has already been loaded")
            model.unload_adapter(name)
        try:
            model.load_adapter(name, local_copy(path))  # a folder, or a URL in the adapter store
        except (ValueError, OSError) as exc:
            raise HTTPException(400, str(exc)) from exc
        return {"loaded": name}

    @app.post("/v1/unload_lora_adapter")
    async def unload_lora_adapter(request: Request):
        name = (await request.json()).get("lora_name")
        app.state.lora_calls.append(("unload", name, None))
        if name not in model.adapters:
            raise HTTPException(404, f"The lora adapter {name!r} cannot be found")
        model.unload_adapter(name)
        return {"unloaded": name}

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        body = await request.json()
        adapter = adapter_for(body.get("model") or model_name)
        temperature = float(body.get("temperature", 0.7))
        gen = GenerationConfig(max_new_tokens=int(body.get("max_tokens") or 256), temperature=temperature,
                               top_p=float(body.get("top_p", 0.9)))
        messages = [{"role": m["role"], "content": m["content"]} for m in body.get("messages") or []]
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        created = int(time.time())
        name = body.get("model") or model_name

        if not body.get("stream"):
            text = model.generate(messages, gen, adapter=adapter)
            return JSONResponse({"id": completion_id, "object": "chat.completion", "created": created,
                                 "model": name, "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}]})

        def events():
            def chunk(delta: dict, finish: Optional[str] = None) -> str:
                payload = {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                           "model": name, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                return f"data: {json.dumps(payload)}\n\n"

            yield chunk({"role": "assistant"})
            for piece in model.stream(messages, gen, adapter=adapter):
                yield chunk({"content": piece})
            yield chunk({}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def main(argv: Optional[list[str]] = None) -> int:
    """`python -m rlmf.chat.openai_server --model PATH_OR_ID [--lora name=path ...]`."""
    import uvicorn

    from rlmf.model.personal import PersonalModel

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="base model: a Hugging Face id or a local folder")
    parser.add_argument("--lora", action="append", default=[], help="name=path of an adapter to preload")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    model = PersonalModel.load(args.model)
    for item in args.lora:
        name, _, path = item.partition("=")
        model.load_adapter(name, path)
    uvicorn.run(make_app(model, args.model), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
