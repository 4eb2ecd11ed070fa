package dev.calibra.registry.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.calibra.registry.job.JobLifecycle.State;
import dev.calibra.registry.job.JobLifecycle.Transition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The lifecycle's rules, and that nothing else in the registry changes a job's state. */
class JobLifecycleTest {

    private static final Pattern SET_STATE = Pattern.compile("UPDATE job SET\\s+state = '(\\w+)'");
    private static final Pattern STATE_TEST = Pattern.compile("\\bstate = '(\\w+)'");

    @Test
    void eachStatement_movesJobsFromItsTransitionsStateToItsTarget() {
        for (Transition transition : Transition.values()) {
            String sql = transition.sql();
            if (sql == null) {
                continue;
            }
            Matcher set = SET_STATE.matcher(sql);
            assertTrue(set.find(), transition + " sets no state: " + sql);
            assertEquals(transition.to().name(), set.group(1), transition + "'s SET");
            int where = sql.indexOf("WHERE", set.end());
            Matcher from = STATE_TEST.matcher(sql.substring(where));
            assertTrue(where > 0 && from.find(), transition + " does not test the state it leaves: " + sql);
            assertEquals(transition.from(), java.util.EnumSet.of(State.valueOf(from.group(1))), transition + "'s WHERE");
            assertEquals(transition.to().finished(), sql.contains("finished_at = now()"),
                    transition + ": a final state is stamped with its finish time, no other");
        }
    }

    @Test
    void apply_movesOnlyAlongAllowedTransitions() {
        JobEntity job = new JobEntity();
        job.id = "job-1";
        JobLifecycle.apply(job, Transition.SUBMIT, "");
        assertEquals(State.PENDING, job.state);
        assertThrows(IllegalStateException.class, () -> JobLifecycle.apply(job, Transition.COMPLETE, ""));
        assertThrows(IllegalStateException.class, () -> JobLifecycle.apply(job, Transition.SUBMIT, ""));
        assertThrows(IllegalStateException.class, () -> JobLifecycle.apply(job, Transition.CLAIM, ""), "the database claims");

        job.state = State.RUNNING;   // as CLAIM's statement leaves it
        job.leaseOwner = "w";
        long version = job.version;
        JobLifecycle.apply(job, Transition.RETRY, "connection reset; queued again");
        assertEquals(State.PENDING, job.state);
        assertNull(job.leaseOwner, "a retried job is free for any worker");
        assertNull(job.finishedAt);
        assertEquals(version + 1, job.version, "watchers see every change");

        job.state = State.RUNNING;
        JobLifecycle.apply(job, Transition.FAIL, "bad input");
        assertEquals(State.FAILED, job.state);
        assertEquals("bad input", job.error);
        assertNotNull(job.finishedAt);
        for (Transition any : List.of(Transition.CANCEL, Transition.COMPLETE, Transition.RETRY, Transition.FAIL)) {
            assertThrows(IllegalStateException.class, () -> JobLifecycle.apply(job, any, ""), "a finished job stays finished");
        }
    }

    @Test
    void noOtherRegistryClass_changesAJobsState() throws IOException {
        Path sources = Path.of("src/main/java/dev/calibra/registry");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (file.getFileName().toString().equals("JobLifecycle.java")) {
                    continue;
                }
                String text = Files.readString(file);
                if (Pattern.compile("UPDATE job SET[^;]*\\bstate\\s*=").matcher(text).find()
                        || Pattern.compile("\\bjob\\.state\\s*=(?!=)").matcher(text).find()) {
                    offenders.add(sources.relativize(file).toString());
                }
            }
        }
        assertEquals(List.of(), offenders, "job states change only through JobLifecycle");
    }
}
