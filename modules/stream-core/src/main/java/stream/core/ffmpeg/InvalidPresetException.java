package stream.core.ffmpeg;

import java.nio.file.Path;

/** A preset file that cannot be used, with the file and the problem named in the message. */
public final class InvalidPresetException extends Exception {
    private final transient Path file;

    public InvalidPresetException(Path file, String problem) {
        super(file.getFileName() + ": " + problem);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
