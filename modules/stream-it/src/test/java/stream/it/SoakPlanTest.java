package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bench/soak.sh's plan: what every run must contain, for the shortest run (the test command's) and a long one. */
class SoakPlanTest {

    @Test
    void aThreeMinuteRunStillSwitchesBothWaysAndHasEveryDisruptionOnce() {
        for (long seed = 0; seed < 200; seed++) {
            SoakPlan plan = SoakPlan.draw(seed, Duration.ofMinutes(3));
            assertTrue(plan.count(SoakPlan.Kind.SWITCH_BY_API) >= 1 && plan.count(SoakPlan.Kind.SWITCH_BY_SSE) >= 1,
                    "seed " + seed + ": " + plan.steps());
            assertTrue(plan.count(SoakPlan.Kind.SWITCH_BY_API) + plan.count(SoakPlan.Kind.SWITCH_BY_SSE) >= 2);
            for (SoakPlan.Kind k : List.of(SoakPlan.Kind.CAMERA_OUTAGE, SoakPlan.Kind.CAMERA_FREEZE,
                    SoakPlan.Kind.KILL_INGEST, SoakPlan.Kind.KILL_SNAPSHOT, SoakPlan.Kind.RESTART_RTMP_SERVER,
                    SoakPlan.Kind.KILL_APPLIANCE)) {
                assertEquals(1, plan.count(k), "seed " + seed + ", " + k + ": " + plan.steps());
            }
            assertTrue(plan.steps().stream().allMatch(s -> s.at().compareTo(Duration.ofMinutes(3)) < 0));
            assertEquals(2, plan.countEndingTheSession(), "only nginx's restart and the appliance's kill -9 may open"
                    + " a new RTMP session: " + plan.steps());
            List<SoakPlan.Step> disruptions = plan.steps().stream()
                    .filter(s -> s.kind() != SoakPlan.Kind.SWITCH_BY_API && s.kind() != SoakPlan.Kind.SWITCH_BY_SSE)
                    .toList();
            assertTrue(disruptions.subList(0, 2).stream().anyMatch(s -> s.kind() == SoakPlan.Kind.KILL_APPLIANCE),
                    "the appliance's kill among the first two disruptions: " + disruptions);
        }
    }

    @Test
    void aLongRunSwitchesEveryOneToThreeMinutesAndTheSeedFixesThePlan() {
        SoakPlan plan = SoakPlan.draw(17, Duration.ofMinutes(30));
        assertEquals(plan, SoakPlan.draw(17, Duration.ofMinutes(30)));
        assertNotEquals(plan.steps(), SoakPlan.draw(18, Duration.ofMinutes(30)).steps());
        List<Duration> switches = plan.steps().stream()
                .filter(s -> s.kind() == SoakPlan.Kind.SWITCH_BY_API || s.kind() == SoakPlan.Kind.SWITCH_BY_SSE)
                .map(SoakPlan.Step::at).toList();
        assertTrue(switches.size() >= 9, switches.toString());
        for (int i = 1; i < switches.size(); i++) {
            Duration gap = switches.get(i).minus(switches.get(i - 1));
            assertTrue(gap.compareTo(Duration.ofMinutes(1)) >= 0 && gap.compareTo(Duration.ofMinutes(3)) <= 0,
                    "gap " + gap);
        }
        assertTrue(plan.count(SoakPlan.Kind.CAMERA_OUTAGE) + plan.count(SoakPlan.Kind.CAMERA_FREEZE) >= 6,
                plan.steps().toString());
        assertEquals(1, plan.count(SoakPlan.Kind.KILL_APPLIANCE));
        assertEquals(1, plan.count(SoakPlan.Kind.RESTART_RTMP_SERVER));
        assertEquals(2, plan.countEndingTheSession(), plan.steps().toString());
    }
}
