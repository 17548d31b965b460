package io.liveboard.realtime;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What woke a board's long polls: the board's events of one fan-out round, in {@code seq} order, and the
 * answers made from them. Every poll the round woke gets the same {@code Wake}, so that polls which would
 * answer alike (the same cursor) share one answer, made once. Thread-safe.
 */
public final class Wake {

    private final List<OutboundMessage> events;
    private final ConcurrentHashMap<Object, Object> answers = new ConcurrentHashMap<>();

    /** The board's events of one round: at least one, in {@code seq} order, without gaps. */
    Wake(List<OutboundMessage> events) {
        this.events = List.copyOf(events);
    }

    /** The number of the last event: where the board is as of this wake. */
    public long seq() {
        return events.get(events.size() - 1).seq();
    }

    /**
     * The events after {@code seq}, in order, if this wake holds every one of them (its first event is at most
     * {@code seq + 1}); an empty list if there are none; null if some came before this wake.
     */
    public List<OutboundMessage> after(long seq) {
        if (events.get(0).seq() > seq + 1) {
            return null;
        }
        int from = 0;
        while (from < events.size() && events.get(from).seq() <= seq) {
            from++;
        }
        return events.subList(from, events.size());
    }

    /**
     * The answer for {@code key} (any value with {@code equals}): made by {@code make} for the first poll that
     * asks, while others asking for the same key wait, and the same object for every poll after. If
     * {@code make} throws, nothing is kept and the next poll that asks makes it again.
     */
    @SuppressWarnings("unchecked")
    public <T> T answer(Object key, Supplier<T> make) {
        return (T) answers.computeIfAbsent(key, k -> make.get());
    }
}
