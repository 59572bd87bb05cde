package stream.core.session;

import java.util.List;

/**
 * One loop of the slate: pictures from an IDR on, timestamps from 0, {@code frameTicks} apart. Played again and
 * again it is the offline picture, for the price of copying a few packets a frame.
 */
public record SlateClip(List<MediaFrame> frames, long frameTicks, int width, int height) {
    public SlateClip {
        frames = List.copyOf(frames);
        if (frames.isEmpty() || !frames.get(0).keyframe()) {
            throw new IllegalArgumentException("a slate clip starts with a keyframe");
        }
        if (frameTicks <= 0) {
            throw new IllegalArgumentException("frame interval must be positive");
        }
    }

    /** The length of one loop in 90 kHz ticks. */
    public long loopTicks() {
        return frames.size() * frameTicks;
    }
}
