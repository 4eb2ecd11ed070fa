#!/usr/bin/python3
"""Builds assets/corpora/tinystories_chat.jsonl: chat conversations made from TinyStories paragraphs.

The demo model has never seen chat data, and no chat corpus ships with the workplace assets, so this
one is derived from the shipped TinyStories file (CDLA-Sharing-1.0, as its source). Only the part
that `calibra demo` calibrates on is used (paragraphs after the first fifth, which the demo holds out
for perplexity), so chat calibration never sees evaluated text. A story starts at a paragraph that
begins "Once upon a time" (the paragraphs before the first one are left out: the split cuts
that story). Each story becomes one conversation, in one of three shapes:

  single turn   a user asks for a story; the assistant tells it whole
  multi turn    the user asks for it a part at a time; each assistant turn is one paragraph
  reasoning     as single turn, but the assistant's reply opens with a <think>...</think> section,
                as reasoning models write it (so templates that strip or keep reasoning differ)

About a third of the conversations open with a system message. The user prompts and the reasoning
text are fixed phrases chosen by a seeded generator; the assistant text is the stories' own.
Deterministic: the same input gives the same bytes. Run from the repository root:

  python3 tools/corpora/make_chat_corpus.py assets/corpora/tinystories_valid_first.txt \
      assets/corpora/tinystories_chat.jsonl
"""
import json
import random
import sys

STORY_START = "Once upon a time"
SYSTEM = [
    "You are a friendly storyteller for young children.",
    "You tell short, gentle stories with simple words.",
    "You are a helpful assistant.",
]
ASK = [
    "Tell me a story.",
    "Can you tell me a short story for kids?",
    "Please write a bedtime story.",
    "I want a story about friends.",
    "Tell me a happy story, please.",
]
ASK_IN_PARTS = [
    "Tell me a story, one part at a time.",
    "Let's read a story together. Start it, and wait for me.",
]
NEXT = ["What happened next?", "And then?", "Go on, please.", "Keep going!", "What did they do?"]
THINK = [
    "The user wants a story for a child. I can start with: \"{first}\" I will keep the words simple and end "
    "it happily.",
    "A short story is asked for. Simple sentences, a small problem, a kind ending. Opening: \"{first}\"",
]


def stories(paragraphs):
    story = None  # the paragraphs before the first story start belong to a story cut by the split
    for paragraph in paragraphs:
        if paragraph.startswith(STORY_START):
            if story:
                yield story
            story = []
        if story is not None and paragraph.strip():
            story.append(paragraph.strip())
    if story:
        yield story


def conversation(story, random_):
    messages = []
    if random_.random() < 1 / 3:
        messages.append({"role": "system", "content": random_.choice(SYSTEM)})
    shape = random_.choices(["single", "multi", "reasoning"], weights=[40, 35, 25])[0]
    if shape == "multi" and len(story) > 1:
        messages.append({"role": "user", "content": random_.choice(ASK_IN_PARTS)})
        for i, paragraph in enumerate(story):
            if i > 0:
                messages.append({"role": "user", "content": random_.choice(NEXT)})
            messages.append({"role": "assistant", "content": paragraph})
        return messages, "multi"
    messages.append({"role": "user", "content": random_.choice(ASK)})
    text = "\n\n".join(story)
    if shape == "reasoning":
        first = story[0].split(". ")[0].rstrip(".") + "."
        thought = random_.choice(THINK).format(first=first)
        messages.append({"role": "assistant", "content": "<think>\n" + thought + "\n</think>\n\n" + text})
        return messages, "reasoning"
    messages.append({"role": "assistant", "content": text})
    return messages, "single"


def main(source, target):
    with open(source, encoding="utf-8") as f:
        paragraphs = f.read().split("\n\n")
    held_out = len(paragraphs) // 5  # as `calibra demo` splits the file
    random_ = random.Random(0)
    with open(target, "w", encoding="utf-8", newline="\n") as out:
        for story in stories(paragraphs[held_out:]):
            messages, shape = conversation(story, random_)
            out.write(json.dumps({"messages": messages, "shape": shape}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
