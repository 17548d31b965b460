package io.liveboard.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A way a client gets a board's events, as {@code --transports} names it; each can be turned off (a proxy that
 * breaks WebSockets is common). REST reads and changes are not transports and are always on.
 */
public enum ClientTransport {
    WS("ws", "websocket"),
    SSE("sse", "sse"),
    LONGPOLL("longpoll", "long polling"),
    POLL("poll", "polling");

    /** The names {@code --transports} takes, in the clients' order of preference: {@code ws, sse, longpoll, poll}. */
    public static final String NAMES = Arrays.stream(values()).map(ClientTransport::flagName)
            .collect(Collectors.joining(", "));

    private final String flagName;
    private final String label;

    ClientTransport(String flagName, String label) {
        this.flagName = flagName;
        this.label = label;
    }

    /** The name in {@code --transports}: {@code ws}, {@code sse}, {@code longpoll}, {@code poll}. */
    public String flagName() {
        return flagName;
    }

    /** What a refusal calls it: {@code websocket}, {@code sse}, {@code long polling}, {@code polling}. */
    public String label() {
        return label;
    }

    /** @throws IllegalArgumentException {@code unknown transport 'x' (ws, sse, longpoll, poll)} */
    public static ClientTransport of(String flagName) {
        for (ClientTransport transport : values()) {
            if (transport.flagName.equals(flagName)) {
                return transport;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + flagName + "' (" + NAMES + ")");
    }
}
