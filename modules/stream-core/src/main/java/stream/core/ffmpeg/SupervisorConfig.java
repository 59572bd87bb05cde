package stream.core.ffmpeg;

import java.time.Duration;
import java.util.List;

/**
 * How one ffmpeg process is run and watched by an {@link FfmpegSupervisor}.
 *
 * @param role what this process is for within its stream ("relay" today; "ingest"/"publisher" later)
 * @param command the full argument list, ffmpeg's path first; never passed through a shell
 * @param staleTimeout kill the process when its output time has not advanced for this long, counted from launch
 *                     too, so a connect that hangs is caught (a frozen camera keeps TCP open and ffmpeg waits)
 * @param quitGrace how long to wait after writing {@code q} (which lets ffmpeg write the FLV trailer) before SIGTERM
 * @param termGrace how long to wait after SIGTERM before SIGKILL
 * @param io what stdin and stdout carry ({@code q} and nothing, or media to and from other parts); progress is read
 *           from stderr either way
 */
public record SupervisorConfig(String role, List<String> command, Duration staleTimeout, Duration quitGrace,
                               Duration termGrace, ProcessIo io) {
    public SupervisorConfig {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command is empty");
        }
        if (io == null) {
            io = ProcessIo.NONE;
        }
    }

    /** A process whose stdout nobody reads. */
    public SupervisorConfig(String role, List<String> command, Duration staleTimeout, Duration quitGrace,
                            Duration termGrace) {
        this(role, command, staleTimeout, quitGrace, termGrace, ProcessIo.NONE);
    }

    /** A process whose stdout is passed on to the process {@code stdoutReader} starts (empty: discarded). */
    public SupervisorConfig(String role, List<String> command, Duration staleTimeout, Duration quitGrace,
                            Duration termGrace, List<String> stdoutReader) {
        this(role, command, staleTimeout, quitGrace, termGrace, ProcessIo.stdoutToProcess(stdoutReader));
    }

    /** The contract's defaults: 10 s stall watchdog, q then 3 s, SIGTERM then 5 s, SIGKILL. */
    public static SupervisorConfig of(String role, List<String> command) {
        return new SupervisorConfig(role, command, Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(5));
    }
}
