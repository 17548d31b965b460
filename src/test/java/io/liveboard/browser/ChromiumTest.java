package io.liveboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/** The browser tests' ground: the machine's Chromium starts under its driver and runs a page's script. */
@Timeout(60)
class ChromiumTest {

    @Test
    void runsAPageScript() {
        ChromeDriver driver = Chromium.open();
        try {
            driver.get("data:text/html,<p id=out></p><script>document.getElementById('out').textContent = 6 * 7</script>");
            assertEquals("42", driver.findElement(By.id("out")).getText());
        } finally {
            driver.quit();
        }
    }
}
