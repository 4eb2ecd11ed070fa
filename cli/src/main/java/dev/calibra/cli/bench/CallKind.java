package dev.calibra.cli.bench;

/** The registry calls the load benchmark mixes, in equal shares, named as in the JSON report. */
public enum CallKind {
    RECORD_SCORES("record_scores"),
    QUERY_SCORES("query_scores"),
    GET_MODEL("get_model"),
    SUBMIT_JOB("submit_job");

    private final String key;

    CallKind(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** Call number i of a run: the kinds in turn, so every window of the run has the same mix. */
    public static CallKind of(long index) {
        return values()[(int) (index % values().length)];
    }
}
