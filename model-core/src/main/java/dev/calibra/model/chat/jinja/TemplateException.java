package dev.calibra.model.chat.jinja;

/**
 * A chat template that cannot be parsed or rendered. The message names the template, the line and the
 * problem; for the template's own {@code raise_exception(message)} the problem is that message.
 */
public class TemplateException extends RuntimeException {

    private final String templateName;
    private final int line;
    private final String problem;

    TemplateException(String templateName, int line, String problem) {
        super(templateName + ", line " + line + ": " + problem);
        this.templateName = templateName;
        this.line = line;
        this.problem = problem;
    }

    /** The name given to {@link JinjaTemplate#parse}. */
    public String templateName() {
        return templateName;
    }

    /** The 1-based template line of the tag or expression that failed. */
    public int line() {
        return line;
    }

    /** The problem alone, without template name and line. */
    public String problem() {
        return problem;
    }
}
