package io.liveboard.realtime;

/** How a client is connected. */
public enum Transport {
    WEBSOCKET, SSE
}
