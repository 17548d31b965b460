package io.liveboard.http;

import io.liveboard.auth.Principal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes requests by method and URI template ({@code /tasks/{taskId}}), in the order routes were added.
 * A path no route matches is a JSON 404; a known path with another method is a JSON 405 with {@code Allow}.
 * {@code HEAD} is answered by the {@code GET} route (Jetty sends no body); {@code OPTIONS} answers 204 with
 * {@code Allow}, or, for a CORS preflight, 204 if the origin is allowed (the CORS handler in front has added
 * its headers) and 403 if not. A state-changing request ({@code POST}, {@code PUT}, {@code PATCH},
 * {@code DELETE}) from a browser origin the {@link OriginPolicy} does not allow is refused with 403 before
 * anything else. Every route but the public ones ({@link #publicGet}) then authenticates its caller through
 * the {@link Gate}: 401 {@code {"error":"Unauthorized"}} (or {@code "Token expired"}) when that fails.
 */
public final class Router extends Handler.Abstract {

    private record Route(UriTemplatePathSpec spec, Map<String, Endpoint> byMethod, Set<String> open) {
    }

    static final String ORIGIN_NOT_ALLOWED = "Origin not allowed";
    /** Methods that change something: refused from a browser origin that is not allowed. */
    private static final Set<String> CHANGES = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final List<Route> routes = new ArrayList<>();
    private final int maxBodyBytes;
    private final RequestMetrics metrics;
    private final Gate gate;
    private final OriginPolicy origins;

    /** {@code origins} decides which browser origins may change data and pass a CORS preflight. */
    public Router(int maxBodyBytes, RequestMetrics metrics, Gate gate, OriginPolicy origins) {
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
        this.gate = gate;
        this.origins = origins;
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
            if (method.equals("OPTIONS")) {
                options(route, request, response, callback);
                return true;
            }
            String routed = method.equals("HEAD") ? "GET" : method;
            Endpoint endpoint = route.byMethod().get(routed);
            if (endpoint == null) {
                response.getHeaders().put(HttpHeader.ALLOW, allow(route));
                exchange(request, response, callback).error(405, "Method " + method + " is not allowed on " + path);
                return true;
            }
            HttpExchange exchange = null;
            try {
                if (CHANGES.contains(method) && !origins.allows(request.getHeaders().get(HttpHeader.ORIGIN))) {
                    throw new HttpException(403, ORIGIN_NOT_ALLOWED);
                }
                Principal caller = route.open().contains(routed) ? null : gate.authenticate(request, "http");
                exchange = new HttpExchange(request, response, callback, route.spec().getPathParams(path),
                        maxBodyBytes, caller);
                endpoint.handle(exchange);
            } catch (Throwable error) {
                ErrorMapper.Failure failure = ErrorMapper.map(error, method + " " + path);
                if (response.isCommitted()) {
                    callback.failed(error);
                } else {
                    (exchange != null ? exchange : exchange(request, response, callback)).error(failure.status(),
                            failure.message());
                }
            }
            return true;
        }
        observe(request, response, method, "unmatched", start);
        exchange(request, response, callback).error(404, "Not found: " + path);
        return true;
    }

    /** A CORS preflight (204 for an allowed origin, 403 otherwise) or a plain question (204 with {@code Allow}). */
    private void options(Route route, Request request, Response response, Callback callback) {
        HttpFields headers = request.getHeaders();
        if (headers.contains(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD)
                && !origins.allows(headers.get(HttpHeader.ORIGIN))) {
            exchange(request, response, callback).error(403, ORIGIN_NOT_ALLOWED);
            return;
        }
        response.getHeaders().put(HttpHeader.ALLOW, allow(route));
        exchange(request, response, callback).noContent();
    }

    /** The route's methods, with HEAD beside GET, and OPTIONS. */
    private static String allow(Route route) {
        Set<String> methods = new LinkedHashSet<>();
        for (String method : route.byMethod().keySet()) {
            methods.add(method);
            if (method.equals("GET")) {
                methods.add("HEAD");
            }
        }
        methods.add("OPTIONS");
        return String.join(", ", methods);
    }

    private HttpExchange exchange(Request request, Response response, Callback callback) {
        return new HttpExchange(request, response, callback, Map.of(), maxBodyBytes, null);
    }

    /** Records the request when it completes, so streams and long polls count with their final status. */
    private void observe(Request request, Response response, String method, String route, long start) {
        Request.addCompletionListener(request,
                failure -> metrics.record(method, route, response.getStatus(), System.nanoTime() - start));
    }
}
