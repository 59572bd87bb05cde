package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class EncoderAvailabilityTest {
    private final PresetCatalog shipped = PresetCatalog.load(PresetCatalogTest.SHIPPED);

    private Preset shipped(String name) {
        return shipped.find(name).orElseThrow();
    }

    @Test
    void onThisX86MachineWithoutGpuSoftwareAndCopyRunButHardwarePresetsDoNot() {
        try (EncoderAvailability availability = new EncoderAvailability(PresetArgsTest.FFMPEG)) {
            availability.checkInBackground(shipped.all());
            for (String name : List.of("copy", "document-default", "low-480p")) {
                PresetAvailability answer = availability.check(shipped(name));
                assertTrue(answer.available(), answer.toString());
                assertEquals(name, answer.preset());
            }
            for (String name : List.of("pi-hw", "nvenc", "vaapi")) {
                Preset preset = shipped(name);
                PresetAvailability answer = availability.check(preset);
                assertFalse(answer.available(), answer.toString());
                assertTrue(answer.reason().startsWith(preset.encoder() + ": "), answer.reason());
            }
            assertTrue(availability.check(shipped("nvenc")).reason().contains("no NVIDIA GPU or driver"));
            assertTrue(availability.check(shipped("pi-hw")).reason().contains("no V4L2 hardware H.264 encoder"));
            assertTrue(availability.check(shipped("vaapi")).reason().contains("no usable VAAPI device at /dev/dri/renderD128"));
        }
    }

    @Test
    void eachPresetIsCheckedOnceEvenWhenAskedFromManyThreadsAtOnce() throws Exception {
        Preset nvenc = shipped("nvenc");
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (EncoderAvailability availability = new EncoderAvailability(PresetArgsTest.FFMPEG)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CompletableFuture<PresetAvailability>>> asked = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                asked.add(callers.submit(() -> {
                    go.await();
                    return availability.availability(nvenc);
                }));
            }
            go.countDown();
            CompletableFuture<PresetAvailability> first = asked.get(0).get();
            for (Future<CompletableFuture<PresetAvailability>> each : asked) {
                assertSame(first, each.get());
            }
            PresetAvailability answer = first.get();
            assertFalse(answer.available());
            assertEquals(answer, availability.ifKnown(nvenc).orElseThrow());
            assertSame(first, availability.availability(nvenc));
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void ifKnownDoesNotWaitAndIsEmptyBeforeAnyCheck() {
        try (EncoderAvailability availability = new EncoderAvailability(PresetArgsTest.FFMPEG)) {
            assertTrue(availability.ifKnown(shipped("copy")).isEmpty());
            availability.check(shipped("copy"));
            assertTrue(availability.ifKnown(shipped("copy")).orElseThrow().available());
        }
    }

    @Test
    void anEncoderThisFfmpegLacksIsUnavailable() {
        Preset odd = new Preset("odd", "test", "none", "libnothing", List.of("-c:v", "libnothing"), true);
        try (EncoderAvailability availability = new EncoderAvailability(PresetArgsTest.FFMPEG)) {
            PresetAvailability answer = availability.check(odd);
            assertFalse(answer.available());
            assertEquals("libnothing: this ffmpeg has no such encoder", answer.reason());
        }
    }

    @Test
    void aMissingFfmpegMakesEveryEncodingPresetUnavailableButNotCopy() {
        try (EncoderAvailability availability = new EncoderAvailability("/nonexistent/ffmpeg", Duration.ofSeconds(5))) {
            PresetAvailability x264 = availability.check(shipped("low-480p"));
            assertFalse(x264.available());
            assertTrue(x264.reason().startsWith("libx264: ffmpeg cannot be run at /nonexistent/ffmpeg"), x264.reason());
            assertTrue(availability.check(shipped("copy")).available());
        }
    }

    @Test
    void aHelperProcessThatOutlivesItsLimitIsKilled() throws Exception {
        // ffmpeg reading an endless test source at native speed never ends by itself.
        List<String> endless = List.of(PresetArgsTest.FFMPEG, "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
                "testsrc2=size=160x90:rate=5", "-f", "null", "-");
        TimedProcess.Outcome outcome = TimedProcess.run(endless, Duration.ofSeconds(1));
        assertTrue(outcome.timedOut());
        assertEquals(137, outcome.exitCode(), "killed with SIGKILL");
        assertTrue(outcome.elapsed().compareTo(Duration.ofSeconds(3)) < 0, outcome.elapsed().toString());
    }

    @Test
    void parsesTheEncoderListing() {
        String listing = "Encoders:\n V..... = Video\n A..... = Audio\n ------\n"
                + " V....D libx264              libx264 H.264 / AVC\n"
                + " V..... h264_v4l2m2m         V4L2 mem2mem H.264 encoder wrapper (codec h264)\n"
                + " A..... aac                  AAC (Advanced Audio Coding)\n";
        assertEquals(Set.of("libx264", "h264_v4l2m2m", "aac"), EncoderAvailability.parseEncoders(listing));
    }

    @Test
    void explainsTrialFailuresInWords() {
        assertEquals("no NVIDIA GPU or driver ([h264_nvenc] Cannot load libcuda.so.1)",
                EncoderAvailability.explainTrialFailure(shipped("nvenc"),
                        "[h264_nvenc @ 0x564a25baf200] Cannot load libcuda.so.1\nError initializing output stream 0:0\n"));
        assertEquals("no V4L2 hardware H.264 encoder (a Raspberry Pi 5 has none) ([h264_v4l2m2m] Could not find a valid device)",
                EncoderAvailability.explainTrialFailure(shipped("pi-hw"),
                        "[h264_v4l2m2m @ 0x55b19b8c0200] Could not find a valid device\n"
                                + "[h264_v4l2m2m @ 0x55b19b8c0200] can't configure encoder\n"));
        assertEquals("no usable VAAPI device at /dev/dri/renderD128 (Device creation failed: -22.)",
                EncoderAvailability.explainTrialFailure(shipped("vaapi"), "Device creation failed: -22.\n"
                        + "Failed to set value '/dev/dri/renderD128' for option 'vaapi_device': Invalid argument\n"));
    }

    @Test
    void theTrialEncodesOneSecondOfTestPictureWithThePresetsOwnArguments() {
        try (EncoderAvailability availability = new EncoderAvailability("ffmpeg")) {
            List<String> command = availability.trialCommand(shipped("vaapi"));
            assertEquals(List.of("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-vaapi_device",
                    "/dev/dri/renderD128", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "1"),
                    command.subList(0, 13));
            assertEquals(List.of("-an", "-f", "null", "-"), command.subList(command.size() - 4, command.size()));
            assertTrue(command.containsAll(shipped("vaapi").args()));
        }
    }
}
