package stream.core.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class H264Test {

    @Test
    void findsIdrAndParameterSets() {
        byte[] key = TestMedia.keyframe(TestMedia.SPS_640x360, 100);
        assertTrue(H264.isIdr(key));
        assertTrue(H264.hasParameterSets(key));
        byte[] p = TestMedia.picture(100);
        assertFalse(H264.isIdr(p));
        assertFalse(H264.hasParameterSets(p));
        assertFalse(H264.hasParameterSets(TestMedia.annexB(TestMedia.SPS_640x360, TestMedia.slice(5, 10, 1))));
    }

    @Test
    void theHeadEndsAtTheFirstSliceWithoutScanningTheSlices() {
        byte[] au = TestMedia.annexB(TestMedia.aud(), TestMedia.SPS_640x360, TestMedia.PPS,
                TestMedia.slice(5, 4_000, 3), TestMedia.slice(5, 4_000, 4));
        List<H264.Nal> head = H264.head(au);
        assertEquals(List.of(9, 7, 8, 5), head.stream().map(H264.Nal::type).toList());
        assertEquals(au.length, head.get(3).end()); // the first slice: its end not looked for
        // the parameter sets' own ends are exact: the same as a scan of the whole access unit finds
        assertEquals(H264.nals(au).subList(0, 3), head.subList(0, 3));
        assertEquals(5, H264.nals(au).size());
        assertTrue(H264.isIdr(au));
        // a non-IDR picture whose later slice is an IDR slice cannot be (a picture's slices share a type): its
        // first slice decides, as a decoder's would
        assertFalse(H264.isIdr(TestMedia.annexB(TestMedia.slice(1, 100, 2), TestMedia.slice(5, 100, 2))));
        assertFalse(H264.isIdr(new byte[] {0, 0, 1}));
    }

    @Test
    void readsThePictureSizeFromRealSps() {
        assertArrayEquals(new int[] {640, 360}, H264.pictureSize(TestMedia.keyframe(TestMedia.SPS_640x360, 10)));
        assertArrayEquals(new int[] {320, 240}, H264.pictureSize(TestMedia.keyframe(TestMedia.SPS_320x240, 10)));
        assertNull(H264.pictureSize(TestMedia.picture(10)));
    }

    @Test
    void parameterSetsGoAfterTheDelimiter() {
        byte[] bare = TestMedia.annexB(TestMedia.aud(), TestMedia.slice(5, 20, 7));
        byte[] sets = H264.parameterSets(TestMedia.keyframe(TestMedia.SPS_320x240, 10));
        byte[] fixed = H264.withParameterSets(bare, sets);
        assertEquals(List.of(9, 7, 8, 5), H264.nals(fixed).stream().map(H264.Nal::type).toList());
        assertTrue(H264.hasParameterSets(fixed));

        byte[] noAud = TestMedia.annexB(TestMedia.slice(5, 20, 7));
        assertEquals(List.of(7, 8, 5), H264.nals(H264.withParameterSets(noAud, sets)).stream().map(H264.Nal::type).toList());
    }

    @Test
    void threeByteStartCodesAreRecognisedToo() {
        byte[] au = {0, 0, 1, 0x09, (byte) 0xF0, 0, 0, 1, 0x65, (byte) 0x88, 1, 2};
        assertEquals(List.of(9, 5), H264.nals(au).stream().map(H264.Nal::type).toList());
        assertTrue(H264.isIdr(au));
    }

    @Test
    void continuationKeepsOnlyTheSlices() {
        byte[] part = TestMedia.annexB(TestMedia.aud(), TestMedia.SPS_640x360, TestMedia.PPS, new byte[] {0x06, 5, 1},
                TestMedia.slice(5, 30, 9));
        assertEquals(List.of(5), H264.nals(H264.continuation(part)).stream().map(H264.Nal::type).toList());
    }
}
