package stream.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * What bench/soak.sh does to the appliance and when, drawn from one seed so that a run that found a fault can be run
 * again the same way. Camera switches come every 1 to 3 minutes (every 18 to 54 s in a 3-minute run: the intervals are
 * scaled by minutes/10 below 10 minutes, so a short run still switches several times), alternately by the API and by a
 * url_update from the control server. The disruptions that must happen once in any run (an outage, a freeze, a killed
 * ingest, a killed snapshot maker, a restart of the RTMP server, a kill -9 of the appliance) each get one of six equal
 * slots of the run; the appliance's kill comes in the first two, so that the appliance that runs to the end has run
 * long enough for its growth in memory, threads and files to mean something. Runs of 10 minutes or more add a
 * disruption every 30 to 90 s: outages, freezes, killed ingests and now and then a killed snapshot maker.
 *
 * <p>The ffmpeg killed is a camera's ingest or the dashboard's snapshot maker, never the publisher: the publisher's
 * process holds the RTMP connection, so its kill opens a new session by necessity, and the soak counts sessions against
 * a bound that only the server's restart and the appliance's kill may raise (issue 17). Recovery from a killed
 * publisher (on the same kept session, its ingest untouched) is KeptStreamTest's.
 */
record SoakPlan(long seed, Duration length, List<Step> steps) {

    enum Kind {
        SWITCH_BY_API(false), SWITCH_BY_SSE(false), CAMERA_OUTAGE(false), CAMERA_FREEZE(false), KILL_INGEST(false),
        KILL_SNAPSHOT(false), RESTART_RTMP_SERVER(true), KILL_APPLIANCE(true);

        /** The RTMP session at the destination cannot survive it: the process or server holding it is gone. */
        final boolean endsTheSession;

        Kind(boolean endsTheSession) {
            this.endsTheSession = endsTheSession;
        }
    }

    record Step(Duration at, Kind kind) {}

    static SoakPlan draw(long seed, Duration length) {
        Random random = new Random(seed);
        double lengthS = length.toMillis() / 1000.0;
        double scale = Math.min(1.0, lengthS / 600.0);
        List<Step> steps = new ArrayList<>();

        boolean byApi = random.nextBoolean();
        double t = uniform(random, 20, 60) * scale;
        while (t < 0.9 * lengthS) {
            steps.add(new Step(seconds(t), byApi ? Kind.SWITCH_BY_API : Kind.SWITCH_BY_SSE));
            byApi = !byApi;
            t += uniform(random, 60, 180) * scale;
        }

        List<Kind> once = new ArrayList<>(List.of(Kind.CAMERA_OUTAGE, Kind.CAMERA_FREEZE, Kind.KILL_INGEST,
                Kind.KILL_SNAPSHOT, Kind.RESTART_RTMP_SERVER));
        Collections.shuffle(once, random);
        once.add(random.nextInt(2), Kind.KILL_APPLIANCE);
        double from = 0.08 * lengthS;
        double slot = 0.8 * lengthS / once.size();
        for (int i = 0; i < once.size(); i++) {
            steps.add(new Step(seconds(from + slot * (i + uniform(random, 0.1, 0.9))), once.get(i)));
        }

        if (lengthS >= 600) {
            Kind[] extra = {Kind.CAMERA_OUTAGE, Kind.CAMERA_OUTAGE, Kind.CAMERA_OUTAGE, Kind.CAMERA_FREEZE,
                    Kind.CAMERA_FREEZE, Kind.CAMERA_FREEZE, Kind.KILL_INGEST, Kind.KILL_INGEST, Kind.KILL_INGEST, Kind.KILL_SNAPSHOT};
            double e = from + uniform(random, 30, 90);
            while (e < 0.9 * lengthS) {
                steps.add(new Step(seconds(e), extra[random.nextInt(extra.length)]));
                e += uniform(random, 30, 90);
            }
        }
        steps.sort(Comparator.comparing(Step::at));
        return new SoakPlan(seed, length, List.copyOf(steps));
    }

    long count(Kind kind) {
        return steps.stream().filter(s -> s.kind() == kind).count();
    }

    long countEndingTheSession() {
        return steps.stream().filter(s -> s.kind().endsTheSession).count();
    }

    private static double uniform(Random random, double from, double to) {
        return from + random.nextDouble() * (to - from);
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
