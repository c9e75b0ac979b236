package dev.hibachi.api;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's layout and reach in a real headless Chromium against a real agent, every page loaded through a
 * real reverse proxy that mounts the agent under {@code /cron/} (as Dkron issue #1415 asks): the pages, the API
 * calls and a live output stream all stay under the prefix; at a phone's width no page scrolls sideways; the
 * theme follows the system's dark or light setting; and the main path (skip link, nav, search, tick, open) works
 * with the keyboard alone, every focused element showing its focus.
 */
class DashboardLayoutBrowserTest {
    private static final String PREFIX = "/cron";
    private static final Duration WAIT = HeadlessChromium.WAIT;

    @RegisterExtension
    @Order(1)
    static final AgentPerClass agent = AgentPerClass.server(c -> c.withKillGrace(Duration.ofSeconds(1)));
    @RegisterExtension
    @Order(2)
    static final HeadlessChromium chromium = HeadlessChromium.perClass(1280, 1000);
    @TempDir
    static Path gates;
    static ReverseProxy proxy;
    static ChromeDriver browser;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        proxy = ReverseProxy.start(PREFIX, agent.base());
        browser = chromium.driver();
        wait = chromium.waiter();
    }

    @AfterAll
    static void stop() {
        // Before the browser quits (JUnit closes extensions after @AfterAll): a stream still open through the proxy
        // is cut, which the browser takes as a network error on a page nobody reads any more.
        if (proxy != null) {
            proxy.close();
        }
    }

    /** A dashboard page, through the proxy. */
    private static String ui(String path) {
        return proxy.base() + PREFIX + "/ui/" + path;
    }

    private static WebElement testId(String id) {
        return chromium.testId(id);
    }

    private static Object js(String script, Object... args) {
        return browser.executeScript(script, args);
    }

    private static String job(String name, String command) {
        return """
                {"name":"%s","schedule":"@manually","executor":"shell","executor_config":{"shell":"true",
                 "command":"%s"},"metadata":{"team":"platform","env":"production"}}""".formatted(name, command);
    }

    private static void putJob(String name, String command) {
        agent.api().putJob(job(name, command));
    }

    private static void runToSuccess(String name) {
        Api.Response run = agent.api().post("/v1/jobs/" + name + "/run", "");
        assertThat(run.status()).as(run.toString()).isEqualTo(200);
        await().atMost(WAIT).until(() -> agent.api().get("/v1/jobs/" + name + "/executions").list().stream()
                .anyMatch(e -> e.path("status").asText().equals("success")));
    }

    /** Every link of the page, resolved as the browser does (against the page's base), stays under the prefix. */
    private static void assertLinksStayUnderThePrefix() {
        @SuppressWarnings("unchecked")
        List<String> hrefs = (List<String>) js("return [...document.querySelectorAll('a[href]')].map(a => a.href);");
        assertThat(hrefs).isNotEmpty().allSatisfy(h -> assertThat(h).startsWith(proxy.base() + PREFIX + "/"));
    }

    @Test
    void behindAReverseProxysPathPrefixPagesApiCallsAndLiveOutputStayUnderIt() throws Exception {
        Api throughProxy = new Api(proxy.base());
        // The proxy mounts the agent only under the prefix: a call that missed it would fail, not pass unseen.
        assertThat(throughProxy.get("/v1/jobs").status()).isEqualTo(404);
        // A request's body goes up: the job is created through the proxy.
        Path gate = gates.resolve("proxied-gate");
        Api.Response created = throughProxy.post(PREFIX + "/v1/jobs", job("proxied",
                "echo first line; while [ ! -f '%s' ]; do sleep 0.05; done; echo second line".formatted(gate)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(agent.api().job("proxied").path("executor_config").path("command").asText()).contains(gate.toString());
        // A fixed-length answer stays one, of the same length.
        Api.Response script = throughProxy.get(PREFIX + "/ui/app.js");
        assertThat(script.header("Content-Length"))
                .isEqualTo(String.valueOf(script.body().getBytes(StandardCharsets.UTF_8).length))
                .isEqualTo(agent.api().get("/ui/app.js").header("Content-Length"));
        proxy.forget();

        browser.get(ui(""));
        assertThat(testId("leader").getText()).isEqualTo("node-1");
        assertLinksStayUnderThePrefix();
        chromium.screenshot("proxy-overview");

        browser.findElement(By.cssSelector("nav a[data-nav='jobs']")).click();
        wait.until(ExpectedConditions.urlToBe(ui("jobs")));
        wait.until(ExpectedConditions.elementToBeClickable(
                By.cssSelector("tr[data-job='proxied'] a[href$='jobs/proxied']"))).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='job-name']"), "proxied"));
        assertThat(browser.getCurrentUrl()).isEqualTo(ui("jobs/proxied"));
        testId("run").click();
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("[data-test='execution-link']"))).click();

        // The first line shows while the process still waits: the stream came through the proxy live.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-test='output']"),
                "first line"));
        assertThat(Files.exists(gate)).as("the process still waits for the gate").isFalse();
        assertThat(testId("execution-status").getText()).isEqualTo("running");
        assertThat(browser.getCurrentUrl()).startsWith(ui("jobs/proxied/executions/"));
        assertLinksStayUnderThePrefix();
        chromium.screenshot("proxy-execution-running");
        Files.writeString(gate, "go");
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='execution-status']"), "success"));
        assertThat(testId("output").getText()).isEqualTo("first line\nsecond line");

        // A deep link typed in: the agent answers index.html for it, and the page finds its root from the URL.
        browser.get(ui("jobs/proxied"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='job-name']"), "proxied"));
        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("[data-test='execution-row'][data-status='success']")));
        assertLinksStayUnderThePrefix();
        chromium.screenshot("proxy-job");

        List<ReverseProxy.Received> seen = proxy.received();
        assertThat(seen).as("nothing outside the prefix").allSatisfy(r -> assertThat(r.path()).startsWith(PREFIX + "/"));
        assertThat(seen).contains(
                new ReverseProxy.Received("GET", PREFIX + "/ui/"),
                new ReverseProxy.Received("GET", PREFIX + "/ui/app.js"),
                new ReverseProxy.Received("GET", PREFIX + "/ui/style.css"),
                new ReverseProxy.Received("GET", PREFIX + "/ui/jobs/proxied"),
                new ReverseProxy.Received("GET", PREFIX + "/v1/leader"),
                new ReverseProxy.Received("GET", PREFIX + "/v1/jobs"),
                new ReverseProxy.Received("GET", PREFIX + "/v1/jobs/proxied"),
                new ReverseProxy.Received("POST", PREFIX + "/v1/jobs/proxied/run"));
        assertThat(seen).as("the live output's stream").anySatisfy(r -> assertThat(r.path())
                .startsWith(PREFIX + "/v1/jobs/proxied/executions/").endsWith("/output"));
    }

    @Test
    void theDashboardsRootWithoutItsSlashRedirectsToTheDashboardUnderThePrefix() {
        // Relative, so that it holds behind the prefix: /cron/ui + "ui/" is /cron/ui/.
        Api.Response redirect = new Api(proxy.base()).get(PREFIX + "/ui");
        assertThat(redirect.status()).isEqualTo(301);
        assertThat(redirect.header("Location")).isEqualTo("ui/");

        browser.get(proxy.base() + PREFIX + "/ui");
        wait.until(ExpectedConditions.urlToBe(ui("")));
        testId("leader");
    }

    // ---- phone width ----

    private static final int PHONE_WIDTH = 375;

    @Test
    void atAPhonesWidthNoPageScrollsSidewaysAndWideTablesScrollInTheirOwnBox() throws Exception {
        // Long words with nowhere to break are what push a narrow page sideways.
        String name = "phone-nightly-database-backup-to-object-storage";
        putJob(name, "echo 'https://backups.example.com/postgres/nightly/2024-01-01T02:00:00Z/base.tar.zst?"
                + "retention=35d&storage_class=GLACIER_INSTANT_RETRIEVAL&checksum=sha256'");
        runToSuccess(name);
        // A phone: 375 CSS pixels wide, touch-sized, and the meta viewport applies (mobile). A page wider than that
        // makes the browser zoom out, so innerWidth grows: assertFitsThePhone checks it stays 375.
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", PHONE_WIDTH, "height", 812, "deviceScaleFactor", 2, "mobile", true));
        try {
            browser.get(ui(""));
            testId("leader");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-test='members']")));
            assertFitsThePhone("overview");

            // The nav is reachable: on screen (checked above), and it works.
            browser.findElement(By.cssSelector("nav a[data-nav='jobs']")).click();
            wait.until(ExpectedConditions.urlToBe(ui("jobs")));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-job='" + name + "']")));
            assertFitsThePhone("jobs");

            browser.findElement(By.cssSelector("tr[data-job='" + name + "'] a")).click();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='job-name']"), name));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-test='execution-row']")));
            assertFitsThePhone("job");

            browser.findElement(By.cssSelector("[data-test='execution-link']")).click();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='execution-status']"), "success"));
            assertFitsThePhone("execution");

            browser.findElement(By.cssSelector("nav a[data-nav='new']")).click();
            testId("create-form");
            assertFitsThePhone("create");
        } finally {
            browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /**
     * The document does not scroll sideways (nor zooms out to fit), every nav link is on screen, and each table
     * sits in a {@code .scroll} box that fits and scrolls it sideways by itself.
     */
    private static void assertFitsThePhone(String page) throws Exception {
        chromium.screenshotWholePage("phone-" + page);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) js("""
                const d = document.documentElement, w = arguments[0];
                const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + (e.getAttribute('class') ? '.' + e.getAttribute('class') : '')
                  + (e.dataset.test ? '[' + e.dataset.test + ']' : '');
                const wide = [...document.querySelectorAll('body *')]
                  .filter(e => e.getBoundingClientRect().right > w + 0.5 && !e.closest('.scroll')).map(name);
                const offNav = [...document.querySelectorAll('nav[aria-label=Main] a')].filter(a => {
                  const r = a.getBoundingClientRect();
                  return r.left < 0 || r.right > w || r.width === 0;
                }).map(a => a.textContent);
                const unboxed = [...document.querySelectorAll('main table')].filter(t => {
                  const box = t.closest('.scroll');
                  return !box || box.getBoundingClientRect().right > w + 0.5 || getComputedStyle(box).overflowX !== 'auto';
                }).map(name);
                return { scrollWidth: d.scrollWidth, innerWidth: window.innerWidth, clientWidth: d.clientWidth, wide,
                  offNav, unboxed };""", PHONE_WIDTH);
        assertThat(m.get("wide")).as(page + ": elements past the phone's right edge, outside a .scroll box")
                .asInstanceOf(InstanceOfAssertFactories.LIST).isEmpty();
        assertThat(m.get("innerWidth")).as(page + ": a phone's width, not zoomed out").isEqualTo((long) PHONE_WIDTH);
        assertThat((Long) m.get("scrollWidth")).as(page + ": the document's width " + m)
                .isLessThanOrEqualTo((Long) m.get("innerWidth")).isLessThanOrEqualTo((Long) m.get("clientWidth"));
        assertThat(m.get("offNav")).as(page + ": nav links off screen")
                .asInstanceOf(InstanceOfAssertFactories.LIST).isEmpty();
        assertThat(m.get("unboxed")).as(page + ": tables not in a .scroll box that fits")
                .asInstanceOf(InstanceOfAssertFactories.LIST).isEmpty();
    }

    // ---- theme ----

    @Test
    void theThemeFollowsTheSystemsColorScheme() throws Exception {
        putJob("themed", "echo themed");
        runToSuccess("themed");
        try {
            colorScheme("dark");
            browser.get(ui(""));
            testId("leader");
            assertTheme("dark overview", true);
            chromium.screenshot("dark-overview");
            browser.get(ui("jobs/themed"));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-test='execution-row']")));
            assertTheme("dark job", true);
            chromium.screenshot("dark-job");

            colorScheme("light");
            browser.get(ui("jobs/themed"));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-test='execution-row']")));
            assertTheme("light job", false);
            chromium.screenshot("light-job");
        } finally {
            browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
        }
    }

    private static void colorScheme(String scheme) {
        browser.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
        assertThat(js("return matchMedia('(prefers-color-scheme: " + scheme + ")').matches;")).isEqualTo(true);
    }

    /** Body and text are dark and light (or the other way round), and the primary button's text reads on it. */
    private static void assertTheme(String page, boolean dark) {
        @SuppressWarnings("unchecked")
        Map<String, String> c = (Map<String, String>) js("""
                const b = getComputedStyle(document.body), p = getComputedStyle(document.querySelector('.primary'));
                return { background: b.backgroundColor, text: b.color, button: p.backgroundColor, buttonText: p.color };""");
        double background = luminance(c.get("background"));
        double text = luminance(c.get("text"));
        if (dark) {
            assertThat(background).as(page + " background " + c).isLessThan(0.05);
            assertThat(text).as(page + " text " + c).isGreaterThan(0.6);
        } else {
            assertThat(background).as(page + " background " + c).isGreaterThan(0.85);
            assertThat(text).as(page + " text " + c).isLessThan(0.05);
        }
        assertThat(contrast(background, text)).as(page + " text contrast " + c).isGreaterThanOrEqualTo(7);
        // WCAG AA for normal text.
        assertThat(contrast(luminance(c.get("button")), luminance(c.get("buttonText"))))
                .as(page + " primary button contrast " + c).isGreaterThanOrEqualTo(4.5);
    }

    private static final Pattern RGB = Pattern.compile("rgba?\\((\\d+), (\\d+), (\\d+)");

    /** WCAG's relative luminance of a computed colour, 0 (black) to 1 (white). */
    private static double luminance(String cssColor) {
        Matcher m = RGB.matcher(cssColor);
        assertThat(m.lookingAt()).as(cssColor).isTrue();
        double[] lin = new double[3];
        for (int i = 0; i < 3; i++) {
            double s = Integer.parseInt(m.group(i + 1)) / 255.0;
            lin[i] = s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    }

    private static double contrast(double a, double b) {
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }

    // ---- keyboard ----

    @Test
    void theMainPathWorksWithTheKeyboardAloneAndFocusAlwaysShows() throws Exception {
        putJob("kbd-alpha", "true");
        putJob("kbd-beta", "true");
        browser.get(ui(""));
        testId("leader");

        press(Keys.TAB);
        assertFocused("a", "Skip to content");
        press(Keys.ENTER);
        assertThat(focused().get("id")).isEqualTo("main");
        assertThat(browser.getCurrentUrl()).isEqualTo(ui(""));
        assertFocusShows();

        // From a fresh page: the skip link, the brand, then the nav in order.
        browser.get(ui(""));
        testId("leader");
        for (String text : List.of("Skip to content", "Hibachi", "Overview", "Jobs", "Busy", "New job")) {
            press(Keys.TAB);
            assertFocused("a", text);
        }
        new Actions(browser).keyDown(Keys.SHIFT).sendKeys(Keys.TAB, Keys.TAB).keyUp(Keys.SHIFT).perform();
        assertFocused("a", "Jobs");
        press(Keys.ENTER);
        wait.until(ExpectedConditions.urlToBe(ui("jobs")));
        testId("filters");
        assertThat(focused().get("id")).as("focus moves into the new page").isEqualTo("main");
        assertFocusShows();

        press(Keys.TAB);
        assertThat(focused().get("test")).isEqualTo("filter-q");
        assertFocusShows();
        new Actions(browser).sendKeys("kbd-").sendKeys(Keys.ENTER).perform();
        wait.until(ExpectedConditions.urlContains("/cron/ui/jobs?q=kbd-"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='total']"), "2 jobs"));

        tabTo("the checkbox of kbd-alpha", f -> "checkbox".equals(f.get("type")) && "kbd-alpha".equals(f.get("value")));
        press(Keys.SPACE);
        WebElement box = browser.findElement(By.cssSelector("tr[data-job='kbd-alpha'] input[type=checkbox]"));
        assertThat(box.isSelected()).isTrue();
        // The list refreshes every few seconds; focus and the tick survive it.
        js("document.querySelector('[data-test=jobs-table]').dataset.old = 'yes';");
        wait.until(d -> js("return !document.querySelector('[data-test=jobs-table]').dataset.old;"));
        assertThat(focused()).containsEntry("type", "checkbox").containsEntry("value", "kbd-alpha");
        assertFocusShows();
        assertThat(browser.findElement(By.cssSelector("tr[data-job='kbd-alpha'] input[type=checkbox]")).isSelected())
                .isTrue();

        press(Keys.TAB);
        assertThat(focused().get("href")).isEqualTo("jobs/kbd-alpha");
        assertFocusShows();
        press(Keys.ENTER);
        wait.until(ExpectedConditions.urlToBe(ui("jobs/kbd-alpha")));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='job-name']"), "kbd-alpha"));
        assertThat(focused().get("id")).isEqualTo("main");
        assertFocusShows();
        chromium.screenshot("keyboard-job");
    }

    private static void press(CharSequence key) {
        new Actions(browser).sendKeys(key).perform();
    }

    /** What has focus: its tag, id, text, data-test, type, value and href attribute. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> focused() {
        return (Map<String, Object>) js("""
                const e = document.activeElement;
                return { tag: e.tagName.toLowerCase(), id: e.id, text: e.textContent.trim(), test: e.dataset.test || '',
                  type: e.type || '', value: e.value || '', href: e.getAttribute('href') || '' };""");
    }

    private static void assertFocused(String tag, String text) {
        assertThat(focused()).containsEntry("tag", tag).containsEntry("text", text);
        assertFocusShows();
    }

    /** The focused element is :focus-visible (keyboard focus), and so draws an outline. */
    private static void assertFocusShows() {
        @SuppressWarnings("unchecked")
        Map<String, Object> f = (Map<String, Object>) js("""
                const e = document.activeElement, s = getComputedStyle(e);
                return { what: e.outerHTML.slice(0, 120), visible: e.matches(':focus-visible'), style: s.outlineStyle,
                  width: s.outlineWidth };""");
        assertThat(f).as("focus outline").containsEntry("visible", true);
        assertThat(f.get("style")).as("outline of " + f).isNotEqualTo("none");
        assertThat(f.get("width")).as("outline of " + f).isNotEqualTo("0px");
    }

    /** Tabs forward until {@code target} has focus (at most 30 times), every stop on the way showing its focus. */
    private static void tabTo(String what, java.util.function.Predicate<Map<String, Object>> target) {
        for (int i = 0; i < 30; i++) {
            press(Keys.TAB);
            assertFocusShows();
            if (target.test(focused())) {
                return;
            }
        }
        throw new AssertionError("30 tabs did not reach " + what + "; focus is on " + focused());
    }
}
