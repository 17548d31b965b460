package io.liveboard.cluster;

/** The Redis of {@code --redis} could not be reached at start; the message says where and why (no password). */
public final class RedisUnreachableException extends RuntimeException {

    RedisUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
