package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
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
 * What the dashboard's browser tests share: the jlinked appliance against the GStreamer camera, nginx-rtmp and an
 * nchan control server, all on 127.0.0.1, started once per test class; a fresh headless Chromium per test, driven
 * through Debian's chromedriver; and the helpers that act and look as a person would. Each test leaves screenshots
 * at desktop (1440 px) and phone (375 px) width in target/dashboard-screenshots/.
 */
abstract class DashboardBrowserHarness {
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
        signIn(ApplianceProcess.PASSWORD);
    }

    void signIn(String adminPassword) {
        go("/login");
        WebElement password = Waits.waitFor(() -> first(By.id("password")), LONG, "the sign-in form");
        password.sendKeys(adminPassword);
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
        // a value the page failed to put into words (tables aside: they may quote a control server's JSON)
        Object stray = js("const m = (document.querySelector('main') || document.body).cloneNode(true);"
                + " m.querySelectorAll('.table-wrap, input, textarea, select').forEach(e => e.remove());"
                + " const f = m.textContent.match(/.{0,40}\\b(undefined|null|NaN)\\b.{0,40}/); return f && f[0];");
        assertEquals(null, stray, "a stray value shown on the page");
        Dimension was = driver.manage().window().getSize();
        for (Map.Entry<String, Dimension> e : Map.of("desktop", DESKTOP, "phone", PHONE).entrySet()) {
            driver.manage().window().setSize(e.getValue());
            // what the person is looking at: the field or button they are on stays in the picture at either width
            js("const a = document.activeElement; if (a && a !== document.body && a.id !== 'main') a.scrollIntoView({block: 'center'});");
            js("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));");
            byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(SHOTS.resolve(testName + "-" + what + "-" + e.getKey() + ".png"), png);
        }
        driver.manage().window().setSize(was);
    }
}
