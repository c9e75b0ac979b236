package dev.hibachi.api;

import dev.hibachi.store.StoreTestSupport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's headless Chromium, driven through Debian's own chromedriver (nothing is downloaded), for the dashboard's
 * browser tests: the driver, a wait, the {@code data-test} lookup and the screenshots to {@code target/screenshots}.
 * A test class registers one for all its tests, after its agent:
 *
 * <pre>
 * &#64;RegisterExtension &#64;Order(2)
 * static final HeadlessChromium chromium = HeadlessChromium.perClass(1280, 1000);
 * </pre>
 *
 * Public for the dashboard benchmark ({@code bench.DashboardBenchmark}), which starts one with {@link #start}.
 */
public final class HeadlessChromium implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final int width;
    private final int height;
    /** The profile folder this browser made for its test class, deleted after it; null when given one. */
    private Path ownProfile;
    /** The test class that started it, so a nested class's callbacks leave it alone. */
    private String startedBy;
    private ChromeDriver driver;
    private WebDriverWait wait;

    private HeadlessChromium(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /** A browser with a {@code width} x {@code height} window for a test class, started before its first test. */
    static HeadlessChromium perClass(int width, int height) {
        return new HeadlessChromium(width, height);
    }

    /** A browser with a {@code width} x {@code height} window, its profile in {@code profile} (an empty folder). */
    public static HeadlessChromium start(Path profile, int width, int height) throws IOException {
        HeadlessChromium chromium = new HeadlessChromium(width, height);
        chromium.launch(profile);
        return chromium;
    }

    private void launch(Path profile) throws IOException {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium chromium-driver)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromedriver (apt-get install chromium-driver)").isExecutable();
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // The machine refuses outside connections: everything that would call home is off.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=" + width + "," + height, "--user-data-dir=" + profile);
        Files.createDirectories(SCREENSHOTS);
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, WAIT);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (startedBy != null) {
            return; // a @Nested class: its outer class's browser serves it
        }
        startedBy = context.getUniqueId();
        ownProfile = Files.createTempDirectory("hibachi-chromium-");
        launch(ownProfile);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (context.getUniqueId().equals(startedBy)) {
            startedBy = null;
            try {
                close();
            } finally {
                driver = null;
                StoreTestSupport.deleteTree(ownProfile);
                ownProfile = null;
            }
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    WebDriverWait waiter() {
        return wait;
    }

    /** The visible element whose {@code data-test} is {@code id}, once it shows. */
    WebElement testId(String id) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-test='" + id + "']")));
    }

    /** Saves what the page shows now as {@code target/screenshots/<name>.png}. */
    void screenshot(String name) throws IOException {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Saves the whole page, below the fold too, as {@code target/screenshots/<name>.png}. */
    void screenshotWholePage(String name) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>) driver.executeScript("const d = document.documentElement;"
                + " return { width: d.scrollWidth, height: d.scrollHeight };");
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", size.get("width"),
                        "height", size.get("height"), "scale", 1)));
        Files.write(SCREENSHOTS.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
    }

    @Override
    public void close() {
        if (driver != null) {
            driver.quit();
        }
    }
}
