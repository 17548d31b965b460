package io.liveboard.http;

/** An HTTP-level refusal (malformed JSON, a body too large, a wrong method) with its status. */
public final class HttpException extends RuntimeException {

    private final int status;

    public HttpException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
