package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.eclipsesource.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import stream.it.harness.NchanServer;
import stream.it.harness.Processes;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtspCamera;
import stream.it.harness.ScratchDir;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * The dashboard end to end in Debian's headless Chromium, driven through Debian's chromedriver: the jlinked appliance
 * against the GStreamer camera, nginx-rtmp and an nchan control server, all on 127.0.0.1. Each test leaves
 * screenshots at desktop (1440 px) and phone (375 px) width in target/dashboard-screenshots/. The accessibility audit
 * runs Deque's axe-core from the test class path (nothing is downloaded at run time).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static final Duration LONG = Duration.ofSeconds(60);
    static final Path SHOTS = ApplianceProcess.ROOT.resolve("modules/stream-it/target/dashboard-screenshots");
    static final Dimension DESKTOP = new Dimension(1440, 1000);
    static final Dimension PHONE = new Dimension(375, 1100);

    static RtspCamera camera;
    static RtmpServer rtmp;
    static NchanServer nchan;
    static ApplianceProcess app;
    static ApiClient api;
    static Path data;
    ChromeDriverService service;
    static String channel;
    static final String PREFIX = "dash" + Long.toString(System.nanoTime(), 36);

    WebDriver driver;
    String testName;

    @BeforeAll
    static void servers() throws IOException {
        camera = RtspCamera.builder().port(TestPorts.freePort()).path("/cam1").audio(RtspCamera.Audio.AAC).start();
        rtmp = new RtmpServer().start();
        nchan = new NchanServer().start();
        channel = "dash-" + Long.toString(System.nanoTime(), 36);
        data = ScratchDir.create("dashboard").resolve("data");
        app = new ApplianceProcess(data, TestPorts.freePort()).start(null, "--sse-url", nchan.subscribeUrl(channel));
        api = new ApiClient(app);
        api.preset("copy");
        api.setUrls(camera.url(), rtmp.rtmpUrl(key("main")), false);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (app != null && app.process() != null && app.process().isAlive()) {
            app.terminate(Duration.ofSeconds(15));
        }
        if (app != null) {
            app.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {camera, rtmp, nchan}) {
            if (c != null) {
                c.close();
            }
        }
        Processes.awaitNoneMatching("ffmpeg", PREFIX, Duration.ofSeconds(20));
    }

    @BeforeEach
    void browser(TestInfo info) throws IOException {
        testName = info.getTestMethod().orElseThrow().getName();
        // Debian's chromedriver, named here so that Selenium never looks for (or downloads) one of its own
        service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/lib/chromium/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--user-data-dir=" + ScratchDir.create("chromium-profile"), "--window-size=1440,1000",
                "--lang=en-GB");
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    }

    @AfterEach
    void closeBrowser() {
        if (driver != null) {
            driver.quit(); // stops this test's chromedriver too
        }
    }

    static String key(String name) {
        return PREFIX + name;
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void signInThroughTheForm() throws IOException {
        driver.get(base() + "/");
        Waits.waitUntil(() -> driver.getCurrentUrl().contains("/login"), LONG, "an unsigned browser sent to /login");
        driver.findElement(By.id("password")).sendKeys("not-the-password");
        click(driver.findElement(By.id("sign-in")));
        Waits.waitUntil(() -> text(By.id("password-error")).contains("not the admin password"), LONG,
                "the wrong password told next to the field");
        screenshots("wrong-password");
        signIn();
        assertEquals("Streams", driver.findElement(By.cssSelector("main h1")).getText());
        String cookie = sessionCookieHeader();
        assertTrue(cookie.startsWith("streamrelay_session="), cookie);
        var c = driver.manage().getCookieNamed("streamrelay_session");
        assertTrue(c.isHttpOnly(), "the session cookie is HttpOnly");
        assertEquals("Strict", c.getSameSite());
        assertEquals(Boolean.FALSE, ((JavascriptExecutor) driver).executeScript("return document.cookie.includes('streamrelay_session')"),
                "page scripts cannot read the session cookie");
        screenshots("home");
        click(driver.findElement(By.id("sign-out")));
        Waits.waitUntil(() -> driver.getCurrentUrl().contains("/login"), LONG, "signed out to /login");
        HttpResponse<String> after = app.send(HttpRequest.newBuilder(app.uri("/api/stream/status"))
                .header("Cookie", cookie).GET(), false);
        assertEquals(401, after.statusCode(), "the signed-out session no longer works");
    }

    @Test
    @Order(2)
    void startShowsRunningAndAMovingBitrateWithoutReloadThenStop() throws IOException {
        signIn();
        markPage();
        WebElement card = defaultCard();
        click(card.findElement(By.cssSelector("button[data-action='start']")));
        Waits.waitUntil(() -> "running".equals(stateOf(defaultCard())), LONG, "the card shows running");
        Set<String> rates = new HashSet<>();
        Waits.waitUntil(() -> {
            String r = text(defaultCard(), "[data-stat='bitrate']");
            if (r.endsWith("kb/s")) {
                rates.add(r);
            }
            return rates.size() >= 3;
        }, LONG, "the bitrate shown changes while running (seen: " + rates + ")");
        Waits.waitUntil(() -> !defaultCard().findElements(By.cssSelector(".chart polyline")).isEmpty(), LONG,
                "the bitrate chart draws a line");
        Waits.waitUntil(() -> (Boolean) js("const i = document.querySelector('.thumb img'); return i && !i.hidden && i.naturalWidth > 0;"),
                LONG, "the live thumbnail shows the camera's picture");
        assertTrue(pageNotReloaded(), "all of it arrived without reloading the page");
        screenshots("running");
        click(defaultCard().findElement(By.cssSelector("button[data-action='stop']")));
        Waits.waitUntil(() -> "stopped".equals(stateOf(defaultCard())), LONG, "the card shows stopped");
        assertEquals("stopped", api.state());
        screenshots("stopped");
    }

    @Test
    @Order(3)
    void anInvalidUrlShowsTheFieldErrorAndChangesNothing() throws IOException {
        String before = api.json("GET", "/api/config?reveal=true", null, 200).getString("rtmp_url", null);
        signIn();
        go("/configuration");
        // the add-stream form below has an rtmp_url field too and is there at once; the stream's own form comes
        // after its configuration has loaded
        String urls = "form[aria-labelledby='urls-title'] ";
        WebElement rtmpInput = Waits.waitFor(() -> first(By.cssSelector(urls + "input[name='rtmp_url']")), LONG, "the form");
        rtmpInput.clear();
        rtmpInput.sendKeys("file:/etc/passwd");
        click(driver.findElement(By.xpath("//button[normalize-space()='Save URLs']")));
        Waits.waitUntil(() -> !text(By.cssSelector(urls + "[data-error-for='rtmp_url']")).isBlank(), LONG, "the field error");
        String error = text(By.cssSelector(urls + "[data-error-for='rtmp_url']"));
        assertTrue(error.startsWith("Destination URL (RTMP)"), error);
        assertEquals("true", rtmpInput.getAttribute("aria-invalid"));
        assertTrue(rtmpInput.getAttribute("aria-describedby").contains(
                driver.findElement(By.cssSelector(urls + "[data-error-for='rtmp_url']")).getAttribute("id")), "the error is tied to its field");
        assertEquals(before, api.json("GET", "/api/config?reveal=true", null, 200).getString("rtmp_url", null));
        screenshots("field-error");
    }

    @Test
    @Order(4)
    void aUrlUpdateFromTheControlServerChangesTheShownDestinationLiveMasked() throws Exception {
        api.waitForSseState("connected", LONG);
        nchan.waitForSubscribers(channel, 1, LONG);
        signIn();
        markPage();
        String newKey = key("sse") + "Zq81";
        nchan.publish(channel, "url_update", Json.object().add("rtsp_url", camera.url()).add("rtmp_url", rtmp.rtmpUrl(newKey))
                .add("timestamp", java.time.Instant.now().toString()).add("restart_required", false).toString());
        Waits.waitUntil(() -> text(defaultCard(), "[data-field='destination']").endsWith("****Zq81"), LONG,
                "the destination shown changes to the new one, masked");
        String shown = text(defaultCard(), "[data-field='destination']");
        assertFalse(shown.contains(newKey), "the stream key is never shown: " + shown);
        assertFalse(driver.getPageSource().contains(newKey), "nor anywhere in the page");
        Waits.waitUntil(() -> text(By.cssSelector("[data-field='last-event']")).contains("ago"), LONG,
                "the control server's last event shown");
        assertTrue(pageNotReloaded());
        screenshots("sse-update");
    }

    @Test
    @Order(5)
    void addingASecondStreamShowsItsCard() throws IOException {
        assumeTrue(app.get("/api/streams", true).statusCode() == 200,
                "GET /api/streams (contract §7) is not on this branch yet");
        signIn();
        go("/configuration");
        WebElement form = Waits.waitFor(() -> first(By.id("add-stream")), LONG, "the add form");
        form.findElement(By.name("name")).sendKeys("garden");
        form.findElement(By.name("rtsp_url")).sendKeys(camera.url());
        form.findElement(By.name("rtmp_url")).sendKeys(rtmp.rtmpUrl(key("garden")));
        click(form.findElement(By.cssSelector("button[type='submit']")));
        Waits.waitUntil(() -> text(form, ".feedback").startsWith("Added garden"), LONG, "the stream added");
        go("/");
        Waits.waitUntil(() -> first(By.cssSelector("article[data-stream='garden']")) != null, LONG, "its card");
        assertEquals("stopped", stateOf(driver.findElement(By.cssSelector("article[data-stream='garden']"))));
        screenshots("two-streams");
    }

    @Test
    @Order(6)
    void theLogTailShowsNewRows() throws IOException {
        signIn();
        go("/logs");
        Waits.waitUntil(() -> !driver.findElements(By.cssSelector("#log-rows tr[data-log-id]")).isEmpty(), LONG, "log rows");
        long newest = Long.parseLong(driver.findElement(By.cssSelector("#log-rows tr[data-log-id]")).getAttribute("data-log-id"));
        markPage();
        api.preset("copy"); // writes a config_change row
        Waits.waitUntil(() -> {
            WebElement top = first(By.cssSelector("#log-rows tr[data-log-id]"));
            return top != null && Long.parseLong(top.getAttribute("data-log-id")) > newest
                    && top.getText().contains("config_change");
        }, LONG, "the new row on top of the log");
        assertTrue(pageNotReloaded());
        Waits.waitUntil(() -> !driver.findElements(By.cssSelector("#sse-rows tr")).isEmpty(), LONG, "the events table");
        screenshots("logs");
        go("/settings");
        Waits.waitUntil(() -> text(By.cssSelector("main")).contains("Encoders on this board"), LONG, "the about section");
        assertTrue(text(By.cssSelector("main")).contains("ffmpeg version"), "ffmpeg's version shown");
        screenshots("settings");
    }

    @Test
    @Order(7)
    void aCrossOriginChangeWithTheCookieIsRefused() throws IOException {
        signIn();
        String cookie = sessionCookieHeader();
        HttpResponse<String> foreign = app.send(HttpRequest.newBuilder(app.uri("/api/stream/start"))
                .header("Cookie", cookie).header("Origin", "http://attacker.invalid").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")), false);
        assertEquals(403, foreign.statusCode(), foreign.body());
        HttpResponse<String> noOrigin = app.send(HttpRequest.newBuilder(app.uri("/api/stream/start"))
                .header("Cookie", cookie).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")), false);
        assertEquals(403, noOrigin.statusCode(), "a cookie change without any Origin is refused too: " + noOrigin.body());
        assertEquals("stopped", api.state(), "nothing was started");
        HttpResponse<String> own = app.send(HttpRequest.newBuilder(app.uri("/api/config"))
                .header("Cookie", cookie).header("Origin", base()).header("Content-Type", "application/json")
                .method("PUT", HttpRequest.BodyPublishers.ofString("{\"auto_restart\": true}")), false);
        assertEquals(200, own.statusCode(), "the dashboard's own Origin is accepted: " + own.body());
        go("/");
        screenshots("home-after-refusal");
    }

    @Test
    @Order(8)
    void noSidewaysScrollAtPhoneWidthAndNoSeriousAccessibilityViolation() throws IOException {
        signIn();
        String axe = axeSource();
        List<String> problems = new ArrayList<>();
        for (String page : List.of("/", "/configuration", "/logs", "/settings", "/login")) {
            for (String scheme : List.of("light", "dark")) {
                colourScheme(scheme);
                for (Dimension size : List.of(PHONE, DESKTOP)) {
                    driver.manage().window().setSize(size);
                    go(page);
                    Waits.waitUntil(() -> driver.findElements(By.cssSelector(".loading")).isEmpty(), LONG, "page loaded: " + page);
                    String where = page + " at " + size.getWidth() + " px, " + scheme;
                    if (size.equals(PHONE)) {
                        long scroll = ((Number) js("return document.documentElement.scrollWidth;")).longValue();
                        long width = ((Number) js("return document.documentElement.clientWidth;")).longValue();
                        if (scroll > width) {
                            problems.add(where + ": the page is " + scroll + " px wide in a " + width + " px window");
                        }
                    }
                    problems.addAll(seriousAxeViolations(axe, where));
                }
            }
            if (!page.equals("/login")) {
                screenshots("dark-" + (page.equals("/") ? "home" : page.substring(1)));
            }
            colourScheme("light");
        }
        go("/configuration");
        Waits.waitUntil(() -> driver.findElements(By.cssSelector(".loading")).isEmpty(), LONG, "configuration loaded");
        screenshots("configuration");
        go("/login");
        screenshots("login");
        assertEquals(List.of(), problems);
    }

    @Test
    @Order(9)
    void thePageSaysWhenTheLiveConnectionIsLostAndFollowsTheApplianceBack() throws Exception {
        signIn();
        Waits.waitUntil(() -> "connected".equals(driver.findElement(By.id("live")).getAttribute("data-state")), LONG,
                "the live feed connected");
        assertTrue(driver.findElement(By.id("banner")).getAttribute("hidden") != null, "no banner while connected");
        int port = app.uri("").getPort();
        assertEquals(0, app.terminate(Duration.ofSeconds(15)));
        Waits.waitUntil(() -> driver.findElement(By.id("banner")).isDisplayed(), LONG, "the lost-connection banner");
        assertTrue(text(By.id("banner")).contains("lost"), text(By.id("banner")));
        assertEquals("lost", driver.findElement(By.id("live")).getAttribute("data-state"));
        screenshots("connection-lost");
        // the same appliance back on the same port; sessions live in its memory, so this browser must sign in again
        app = new ApplianceProcess(data, port).start(null, "--sse-url", nchan.subscribeUrl(channel));
        api = new ApiClient(app);
        Waits.waitUntil(() -> driver.getCurrentUrl().contains("/login"), LONG,
                "the page, reconnecting by itself, finds its session gone and offers the sign-in");
        signIn();
        Waits.waitUntil(() -> "connected".equals(driver.findElement(By.id("live")).getAttribute("data-state")), LONG,
                "live again");
    }

    /** axe-core's serious and critical violations on the current page, one line each. */
    List<String> seriousAxeViolations(String axe, String where) {
        js(axe);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> violations = (List<Map<String, Object>>) ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ({id: v.id,"
                        + " impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}))),"
                        + " e => done([{id: 'axe-error', impact: 'critical', nodes: String(e)}]));");
        List<String> out = new ArrayList<>();
        for (Map<String, Object> v : violations) {
            if ("serious".equals(v.get("impact")) || "critical".equals(v.get("impact"))) {
                out.add(where + ": " + v.get("impact") + " " + v.get("id") + " on " + v.get("nodes"));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------------------

    String base() {
        return app.uri("").toString();
    }

    void go(String page) {
        driver.get(base() + page);
    }

    void signIn() {
        go("/login");
        WebElement password = Waits.waitFor(() -> first(By.id("password")), LONG, "the sign-in form");
        password.sendKeys(ApplianceProcess.PASSWORD);
        click(driver.findElement(By.id("sign-in")));
        Waits.waitUntil(() -> first(By.cssSelector("article.card")) != null, LONG, "the home page with its cards");
    }

    String sessionCookieHeader() {
        return "streamrelay_session=" + driver.manage().getCookieNamed("streamrelay_session").getValue();
    }

    WebElement defaultCard() {
        return driver.findElements(By.cssSelector("article.card")).get(0);
    }

    static String stateOf(WebElement card) {
        return card.findElement(By.cssSelector(".card-head [data-state]")).getAttribute("data-state");
    }

    /** Clicks as a person would: the element brought to the middle of the window first, clear of the sticky bar. */
    void click(WebElement e) {
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'});", e);
        e.click();
    }

    WebElement first(By by) {
        List<WebElement> l = driver.findElements(by);
        return l.isEmpty() ? null : l.get(0);
    }

    String text(By by) {
        WebElement e = first(by);
        return e == null ? "" : e.getText();
    }

    static String text(WebElement in, String css) {
        List<WebElement> l = in.findElements(By.cssSelector(css));
        return l.isEmpty() ? "" : l.get(0).getText();
    }

    Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    /** The system's colour scheme as the page sees it (prefers-color-scheme), through the DevTools protocol. */
    void colourScheme(String scheme) {
        ((ChromeDriver) driver).executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /** A mark that survives only as long as the document: gone after any reload or navigation. */
    void markPage() {
        js("window.__notReloaded = true;");
    }

    boolean pageNotReloaded() {
        return Boolean.TRUE.equals(js("return window.__notReloaded === true;"));
    }

    static String axeSource() throws IOException {
        try (InputStream in = DashboardBrowserTest.class.getClassLoader().getResourceAsStream("axe.min.js")) {
            assertNotEquals(null, in, "axe.min.js on the test class path (com.deque.html.axe-core:selenium)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The current page at desktop and at phone width, as PNG files named after the test. */
    void screenshots(String what) throws IOException {
        Dimension was = driver.manage().window().getSize();
        for (Map.Entry<String, Dimension> e : Map.of("desktop", DESKTOP, "phone", PHONE).entrySet()) {
            driver.manage().window().setSize(e.getValue());
            js("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));");
            byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(SHOTS.resolve(testName + "-" + what + "-" + e.getKey() + ".png"), png);
        }
        driver.manage().window().setSize(was);
    }
}
