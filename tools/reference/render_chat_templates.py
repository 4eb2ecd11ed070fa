#!/usr/bin/env python3
"""Expected renders of real Hugging Face chat templates, produced by Jinja2 itself, for JinjaTemplateCasesTest.

What it mirrors: transformers' chat template environment, _compile_jinja_template in
src/transformers/utils/chat_template_utils.py of huggingface/transformers at commit
5e43e2e892453b405ce6d2cb94387b3a3213f30a:

    ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                  extensions=[AssistantTracker, jinja2.ext.loopcontrols])
    env.filters["tojson"] = json.dumps(x, ensure_ascii=False, indent=indent, separators=separators,
                                       sort_keys=sort_keys)
    env.globals["raise_exception"] = raise TemplateError(message)

and the variables apply_chat_template renders with: messages, tools (None when not given), documents
(None when not given), add_generation_prompt, the tokenizer's special tokens (bos_token, eos_token, ...)
and the caller's template kwargs (enable_thinking, date_string, ...). Two deliberate departures, both
Calibra's: strftime_now is NOT defined (Calibra wants reproducible prompts; templates then take their
fallback, and one that calls it unguarded fails), and AssistantTracker's {% generation %} tag only
renders its body (the assistant mask it computes is not part of the text).

Nothing of transformers is imported: the few lines above are restated here, so this runs with Jinja2 alone.

The templates are the fixtures *.jinja next to the output, copied byte for byte from llama.cpp's
models/templates folder (see SOURCES.md there). Besides the real templates, INLINE_CASES renders small
templates that pin down single features (whitespace control, scoping, filters, errors).

Run from the repository root with a python3 that has Jinja2 3.1.x (checked with Jinja2 3.1.6):

    python3 tools/reference/render_chat_templates.py           # rewrites expected.jsonl
    python3 tools/reference/render_chat_templates.py --check   # exits 1 if expected.jsonl is stale

Output: model-core/src/test/resources/chat-templates/expected.jsonl, one JSON object per line:
{"case", "template" (a fixture file name, or "inline" with "source"), "variables", and either "output"
or "error" (str() of the exception Jinja2 raised) with "error_type" and "error_line" (the template line
Jinja2's traceback names)}.
"""

import json
import os
import sys
import traceback

import jinja2
import jinja2.ext
from jinja2.exceptions import TemplateError
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXTURES = os.path.join("model-core", "src", "test", "resources", "chat-templates")
OUTPUT = os.path.join(FIXTURES, "expected.jsonl")


class AssistantTracker(Extension):
    """transformers' {% generation %} tag, reduced to what reaches the text: its body, unchanged."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)

    def _generation_support(self, caller):
        return caller()


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


# Special tokens as each model's tokenizer_config.json names them (special_tokens_map; an unset bos_token is absent).
TOKENS = {
    "meta-llama-Llama-3.2-3B-Instruct.jinja": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "Qwen-Qwen3-0.6B.jinja": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "google-gemma-2-2b-it.jinja": {"bos_token": "<bos>", "eos_token": "<eos>"},
    "microsoft-Phi-3.5-mini-instruct.jinja": {"bos_token": "<s>", "eos_token": "<|endoftext|>"},
    "mistralai-Mistral-Nemo-Instruct-2407.jinja": {"bos_token": "<s>", "eos_token": "</s>"},
    "Qwen-QwQ-32B.jinja": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "ibm-granite-granite-3.3-2B-Instruct.jinja": {"bos_token": "<|end_of_text|>", "eos_token": "<|end_of_text|>"},
    "deepseek-ai-DeepSeek-V3.1.jinja": {
        "bos_token": "<\uff5cbegin\u2581of\u2581sentence\uff5c>",
        "eos_token": "<\uff5cend\u2581of\u2581sentence\uff5c>",
    },
}


def user(text):
    return {"role": "user", "content": text}


def assistant(text):
    return {"role": "assistant", "content": text}


def system(text):
    return {"role": "system", "content": text}


SINGLE = [user("Hello!")]
MULTI = [
    system("You are a helpful assistant."),
    user("What is 2+2?"),
    assistant("2+2 equals 4."),
    user("And 3+3?"),
]
NO_SYSTEM = [user("What is 2+2?"), assistant("2+2 equals 4."), user("And 3+3?")]
UNICODE = [
    system("  R\u00e9ponds en fran\u00e7ais, s'il te pla\u00eet.  \n"),
    user('\u00c7a va? \u4f60\u597d \U0001f44b "quoted" \\ backslash\n\tindented'),
    assistant("  Tr\u00e8s bien !  \n"),
    user("Merci."),
]
THINKING = [
    user("What is 17*3?"),
    assistant("<think>\n17*3 = 51\n</think>\n\n17 \u00d7 3 = 51."),
    user("And 17*4?"),
    assistant("<think>\nAdd 17 to 51.\n</think>\n\n68."),
]
THINKING_PENDING = THINKING[:3]
REASONING_FIELD = [
    user("Hi"),
    {"role": "assistant", "content": "Hello!", "reasoning_content": "The user greets me."},
    user("Bye"),
    {"role": "assistant", "content": "Goodbye!", "reasoning_content": "\nThe user leaves.\n"},
]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. \"Paris\""},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}
QWEN_TOOL_TURNS = [
    system("You are a weather bot."),
    user("Weather in Z\u00fcrich?"),
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Z\u00fcrich", "unit": "celsius"}}}],
    },
    {"role": "tool", "content": '{"temperature": 21.5, "sky": "clear"}'},
    {"role": "tool", "content": "second result"},
    assistant("It is 21.5 \u00b0C and clear."),
]
QWEN_STRING_ARGUMENTS = [
    user("Weather in Oslo?"),
    {
        "role": "assistant",
        "content": "Let me check.",
        "tool_calls": [
            {"type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}},
            {"name": "get_weather", "arguments": {"city": "Bergen"}},
        ],
    },
    {"role": "tool", "content": "rain"},
]
LLAMA_TOOL_TURNS = [
    system("Answer briefly."),
    user("Weather in Paris?"),
    {
        "role": "assistant",
        "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}],
    },
    {"role": "ipython", "content": '{"temperature": 18, "note": "line\nbreak"}'},
    assistant("18 degrees."),
]
MISTRAL_TOOL_TURNS = [
    user("Weather in Rome?"),
    {
        "role": "assistant",
        "tool_calls": [{"id": "abc123XYZ", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Rome"}}}],
    },
    {"role": "tool", "tool_call_id": "abc123XYZ", "content": {"content": "sunny, 25 C"}},
    assistant("Sunny, 25 C."),
    user("Thanks!"),
]
DEEPSEEK_TOOL_TURNS = [
    system("Be precise."),
    system("Use tools."),
    user("Weather in Lima?"),
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Lima"}'}},
            {"type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Cusco"}'}},
        ],
    },
    {"role": "tool", "content": "cloudy"},
    assistant("Cloudy in Lima."),
    user("Thanks"),
]
DOCUMENTS = [
    {"doc_id": 1, "title": "Tides", "text": "Tides are caused by the moon."},
    {"doc_id": "b", "title": "Sun", "text": "The sun is a star."},
]
ALTERNATION_BROKEN = [user("one"), user("two")]

LLAMA = "meta-llama-Llama-3.2-3B-Instruct.jinja"
QWEN3 = "Qwen-Qwen3-0.6B.jinja"
GEMMA = "google-gemma-2-2b-it.jinja"
PHI = "microsoft-Phi-3.5-mini-instruct.jinja"
MISTRAL = "mistralai-Mistral-Nemo-Instruct-2407.jinja"
QWQ = "Qwen-QwQ-32B.jinja"
GRANITE = "ibm-granite-granite-3.3-2B-Instruct.jinja"
DEEPSEEK = "deepseek-ai-DeepSeek-V3.1.jinja"


def chat_cases():
    """(case, template, messages, add_generation_prompt, tools, documents, template kwargs)."""
    cases = []

    def add(case, template, messages, generation_prompt, tools=None, documents=None, **kwargs):
        cases.append((case, template, messages, generation_prompt, tools, documents, kwargs))

    for prompt in (False, True):
        suffix = "-prompt" if prompt else ""
        for template in (LLAMA, QWEN3, PHI, QWQ, DEEPSEEK, MISTRAL):
            add("single" + suffix, template, SINGLE, prompt)
            add("system-multi" + suffix, template, MULTI, prompt)
            add("unicode" + suffix, template, UNICODE, prompt)
        add("no-system" + suffix, GEMMA, NO_SYSTEM, prompt)
        add("unicode-no-system" + suffix, GEMMA, UNICODE[1:], prompt)
        add("system-multi" + suffix, GRANITE, MULTI, prompt)
    add("date-string", LLAMA, MULTI, True, date_string="07 Dec 2025")
    add("tools", LLAMA, LLAMA_TOOL_TURNS, True, tools=[WEATHER_TOOL])
    add("tools-in-system", LLAMA, LLAMA_TOOL_TURNS, False, tools=[WEATHER_TOOL], tools_in_user_message=False,
        date_string="01 Jan 2025")
    add("custom-tools", LLAMA, [user("Hi")], True, custom_tools=[WEATHER_TOOL["function"]])
    add("two-tool-calls-refused", LLAMA, [user("x"), {"role": "assistant", "tool_calls": [WEATHER_TOOL, WEATHER_TOOL]}],
        False)
    for template in (QWEN3, QWQ, DEEPSEEK):
        add("thinking", template, THINKING, False)
        add("thinking-pending", template, THINKING_PENDING, True)
    add("thinking-disabled", QWEN3, THINKING_PENDING, True, enable_thinking=False)
    add("thinking-enabled", QWEN3, THINKING_PENDING, True, enable_thinking=True)
    add("thinking-disabled-no-prompt", QWEN3, THINKING, False, enable_thinking=False)
    add("reasoning-field", QWEN3, REASONING_FIELD, False)
    add("tools", QWEN3, QWEN_TOOL_TURNS, True, tools=[WEATHER_TOOL])
    add("string-arguments", QWEN3, QWEN_STRING_ARGUMENTS, True)
    add("tools", QWQ, QWEN_TOOL_TURNS, True, tools=[WEATHER_TOOL])
    add("thinking-on", DEEPSEEK, THINKING_PENDING, True, thinking=True)
    add("tools", DEEPSEEK, DEEPSEEK_TOOL_TURNS, True)
    add("prefix", DEEPSEEK, [user("Go"), {"role": "assistant", "content": "Sure", "prefix": True}], False,
        thinking=True)
    add("tools", MISTRAL, MISTRAL_TOOL_TURNS, False, tools=[WEATHER_TOOL])
    add("alternation-refused", MISTRAL, ALTERNATION_BROKEN, False)
    add("system-refused", GEMMA, MULTI, True)
    add("alternation-refused", GEMMA, ALTERNATION_BROKEN, True)
    add("documents-tools", GRANITE, MULTI, True, tools=[WEATHER_TOOL], documents=DOCUMENTS,
        controls={"citations": True, "length": "short"})
    add("no-system-needs-strftime", GRANITE, NO_SYSTEM, True)
    add("empty-system", PHI, [system(""), user("Hi")], False)
    return cases


# Small templates that each pin down one feature, rendered with VARS unless a case brings its own.
VARS = {
    "xs": [3, 1, 2],
    "words": ["b", "A", "c", "a"],
    "d": {"b": 2, "a": 1},
    "s": "  Hello, World  ",
    "msgs": [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "yo"},
        {"role": "user", "content": "bye"},
    ],
    "none": None,
    "f": 2.5,
    "t": True,
}
INLINE_CASES = [
    # whitespace control, trim_blocks, lstrip_blocks
    ("trim-blocks", "{% if t %}\nyes\n{% endif %}\nend\n"),
    ("lstrip-blocks", "a\n    {% if t %}\n    b\n    {% endif %}\nc"),
    ("lstrip-not-after-text", "a  {% if t %}b{% endif %}  c"),
    ("lstrip-not-variables", "    {{ 'x' }}\n    {% if t %}y{% endif %}"),
    ("minus-both-sides", "a  \n  {%- if t -%}  \n  b  \n  {%- endif -%}  \n  c"),
    ("minus-variable", "a \n {{- 'b' -}} \n c"),
    ("plus-disables-lstrip", "a\n    {%+ if t %}b{% endif %}"),
    ("plus-disables-trim", "{% if t +%}\nb{% endif %}"),
    ("comment-trim-lstrip", "a\n  {# note #}\nb {#- c -#} d"),
    ("trailing-newline-kept-once", "x\n\n"),
    ("crlf-normalized", "a\r\n{% if t %}\r\nb\r\n{% endif %}\r\n"),
    ("raw-block", "{% raw %}{{ not }} {% evaluated %}{% endraw %}|{%- raw -%}  a  {%- endraw -%}  |"),
    ("lstrip-unicode-space", "a\n\u3000{% if t %}b{% endif %}"),
    ("variable-end-newline-kept", "{{ 'a' }}\n{{ 'b' }}\n"),
    # scoping
    ("set-in-for-does-not-leak", "{% set x = 1 %}{% for i in xs %}{% set x = i %}{% endfor %}{{ x }}"),
    ("set-in-for-fresh-each-iteration", "{% for i in xs %}[{{ y }}]{% set y = i %}{% endfor %}"),
    ("set-in-if-leaks", "{% if t %}{% set x = 5 %}{% endif %}{{ x }}"),
    ("namespace-survives-loop", "{% set ns = namespace(n=0, seen=[]) %}{% for i in xs %}{% set ns.n = ns.n + i %}"
     "{% endfor %}{{ ns.n }} {{ ns.seen }} {{ ns }}"),
    ("namespace-attribute-on-dict-refused", "{% set d.x = 1 %}"),
    ("macro", "{% macro m(a, b=a ~ '!', c=none) %}<{{ a }}|{{ b }}|{{ c }}|{{ top }}>{% endmacro %}"
     "{% set top = 'T' %}{{ m(1) }}{{ m('x', c=3) }}{{ m(b=2, a=1) }}"),
    ("macro-too-many-args", "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}"),
    ("filter-block", "{% filter upper %}ab{{ 'c' }}{% endfilter %}"),
    ("set-block", "{% set x | trim %}  padded {{ 1 }}  {% endset %}[{{ x }}]"),
    ("generation", "{% generation %}{% set g = 1 %}kept {{ g }}{% endgeneration %}[{{ g }}]"),
    ("with", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]"),
    ("tuple-set", "{% set a, b = 1, 'two' %}{{ b }}{{ a }}"),
    # loops
    ("loop-variables", "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
     "{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }}"
     "{{ loop.cycle('o', 'e') }};{% endfor %}"),
    ("loop-filter", "{% for x in xs if x > 1 %}{{ loop.index }}/{{ loop.length }}:{{ x }} {% endfor %}"),
    ("loop-else", "{% for x in [] %}no{% else %}empty{% endfor %}{% for x in undefined_thing %}no{% else %}u{% endfor %}"),
    ("break-continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x > 4 %}{% break %}"
     "{% endif %}{{ x }}{% endfor %}"),
    ("unpack-items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k, v in d|dictsort %}{{ k }}{{ v }}"
     "{% endfor %}"),
    ("nested-loop", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }} {% endfor %}"
     "{{ loop.index }};{% endfor %}"),
    ("loop-changed", "{% for x in [1, 1, 2, 2, 1] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}"),
    # expressions
    ("precedence", "{{ 2 + 3 * 4 }} {{ (2 + 3) * 4 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 7 // 2 }} {{ -7 // 2 }} "
     "{{ -7 % 3 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 'a' ~ 2 * 3 }} {{ not 1 == 2 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}"),
    ("concat-binds-tighter-than-plus", "{{ 1 ~ 2 + 3 }}"),
    ("and-or-operands", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ none or [] }} {{ '' and 1 }}"),
    ("conditional", "{{ 'y' if t else 'n' }}{{ 'y' if none else 'n' }}[{{ 'only' if none }}]"),
    ("in-operator", "{{ 'ell' in s }} {{ 2 in xs }} {{ 'a' in d }} {{ 'z' not in d }} {{ 'x' in undefined_thing }}"),
    ("literals", "{{ [1, 'a', none, true, 2.5, (1,), (1, 2), {'k': [false]}] }} {{ 0x1f }} {{ 1_000 }} {{ 1e3 }} "
     "{{ 'a' 'b' }} {{ \"it's\" }} {{ '\\u00e9\\n\\t\\\\' }}"),
    ("floats", "{{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1e-5 }} {{ 123456789.0 }} {{ 1/3 }} {{ f * 2 }} {{ 3.0 }}"),
    ("slicing", "{{ xs[::-1] }} {{ xs[1:] }} {{ xs[:-1] }} {{ s[2:7] }} {{ s[::-2] }} {{ xs[-1] }} {{ 'abc'[-1] }} "
     "{{ xs[5:] }} {{ 'h\U0001f44bi'[1] }} {{ 'h\U0001f44bi'|length }} {{ 'h\U0001f44bi'[::-1] }}"),
    ("attribute-vs-item", "{{ d.a }} {{ d['b'] }} {{ msgs[1].content }} {{ msgs.0.role }} [{{ d.missing }}] "
     "{{ d.items is defined }} {{ d['keys'] is defined }}"),
    ("print-values", "{{ none }} {{ t }} {{ xs }} {{ d }} {{ (1, 'a') }} {{ 'x' }} {{ range(3) }} "
     "{{ d.items() }} {{ -0.0 }}"),
    # string methods
    ("str-methods", "{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ 'xxhixx'.strip('x') }}|"
     "{{ s.strip().startswith('Hell') }}{{ 'a.txt'.endswith(('.md', '.txt')) }}|{{ 'a,b,,c'.split(',') }}"
     "{{ ' a  b '.split() }}{{ 'a b c'.split(' ', 1) }}{{ 'a b c'.rsplit(' ', 1) }}{{ 'a\\nb\\r\\nc'.splitlines() }}|"
     "{{ 'hello world'.title() }}{{ 'hELLO'.capitalize() }}{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}|"
     "{{ 'aaa'.replace('a', 'b', 2) }}{{ 'hello'.find('l') }}{{ 'hello'.rfind('l') }}{{ 'hello'.count('l') }}"
     "{{ '-'.join(['a', 'b']) }}{{ '42'.isdigit() }}"),
    ("split-think", "{% set c = msg.split('</think>')[-1].lstrip('\\n') %}"
     "{% set r = msg.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') %}[{{ r }}][{{ c }}]"),
    ("dict-methods", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }} {{ d.keys()|list }} {{ d.values()|list }} "
     "{{ d.items()|list }} {{ xs.index(2) }} {{ xs.count(3) }}"),
    # filters
    ("tojson", "{{ msgs[1]|tojson }}|{{ {'a': [1, 2.0, none, true], 'b': {}, 'c': [], 'e': '\u00e9\\\"\\n'}|tojson(indent=2) }}"
     "|{{ d|tojson(sort_keys=true) }}|{{ 'x'|tojson }}|{{ (1, 2)|tojson }}|{{ d|tojson(separators=(',', ':')) }}"
     "|{{ 'caf\u00e9 \U0001f44b'|tojson(ensure_ascii=true) }}|{{ [[1], {'a': {'b': []}}]|tojson(indent='\\t') }}"),
    ("tojson-indent-4", "{{ tool|tojson(indent=4) }}"),
    ("string-filters", "{{ s|trim }}|{{ 'xxaxx'|trim('x') }}|{{ s|length }}|{{ 'ab'|upper }}{{ 'AB'|lower }}"
     "|{{ 'hello wORLD-foo'|title }}|{{ 'hELLO'|capitalize }}|{{ 'aaa'|replace('a', 'b') }}|{{ 42|string }}"
     "|{{ 'a\\nb\\n\\nc'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a b  c'|wordcount }}|{{ 'ab'|center(6) }}|"),
    ("number-filters", "{{ '3.7'|int }} {{ ' 42 '|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} {{ t|int }} "
     "{{ '2.5'|float }} {{ 'x'|float }} {{ -3|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} "
     "{{ 2.1|round(method='ceil') }} {{ xs|sum }} {{ xs|min }} {{ xs|max }} {{ words|max }} {{ words|min }}"),
    ("list-filters", "{{ xs|first }} {{ xs|last }} {{ xs|length }} {{ xs|count }} {{ xs|sort }} {{ words|sort }} "
     "{{ words|sort(case_sensitive=true) }} {{ xs|sort(reverse=true) }} {{ xs|reverse|list }} {{ 'abc'|reverse }} "
     "{{ words|unique|list }} {{ xs|join(', ') }} {{ 'abc'|list }} {{ d|list }} {{ d|dictsort }} "
     "{{ d|dictsort(by='value', reverse=true) }} {{ d|items|list }} {{ range(7)|batch(3)|list }} {{ s|first }}"),
    ("attribute-filters", "{{ msgs|selectattr('role', 'equalto', 'user')|map(attribute='content')|join(',') }} "
     "{{ msgs|rejectattr('role', 'in', ['system', 'user'])|list }} {{ msgs|map(attribute='role')|unique|list }} "
     "{{ msgs|sort(attribute='content')|map(attribute='content')|list }} {{ xs|select('odd')|list }} "
     "{{ xs|reject('gt', 2)|list }} {{ words|map('upper')|list }} {{ msgs|map(attribute='name', default='-')|list }} "
     "{{ msgs|selectattr('content')|list|length }} {{ msgs|join('|', attribute='role') }}"),
    ("default-filter", "{{ missing|default('d') }} {{ none|default('d') }} {{ none|default('d', true) }} "
     "{{ ''|d('e', true) }} {{ 0|default(5) }}"),
    ("safe-and-string", "{{ '<b>'|safe }} {{ ('a' ~ 1)|string }}"),
    # tests
    ("tests", "{{ xs is defined }}{{ missing is undefined }}{{ none is none }}{{ s is string }}{{ f is number }}"
     "{{ 1 is integer }}{{ f is float }}{{ t is boolean }}{{ t is true }}{{ t is false }}{{ d is mapping }}"
     "{{ xs is iterable }}{{ s is iterable }}{{ xs is sequence }}{{ d is sequence }}{{ raise_exception is callable }}"
     "{{ 3 is odd }}{{ 3 is even }}{{ 9 is divisibleby 3 }}{{ 1 is eq 1 }}{{ 1 is ne 2 }}{{ 1 is lt 2 }}"
     "{{ 2 is ge 2 }}{{ 2 is in xs }}{{ none is sameas none }}{{ 'ab' is lower }}{{ 'AB' is upper }}"
     "{{ missing is sequence }}{{ true is number }}{{ true is integer }}{{ xs is not string }}"),
    # undefined
    ("undefined-prints-empty", "[{{ missing }}][{{ missing|length }}][{{ missing|list }}][{{ missing ~ 'x' }}]"
     "[{{ missing|trim }}][{{ missing|join }}][{{ not missing }}][{{ missing == missing }}][{{ missing|string }}]"),
    ("undefined-attribute-fails", "{{ missing.attr }}"),
    ("undefined-arithmetic-fails", "line one\n{{ missing + 1 }}"),
    ("undefined-concat-fails", "{{ 'a' + missing }}"),
    ("undefined-call-fails", "{{ missing() }}"),
    ("undefined-member-call-fails", "{{ d.nothing() }}"),
    ("str-plus-int-fails", "{{ 'a' + 1 }}"),
    ("int-plus-str-fails", "{{ 1 + 'a' }}"),
    ("list-append-refused", "{% set l = [] %}{{ l.append(1) }}"),
    ("dict-update-refused", "{{ d.update({'c': 3}) }}"),
    ("raise-exception-line", "a\nb\n{% if t %}\n{{ raise_exception('Bad role: ' ~ 'x') }}\n{% endif %}"),
    ("first-of-empty", "[{{ []|first }}]"),
    ("undefined-tojson-fails", "{{ missing|tojson }}"),
    ("generator-length-fails", "{{ xs|map('string')|length }}"),
    ("none-in-fails", "{{ 'a' in none }}"),
    ("unknown-filter-in-if-renders", "{% if false %}{{ x|nosuchfilter }}{% endif %}ok"),
    ("elif-error-line", "{% if false %}\n{% elif missing.x %}\n{% endif %}"),
    ("macro-error-line", "{% macro m() %}\n\n{{ missing.x }}{% endmacro %}\n{{ m() }}"),
    ("for-over-int-fails", "x\n{% for x in 1 %}{% endfor %}"),
    # syntax errors
    ("syntax-extra-token", "\n{{ 'a' 1 }}"),
    ("syntax-empty-for", "{% for %}"),
    ("syntax-unclosed-if", "{% if t %}\nno end"),
    ("syntax-stray-end", "{% endfor %}"),
    ("syntax-unknown-tag", "a\n{% foo %}"),
    ("syntax-filter-name-missing", "{{ x | }}"),
    ("syntax-assign-to-literal", "{% set 1 = 2 %}"),
    ("syntax-unbalanced", "{{ (1 }}"),
    ("syntax-nesting-mistake", "{% for x in xs %}{% if t %}{% endfor %}{% endif %}{% endfor %}"),
    ("syntax-wrong-end", "{% for x in xs %}\n{% endif %}"),
    ("syntax-unknown-filter", "\n\n{{ x|nosuch }}"),
    ("syntax-unknown-test", "{{ x is nosuch }}"),
    ("syntax-unterminated-string", "{{ 'abc }}"),
    ("syntax-unterminated-comment", "{# x"),
    ("syntax-unterminated-variable", "{% set x = 1 %}{{ x"),
    ("syntax-default-order", "{% macro m(a=1, b) %}{% endmacro %}"),
    ("syntax-keyword-before-positional", "{{ f(a=1, 2) }}"),
    ("syntax-unterminated-raw", "{%- raw %}x"),
    ("syntax-empty-condition", "{{ 1 if }}"),
    # escapes in string literals (Python's unicode-escape)
    ("string-escapes", "{{ '\\x41\\101\\N{BULLET}\\d\\u00e9\\U0001F44B\\'\\\"' }}|{{ \"tab\\there\" }}|{{ 'a\\\nb' }}"),
    # whitespace corner cases
    ("lstrip-second-tag-on-line", "  {% if t %}  {% endif %}\nx"),
    ("minus-start-of-template", "  \n{%- if t %}a{% endif %}"),
    ("comment-line-trimmed", "a\n    {# comment #}\n    b"),
    ("minus-comment-newline", "a {#- c -#}\n\n b"),
    ("raw-lstrip", "a\n    {% raw %}\n  x\n    {% endraw %}\nb"),
    ("plus-endraw", "{% raw %}x\n  {%+ endraw %}|"),
    ("block-after-variable-line", "{{ 'a' }}\n    {% if t %}b{% endif %}"),
    ("tabs-lstripped", "a\n\t \t{% if t %}b\n\t{% endif %}c"),
    ("trim-only-one-newline", "{% if t %}\n\nb{% endif %}"),
    ("generation-whitespace", "{%- for m in msgs %}\n  {%- if m.role == 'assistant' %}\n    {% generation %}\n    {{ m.content }}\n    {% endgeneration %}\n  {%- endif %}\n{%- endfor %}"),
]
INLINE_VARIABLES = {
    "split-think": {"msg": "<think>\nreasoning here\n</think>\n\nThe answer."},
    "tojson-indent-4": {"tool": WEATHER_TOOL},
}


def render(env, source, variables):
    try:
        return {"output": env.from_string(source).render(**variables)}
    except Exception as e:  # the error is the expectation
        # Jinja2 rewrites tracebacks so that template frames carry template lines; the innermost is the one
        frames = [f.lineno for f in traceback.extract_tb(e.__traceback__) if f.filename == "<template>"]
        line = frames[-1] if frames else getattr(e, "lineno", None)
        return {"error": str(e), "error_type": type(e).__name__, "error_line": line}


def build():
    env = environment()
    lines = []
    for case, template, messages, prompt, tools, documents, kwargs in chat_cases():
        with open(os.path.join(FIXTURES, template), encoding="utf-8", newline="") as f:
            source = f.read()
        # the order apply_chat_template uses: messages, tools, documents, add_generation_prompt, **template_kwargs
        variables = {"messages": messages, "tools": tools, "documents": documents, "add_generation_prompt": prompt}
        variables.update(TOKENS[template])
        variables.update(kwargs)
        line = {"case": case, "template": template, "variables": variables}
        line.update(render(env, source, variables))
        lines.append(line)
    for case, source in INLINE_CASES:
        variables = dict(INLINE_VARIABLES.get(case, VARS))
        line = {"case": case, "template": "inline", "source": source, "variables": variables}
        line.update(render(env, source, variables))
        lines.append(line)
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def main():
    if not jinja2.__version__.startswith("3.1."):
        sys.exit(f"needs Jinja2 3.1.x, found {jinja2.__version__}")
    text = build()
    if "--check" in sys.argv[1:]:
        with open(OUTPUT, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit(f"{OUTPUT} is stale: rerun without --check")
        print(f"{OUTPUT} is up to date")
        return
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {text.count(chr(10))} cases to {OUTPUT}")


if __name__ == "__main__":
    main()
