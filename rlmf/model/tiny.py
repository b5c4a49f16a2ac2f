"""A tiny random Qwen2 model and tokenizer, written locally in a second, for offline smoke runs and tests."""

from __future__ import annotations

import json
import random
from pathlib import Path

from rlmf.model.special_tokens import add_me_token

CHATML_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# ChatML, as Qwen uses it, with {% generation %} markers so SFT can train on the assistant's part only;
# the end-of-turn token is inside the markers so the model learns to stop.
CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{%- if message['role'] == 'assistant' %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- generation %}{{- message['content'] + '<|im_end|>' }}{%- endgeneration %}"
    "{{- '\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

_WORDS = (
    "I me my you your we our the a an and or but of to in on at for with from by about what when where who "
    "which how why is was are were be been have has had do did does will would can could note notes noted "
    "today yesterday tomorrow week month year last next this morning evening night day Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday January February March April May June July August September "
    "October November December dog cat name called friend sister brother mother father doctor meeting "
    "lunch dinner coffee book read wrote walk park city train trip work project idea remember remind "
    "favourite colour blue green red music song film birthday garden plant tea run swim paper plan"
).split()


def _corpus(rng: random.Random, lines: int = 3000) -> list[str]:
    # Generated text in the shape the tests and smoke runs use: short first-person sentences, dates, questions.
    corpus = []
    for _ in range(lines):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 12))]
        sentence = " ".join(words).capitalize()
        if rng.random() < 0.3:
            sentence += f" on {rng.randint(2000, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        corpus.append(sentence + rng.choice([".", "?", "!"]))
    return corpus


def _build_tokenizer(corpus: list[str], vocab_size: int, include_me_token: bool):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=CHATML_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens=["<|im_start|>"],
        chat_template=CHAT_TEMPLATE,
        model_max_length=2048,
    )
    if include_me_token:
        add_me_token(tokenizer)  # the same call that adds it to a real base, so it lands the same way
    return tokenizer


def build_tiny_model(path: str | Path, seed: int = 0, include_me_token: bool = True,
                     tie_word_embeddings: bool = False) -> Path:
    """Write a tiny random Qwen2 model with its tokenizer (ChatML, <|ME|> included) to `path`; return it.

    include_me_token=False leaves <|ME|> out, like a downloaded base, to exercise adding it at load time;
    tie_word_embeddings=True shares the input and output embeddings, as Qwen2.5 up to 3B does.
    """
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    tokenizer = _build_tokenizer(_corpus(random.Random(seed)), vocab_size=512, include_me_token=include_me_token)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        tie_word_embeddings=tie_word_embeddings,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    with torch.no_grad():
        # With the usual 0.02 init a frozen output head caps every logit near 1, so no adapter could make a
        # reply confident; a trained model's head has no such cap. Scale it up to a trained head's range.
        model.lm_head.weight.normal_(0.0, 2.0 / config.hidden_size**0.5)
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, do_sample=False
    )
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    (path / "README.md").write_text(
        "# Tiny random model\n\nRandom weights and a toy tokenizer, for offline smoke runs and tests. "
        "Its replies are noise.\n"
    )
    (path / "mebot_tiny_model.json").write_text(json.dumps(
        {"seed": seed, "random_weights": True, "me_token": include_me_token, "tied": tie_word_embeddings}
    ) + "\n")
    return path
