#!/usr/bin/env python3
"""Baseline for SamplingBenchmark's chat rows: Jinja2 rendering the shipped chat corpus with the
built-in templates, in the environment transformers uses (the one tools/reference/render_chat_templates.py
builds), 20 passes after a warm-up, as the Java benchmark times it. Needs Jinja2 (python3 -m pip or the
pyenv python; Debian: python3-jinja2). Run from the repository root: python3 bench/chat_render_jinja2.py
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools", "reference"))
from render_chat_templates import environment  # noqa: E402

TEMPLATES = os.path.join("model-core", "src", "main", "resources", "chat-templates")
SPECIAL = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}  # stories260K's tokenizer_config.json
ROUNDS = 20

conversations = [json.loads(line)["messages"] for line in open("assets/corpora/tinystories_chat.jsonl", encoding="utf-8")]
for name in ["llama3", "qwen3", "gemma2"]:
    with open(os.path.join(TEMPLATES, name + ".jinja"), encoding="utf-8") as f:
        template = environment().from_string(f.read())

    def render_all():
        out = []
        for messages in conversations:
            try:
                out.append(template.render(messages=messages, tools=None, documents=None, add_generation_prompt=False, **SPECIAL))
            except Exception:  # gemma2 refuses system messages, as the Java engine does
                pass
        return out

    texts = render_all()
    start = time.perf_counter()
    for _ in range(ROUNDS):
        render_all()
    seconds = (time.perf_counter() - start) / ROUNDS
    print(f"| Jinja2 {name}: {len(conversations)} conversations | {len(conversations) / seconds:.0f} conversations/s "
          f"({seconds * 1e3:.1f} ms a pass, {sum(map(len, texts)) / 1e6:.2f} MB out, {len(texts)} rendered) |")
