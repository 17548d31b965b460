package io.liveboard.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The machine's Chromium, driven through its own chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}, or the binaries named by {@code LIVEBOARD_CHROMIUM} and {@code LIVEBOARD_CHROMEDRIVER}),
 * so that nothing is downloaded at run time. Without them a browser test is skipped with a message saying what to
 * install, unless {@code LIVEBOARD_REQUIRE_BROWSER=1} (set by {@code .ci/run}), which makes it fail instead.
 */
public final class Chromium {

    private static final Path BROWSER = Path.of(env("LIVEBOARD_CHROMIUM", "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(env("LIVEBOARD_CHROMEDRIVER", "/usr/bin/chromedriver"));

    private Chromium() {}

    /** Skips the calling test (or fails it, when a browser is required) unless Chromium and its driver are here. */
    public static void assumeAvailable() {
        boolean present = Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
        String message = "Browser tests need Chromium and chromedriver (" + BROWSER + ", " + DRIVER
                + "): on Debian `apt-get install chromium chromium-driver`, or name them with LIVEBOARD_CHROMIUM"
                + " and LIVEBOARD_CHROMEDRIVER";
        if ("1".equals(System.getenv("LIVEBOARD_REQUIRE_BROWSER"))) {
            Assertions.assertTrue(present, message + " (LIVEBOARD_REQUIRE_BROWSER=1: not skipped)");
        } else {
            Assumptions.assumeTrue(present, message);
        }
    }

    /**
     * A new headless browser of its own (its own profile, cookies and storage: another person at another
     * machine), 1280×900 unless {@code width} and {@code height} say otherwise. The caller quits it.
     */
    public static ChromeDriver open(int width, int height) {
        assumeAvailable();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--window-size=" + width + "," + height);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return driver;
    }

    public static ChromeDriver open() {
        return open(1280, 900);
    }

    /** The console's errors (SEVERE entries) since the last call, one line each. */
    public static List<String> consoleErrors(ChromeDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::toString).collect(Collectors.toList());
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
