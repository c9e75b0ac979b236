package dev.hibachi.agent.exec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Every {@link ShellExecutorKeysTest} again on the fallback path: {@link ProcessBuilder} through {@code setsid}. */
class ShellExecutorKeysSetsidTest extends ShellExecutorKeysTest {

    @BeforeEach
    void useProcessBuilder() {
        PosixSpawn.disabled = true;
    }

    @AfterEach
    void useDefault() {
        PosixSpawn.disabled = false;
    }
}
