package io.liveboard.http;

/**
 * Answers one route. It either answers before returning (through {@link HttpExchange#json} and friends)
 * or takes over {@link HttpExchange#callback()} to answer later (long polls, streams). What it throws
 * before answering becomes a JSON error through {@link ErrorMapper}.
 */
@FunctionalInterface
public interface Endpoint {
    void handle(HttpExchange exchange) throws Exception;
}
