package io.liveboard.http;

import io.liveboard.auth.AuthException;
import io.liveboard.board.ForbiddenException;
import io.liveboard.board.NotFoundException;
import io.liveboard.board.StoreException;
import io.liveboard.board.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns any exception into a status and a client-facing message; logs the ones nobody expected. */
public final class ErrorMapper {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    /** What a client is told. */
    public record Failure(int status, String message) {
    }

    private ErrorMapper() {
    }

    public static Failure map(Throwable error, String where) {
        if (error instanceof HttpException e) {
            return new Failure(e.status(), e.getMessage());
        }
        if (error instanceof AuthException e) {
            return new Failure(401, e.getMessage());
        }
        if (error instanceof ForbiddenException e) {
            return new Failure(403, e.getMessage());
        }
        if (error instanceof NotFoundException e) {
            return new Failure(404, e.getMessage());
        }
        if (error instanceof ValidationException e) {
            return new Failure(400, e.getMessage());
        }
        if (error instanceof StoreException) {
            LOG.warn("Store failure on {}", where, error);
            return new Failure(503, "Storage is unavailable, try again");
        }
        LOG.warn("Unexpected failure on {}", where, error);
        return new Failure(500, "Internal server error");
    }
}
