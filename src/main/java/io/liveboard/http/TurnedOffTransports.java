package io.liveboard.http;

import io.liveboard.config.ClientTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses the transports {@code --transports} leaves out, before anything else looks at the request: 404
 * {@code {"error":"The <name> transport is turned off on this server"}}, so that a client falls back to the next
 * one and can say why. A WebSocket upgrade at {@code /} or {@code /ws} ({@code ws}; it reaches this handler only
 * when no WebSocket handler is in front), {@code GET}/{@code HEAD} of {@code /boards/{boardId}/events} and
 * {@code /events} ({@code sse}), {@code /boards/{boardId}/poll} ({@code longpoll}), {@code /boards/{boardId}/updates}
 * ({@code poll}). Other methods go on (a CORS preflight is answered as before, the refusal comes with the
 * request); REST reads and changes are never refused here.
 */
public final class TurnedOffTransports extends Handler.Wrapper {

    private record Refused(PathSpec path, String message) {
    }

    private static final Map<ClientTransport, List<String>> PATHS = Map.of(
            ClientTransport.WS, List.of("/", "/ws"),
            ClientTransport.SSE, List.of("/boards/{boardId}/events", "/events"),
            ClientTransport.LONGPOLL, List.of("/boards/{boardId}/poll"),
            ClientTransport.POLL, List.of("/boards/{boardId}/updates"));

    private final boolean websocketOff;
    private final List<Refused> refused = new ArrayList<>();

    /** Refuses every transport not in {@code on}; the rest goes to {@code next}. */
    public TurnedOffTransports(Set<ClientTransport> on, Handler next) {
        super(next);
        websocketOff = !on.contains(ClientTransport.WS);
        for (ClientTransport transport : ClientTransport.values()) {
            if (!on.contains(transport) && transport != ClientTransport.WS) {
                for (String template : PATHS.get(transport)) {
                    refused.add(new Refused(new UriTemplatePathSpec(template), message(transport)));
                }
            }
        }
    }

    /** {@code The websocket transport is turned off on this server}, and so on. */
    public static String message(ClientTransport transport) {
        return "The " + transport.label() + " transport is turned off on this server";
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method)) {
            String path = Request.getPathInContext(request);
            if (websocketOff && isUpgrade(request) && PATHS.get(ClientTransport.WS).contains(path)) {
                return refuse(request, response, callback, message(ClientTransport.WS));
            }
            for (Refused off : refused) {
                if (off.path().matches(path)) {
                    return refuse(request, response, callback, off.message());
                }
            }
        }
        return super.handle(request, response, callback);
    }

    private static boolean isUpgrade(Request request) {
        String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
    }

    private static boolean refuse(Request request, Response response, Callback callback, String message) {
        new HttpExchange(request, response, callback, Map.of(), 0, null).error(404, message);
        return true;
    }
}
