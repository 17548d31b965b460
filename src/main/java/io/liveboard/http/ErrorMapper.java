package io.liveboard.http;

import io.liveboard.auth.AuthException;
import io.liveboard.board.ForbiddenException;
import io.liveboard.board.IdempotencyConflictException;
import io.liveboard.board.NotFoundException;
import io.liveboard.board.StoreException;
import io.liveboard.board.ValidationException;
import io.liveboard.logging.LogThrottle;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns any exception into a status and a client-facing message; logs the ones nobody expected. */
public final class ErrorMapper {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);
    /** A broken store fails every request alike: said once every 10 s, not once a request. */
    private static final LogThrottle STORE_FAILURES = new LogThrottle(Duration.ofSeconds(10));

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
        if (error instanceof IdempotencyConflictException e) {
            return new Failure(422, e.getMessage());
        }
        if (error instanceof StoreException) {
            long failures = STORE_FAILURES.next();
            if (failures > 0) {
                LOG.warn("Store failure on {} ({} failed request(s) since the last report)", where, failures, error);
            }
            return new Failure(503, "Storage is unavailable, try again");
        }
        LOG.warn("Unexpected failure on {}", where, error);
        return new Failure(500, "Internal server error");
    }
}
