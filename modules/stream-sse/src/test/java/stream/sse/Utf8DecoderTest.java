package stream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The WHATWG Encoding standard's UTF-8 decoder: one U+FFFD per maximal subpart of a broken sequence. */
class Utf8DecoderTest {

    private static String decode(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Utf8Decoder.decode(b, 0, b.length);
    }

    @Test
    void decodesValidSequencesOfEveryLength() {
        assertEquals("a\u00e9\u20ac\uD834\uDD1E", decode('a', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9D, 0x84, 0x9E));
    }

    @Test
    void replacesEachMaximalSubpartOnceAsUnicodeTable3_8Shows() {
        // The Unicode standard's example (table 3-8), which the WHATWG decoder follows.
        assertEquals("a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd",
                decode(0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64));
    }

    @Test
    void refusesOverlongFormsSurrogatesAndCodePointsAboveTheUnicodeRange() {
        assertEquals("\uFFFD\uFFFD", decode(0xC0, 0x80));
        assertEquals("\uFFFD\uFFFD\uFFFD", decode(0xE0, 0x80, 0x80));
        assertEquals("\uFFFD\uFFFD\uFFFD", decode(0xED, 0xA0, 0x80));
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", decode(0xF4, 0x90, 0x80, 0x80));
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", decode(0xF0, 0x80, 0x80, 0x80));
        assertEquals("\uFFFD", decode(0xFF));
    }

    @Test
    void aTruncatedSequenceAtTheEndIsOneReplacement() {
        assertEquals("x\uFFFD", decode('x', 0xF0, 0x9F, 0x98));
        assertEquals("\uFFFD:", decode(0xE2, 0x82, ':'));
    }
}
