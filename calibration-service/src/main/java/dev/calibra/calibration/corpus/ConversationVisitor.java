package dev.calibra.calibration.corpus;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Receives a chat corpus's conversations in order, as JSON-shaped maps; return false to stop reading early. */
@FunctionalInterface
public interface ConversationVisitor {
    boolean visit(long conversationIndex, List<Map<String, Object>> messages) throws IOException;
}
