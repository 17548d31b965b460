package io.liveboard.http;

import io.liveboard.auth.Principal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes requests by method and URI template ({@code /tasks/{taskId}}), in the order routes were added.
 * A path no route matches is a JSON 404; a known path with another method is a JSON 405 with {@code Allow}.
 * Every route but the public ones ({@link #publicGet}) first authenticates its caller through the
 * {@link Gate}: 401 {@code {"error":"Unauthorized"}} (or {@code "Token expired"}) when that fails.
 */
public final class Router extends Handler.Abstract {

    private record Route(UriTemplatePathSpec spec, Map<String, Endpoint> byMethod, Set<String> open) {
    }

    private final List<Route> routes = new ArrayList<>();
    private final int maxBodyBytes;
    private final RequestMetrics metrics;
    private final Gate gate;

    public Router(int maxBodyBytes, RequestMetrics metrics, Gate gate) {
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
        this.gate = gate;
    }

    /** A GET route anyone may call, without a token (health, metrics). */
    public Router publicGet(String template, Endpoint endpoint) {
        add("GET", template, endpoint);
        find(template).open().add("GET");
        return this;
    }

    public Router get(String template, Endpoint endpoint) {
        return add("GET", template, endpoint);
    }

    public Router post(String template, Endpoint endpoint) {
        return add("POST", template, endpoint);
    }

    public Router patch(String template, Endpoint endpoint) {
        return add("PATCH", template, endpoint);
    }

    public Router delete(String template, Endpoint endpoint) {
        return add("DELETE", template, endpoint);
    }

    private Router add(String method, String template, Endpoint endpoint) {
        Route route = routes.stream().filter(r -> r.spec().getDeclaration().equals(template)).findFirst()
                .orElseGet(() -> {
                    Route created = new Route(new UriTemplatePathSpec(template), new LinkedHashMap<>(),
                            new HashSet<>());
                    routes.add(created);
                    return created;
                });
        route.byMethod().put(method, endpoint);
        return this;
    }

    private Route find(String template) {
        return routes.stream().filter(r -> r.spec().getDeclaration().equals(template)).findFirst().orElseThrow();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        long start = System.nanoTime();
        for (Route route : routes) {
            if (!route.spec().matches(path)) {
                continue;
            }
            observe(request, response, method, route.spec().getDeclaration(), start);
            Endpoint endpoint = route.byMethod().get(method);
            if (endpoint == null) {
                response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", route.byMethod().keySet()));
                new HttpExchange(request, response, callback, Map.of(), maxBodyBytes, null)
                        .error(405, "Method " + method + " is not allowed on " + path);
                return true;
            }
            HttpExchange exchange = null;
            try {
                Principal caller = route.open().contains(method) ? null : gate.authenticate(request, "http");
                exchange = new HttpExchange(request, response, callback, route.spec().getPathParams(path),
                        maxBodyBytes, caller);
                endpoint.handle(exchange);
            } catch (Throwable error) {
                ErrorMapper.Failure failure = ErrorMapper.map(error, method + " " + path);
                if (response.isCommitted()) {
                    callback.failed(error);
                } else {
                    (exchange != null ? exchange : new HttpExchange(request, response, callback, Map.of(), maxBodyBytes,
                            null)).error(failure.status(), failure.message());
                }
            }
            return true;
        }
        observe(request, response, method, "unmatched", start);
        new HttpExchange(request, response, callback, Map.of(), maxBodyBytes, null).error(404, "Not found: " + path);
        return true;
    }

    /** Records the request when it completes, so streams and long polls count with their final status. */
    private void observe(Request request, Response response, String method, String route, long start) {
        Request.addCompletionListener(request,
                failure -> metrics.record(method, route, response.getStatus(), System.nanoTime() - start));
    }
}
