package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real headless Chromium (Debian's, driven through its own chromedriver: nothing is
 * downloaded) against a real agent: a job created through the form runs and its output shows; a live output
 * shows its first line while the process still waits; a running execution is killed from the Busy page; an edit
 * with a bad schedule shows the server's field error and changes nothing; the job list filters on the server; a
 * deep link loads its page. Each page is saved as a screenshot in {@code target/screenshots}.
 */
class DashboardBrowserTest {
    private static final Duration WAIT = HeadlessChromium.WAIT;

    @RegisterExtension
    @Order(1)
    static final AgentPerClass agent = AgentPerClass.server(c -> c.withKillGrace(Duration.ofSeconds(1)));
    @RegisterExtension
    @Order(2)
    static final HeadlessChromium chromium = HeadlessChromium.perClass(1280, 1000);
    @TempDir
    static Path gates;
    static ChromeDriver browser;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        browser = chromium.driver();
        wait = chromium.waiter();
    }

    private static String ui(String path) {
        return agent.base() + "/ui/" + path;
    }

    private static void screenshot(String name) throws Exception {
        chromium.screenshot(name);
    }

    private static WebElement testId(String id) {
        return chromium.testId(id);
    }

    /** Opens a page the way a user does from the overview: through the links, so no deep link is needed. */
    private static void openJob(String name) {
        browser.get(ui(""));
        browser.findElement(By.cssSelector("nav a[data-nav='jobs']")).click();
        WebElement q = testId("filter-q");
        q.sendKeys(name);
        testId("filter-apply").click();
        wait.until(ExpectedConditions.urlContains("q=" + name));
        wait.until(ExpectedConditions.elementToBeClickable(
                By.cssSelector("tr[data-job='" + name + "'] a[href$='jobs/" + name + "']"))).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='job-name']"), name));
    }

    private static void acceptConfirm() {
        wait.until(ExpectedConditions.alertIsPresent()).accept();
    }

    @Test
    void aJobCreatedThroughTheFormRunsAndItsOutputShows() throws Exception {
        browser.get(ui(""));
        testId("leader");
        // The job counts on the overview are the server's (one /v1/stats request, not one per status).
        wait.until(d -> testId("count-total").getText().equals(
                agent.api().get("/v1/stats?days=1").json().path("jobs").path("total").asText()));
        screenshot("overview");
        browser.findElement(By.cssSelector("nav a[data-nav='new']")).click();
        testId("name").sendKeys("from-the-form");
        WebElement schedule = testId("schedule");
        schedule.clear();
        schedule.sendKeys("@manually");
        testId("command").sendKeys("echo hello from the form");
        browser.findElement(By.name("runnow")).click();
        screenshot("create-job");
        testId("create").click();

        wait.until(ExpectedConditions.urlToBe(ui("jobs/from-the-form")));
        JsonNode stored = agent.api().get("/v1/jobs/from-the-form").json();
        assertThat(stored.path("executor_config").path("command").asText()).isEqualTo("echo hello from the form");
        assertThat(stored.path("schedule").asText()).isEqualTo("@manually");

        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("[data-test='execution-row'][data-status='success']")));
        WebElement summary = browser.findElement(By.cssSelector("[data-test='execution-row'] details summary"));
        summary.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-test='execution-output']"), "hello from the form"));
        screenshot("job");
    }

    @Test
    void aRunningOutputStreamsLiveAndEndsWithTheFinalStatus() throws Exception {
        Path gate = gates.resolve("live-gate");
        agent.api().putJob("""
                {"name":"live-out","schedule":"@manually","executor":"shell","executor_config":{"shell":"true",
                 "command":"echo first line; while [ ! -f '%s' ]; do sleep 0.05; done; echo second line"}}"""
                .formatted(gate));
        openJob("live-out");
        testId("run").click();
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("[data-test='execution-link']"))).click();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-test='output']"),
                "first line"));
        assertThat(Files.exists(gate)).as("the process still waits for the gate").isFalse();
        assertThat(testId("execution-status").getText()).isEqualTo("running");
        assertThat(testId("kill").isDisplayed()).isTrue();
        screenshot("execution-running");
        ((JavascriptExecutor) browser).executeScript("arguments[0].focus();", testId("kill"));

        Files.writeString(gate, "go");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-test='output']"),
                "second line"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='execution-status']"), "success"));
        assertThat(testId("output").getText()).isEqualTo("first line\nsecond line");
        assertThat(browser.findElements(By.cssSelector("[data-test='kill']"))).isEmpty();
        assertThat(browser.switchTo().activeElement().getAttribute("data-test")).as("focus on Kill moved to the status")
                .isEqualTo("execution-status");
        screenshot("execution-done");
    }

    @Test
    void aRunningExecutionIsKilledFromTheBusyPage() throws Exception {
        agent.api().putJob("""
                {"name":"runs-forever","schedule":"@manually","executor":"shell",
                 "executor_config":{"shell":"true","command":"echo started; sleep 300"}}""");
        Api.Response run = agent.api().post("/v1/jobs/runs-forever/run", "");
        assertThat(run.status()).as(run.toString()).isEqualTo(200);

        browser.get(ui(""));
        browser.findElement(By.cssSelector("nav a[data-nav='busy']")).click();
        WebElement item = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[data-test='busy-item'][data-job='runs-forever']")));
        wait.until(ExpectedConditions.textToBePresentInElement(item.findElement(By.cssSelector("pre")), "started"));
        screenshot("busy");
        item.findElement(By.cssSelector("[data-test='busy-kill']")).click();
        acceptConfirm();

        await().atMost(WAIT).untilAsserted(() -> {
            List<JsonNode> execs = agent.api().get("/v1/jobs/runs-forever/executions").list();
            assertThat(execs).hasSize(1);
            assertThat(execs.get(0).path("status").asText()).isEqualTo("killed");
            assertThat(execs.get(0).path("success").asBoolean()).isFalse();
            assertThat(execs.get(0).path("killed_by").asText()).isEqualTo("dashboard");
        });
        wait.until(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("[data-test='busy-item'][data-job='runs-forever']")));
    }

    @Test
    void anEditWithABadScheduleShowsTheServersFieldErrorAndChangesNothing() throws Exception {
        agent.api().putJob("""
                {"name":"to-edit","schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"}}""");
        openJob("to-edit");
        testId("edit").click();
        WebElement json = testId("json");
        wait.until(d -> json.getAttribute("value").contains("@every 1h"));
        String edited = json.getAttribute("value").replace("@every 1h", "every tuesday");
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1];", json, edited);
        testId("save").click();

        WebElement error = testId("field-error");
        assertThat(error.getText()).contains("schedule").contains("every tuesday");
        assertThat(json.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.getCurrentUrl()).isEqualTo(ui("jobs/to-edit/edit"));
        screenshot("edit-error");
        assertThat(agent.api().get("/v1/jobs/to-edit").json().path("schedule").asText()).isEqualTo("@every 1h");

        // A good edit is saved and the job page shows it.
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1];", json,
                edited.replace("every tuesday", "@every 2h"));
        testId("save").click();
        wait.until(ExpectedConditions.urlToBe(ui("jobs/to-edit")));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-test='definition']"),
                "@every 2h"));
        assertThat(agent.api().get("/v1/jobs/to-edit").json().path("schedule").asText()).isEqualTo("@every 2h");
    }

    @Test
    void theJobListFiltersAndPagesOnTheServer() throws Exception {
        for (int i = 0; i < 30; i++) {
            agent.api().putJob("""
                    {"name":"fleet-%02d","schedule":"@manually","executor":"shell","executor_config":{"command":"true"},
                     "metadata":{"team":"%s"},"tags":{"pool":"%s"}}""".formatted(i, i % 3 == 0 ? "ops" : "web",
                    i % 5 == 0 ? "blue:1" : "green"));
        }
        browser.get(ui(""));
        browser.findElement(By.cssSelector("nav a[data-nav='jobs']")).click();
        testId("filter-q").sendKeys("fleet");
        testId("filter-apply").click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='total']"), "30 jobs"));
        assertThat(browser.findElements(By.cssSelector("[data-test='job-row']"))).hasSize(25);
        List<WebElement> cells = browser.findElement(By.cssSelector("[data-test='job-row']"))
                .findElements(By.tagName("td"));
        assertThat(cells.get(6).getText()).as("a manual job's next run (Go's zero time in the JSON)").isEqualTo("—");
        assertThat(cells.get(4).getText()).as("never succeeded").isEqualTo("—");
        screenshot("jobs");

        browser.findElement(By.linkText("Next →")).click();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("[data-test='job-row']"), 5));
        assertThat(browser.findElement(By.cssSelector("[data-test='job-row']")).getAttribute("data-job"))
                .isEqualTo("fleet-25");

        WebElement metadata = testId("filter-metadata");
        metadata.sendKeys("team=ops");
        testId("filter-apply").click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='total']"), "10 jobs"));
        List<WebElement> rows = browser.findElements(By.cssSelector("[data-test='job-row']"));
        assertThat(rows).hasSize(10);
        assertThat(rows).allSatisfy(r -> assertThat(Integer.parseInt(r.getAttribute("data-job").substring(6)) % 3)
                .isZero());
        assertThat(browser.getCurrentUrl()).contains("q=fleet").contains("metadata=team%3Dops");

        // Tags and metadata together: team=ops (0, 3, ... 27) and pool=blue (0, 5, ... 25) leave 0, 15.
        testId("filter-tags").sendKeys("pool=blue");
        testId("filter-apply").click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='total']"), "2 jobs"));
        assertThat(browser.findElements(By.cssSelector("[data-test='job-row']"))).extracting(r -> r.getAttribute(
                "data-job")).containsExactly("fleet-00", "fleet-15");
        assertThat(browser.getCurrentUrl()).contains("tags=pool%3Dblue");

        // Back restores the previous filters, as the URL holds them.
        browser.navigate().back();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='total']"), "10 jobs"));
        browser.navigate().back();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("[data-test='job-row']"), 5));
    }

    @Test
    void bulkActionsActOnTheTickedJobsAndARunningJobIsMarked() throws Exception {
        for (String name : List.of("bulk-a", "bulk-b", "bulk-c")) {
            agent.api().putJob("""
                    {"name":"%s","schedule":"@manually","executor":"shell","executor_config":{"command":"true"}}"""
                    .formatted(name));
        }
        agent.api().putJob("""
                {"name":"bulk-long","schedule":"@manually","executor":"shell",
                 "executor_config":{"command":"sleep 300"}}""");
        browser.get(ui("jobs?q=bulk"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='total']"), "4 jobs"));
        tick("bulk-a");
        tick("bulk-b");
        testId("bulk-toggle").click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-test='flash']"),
                "Toggled 2 job(s)."));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(agent.api().job("bulk-a").path("disabled").asBoolean()).isTrue();
            assertThat(agent.api().job("bulk-b").path("disabled").asBoolean()).isTrue();
        });
        assertThat(agent.api().job("bulk-c").path("disabled").asBoolean()).as("not ticked").isFalse();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-job='bulk-a'] .pill"), "disabled"));

        // The ticks outlive the list's refreshes: Delete takes the same two.
        assertThat(browser.findElement(By.cssSelector("tr[data-job='bulk-a'] input[type=checkbox]")).isSelected())
                .isTrue();
        testId("bulk-delete").click();
        acceptConfirm();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='total']"), "2 jobs"));
        assertThat(agent.api().get("/v1/jobs/bulk-a").status()).isEqualTo(404);
        assertThat(agent.api().get("/v1/jobs/bulk-b").status()).isEqualTo(404);
        screenshot("jobs-bulk");

        tick("bulk-long");
        testId("bulk-run").click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("tr[data-job='bulk-long'] [data-test='running']")));
        assertThat(browser.findElements(By.cssSelector("tr[data-job='bulk-c'] [data-test='running']"))).isEmpty();
        JsonNode running = agent.api().get("/v1/busy").list().stream()
                .filter(e -> e.path("job_name").asText().equals("bulk-long")).findFirst().orElseThrow();
        Api.Response kill = agent.api().post("/v1/jobs/bulk-long/executions/" + running.path("id").asText() + "/kill",
                "");
        assertThat(kill.status()).as(kill.toString()).isEqualTo(202);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("tr[data-job='bulk-long'] [data-test='running']")));
    }

    /** Ticks a job's box. The list re-renders every few seconds, so a click may land on a box just replaced. */
    private static void tick(String job) {
        By box = By.cssSelector("tr[data-job='" + job + "'] input[type=checkbox]");
        new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement b = d.findElement(box);
            if (b.isSelected()) {
                return true;
            }
            b.click();
            return false;
        });
    }

    /** Needs the server's fallback: any GET under /ui/ that is not a file answers index.html. */
    @Test
    void aDeepLinkLoadsItsPage() throws Exception {
        agent.api().putJob("""
                {"name":"deep","schedule":"@manually","executor":"shell","executor_config":{"command":"true"}}""");
        browser.get(ui("jobs/deep"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-test='job-name']"), "deep"));
        browser.get(ui("jobs/deep/misses"));
        testId("misses");
        screenshot("misses");
        browser.get(ui("jobs/no-such-job"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-test='flash']"),
                "no-such-job"));
    }
}
