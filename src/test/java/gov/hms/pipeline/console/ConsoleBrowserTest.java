package gov.hms.pipeline.console;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gov.hms.pipeline.support.AnotherSystem;
import gov.hms.pipeline.support.ConsoleTestResources;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's {@code chromium} and {@code chromedriver},
 * found on the PATH; no driver is downloaded), one browser for the whole class. Users log in with
 * the browser's own HTTP Basic handling (credentials in the first URL, answered to the 401
 * challenge, then kept by the browser): the reader at {@code 127.0.0.1}, the operator at
 * {@code localhost}, two origins so that each keeps its own login. Every view is photographed into
 * {@code -Dconsole.screenshots=<folder>} (default {@code target/console-screenshots}; the README's
 * pictures are refreshed with {@code -Dconsole.screenshots=docs/console}).
 * Without a browser the class is skipped, saying so in one line.
 */
@QuarkusTest
@QuarkusTestResource(value = ConsoleTestResources.class, restrictToAnnotatedClass = true)
@EnabledIf(value = "browserPresent", disabledReason = "no chromium and chromedriver on the PATH: console browser tests skipped "
        + "(apt-get install chromium chromium-driver)")
class ConsoleBrowserTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    static ChromeDriver browser;
    static Path screenshots;

    /** Whether Chromium and its driver are installed; says so in one line when not. */
    static boolean browserPresent() {
        boolean present = executable("chromium").isPresent() && executable("chromedriver").isPresent();
        if (!present) {
            System.err.println("ConsoleBrowserTest SKIPPED: no chromium and chromedriver on the PATH "
                    + "(apt-get install chromium chromium-driver)");
        }
        return present;
    }

    static Optional<Path> executable(String name) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }

    @BeforeAll
    static void startBrowser() throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(executable("chromium").orElseThrow().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--lang=en-GB", "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(executable("chromedriver").orElseThrow().toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        screenshots = Path.of(System.getProperty("console.screenshots", "target/console-screenshots"));
        Files.createDirectories(screenshots);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void healthySystems() {
        PipelineTestResources.healthySystems();
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    /** Opens a console page as the user, logging in through the browser's Basic authentication. */
    static void open(String user, String path) {
        String host = user.equals("operator") ? "localhost" : "127.0.0.1";
        String port = ConsoleTestResources.baseUrl().substring(ConsoleTestResources.baseUrl().lastIndexOf(':') + 1);
        browser.get("http://" + user + ":" + user + "-test@" + host + ":" + port + path);
    }

    /**
     * Waits for a condition across page loads: an element found on the page that a form's redirect
     * or the live update is replacing may go stale while it is being looked at; that is "not yet".
     */
    static WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    /** The whole page (the window made as tall as the page, then restored) into {@code <name>.png}. */
    static void photograph(String name) {
        Dimension window = browser.manage().window().getSize();
        long height = (Long) browser.executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(window.getWidth(), (int) Math.min(height + 140, 4000)));
        try {
            Files.write(screenshots.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            browser.manage().window().setSize(window);
        }
    }

    static String deploy(String body) {
        return given().auth().preemptive().basic("submitter", "submitter-test").contentType("application/json").body(body)
                .when().post("/api/policies").then().extract().path("deploymentId");
    }

    static String policy(String id, String title, String version) {
        return "{\"id\":\"" + id + "\",\"title\":\"" + title + "\",\"content\":\"Content of " + version + ".\",\"version\":\""
                + version + "\"}";
    }

    /** The text of the policy matrix cell of a policy at a target. */
    static String cell(String policyId, String target) {
        List<WebElement> headers = browser.findElements(By.cssSelector("#policy-matrix thead th"));
        int column = headers.stream().map(WebElement::getText).toList().indexOf(target);
        assertThat(column).as("a column for target " + target).isPositive();
        WebElement row = browser.findElement(By.xpath("//table[@id='policy-matrix']/tbody/tr[th/a[text()='" + policyId + "']]"));
        return row.findElements(By.xpath("./*")).get(column).getText();
    }

    @Test
    void aReaderLogsInAndSeesTheSeedPolicyLiveAtTheReferenceRegistry() throws IOException {
        deploy(Files.readString(Path.of("samples/policy-2023-vax.json")));
        deploy(Files.readString(Path.of("samples/policy-2024-flu-clinics.json")));
        open("reader", "/console");
        assertThat(browser.getTitle()).startsWith("Policies");
        assertThat(browser.findElement(By.cssSelector(".who")).getText()).contains("reader");
        assertThat(cell("policy-2023-vax", "registry")).contains("in sync");
        assertThat(cell("policy-2023-vax", "live")).contains("in sync");
        assertThat(browser.findElements(By.cssSelector("form[action$='/rollback'], form[action$='/sync']"))).isEmpty();
        photograph("policies");

        // The filter box narrows the rows as one types (console.js runs under the page's CSP).
        browser.findElement(By.id("q")).sendKeys("flu");
        waiting().until(d -> !d.findElement(By.xpath("//tr[th/a[text()='policy-2023-vax']]")).isDisplayed());
        assertThat(browser.findElement(By.xpath("//tr[th/a[text()='policy-2024-flu-clinics']]")).isDisplayed()).isTrue();

        browser.manage().window().setSize(new Dimension(390, 844));
        open("reader", "/console");
        photograph("policies-phone");
    }

    @Test
    void anOperatorRollsBackATwoVersionPolicyAndSeesTheCatalogueChange() {
        deploy(policy("booster-interval", "Booster interval", "1.0.0"));
        deploy(policy("booster-interval", "Booster interval", "2.0.0"));
        open("operator", "/console/policies/booster-interval");
        assertThat(browser.findElement(By.cssSelector(".who")).getText()).contains("operator");
        photograph("policy");

        new Select(browser.findElement(By.id("toRevision"))).selectByValue("1");
        browser.findElement(By.id("rollback-reason")).sendKeys("2.0.0 shortened the interval by mistake");
        browser.findElement(By.cssSelector("form[action$='/rollback'] button[type=submit]")).click();
        waiting().until(ExpectedConditions.urlMatches("/console/deployments/[0-9a-f-]{36}$"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).contains("completed");
        assertThat(browser.findElement(By.tagName("main")).getText())
                .contains("rollback", "2.0.0 shortened the interval by mistake", "operator", "registry", "live");
        photograph("deployment");

        open("operator", "/console");
        WebElement row = browser.findElement(By.xpath("//table[@id='policy-matrix']/tbody/tr[th/a[text()='booster-interval']]"));
        assertThat(row.getText()).contains("1.0.0").doesNotContain("2.0.0");
        assertThat(cell("booster-interval", "registry")).contains("in sync");
    }

    @Test
    void theDeploymentsPageShowsANewDeploymentWithoutAReload() {
        open("reader", "/console/deployments");
        WebElement table = browser.findElement(By.id("deployments"));
        deploy(policy("live-update-check", "Live update", "1.0.0"));
        waiting().withMessage(() -> "live state: " + browser.findElement(By.id("live-state")).getText())
                .until(d -> table.getText().contains("live-update-check"));
        assertThat(browser.findElement(By.id("live-state")).getText()).contains("live");
        photograph("deployments");
    }

    @Test
    void anOperatorRetriesADeadLetterAndDiscardsAQueuedOne() throws Exception {
        PipelineTestResources.wireMock().stubFor(post(urlEqualTo("/target/packages"))
                .willReturn(aResponse().withStatus(503).withBody("maintenance window")));
        String deploymentId = deploy(policy("clinic-hours", "Clinic opening hours", "1.0.0"));
        try (AnotherSystem sender = new AnotherSystem(PipelineTestResources.brokerAmqpUrl(), null, null)) {
            sender.sendText("policies.approved", "{\"id\":\"queued-without-title\",\"content\":\"c\"}", Map.of());
        }
        open("operator", "/console/dead-letters");
        waiting().until(d -> {
            d.navigate().refresh();
            return !d.findElements(By.cssSelector("#queue-dead-letters tbody tr")).isEmpty();
        });
        WebElement letter = browser.findElement(By.id("dl-" + deploymentId));
        assertThat(letter.getText()).contains("clinic-hours", "live", "503");
        assertThat(browser.findElement(By.id("queue-dead-letters")).getText()).contains("Validation failed");
        photograph("dead-letters");

        PipelineTestResources.healthySystems();
        letter.findElement(By.cssSelector("form[action$='/retry'] button")).click();
        waiting().until(ExpectedConditions.urlMatches("/console/deployments/[0-9a-f-]{36}$"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).contains("completed");
        open("operator", "/console/dead-letters");
        assertThat(browser.findElements(By.id("dl-" + deploymentId))).isEmpty();

        // Discard asks first (console.js); the message is then gone.
        browser.findElement(By.cssSelector("#queue-dead-letters form[action$='/discard'] button")).click();
        waiting().until(ExpectedConditions.alertIsPresent()).accept();
        waiting().until(d -> d.findElements(By.cssSelector("#queue-dead-letters tbody tr")).isEmpty());
    }

    @Test
    void aScriptInATitleIsShownAsText() {
        deploy(policy("title-escaping", "<script>alert(1)</script>", "1.0.0"));
        open("reader", "/console?q=title-escaping");
        WebElement title = browser.findElement(By.xpath("//tr[th/a[text()='title-escaping']]//span[@class='title']"));
        assertThat(title.getText()).isEqualTo("<script>alert(1)</script>");
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    @Test
    void healthShowsTheChecksAndAnOperatorVerifiesTheAuditChain() {
        deploy(policy("health-view", "Health view", "1.0.0"));
        open("operator", "/console/health");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("audit-log", "broker", "Inbox backlog");
        browser.findElement(By.cssSelector("form[action='/console/health/verify'] button")).click();
        waiting().until(d -> d.findElement(By.id("audit")).isDisplayed()
                && d.findElement(By.tagName("main")).getText().contains("chain intact"));
        photograph("health");
    }
}
