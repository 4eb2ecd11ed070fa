package dev.calibra.model.chat.jinja;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template ({@code chat_template} of tokenizer_config.json), rendered the way
 * transformers' {@code apply_chat_template} renders it with Jinja2 3.1.
 *
 * <p>The environment mirrors {@code _compile_jinja_template} in transformers'
 * src/transformers/utils/chat_template_utils.py (huggingface/transformers commit
 * 5e43e2e892453b405ce6d2cb94387b3a3213f30a): {@code ImmutableSandboxedEnvironment(trim_blocks=True,
 * lstrip_blocks=True, extensions=[AssistantTracker, jinja2.ext.loopcontrols])}, default Undefined
 * (not strict), keep_trailing_newline off; the {@code tojson} filter replaced by
 * {@code json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)};
 * the global {@code raise_exception(message)} raising TemplateError(message); AssistantTracker's
 * {@code {% generation %}...{% endgeneration %}} rendering its body unchanged. transformers' global
 * {@code strftime_now(format)} is deliberately not defined: output must be reproducible, so templates
 * take their {@code strftime_now is defined} fallback, or callers pass {@code date_string} themselves.
 * transformers renders with {@code messages}, {@code tools}, {@code documents},
 * {@code add_generation_prompt} and the tokenizer's special tokens ({@code bos_token}, {@code eos_token},
 * ...) plus the caller's template kwargs; the caller of {@link #render} passes those.
 *
 * <p>Refused, with a {@link TemplateException}: template inheritance and includes (block, extends,
 * include, import, from), call blocks, autoescape, recursive loops, {@code *args}/{@code **kwargs} in
 * calls, printf-style {@code %} on strings, str.format, and a few rarely used filters (format, groupby,
 * escape, truncate, ...). Modifying methods (list.append, dict.update, ...) fail as the immutable
 * sandbox makes them fail.
 */
public final class JinjaTemplate {

    private final String name;
    private final List<Node> body;

    private JinjaTemplate(String name, List<Node> body) {
        this.name = name;
        this.body = body;
    }

    /**
     * Parses a template; name is used in error messages (e.g. "Qwen3 chat_template").
     *
     * @throws TemplateException on a syntax error, naming the line and the problem
     */
    public static JinjaTemplate parse(String source, String name) {
        return new JinjaTemplate(name, Parser.parse(source, name));
    }

    /**
     * Renders with the given variables: String, Boolean, Integer/Long, Double, null (Python None),
     * List and Map values nested freely. Variables absent from the map are undefined.
     *
     * @throws TemplateException naming the template, the line and the problem (for the template's own
     *     raise_exception, its message)
     */
    public String render(Map<String, ?> variables) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : variables.entrySet()) {
            try {
                values.put(e.getKey(), PyValues.fromJava(e.getValue(), e.getKey()));
            } catch (PyException ex) {
                throw new TemplateException(name, 0, ex.problem());
            }
        }
        return new Interpreter(name).render(body, values);
    }
}
