package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.eclipsesource.json.Json;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import stream.it.harness.Waits;

/**
 * The dashboard end to end in Debian's headless Chromium, driven through Debian's chromedriver: the jlinked appliance
 * against the GStreamer camera, nginx-rtmp and an nchan control server, all on 127.0.0.1. Each test leaves
 * screenshots at desktop (1440 px) and phone (375 px) width in target/dashboard-screenshots/. The accessibility audit
 * runs Deque's axe-core from the test class path (nothing is downloaded at run time).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest extends DashboardBrowserHarness {

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
        // a started stream keeps the destination's session (contract §8): the card says since when and how it went
        Waits.waitUntil(() -> text(defaultCard(), "[data-field='session']").matches("one connection since .+ · 0 camera switches · .+ on the slate"),
                LONG, "the card shows the kept session (seen: " + text(defaultCard(), "[data-field='session']") + ")");
        assertTrue(pageNotReloaded(), "all of it arrived without reloading the page");
        screenshots("running");
        click(defaultCard().findElement(By.cssSelector("button[data-action='stop']")));
        Waits.waitUntil(() -> "stopped".equals(stateOf(defaultCard())), LONG, "the card shows stopped");
        assertEquals("stopped", api.state());
        assertTrue(defaultCard().findElements(By.cssSelector("[data-field='session']")).stream().noneMatch(WebElement::isDisplayed),
                "no session is shown once stopped");
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
        Waits.waitUntil(() -> text(defaultCard(), ".card-head .badge").endsWith("(last known)"), LONG,
                "the card's state said to be only the last one known");
        assertTrue(text(By.cssSelector(".sse-panel .badge")).endsWith("(last known)"), text(By.cssSelector(".sse-panel .badge")));
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

}
