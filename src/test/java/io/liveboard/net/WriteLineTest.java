package io.liveboard.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

class WriteLineTest {

    private final WriteLine line = new WriteLine();

    @Test
    void aBatchTakenForWritingNoLongerCountsAsWaitingSoAPeerThatReadItAllIsNotJudgedOnIt() {
        // a replay far larger than any queue limit goes out at once: it was never waiting
        WriteLine.Write replay = write(400_000);
        assertSame(WriteLine.Turn.NOW, line.admit(replay, () -> true));
        assertEquals(0, line.waitingBytes(), "the write under way is not waiting");

        // the client's pong, while the writer has not come back yet from writing the replay (the CI failure:
        // the peer had read it all, but the bytes were still counted until the writer took the next batch)
        WriteLine.Write pong = write(20);
        assertSame(WriteLine.Turn.QUEUED, line.admit(pong, () -> true));
        assertEquals(20, line.waitingBytes());

        WriteLine.Next next = line.next();
        assertEquals(List.of(pong), next.batch());
        assertEquals(0, line.waitingBytes(), "taken out for the next write");
        assertEquals(List.of(), line.next().batch(), "nothing more: the line is free");
        assertSame(WriteLine.Turn.NOW, line.admit(write(10), () -> true));
    }

    @Test
    void whatWaitsBehindAWriteThatTheSocketDoesNotTakeCounts() {
        line.admit(write(1_000), () -> true);
        for (int i = 0; i < 10; i++) {
            assertSame(WriteLine.Turn.QUEUED, line.admit(write(100), () -> true));
        }
        assertEquals(1_000, line.waitingBytes());
    }

    @Test
    void aBatchGathersUpToItsBufferAndByteLimitsButAlwaysTakesOneWrite() {
        line.admit(write(1), () -> true);
        WriteLine.Write big = write((int) WriteLine.MAX_BATCH_BYTES + 1);
        line.admit(big, () -> true);
        for (int i = 0; i < WriteLine.MAX_GATHER + 5; i++) {
            line.admit(write(10), () -> true);
        }
        assertEquals(List.of(big), line.next().batch(), "one write larger than a batch goes alone");
        assertEquals(WriteLine.MAX_GATHER, line.next().batch().size(), "then up to MAX_GATHER buffers");
        assertEquals(5, line.next().batch().size());
        assertEquals(0, line.waitingBytes());

        WriteLine other = new WriteLine();
        other.admit(write(1), () -> true);
        int half = (int) WriteLine.MAX_BATCH_BYTES / 2;
        for (int i = 0; i < 3; i++) {
            other.admit(write(half), () -> true);
        }
        assertEquals(2, other.next().batch().size(), "up to MAX_BATCH_BYTES");
        assertEquals(half, other.waitingBytes());
    }

    @Test
    void aFailedOrClosedLineRefusesWritesAndDropsWhatWaited() {
        line.admit(write(1), () -> true);
        WriteLine.Write waiting = write(5);
        line.admit(waiting, () -> true);
        assertSame(WriteLine.Turn.REFUSED, line.admit(write(1), () -> false), "refused when not open");

        line.close();
        assertSame(WriteLine.Turn.REFUSED, line.admit(write(1), () -> true));
        WriteLine.Next next = line.next();
        assertEquals(List.of(), next.batch());
        assertEquals(List.of(waiting), next.dropped());
        assertEquals(0, line.waitingBytes());

        WriteLine failing = new WriteLine();
        failing.admit(write(1), () -> true);
        WriteLine.Write behind = write(7);
        failing.admit(behind, () -> true);
        assertEquals(List.of(behind), failing.fail());
        assertEquals(0, failing.waitingBytes());
        assertTrue(failing.admit(write(1), () -> true) == WriteLine.Turn.REFUSED);
    }

    private static WriteLine.Write write(int bytes) {
        return new WriteLine.Write(new ByteBuffer[] {ByteBuffer.allocate(bytes)}, bytes, Callback.NOOP);
    }
}
