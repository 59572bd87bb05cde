package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamStateMachineTest {
    @Test
    void runsThroughALifeAndTellsEveryListener() {
        StreamStateMachine m = new StreamStateMachine();
        List<String> seen = new ArrayList<>();
        m.addListener((from, to, why) -> seen.add(from.wire() + ">" + to.wire()));
        m.transition(StreamState.STARTING, "start");
        m.transition(StreamState.RUNNING, "progress");
        m.transition(StreamState.RESTARTING, "exit");
        m.transition(StreamState.STARTING, "backoff over");
        m.transition(StreamState.FAILED, "auto restart off");
        m.transition(StreamState.STOPPED, "stop");
        assertEquals(List.of("stopped>starting", "starting>running", "running>restarting", "restarting>starting",
                "starting>failed", "failed>stopped"), seen);
        assertEquals(2, m.timesEntered(StreamState.STARTING));
    }

    @Test
    void refusesTransitionsTheTableDoesNotHave() {
        StreamStateMachine m = new StreamStateMachine();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> m.transition(StreamState.RUNNING, "no progress without a process"));
        assertTrue(e.getMessage().contains("stopped") && e.getMessage().contains("running"), e.getMessage());
        m.transition(StreamState.STARTING, "");
        m.transition(StreamState.STOPPING, "");
        assertThrows(IllegalStateException.class, () -> m.transition(StreamState.RUNNING, "stopping only ends"));
        assertEquals(StreamState.STOPPING, m.state(), "a refused transition changes nothing");
    }

    @Test
    void wireNamesAreTheContracts() {
        assertEquals(List.of("stopped", "starting", "running", "restarting", "stopping", "failed"),
                java.util.Arrays.stream(StreamState.values()).map(StreamState::wire).toList());
    }
}
