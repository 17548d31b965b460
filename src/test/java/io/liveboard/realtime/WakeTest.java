package io.liveboard.realtime;

import static io.liveboard.realtime.LongPollsTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WakeTest {

    private final Wake wake = new Wake(events("board-1", 5, 7));

    private List<Long> seqsAfter(long seq) {
        return wake.after(seq).stream().map(OutboundMessage::seq).toList();
    }

    @Test
    void theEventsAfterACursorItReachesBackTo() {
        assertEquals(7, wake.seq());
        assertEquals(List.of(5L, 6L, 7L), seqsAfter(4));
        assertEquals(List.of(6L, 7L), seqsAfter(5));
        assertEquals(List.of(7L), seqsAfter(6));
        assertEquals(List.of(), seqsAfter(7));
    }

    @Test
    void noEventsForACursorBeforeItsFirstButOne() {
        assertNull(wake.after(3));
        assertNull(wake.after(0));
    }

    @Test
    void anAnswerIsMadeOncePerKeyAndSharedUnlessMakingItFailed() {
        AtomicInteger made = new AtomicInteger();
        Object first = wake.answer("after 4", () -> "answer " + made.incrementAndGet());
        assertSame(first, wake.answer("after 4", () -> "answer " + made.incrementAndGet()));
        assertEquals("answer 2", wake.answer("after 5", () -> "answer " + made.incrementAndGet()));

        assertThrows(IllegalStateException.class, () -> wake.answer("after 6", () -> {
            throw new IllegalStateException("the store failed");
        }));
        assertEquals("answer 3", wake.answer("after 6", () -> "answer " + made.incrementAndGet()));
    }
}
