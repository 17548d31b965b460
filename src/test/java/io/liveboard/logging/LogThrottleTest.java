package io.liveboard.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LogThrottleTest {

    @Test
    void oneLinePerIntervalStandingForEveryOccasionHeldBack() throws InterruptedException {
        LogThrottle throttle = new LogThrottle(Duration.ofMillis(200));
        assertEquals(1, throttle.next(), "the first occasion is told at once");
        long start = System.nanoTime();
        int held = 0;
        long told = 0;
        while (told == 0) {
            told = throttle.next();
            if (told == 0) {
                held++;
                Thread.sleep(5);
            }
        }
        assertEquals(held + 1, told, "the next line counts the occasions held back and itself");
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= 150, "held back for the interval, not " + waited + " ms");
    }
}
