package io.liveboard.http;

/** Records one answered request by route template (not raw path, to keep cardinality bounded). Thread-safe. */
@FunctionalInterface
public interface RequestMetrics {

    void record(String method, String route, int status, long nanos);
}
