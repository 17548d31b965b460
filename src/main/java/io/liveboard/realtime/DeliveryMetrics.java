package io.liveboard.realtime;

/**
 * What the delivery path reports about itself. Called on hot paths from any thread: implementations
 * must be thread-safe, non-blocking and cheap (an adder increment).
 */
public interface DeliveryMetrics {

    /** A message of {@code bytes} was handed to a connection's transport. */
    void sent(Transport transport, int bytes);

    /** A message was not sent because its connection was closed or closing. */
    void dropped(Transport transport);

    /** A connection was cut because it could not keep up. */
    void slowConsumer(Transport transport);

    /** An event went through the fan-out, which took {@code nanos}. */
    void fannedOut(long nanos);
}
