package dev.calibra.model.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Focused behaviour of the engine, with expectations written out by hand from Jinja2's semantics. */
class JinjaTemplateTest {

    /** Renders source with alternating variable names and values. */
    private static String render(String source, Object... namesAndValues) {
        Map<String, Object> variables = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            variables.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return JinjaTemplate.parse(source, "test").render(variables);
    }

    private static TemplateException failure(String source, Object... namesAndValues) {
        return assertThrows(TemplateException.class, () -> render(source, namesAndValues));
    }

    private static Map<String, Object> message(String role, String content) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", role);
        message.put("content", content);
        return message;
    }

    @Nested
    class Whitespace {

        @Test
        void trimBlocks_removesFirstNewlineAfterBlockTag() {
            assertEquals("yes\nend", render("{% if true %}\nyes\n{% endif %}\nend"));
        }

        @Test
        void trimBlocks_doesNotApplyToVariables() {
            assertEquals("a\nb", render("{{ 'a' }}\n{{ 'b' }}"));
        }

        @Test
        void lstripBlocks_stripsIndentBeforeBlockTagOnItsOwnLine() {
            assertEquals("a\n    b\nc", render("a\n    {% if true %}\n    b\n    {% endif %}\nc"));
        }

        @Test
        void lstripBlocks_keepsSpacesAfterTextOnTheSameLine() {
            assertEquals("a  b  c", render("a  {% if true %}b{% endif %}  c"));
        }

        @Test
        void lstripBlocks_doesNotApplyToVariables() {
            assertEquals("    x", render("    {{ 'x' }}"));
        }

        @Test
        void minus_stripsAllWhitespaceOnItsSide() {
            assertEquals("abc", render("a  \n  {%- if true -%}  \n  b  \n  {%- endif -%}  \n  c"));
            assertEquals("abc", render("a \n {{- 'b' -}} \n c"));
            assertEquals("ab", render("a {#- comment -#}\n\n b"));
        }

        @Test
        void plus_disablesLstripAndTrim() {
            assertEquals("a\n    b", render("a\n    {%+ if true %}b{% endif %}"));
            assertEquals("\nb", render("{% if true +%}\nb{% endif %}"));
        }

        @Test
        void comment_isTrimmedLikeABlockTag() {
            assertEquals("a\nb", render("a\n  {# note #}\nb"));
        }

        @Test
        void finalNewline_onlyOneIsDropped() {
            assertEquals("x\n", render("x\n\n"));
            assertEquals("x", render("x\n"));
        }

        @Test
        void crlf_becomesNewline() {
            assertEquals("a\nb\n", render("a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n\r\n"));
        }

        @Test
        void raw_keepsTagsAsText() {
            assertEquals("{{ x }} {% if %}", render("{% raw %}{{ x }} {% if %}{% endraw %}"));
        }
    }

    @Nested
    class Scoping {

        @Test
        void setInsideFor_doesNotLeakOut() {
            assertEquals("1", render("{% set x = 1 %}{% for i in [5, 6] %}{% set x = i %}{% endfor %}{{ x }}"));
        }

        @Test
        void setInsideFor_startsFreshEachIteration() {
            assertEquals("[0][0]", render("{% set x = 0 %}{% for i in [5, 6] %}[{{ x }}]{% set x = i %}{% endfor %}"));
        }

        @Test
        void setInsideIf_leaks() {
            assertEquals("5", render("{% if true %}{% set x = 5 %}{% endif %}{{ x }}"));
        }

        @Test
        void namespace_carriesValuesOutOfTheLoop() {
            assertEquals("3 True", render("{% set ns = namespace(n=0, found=false) %}"
                    + "{% for i in [1, 2] %}{% set ns.n = ns.n + i %}{% set ns.found = true %}{% endfor %}"
                    + "{{ ns.n }} {{ ns.found }}"));
        }

        @Test
        void attributeAssignment_onNonNamespace_fails() {
            TemplateException e = failure("{% set d.x = 1 %}", "d", Map.of());
            assertTrue(e.getMessage().contains("cannot assign attribute on non-namespace object"), e.getMessage());
        }

        @Test
        void macro_seesCallArgumentsDefaultsAndLaterGlobals() {
            assertEquals("<1|1!|T><x|2|T>", render("{% macro m(a, b=a ~ '!') %}<{{ a }}|{{ b }}|{{ top }}>"
                    + "{% endmacro %}{% set top = 'T' %}{{ m(1) }}{{ m('x', b=2) }}"));
        }
    }

    @Nested
    class Expressions {

        @Test
        void slicing_listsAndStrings() {
            assertEquals("[3, 2, 1] [2, 3] [1, 2] cba bc 3 c", render(
                    "{{ xs[::-1] }} {{ xs[1:] }} {{ xs[:-1] }} {{ s[::-1] }} {{ s[1:3] }} {{ xs[-1] }} {{ s[-1] }}",
                    "xs", List.of(1, 2, 3), "s", "abc"));
        }

        @Test
        void slicing_countsCodePoints() {
            assertEquals("3 \uD83D\uDC4B i\uD83D\uDC4Bh", render("{{ s|length }} {{ s[1] }} {{ s[::-1] }}",
                    "s", "h\uD83D\uDC4Bi"));
        }

        @Test
        void stringMethods_behaveLikePython() {
            assertEquals("hi|Hello  |  Hello|True|['a', 'b', '', 'c']|['a', 'b']|['a b', 'c']|They'Re 1St|bba|2|a-b",
                    render("{{ 'xxhixx'.strip('x') }}|{{ s.lstrip() }}|{{ s.rstrip() }}|"
                            + "{{ s.strip().startswith(('x', 'He')) }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|"
                            + "{{ 'a b c'.rsplit(' ', 1) }}|{{ \"they're 1st\".title() }}|{{ 'aaa'.replace('a', 'b', 2) }}|"
                            + "{{ 'hello'.find('l') }}|{{ '-'.join(['a', 'b']) }}", "s", "  Hello  "));
        }

        @Test
        void arithmetic_followsJinjaPrecedence() {
            // ** is left-associative in Jinja2, unary minus binds tighter than **, filters tighter than -
            assertEquals("14 64 4 -4 2 3.5 2.0 2", render(
                    "{{ 2 + 3 * 4 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} "
                            + "{{ 4 / 2 }} {{ xs|length - 1 }}", "xs", List.of(1, 2, 3)));
        }

        @Test
        void andOr_returnTheirOperands() {
            assertEquals("x b [] ", render("{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ none or [] }} {{ '' and 1 }}"));
        }

        @Test
        void values_printAsPython() {
            assertEquals("None True False 1.0 0.5 1e+16 [1, 'a', None] {'k': (1,)} it's",
                    render("{{ none }} {{ true }} {{ false }} {{ 1.0 }} {{ 0.5 }} {{ 1e16 }} {{ [1, 'a', none] }} "
                            + "{{ {'k': (1,)} }} {{ \"it's\" }}"));
        }

        @Test
        void inOperator_substringListAndKey() {
            assertEquals("True True True False", render("{{ 'ell' in 'hello' }} {{ 2 in [1, 2] }} {{ 'a' in d }} "
                    + "{{ 'z' in d }}", "d", Map.of("a", 1)));
        }

        @Test
        void conditionalExpression_withoutElseIsUndefined() {
            assertEquals("[y][]", render("[{{ 'y' if true }}][{{ 'n' if false }}]"));
        }
    }

    @Nested
    class Filters {

        @Test
        void tojson_matchesJsonDumps() {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("b", List.of(1, 2.0));
            value.put("a", null);
            value.put("s", "\u00e9\"\n\\");
            assertEquals("{\"b\": [1, 2.0], \"a\": null, \"s\": \"\u00e9\\\"\\n\\\\\"}", render("{{ v|tojson }}", "v", value));
            assertEquals("{\n  \"b\": [\n    1,\n    2.0\n  ],\n  \"a\": null,\n  \"s\": \"\u00e9\\\"\\n\\\\\"\n}",
                    render("{{ v|tojson(indent=2) }}", "v", value));
            assertEquals("{\"a\":null,\"b\":[1,2.0],\"s\":\"\u00e9\\\"\\n\\\\\"}",
                    render("{{ v|tojson(separators=(',', ':'), sort_keys=true) }}", "v", value));
            assertEquals("[] {}", render("{{ []|tojson(indent=2) }} {{ {}|tojson(indent=2) }}"));
        }

        @Test
        void selectattrMapJoin_chainOverMessages() {
            List<Object> messages = List.of(message("system", "s"), message("user", "a"), message("user", "b"));
            assertEquals("a,b 2", render("{{ m|selectattr('role', 'equalto', 'user')|map(attribute='content')|join(',') }} "
                    + "{{ m|rejectattr('role', 'eq', 'system')|list|length }}", "m", messages));
        }

        @Test
        void sort_isCaseInsensitiveByDefault() {
            // stable: 'A' and 'a' compare equal and keep their order, reversed or not
            assertEquals("['A', 'a', 'b'] ['A', 'a', 'b'] ['b', 'A', 'a']",
                    render("{{ w|sort }} {{ w|sort(case_sensitive=true) }} {{ w|sort(reverse=true) }}",
                            "w", List.of("b", "A", "a")));
        }

        @Test
        void defaultAndTrimAndLength() {
            assertEquals("d None d|x|0", render("{{ missing|default('d') }} {{ none|default('d') }} "
                    + "{{ none|default('d', true) }}|{{ '  x \n'|trim }}|{{ missing|length }}"));
        }

        @Test
        void unknownFilter_isRefusedAtParseTime() {
            TemplateException e = assertThrows(TemplateException.class,
                    () -> JinjaTemplate.parse("a\n{{ x|nosuch }}", "test"));
            assertEquals(2, e.line());
            assertTrue(e.getMessage().contains("No filter named 'nosuch'."), e.getMessage());
        }
    }

    @Nested
    class Undefineds {

        @Test
        void undefined_printsEmptyIsFalseAndIteratesAsEmpty() {
            assertEquals("[][0][][x][True][e]", render("[{{ u }}][{{ u|length }}][{% for x in u %}{{ x }}{% endfor %}]"
                    + "[{{ u ~ 'x' }}][{{ not u }}][{% for x in u %}{% else %}e{% endfor %}]"));
        }

        @Test
        void undefinedAttributeOfMapping_isUndefinedNotAnError() {
            assertEquals("[]False", render("[{{ m.missing }}]{{ m.missing is defined }}", "m", Map.of("a", 1)));
        }

        @Test
        void attributeOfUndefined_failsNamingTheVariable() {
            TemplateException e = failure("{{ u.attr }}");
            assertTrue(e.getMessage().contains("'u' is undefined"), e.getMessage());
        }

        @Test
        void arithmeticWithUndefined_failsNamingTheVariable() {
            assertTrue(failure("{{ 'a' + u }}").getMessage().contains("'u' is undefined"));
            assertTrue(failure("{{ u + 1 }}").getMessage().contains("'u' is undefined"));
        }

        @Test
        void strftimeNow_isNotDefined() {
            assertEquals("fallback", render("{% if strftime_now is defined %}{{ strftime_now('%Y') }}"
                    + "{% else %}fallback{% endif %}"));
        }
    }

    @Nested
    class Loops {

        @Test
        void loopVariables() {
            assertEquals("1032TrueFalse3a1o;2121FalseFalse332e;3210FalseTrue31o;", render(
                    "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
                            + "{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem|default('a') }}"
                            + "{{ loop.nextitem }}{{ loop.cycle('o', 'e') }};{% endfor %}", "xs", List.of(3, 1, 2)));
        }

        @Test
        void inlineFilter_countsOnlyKeptItems() {
            assertEquals("1/2:3 2/2:2 ", render("{% for x in xs if x > 1 %}{{ loop.index }}/{{ loop.length }}:{{ x }} "
                    + "{% endfor %}", "xs", List.of(3, 1, 2)));
        }

        @Test
        void breakAndContinue() {
            assertEquals("0134", render("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}"
                    + "{% if x > 4 %}{% break %}{% endif %}{{ x }}{% endfor %}"));
        }

        @Test
        void tupleUnpacking_overItems() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("b", 2);
            d.put("a", 1);
            assertEquals("b=2;a=1;", render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "d", d));
        }
    }

    @Nested
    class Errors {

        @Test
        void raiseException_carriesMessageNameAndLine() {
            TemplateException e = failure("a\nb\n{% if true %}\n{{ raise_exception('Bad role: ' ~ r) }}\n{% endif %}",
                    "r", "tool");
            assertEquals("test, line 4: Bad role: tool", e.getMessage());
            assertEquals("test", e.templateName());
            assertEquals(4, e.line());
            assertEquals("Bad role: tool", e.problem());
        }

        @Test
        void errorInsideMacro_namesTheMacroLine() {
            TemplateException e = failure("{% macro m() %}\n\n{{ u.x }}{% endmacro %}\n{{ m() }}");
            assertEquals(3, e.line());
        }

        @Test
        void hostileSizes_failCleanlyInsteadOfFillingTheHeap() {
            for (String template : new String[] {"{{ 'x' * 10000000000 }}", "{{ [1] * 100000000 }}",
                    "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
                    "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
                    "{% for i in range(10000) %}{% for j in range(1000) %}" + "x".repeat(8000) + "{% endfor %}{% endfor %}"}) {
                assertTrue(failure(template).getMessage().contains("over Calibra's limit of 67108864"), template);
            }
            assertTrue(failure("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}").getMessage()
                    .contains("TimeoutError: the template ran over 1000000 loop iterations"));
        }

        @Test
        void typeErrors_havePythonMessages() {
            assertTrue(failure("{{ 'a' + 1 }}").getMessage().endsWith(
                    "TypeError: can only concatenate str (not \"int\") to str"));
            assertTrue(failure("{{ 1 + 'a' }}").getMessage().endsWith(
                    "TypeError: unsupported operand type(s) for +: 'int' and 'str'"));
        }

        @Test
        void mutatingMethods_areRefusedByTheSandbox() {
            TemplateException e = failure("{% set l = [] %}{{ l.append(1) }}");
            assertTrue(e.getMessage().contains("access to attribute 'append' of 'list' object is unsafe."),
                    e.getMessage());
            assertTrue(failure("{{ d.update({}) }}", "d", Map.of()).getMessage().contains("'update' of 'dict'"));
        }

        @Test
        void syntaxError_namesLineAndProblem() {
            TemplateException e = assertThrows(TemplateException.class,
                    () -> JinjaTemplate.parse("ok\n{% for x in xs %}\n{% endif %}", "Qwen3 chat_template"));
            assertEquals("Qwen3 chat_template, line 3: Encountered unknown tag 'endif'. Jinja was looking for the"
                    + " following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.",
                    e.getMessage());
        }

        @Test
        void unsupportedTags_areRefusedByName() {
            TemplateException e = assertThrows(TemplateException.class,
                    () -> JinjaTemplate.parse("{% include 'other.jinja' %}", "test"));
            assertTrue(e.getMessage().contains("'include' tag is not supported"), e.getMessage());
        }

        @Test
        void unsupportedVariableType_isReported() {
            TemplateException e = failure("{{ x }}", "x", new Object());
            assertTrue(e.getMessage().contains("variable x has type java.lang.Object"), e.getMessage());
        }
    }

    /** Real templates, with the expected prompt derived by hand from the template text. */
    @Nested
    class RealTemplates {

        private String qwen3(List<Object> messages, boolean generationPrompt, Object... extra) {
            Map<String, Object> variables = new HashMap<>();
            variables.put("messages", messages);
            variables.put("tools", null);
            variables.put("documents", null);
            variables.put("add_generation_prompt", generationPrompt);
            variables.put("eos_token", "<|im_end|>");
            for (int i = 0; i < extra.length; i += 2) {
                variables.put((String) extra[i], extra[i + 1]);
            }
            return JinjaTemplate.parse(JinjaTemplateCasesTest.fixture("Qwen-Qwen3-0.6B.jinja"), "Qwen3 chat_template")
                    .render(variables);
        }

        private final List<Object> twoTurns = new ArrayList<>(List.of(
                message("user", "What is 17*3?"),
                message("assistant", "<think>\n17*3 = 51\n</think>\n\n17 \u00d7 3 = 51."),
                message("user", "And 17*4?")));

        @Test
        void qwen3_dropsThinkingOfEarlierTurns() {
            // last_query_index is 2, so the assistant turn at index 1 keeps only its answer
            assertEquals("<|im_start|>user\nWhat is 17*3?<|im_end|>\n"
                    + "<|im_start|>assistant\n17 \u00d7 3 = 51.<|im_end|>\n"
                    + "<|im_start|>user\nAnd 17*4?<|im_end|>\n"
                    + "<|im_start|>assistant\n", qwen3(twoTurns, true));
        }

        @Test
        void qwen3_enableThinkingFalse_addsEmptyThinkBlock() {
            assertTrue(qwen3(twoTurns, true, "enable_thinking", false).endsWith(
                    "<|im_start|>assistant\n<think>\n\n</think>\n\n"));
        }

        @Test
        void qwen3_keepsThinkingOfTheTurnAfterTheLastQuery() {
            List<Object> messages = new ArrayList<>(twoTurns);
            messages.add(message("assistant", "<think>\nAdd 17 to 51.\n</think>\n\n68."));
            assertTrue(qwen3(messages, false).endsWith(
                    "<|im_start|>user\nAnd 17*4?<|im_end|>\n<|im_start|>assistant\n<think>\nAdd 17 to 51.\n</think>\n\n"
                            + "68.<|im_end|>\n"));
        }

        @Test
        void llama3_usesDateStringOrItsFallback() {
            JinjaTemplate llama = JinjaTemplate.parse(
                    JinjaTemplateCasesTest.fixture("meta-llama-Llama-3.2-3B-Instruct.jinja"), "Llama 3.2");
            Map<String, Object> variables = new HashMap<>();
            variables.put("messages", List.of(message("user", " Hello! ")));
            variables.put("tools", null);
            variables.put("add_generation_prompt", true);
            variables.put("bos_token", "<|begin_of_text|>");
            String expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                    + "Cutting Knowledge Date: December 2023\nToday Date: %s\n\n<|eot_id|>"
                    + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
                    + "<|start_header_id|>assistant<|end_header_id|>\n\n";
            assertEquals(String.format(expected, "26 Jul 2024"), llama.render(variables));
            variables.put("date_string", "07 Dec 2025");
            assertEquals(String.format(expected, "07 Dec 2025"), llama.render(variables));
        }

        @Test
        void gemma_refusesSystemRole() {
            JinjaTemplate gemma = JinjaTemplate.parse(JinjaTemplateCasesTest.fixture("google-gemma-2-2b-it.jinja"),
                    "Gemma 2");
            Map<String, Object> variables = new HashMap<>();
            variables.put("bos_token", "<bos>");
            variables.put("add_generation_prompt", true);
            variables.put("messages", List.of(message("user", "Hi "), message("assistant", "Yo")));
            assertEquals("<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nYo<end_of_turn>\n"
                    + "<start_of_turn>model\n", gemma.render(variables));
            variables.put("messages", List.of(message("system", "S"), message("user", "Hi")));
            TemplateException e = assertThrows(TemplateException.class, () -> gemma.render(variables));
            assertEquals("Gemma 2, line 1: System role not supported", e.getMessage());
        }
    }
}
