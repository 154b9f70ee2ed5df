package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.BackgroundPipeline;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.Warehouse;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * The dashboard in a real browser: the pipeline as {@code run} starts it (embedded PostgreSQL, Kafka, the simulator
 * flying 300 aircraft, DuckDB) with its HTTP server on a free port, and headless Chromium driven by Selenium through
 * Debian's chromium and chromium-driver (.ci/run installs them; DASHBOARD_CHROMIUM and DASHBOARD_CHROMEDRIVER point
 * elsewhere). The map must show as many aircraft as the warehouse holds, a change made with psql must show within
 * seconds, a click must show the aircraft's track from the history, and the console must run a view, refuse writes and
 * cancel a query that runs too long. The screenshot the README shows is taken here: docs/images/dashboard.png, renewed
 * with {@code -Ddashboard.screenshot=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardEndToEndTest {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardEndToEndTest.class);

    private static final Path CHROMIUM = browserPath("dashboard.chromium", "DASHBOARD_CHROMIUM", "/usr/bin/chromium");
    private static final Path CHROMEDRIVER = browserPath("dashboard.chromedriver", "DASHBOARD_CHROMEDRIVER", "/usr/bin/chromedriver");
    private static final String MISSING_BROWSER = " is not installed (Debian: apt-get install chromium chromium-driver;"
            + " .ci/run installs them; DASHBOARD_CHROMIUM and DASHBOARD_CHROMEDRIVER name others)";
    private static final Path SCREENSHOT = Path.of("docs", "images", "dashboard.png");
    private static final Pattern CONSOLE_ANSWER = Pattern.compile(
            "/api/console/query\\?sql=\\S* - Failed to load resource: the server responded with a status of (400|403|504) ");
    private static final long QUERY_TIMEOUT_MS = 1_500;
    /** An aircraft made with psql: a key the simulator never produces (not hex), a last contact the poll leaves alone. */
    private static final String TEST_AIRCRAFT = "dash01";
    /**
     * From a psql commit to the page: the load (under a second when idle, a few on a busy 2-core machine) and the map's
     * refresh (every 3 s).
     */
    private static final Duration WITHIN_SECONDS = Duration.ofSeconds(15);

    private final Path dir = PipelineTestSupport.newDirectory("dashboard-");
    private BackgroundPipeline pipeline;
    private WebDriver browser;
    private String url;

    @BeforeAll
    void startThePipelineAndTheBrowser() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM)).as(CHROMIUM + MISSING_BROWSER).isTrue();
        assertThat(Files.isExecutable(CHROMEDRIVER)).as(CHROMEDRIVER + MISSING_BROWSER).isTrue();
        assertThat(Psql.installed()).as(Psql.MISSING).isPresent();
        int httpPort = FreePorts.one();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("flightcdc.data-dir", dir.resolve("data").toString());
        settings.put("flightcdc.warehouse.duckdb-path", dir.resolve("data/warehouse.duckdb").toString());
        settings.put("flightcdc.load.max-wait-ms", "100");
        settings.put("flightcdc.source.embedded-port", String.valueOf(FreePorts.one()));
        settings.put("flightcdc.kafka.embedded-port", String.valueOf(FreePorts.pair()));
        settings.put("flightcdc.simulator.port", "0");
        settings.put("flightcdc.simulator.aircraft", "300");
        settings.put("flightcdc.opensky.poll-interval-ms", "2000");
        settings.put("flightcdc.http.port", String.valueOf(httpPort));
        settings.put("flightcdc.http.query-timeout-ms", String.valueOf(QUERY_TIMEOUT_MS));
        settings.put("flightcdc.http.sample-interval-ms", "1000");
        pipeline = BackgroundPipeline.start(settings, Duration.ofMinutes(2));
        url = "http://127.0.0.1:" + httpPort + "/";
        browser = chromium();
    }

    @AfterAll
    void stopThem() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (pipeline != null) {
                pipeline.close();
            }
        }
    }

    @Test
    @Order(1)
    void theMapShowsAsManyAircraftAsTheWarehouseHolds() throws Exception {
        await("the simulator's aircraft in the warehouse").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> count("SELECT count(*) FROM flight_state") >= 250);
        browser.get(url);
        assertThat(browser.getTitle()).isEqualTo("flight-cdc dashboard");

        // The poll keeps the warehouse moving: compare when the warehouse held the same count before and after the page.
        String positioned = "SELECT count(*) FROM flight_state WHERE latitude IS NOT NULL AND longitude IS NOT NULL";
        await("markers on the map equal to the aircraft with a position in flight_state")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    long before = count(positioned);
                    long markers = Long.parseLong(map().getAttribute("data-markers"));
                    long jsMarkers = ((Number) js("return dashboard.map.markerCount()")).longValue();
                    return markers == before && jsMarkers == before && count(positioned) == before;
                });
        long all = count("SELECT count(*) FROM flight_state");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(text("aircraft-count")).startsWith(String.format("%,d aircraft in the warehouse", all)));
        assertThat(text("warehouse")).isEqualTo("DuckDB " + dir.resolve("data/warehouse.duckdb"));
        assertThat(scriptErrors()).as("errors in the page's scripts").isEmpty();
    }

    @Test
    @Order(2)
    void aChangeMadeWithPsqlShowsWithinSeconds() throws Exception {
        // Past the start's catch-up: the warehouse holds polls committed within the last few seconds.
        await("the pipeline keeping up with the poll").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> count("SELECT seconds_behind FROM data_freshness") <= 3);
        long started = System.nanoTime();
        psql("INSERT INTO flight_state (icao24, callsign, origin_country, time_position, last_contact, longitude, latitude,"
                + " baro_altitude, on_ground, velocity, true_track, squawk) VALUES ('" + TEST_AIRCRAFT + "', 'DASH01  ',"
                + " 'Switzerland', now(), now() + interval '1 day', 2.35, 48.85, 10000, false, 230, 135, '7700')");
        await("the emergency on the page").atMost(WITHIN_SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> !listedEmergency().isEmpty());
        LOG.info("An aircraft inserted with psql was listed as an emergency {} ms later",
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        assertThat(listedEmergency()).contains("7700", "emergency", "DASH01", TEST_AIRCRAFT);

        // Diverted: two more positions, and a new callsign.
        psql("UPDATE flight_state SET callsign = 'HELLO   ', longitude = 5.04, latitude = 47.32 WHERE icao24 = '"
                + TEST_AIRCRAFT + "'");
        psql("UPDATE flight_state SET longitude = 6.11, latitude = 46.24, baro_altitude = 3000 WHERE icao24 = '"
                + TEST_AIRCRAFT + "'");
        long updated = System.nanoTime();
        await("the new callsign on the page").atMost(WITHIN_SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> listedEmergency().contains("HELLO"));
        LOG.info("A callsign updated with psql showed {} ms later", Duration.ofNanos(System.nanoTime() - updated).toMillis());
    }

    @Test
    @Order(3)
    void clickingAnAircraftShowsItsTrackFromTheHistory() throws Exception {
        // A simulated aircraft, polled every two seconds since the start: found, zoomed to, clicked.
        String flown = queryText("SELECT s.icao24 FROM flight_state s JOIN flight_state_history h USING (icao24)"
                + " WHERE h._op IN ('c', 'u', 'r') AND h.latitude IS NOT NULL AND NOT s.on_ground"
                + " GROUP BY s.icao24 ORDER BY count(*) DESC, s.icao24 LIMIT 1");
        // Whichever the page drew first, the countries or the aircraft, a click on a marker must reach the aircraft's
        // canvas: the countries are drawn in a pane of their own under it, and the aircraft's pane holds that one canvas.
        await("the countries and the aircraft drawn").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> Long.valueOf(2).equals(js("return document.querySelectorAll('#map canvas').length")));
        assertThat(js("return document.querySelectorAll('.leaflet-overlay-pane canvas').length"))
                .as("canvases in the aircraft's pane, where the one added last takes every click").isEqualTo(1L);
        WebElement find = browser.findElement(By.id("find-input"));
        find.clear();
        find.sendKeys(flown, Keys.ENTER);
        clickAircraft(flown);
        long history = count("SELECT count(*) FROM flight_state_history WHERE icao24 = '" + flown + "'"
                + " AND _op IN ('c', 'u', 'r') AND latitude IS NOT NULL");
        assertThat(history).isGreaterThan(2);
        await("its track").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Long.parseLong(selected().getAttribute("data-points"))).isGreaterThanOrEqualTo(history));
        assertThat(selected().getText()).contains(flown, "positions since", "flight_state_history");

        // The one made with psql: exactly its three positions, Paris to Geneva.
        find.clear();
        find.sendKeys(TEST_AIRCRAFT, Keys.ENTER);
        clickAircraft(TEST_AIRCRAFT);
        await("its three positions").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(selected().getAttribute("data-points")).isEqualTo("3"));
        assertThat(selected().getText()).contains("HELLO", "Switzerland", "7700 (emergency)", "3 positions");

        js("dashboard.map.zoomTo(47.6, 4.2, 5)");
        Thread.sleep(1_000);
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, dir.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
        if (Boolean.getBoolean("dashboard.screenshot")) {
            // -Ddashboard.screenshot=true renews the README's picture; a plain test run leaves the tracked file alone.
            Files.createDirectories(SCREENSHOT.getParent());
            Files.copy(shot, SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    @Order(4)
    void theConsoleRunsAViewAsATableAndAsCsv() throws Exception {
        browser.findElement(By.cssSelector("#views button[data-view='airborne_by_country']")).click();
        await("the view's rows").atMost(Duration.ofSeconds(10)).until(() -> text("console-message").contains("rows in"));
        long countries = count("SELECT count(*) FROM airborne_by_country");
        assertThat(browser.findElements(By.cssSelector("#result tbody tr"))).hasSize((int) countries);
        assertThat(browser.findElements(By.cssSelector("#result thead th")).stream().map(WebElement::getText).toList())
                .containsExactly("origin_country", "aircraft");

        HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(browser.findElement(By.id("csv")).getAttribute("href"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/csv"));
        assertThat(csv.headers().map().keySet()).as("nothing of the request echoed back").doesNotContain("sql");
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("origin_country,aircraft");
        assertThat(lines).hasSize((int) countries + 1);
    }

    @Test
    @Order(5)
    void theConsoleRefusesWritesAndFiles() throws Exception {
        for (String write : List.of("INSERT INTO flight_state (icao24) VALUES ('evil01')", "DROP TABLE flight_state",
                "SELECT 1; DROP TABLE flight_state", "COPY flight_state TO '" + dir.resolve("copy.csv") + "'")) {
            runInConsole(write);
            await(write).atMost(Duration.ofSeconds(10)).until(() -> "refused".equals(consoleMessage().getAttribute("class")));
            assertThat(consoleMessage().getText()).startsWith("Refused: The console only reads");
        }
        runInConsole("SELECT * FROM read_csv('/etc/passwd')");
        await("reading a file").atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(consoleMessage().getAttribute("class")));
        assertThat(consoleMessage().getText()).contains("file system operations are disabled");

        assertThat(count("SELECT count(*) FROM flight_state WHERE icao24 = 'evil01'")).isZero();
        assertThat(count("SELECT count(*) FROM flight_state")).isGreaterThan(250);
        assertThat(dir.resolve("copy.csv")).doesNotExist();
    }

    @Test
    @Order(6)
    void aQueryThatRunsTooLongIsCancelled() throws Exception {
        long started = System.nanoTime();
        runInConsole("SELECT count(*) FROM range(1000000000) a, range(1000000000) b");
        await("the cancellation").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> "cancelled".equals(consoleMessage().getAttribute("class")));
        long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
        LOG.info("A query over the {} ms timeout was cancelled, and the page said so, {} ms after Run", QUERY_TIMEOUT_MS, tookMs);
        assertThat(consoleMessage().getText()).contains("longer than " + QUERY_TIMEOUT_MS + " ms");
        assertThat(tookMs).isGreaterThanOrEqualTo(QUERY_TIMEOUT_MS).isLessThan(QUERY_TIMEOUT_MS + 8_000);

        runInConsole("SELECT count(*) AS aircraft FROM flight_state");
        await("a query after it").atMost(Duration.ofSeconds(10)).until(() -> text("console-message").contains("1 row in"));
    }

    @Test
    @Order(7)
    void theLoaderStillLoadsWithTheConsolesFenceUpAndThePipelineViewIsDrawn() throws Exception {
        // The console turned DuckDB's external access off for the whole database, the loader's connection included.
        psql("UPDATE flight_state SET squawk = '7600' WHERE icao24 = '" + TEST_AIRCRAFT + "'");
        await("the new squawk on the page").atMost(WITHIN_SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> listedEmergency().contains("7600 radio failure"));

        HttpResponse<String> pipelineView = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "api/pipeline"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(pipelineView.statusCode()).isEqualTo(200);
        assertThat(pipelineView.body()).contains("\"registryFound\":true", "\"id\":\"throughput\"", "\"id\":\"freshness\"");
        assertThat(browser.findElements(By.cssSelector("#charts .chart canvas"))).hasSizeGreaterThanOrEqualTo(5);
        assertThat(text("dead-letter-count")).isEqualTo(String.valueOf(count("SELECT count(*) FROM _flightcdc_dead_letter")));
        assertThat(text("rejected-count")).isEqualTo("0");
        assertThat(scriptErrors()).as("errors in the page's scripts").isEmpty();
    }

    /** A system property, else an environment variable, else Debian's path. */
    private static Path browserPath(String property, String variable, String debian) {
        String path = System.getProperty(property, System.getenv(variable));
        return Path.of(path == null || path.isBlank() ? debian : path);
    }

    private WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // As root (CI) Chromium's sandbox cannot start; /dev/shm is small in containers.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,900", "--hide-scrollbars", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile())
                .build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        // The screenshot's size is the page's, not the window's.
        @SuppressWarnings("unchecked")
        List<Number> frame = (List<Number>) chrome.executeScript(
                "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]");
        chrome.manage().window().setSize(new Dimension(1400 + frame.get(0).intValue(), 900 + frame.get(1).intValue()));
        return chrome;
    }

    /**
     * Clicks the aircraft's marker where the map draws it now: the page tells where that is, in the viewport's pixels,
     * with the map scrolled wholly into view (an action's offset from an element counts from the part of it in view:
     * with the page scrolled 250 px every try missed). Where another marker is drawn over it (a click there selects
     * that one), each try after the first centres the map on it one zoom level closer, until the two come apart. The
     * click is told apart from the panel's reading of the history: a miss and a slow or failing track read each say so.
     */
    private void clickAircraft(String icao24) {
        AtomicInteger zoom = new AtomicInteger(7);
        await("a click on " + icao24 + " selecting it").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> at = (Map<String, Object>) js("const map = document.getElementById('map');"
                            + " map.scrollIntoView({ block: 'nearest' });"
                            + " const point = dashboard.map.pointOf(arguments[0]);"
                            + " if (!point) return null;"
                            + " const box = map.getBoundingClientRect();"
                            + " const under = document.elementFromPoint(box.left + point.x, box.top + point.y);"
                            + " return { x: Math.round(box.left + point.x), y: Math.round(box.top + point.y),"
                            + " inMap: point.x >= 0 && point.y >= 0 && point.x < box.width && point.y < box.height,"
                            + " zoom: dashboard.map.zoom(), scrolled: window.scrollY,"
                            + " under: under ? under.tagName + ' in ' + under.parentElement.className : 'nothing' };", icao24);
                    if (at == null) {
                        LOG.info("{} is not on the map yet ({} markers)", icao24, js("return dashboard.map.markerCount()"));
                        return false;
                    }
                    int x = ((Number) at.get("x")).intValue();
                    int y = ((Number) at.get("y")).intValue();
                    if (Boolean.TRUE.equals(at.get("inMap"))) {
                        new Actions(browser).moveToLocation(x, y).click().perform();
                        Thread.sleep(300);
                    }
                    Object chosen = js("return dashboard.map.selected()");
                    if (icao24.equals(chosen)) {
                        return true;
                    }
                    String position = queryText("SELECT CAST(latitude AS VARCHAR) || ',' || CAST(longitude AS VARCHAR)"
                            + " FROM flight_state WHERE icao24 = '" + icao24 + "'");
                    LOG.info("A click on {} at ({}, {}) of the viewport ({} in the map, zoom {}, page scrolled {} px, under"
                            + " the pointer {}) selected {}; centring on it, at {}, at zoom {}", icao24, x, y, at.get("inMap"),
                            at.get("zoom"), at.get("scrolled"), at.get("under"), chosen, position, zoom.get() + 1);
                    if (position != null && zoom.get() < 12) {
                        String[] latLon = position.split(",");
                        js("dashboard.map.zoomTo(arguments[0], arguments[1], arguments[2])", Double.parseDouble(latLon[0]),
                                Double.parseDouble(latLon[1]), zoom.incrementAndGet());
                    }
                    return false;
                });
        await("the panel showing " + icao24 + " from its history").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(selected().getAttribute("data-icao24"))
                        .as("the selected aircraft's panel, which reads: %s", selected().getText()).isEqualTo(icao24));
    }

    /**
     * The test aircraft's line in the list of emergencies, empty when it is not listed: read in one step, since the page
     * makes the list anew at each refresh.
     */
    private String listedEmergency() {
        return (String) js("const item = document.querySelector(\"#emergencies li[data-icao24='\" + arguments[0] + \"']\");"
                + " return item ? item.textContent : '';", TEST_AIRCRAFT);
    }

    private void runInConsole(String sql) {
        WebElement box = browser.findElement(By.id("sql"));
        box.clear();
        box.sendKeys(sql);
        browser.findElement(By.id("run")).click();
    }

    private WebElement map() {
        return browser.findElement(By.id("map"));
    }

    private WebElement selected() {
        return browser.findElement(By.id("selected"));
    }

    private WebElement consoleMessage() {
        return browser.findElement(By.id("console-message"));
    }

    private String text(String elementId) {
        return browser.findElement(By.id(elementId)).getText();
    }

    private Object js(String script, Object... arguments) {
        return ((JavascriptExecutor) browser).executeScript(script, arguments);
    }

    /**
     * What the page logged as errors, one line each: its scripts', and files it could not load. The console's refusals
     * and cancellations are answered with 403, 400 and 504 as they should be, which Chromium logs too: those are not.
     */
    private List<String> scriptErrors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !CONSOLE_ANSWER.matcher(message).find())
                .toList();
    }

    private void psql(String sql) throws Exception {
        Psql.run(Integer.parseInt(pipeline.property("flightcdc.source.port")), pipeline.property("flightcdc.source.user"),
                pipeline.property("flightcdc.source.password"), pipeline.property("flightcdc.source.database"),
                dir.resolve("psql.log"), "-c", sql);
    }

    /** A query's one number, read from the running pipeline's warehouse. */
    private long count(String sql) throws SQLException {
        return Long.parseLong(queryText(sql));
    }

    /** A query's first value as text, read from the running pipeline's warehouse. */
    private String queryText(String sql) throws SQLException {
        try (Connection c = warehouse(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private Connection warehouse() throws SQLException {
        Connection c = ((DuckDbWarehouse) pipeline.bean("warehouse", Warehouse.class)).newReader();
        c.setAutoCommit(true);
        return c;
    }
}
