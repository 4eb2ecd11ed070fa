package dev.calibra.model.serving;

import java.util.List;

/**
 * Whether one loader serves a folder: {@code blockers} say why not (empty when it does), {@code notes} what the
 * user must do or know to serve it (a dtype flag, a GPU generation, a package).
 */
public record LoaderVerdict(String loader, List<String> blockers, List<String> notes) {

    public LoaderVerdict {
        blockers = List.copyOf(blockers);
        notes = List.copyOf(notes);
    }

    public boolean servable() {
        return blockers.isEmpty();
    }
}
