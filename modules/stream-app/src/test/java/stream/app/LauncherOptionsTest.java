package stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LauncherOptionsTest {
    @Test
    void theOptionsAsTextMaskTheSseUrlAndThePassword() throws Exception {
        LauncherOptions o = LauncherOptions.parse(new String[] {"--admin-password", "hunter2hunter2",
                "--sse-url", "https://bob:s3cret@events.example/events?token=t0k3n"}, Map.of());
        String text = o.toString();
        assertFalse(text.contains("hunter2") || text.contains("s3cret") || text.contains("t0k3n"), text);
        assertTrue(text.contains("sseUrl=https://bob:***@events.example/events?token=***"), text);
    }

    @Test
    void anUnknownOptionIsNamedButAValueGivenWithItIsNot() {
        var typo = assertThrows(LauncherOptions.UsageException.class,
                () -> LauncherOptions.parse(new String[] {"--admin-pasword=hunter2hunter2"}, Map.of()));
        assertEquals("unknown option '--admin-pasword' (see --help)", typo.getMessage());
        var bare = assertThrows(LauncherOptions.UsageException.class,
                () -> LauncherOptions.parse(new String[] {"hunter2hunter2"}, Map.of()));
        assertEquals("unknown option '****ter2' (see --help)", bare.getMessage());
    }
}
