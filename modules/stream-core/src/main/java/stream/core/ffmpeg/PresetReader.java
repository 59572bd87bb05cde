package stream.core.ffmpeg;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import stream.core.ValidationException;

/** Reads and checks one {@code <name>.json} preset file. */
final class PresetReader {
    static final Pattern NAME = Pattern.compile("[a-z0-9-]+");
    private static final Pattern ENCODER = Pattern.compile("[A-Za-z0-9_]+");
    /** A preset is a few hundred bytes; anything this large is not one. */
    private static final long MAX_SIZE = 64 * 1024;
    private static final Set<String> VIDEO_CODEC_OPTIONS = Set.of("-c:v", "-codec:v", "-vcodec");

    private PresetReader() {
    }

    static Preset read(Path file) throws InvalidPresetException {
        String fileName = file.getFileName().toString();
        String expectedName = fileName.endsWith(".json") ? fileName.substring(0, fileName.length() - 5) : fileName;
        String text;
        try {
            if (Files.size(file) > MAX_SIZE) {
                throw new InvalidPresetException(file, "is larger than " + MAX_SIZE / 1024 + " KB");
            }
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new InvalidPresetException(file, "is not UTF-8 text");
        } catch (IOException e) {
            throw new InvalidPresetException(file, "cannot be read (" + e.getMessage() + ")");
        }
        return parse(file, expectedName, text);
    }

    static Preset parse(Path file, String expectedName, String text) throws InvalidPresetException {
        JsonValue root;
        try {
            root = Json.parse(text);
        } catch (ParseException e) {
            throw new InvalidPresetException(file, "is not valid JSON (" + e.getMessage() + ")");
        }
        if (!root.isObject()) {
            throw new InvalidPresetException(file, "must hold a JSON object");
        }
        JsonObject json = root.asObject();
        String name = requiredString(file, json, "name");
        if (!NAME.matcher(name).matches()) {
            throw new InvalidPresetException(file, "name \"" + name + "\" may only use a-z, 0-9 and '-'");
        }
        if (!name.equals(expectedName)) {
            throw new InvalidPresetException(file, "name \"" + name + "\" does not match the file name (expected \""
                    + expectedName + "\")");
        }
        String description = requiredString(file, json, "description");
        String hardware = optionalString(file, json, "hardware", "any machine");
        String encoder = requiredString(file, json, "encoder");
        if (!ENCODER.matcher(encoder).matches()) {
            throw new InvalidPresetException(file, "encoder \"" + encoder + "\" is not an ffmpeg encoder name");
        }
        List<String> args = stringArray(file, json, "args", true);
        if (json.get("input_args") != null) {
            throw new InvalidPresetException(file, "input_args is no longer read: name a VAAPI render node with "
                    + "\"vaapi_device\": \"/dev/dri/renderD128\"");
        }
        Optional<String> vaapiDevice = Optional.ofNullable(optionalString(file, json, "vaapi_device", null));
        if (vaapiDevice.isPresent()) {
            try {
                FfmpegParamsPolicy.check(List.of(EncodingArgs.VAAPI_DEVICE_OPTION, vaapiDevice.get()));
            } catch (ValidationException e) {
                // the policy's one rule for this option: a render node, nothing else under /dev or beyond
                throw new InvalidPresetException(file, "vaapi_device is not a VAAPI render node such as "
                        + "/dev/dri/renderD128");
            }
        }
        int order = Preset.UNORDERED;
        JsonValue orderValue = json.get("order");
        if (orderValue != null && !orderValue.isNull()) {
            if (!orderValue.isNumber() || orderValue.asDouble() != Math.rint(orderValue.asDouble())
                    || orderValue.asDouble() < 0 || orderValue.asDouble() >= Preset.UNORDERED) {
                throw new InvalidPresetException(file, "order must be a whole number from 0 (listed first)");
            }
            order = (int) orderValue.asDouble();
        }
        String chosen = videoCodec(args);
        if (!encoder.equals(chosen)) {
            throw new InvalidPresetException(file, chosen == null
                    ? "args do not choose the video encoder (expected -c:v " + encoder + ")"
                    : "args choose -c:v " + chosen + " but encoder says " + encoder);
        }
        JsonValue transcodes = json.get("transcodes");
        if (transcodes != null && !transcodes.isBoolean()) {
            throw new InvalidPresetException(file, "transcodes must be true or false");
        }
        boolean transcoding = transcodes == null ? !Preset.COPY.equals(encoder) : transcodes.asBoolean();
        return new Preset(name, description, hardware, encoder, args, vaapiDevice, transcoding, order);
    }

    /** The value after the last video codec option: like ffmpeg, the last one wins. */
    private static String videoCodec(List<String> args) {
        String codec = null;
        for (int i = 0; i + 1 < args.size(); i++) {
            if (VIDEO_CODEC_OPTIONS.contains(args.get(i))) {
                codec = args.get(i + 1);
            }
        }
        return codec;
    }

    private static String requiredString(Path file, JsonObject json, String field) throws InvalidPresetException {
        JsonValue value = json.get(field);
        if (value == null || !value.isString() || value.asString().isBlank()) {
            throw new InvalidPresetException(file, field + " must be a non-empty string");
        }
        return value.asString().strip();
    }

    private static String optionalString(Path file, JsonObject json, String field, String fallback)
            throws InvalidPresetException {
        JsonValue value = json.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isString()) {
            throw new InvalidPresetException(file, field + " must be a string");
        }
        return value.asString().strip();
    }

    private static List<String> stringArray(Path file, JsonObject json, String field, boolean required)
            throws InvalidPresetException {
        JsonValue value = json.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new InvalidPresetException(file, field + " is missing (a JSON array of ffmpeg arguments)");
            }
            return List.of();
        }
        if (!value.isArray()) {
            throw new InvalidPresetException(file, field + " must be a JSON array of strings, one argument each");
        }
        JsonArray array = value.asArray();
        if (required && array.isEmpty()) {
            throw new InvalidPresetException(file, field + " is empty");
        }
        List<String> out = new ArrayList<>(array.size());
        for (JsonValue item : array) {
            if (!item.isString() || item.asString().isEmpty()) {
                throw new InvalidPresetException(file, field + " must hold only non-empty strings");
            }
            String arg = item.asString();
            if (arg.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw new InvalidPresetException(file, field + " holds an argument with control characters");
            }
            // The camera is the only input, and the supervisor adds it; a preset must never name another.
            if (arg.equals("-i")) {
                throw new InvalidPresetException(file, field + " must not contain -i (the camera is the only input)");
            }
            out.add(arg);
        }
        return out;
    }
}
