package stream.it.harness;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** The parsed stat page: every stream of every application, plus the raw XML for debugging. */
public record RtmpStats(List<RtmpStreamStats> streams, String xml) {

    /** The stream {@code name} in {@code application}. */
    public Optional<RtmpStreamStats> stream(String application, String name) {
        return streams.stream().filter(s -> s.application().equals(application) && s.name().equals(name)).findFirst();
    }

    /** The stream {@code name} in application {@code live}. */
    public Optional<RtmpStreamStats> stream(String name) {
        return stream(RtmpServer.LIVE_APP, name);
    }

    /**
     * The nginx client id of whoever publishes {@code name} in application live: it changes only when the publisher
     * reconnects, so a test can tell one RTMP session from a new one.
     */
    public Optional<Long> publisherClientId(String name) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            for (Element server : children(doc.getDocumentElement(), "server")) {
                for (Element app : children(server, "application")) {
                    if (!RtmpServer.LIVE_APP.equals(text(app, "name"))) {
                        continue;
                    }
                    for (Element live : children(app, "live")) {
                        for (Element stream : children(live, "stream")) {
                            if (!name.equals(text(stream, "name"))) {
                                continue;
                            }
                            for (Element client : children(stream, "client")) {
                                if (child(client, "publishing") != null) {
                                    return Optional.of(number(client, "id"));
                                }
                            }
                        }
                    }
                }
            }
            return Optional.empty();
        } catch (Exception e) {
            throw new IllegalStateException("cannot parse rtmp stat XML: " + e, e);
        }
    }

    public List<RtmpStreamStats> streams(String application) {
        return streams.stream().filter(s -> s.application().equals(application)).toList();
    }

    /*
     * Shape (nginx-rtmp 1.2.2, module version 1.1.4):
     * <rtmp>...<server><application><name>live</name><live>
     *   <stream><name>KEY</name><time>ms</time><bw_in/><bytes_in/><bw_out/><bytes_out/>...
     *     <client>...<publishing/><active/></client>
     *     <meta><video><width/><height/><frame_rate/><codec>H264</codec><profile/><level/></video>
     *           <audio><codec>AAC</codec><profile>LC</profile><channels/><sample_rate/></audio></meta>
     *     <nclients>1</nclients><publishing/><active/>
     *   </stream><nclients/></live></application></server></rtmp>
     */
    public static RtmpStats parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            List<RtmpStreamStats> streams = new ArrayList<>();
            for (Element app : children(doc.getDocumentElement(), "server").stream()
                    .flatMap(server -> children(server, "application").stream()).toList()) {
                String appName = text(app, "name");
                for (Element live : children(app, "live")) {
                    for (Element stream : children(live, "stream")) {
                        streams.add(stream(appName, stream));
                    }
                }
            }
            return new RtmpStats(List.copyOf(streams), xml);
        } catch (Exception e) {
            throw new IllegalStateException("cannot parse rtmp stat XML: " + e + "\n" + xml, e);
        }
    }

    private static RtmpStreamStats stream(String app, Element stream) {
        RtmpStreamStats.Video video = null;
        RtmpStreamStats.Audio audio = null;
        Element meta = child(stream, "meta");
        if (meta != null) {
            Element v = child(meta, "video");
            if (v != null && child(v, "codec") != null) {
                video = new RtmpStreamStats.Video(text(v, "codec"), (int) number(v, "width"), (int) number(v, "height"),
                        decimal(v, "frame_rate"), text(v, "profile"), text(v, "level"));
            }
            Element a = child(meta, "audio");
            if (a != null && child(a, "codec") != null) {
                audio = new RtmpStreamStats.Audio(text(a, "codec"), (int) number(a, "sample_rate"),
                        (int) number(a, "channels"), text(a, "profile"));
            }
        }
        return new RtmpStreamStats(app, text(stream, "name"), child(stream, "publishing") != null,
                child(stream, "active") != null, number(stream, "bytes_in"), number(stream, "bytes_out"),
                number(stream, "bw_in"), number(stream, "time"), (int) number(stream, "nclients"), video, audio);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                result.add(e);
            }
        }
        return result;
    }

    private static Element child(Element parent, String name) {
        List<Element> all = children(parent, name);
        return all.isEmpty() ? null : all.get(0);
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    private static long number(Element parent, String name) {
        String t = text(parent, name);
        return t == null || t.isEmpty() ? 0 : Long.parseLong(t);
    }

    private static double decimal(Element parent, String name) {
        String t = text(parent, name);
        return t == null || t.isEmpty() ? 0 : Double.parseDouble(t);
    }
}
