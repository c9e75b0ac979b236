package dev.hibachi.e2e;

import java.util.List;

/** The processes of this machine, as {@code ps} shows them: to see whether a job's process outlived its agent. */
final class ProcessTable {
    private ProcessTable() {
    }

    /** The processes whose command line contains {@code text} (e.g. a job's {@code sleep 30.3131}). */
    static List<ProcessHandle> withCommandLine(String text) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(text)).orElse(false))
                .toList();
    }
}
