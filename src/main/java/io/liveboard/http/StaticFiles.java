package io.liveboard.http;

import io.liveboard.board.BoardIds;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.compression.gzip.GzipCompression;
import org.eclipse.jetty.compression.server.CompressionHandler;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.http.content.HttpContent;
import org.eclipse.jetty.http.content.ResourceHttpContentFactory;
import org.eclipse.jetty.http.content.ValidatingCachingHttpContentFactory;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ResourceService;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser's files, in front of the routes: every file of the folder ({@code web/} on the class path, or a
 * folder on disk) at its own path ({@code /app.js}, {@code /css/board.css}), {@code /} as {@code index.html} and
 * {@code /b/{boardId}} (a valid board id) as {@code board.html}. Only {@code GET} and {@code HEAD}, and no token;
 * every other request, and a path that is no file of the folder (a folder itself, an invalid board id, a name
 * that was not there at the start), goes on to {@code next} unchanged, whose answer for an unknown path is the
 * JSON 404.
 *
 * <p>Jetty serves them ({@link ResourceService}): {@code Last-Modified}, {@code If-None-Match} and
 * {@code If-Modified-Since} answered 304, ranges, {@code HEAD}; {@code Cache-Control: no-cache}, so a browser
 * asks again each time and a new jar is seen at once, with an ETag made from the file's bytes
 * ({@link ContentHashEtags}); text types with {@code charset=utf-8}; gzip when the client accepts it, through
 * Jetty's {@link CompressionHandler}, which only these files pass through (never an event stream or a poll).
 * The HTML pages carry a Content-Security-Policy that admits the same origin only ({@link #POLICY}).
 *
 * <p>The set of files is read once, at construction: a request can reach nothing else. A file's content is
 * cached, and read again when its time changes (a folder on disk being edited).
 */
public final class StaticFiles extends Handler.AbstractContainer {

    private static final Logger LOG = LoggerFactory.getLogger(StaticFiles.class);

    /**
     * Scripts, styles, images, fonts and connections (fetch, EventSource, WebSocket) from this origin only, images
     * also as {@code data:}; no inline script or style, no plugin, no frame around the page, no {@code <base>}.
     */
    public static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'";

    private static final String INDEX = "/index.html";
    private static final String BOARD_PAGE = "/board.html";
    private static final String BOARD_PREFIX = "/b/";
    /** How often a cached file's time is looked at, to see an edited file on disk. */
    private static final Duration REVALIDATE = Duration.ofSeconds(1);
    private static final List<String> UTF8_TYPES = List.of("html=text/html", "htm=text/html", "js=text/javascript",
            "mjs=text/javascript", "css=text/css", "svg=image/svg+xml", "json=application/json",
            "webmanifest=application/manifest+json", "txt=text/plain", "map=application/json");

    private final Resource folder;
    private final Set<String> files;
    private final ResourceService service = new ResourceService() {
        @Override
        protected void writeHttpError(Request request, Response response, Callback callback, int status) {
            if (status == HttpStatus.NOT_MODIFIED_304) {
                // a 304 keeps the headers the 200 would have (no-cache, the ETag), not an error's (no-store)
                response.setStatus(status);
                callback.succeeded();
            } else {
                super.writeHttpError(request, response, callback, status);
            }
        }
    };
    private final Handler compressed;
    private final Handler next;

    private StaticFiles(Resource folder, ResourceFactory resources, Handler next) {
        this.folder = folder;
        this.next = next;
        this.files = folder == null ? Set.of() : list(folder);
        service.setDirAllowed(false);
        service.setEtags(true);
        service.setAcceptRanges(true);
        service.setCacheControl("no-cache");
        service.setWelcomeFactory((content, request) -> null);
        CompressionHandler compression = new CompressionHandler(new Handler.Abstract() {
            // blocking: the first read of a file (its hash, the cache) reads the jar or the disk
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                HttpContent content = content(request);
                if (content == null) {
                    return false;
                }
                service.doGet(request, response, callback, content);
                return true;
            }
        });
        compression.putCompression(new GzipCompression());
        compressed = compression;
        addBean(resources, true);
        addBean(service, true);
        addBean(compressed, true);
        addBean(next, true);
    }

    /**
     * The files of {@code folder} on the class path (in the jar: {@code web/}), as the thread's class loader (else
     * this class's) finds it first: one folder, never a blend of every jar's; none if there is no such folder.
     */
    public static StaticFiles fromClassPath(String folder, Handler next) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        URL url = (loader != null ? loader : StaticFiles.class.getClassLoader()).getResource(folder + "/");
        ResourceFactory.LifeCycle resources = ResourceFactory.lifecycle();
        Resource base = null;
        try {
            base = url == null ? null : resources.newResource(url.toURI());
        } catch (URISyntaxException e) {
            LOG.warn("The class path folder {} is at a strange address {}", folder, url, e);
        }
        if (base == null || !base.isDirectory()) {
            LOG.warn("No folder {} on the class path: the browser page is not served", folder);
            base = null;
        }
        return new StaticFiles(base, resources, next);
    }

    /** The files of a folder on disk, read as they change (for working on the page without building a jar). */
    public static StaticFiles fromFolder(Path folder, Handler next) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("not a folder: " + folder);
        }
        ResourceFactory.LifeCycle resources = ResourceFactory.lifecycle();
        return new StaticFiles(resources.newResource(folder.toAbsolutePath().normalize()), resources, next);
    }

    @Override
    protected void doStart() throws Exception {
        if (folder != null) {
            MimeTypes.Mutable types = new MimeTypes.Mutable(MimeTypes.DEFAULTS);
            for (String mapping : UTF8_TYPES) {
                int eq = mapping.indexOf('=');
                types.addMimeMapping(mapping.substring(0, eq), mapping.substring(eq + 1) + "; charset=utf-8");
            }
            ByteBufferPool.Sized buffers = new ByteBufferPool.Sized(getServer().getByteBufferPool());
            HttpContent.Factory contents = new ResourceHttpContentFactory(folder, types, buffers);
            service.setHttpContentFactory(new ValidatingCachingHttpContentFactory(new ContentHashEtags(contents),
                    REVALIDATE.toMillis(), buffers));
        }
        super.doStart();
    }

    @Override
    public List<Handler> getHandlers() {
        return List.of(compressed, next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            return next.handle(request, response, callback);
        }
        String file = file(Request.getPathInContext(request));
        if (file == null) {
            return next.handle(request, response, callback);
        }
        if (file.endsWith(".html")) {
            response.getHeaders().put("Content-Security-Policy", POLICY);
        }
        return compressed.handle(request, response, callback);
    }

    /** The file a request asks for, or null when it asks for none of the folder's. */
    private String file(String path) {
        String file = path;
        if (path.equals("/")) {
            file = INDEX;
        } else if (path.startsWith(BOARD_PREFIX)) {
            file = BoardIds.valid(path.substring(BOARD_PREFIX.length())) ? BOARD_PAGE : null;
        }
        return file != null && files.contains(file) ? file : null;
    }

    private HttpContent content(Request request) throws IOException {
        String file = file(Request.getPathInContext(request));
        return file == null ? null : service.getHttpContentFactory().getContent(file);
    }

    /** The paths ({@code /app.js}, {@code /css/board.css}) of the regular files in {@code folder} and below. */
    private static Set<String> list(Resource folder) {
        Set<String> paths = new TreeSet<>();
        for (Resource resource : folder.getAllResources()) {
            if (resource.isDirectory() || !resource.isReadable() || resource.isAlias()) {
                continue; // an alias: a link or another spelling of a name, which could lead out of the folder
            }
            Path relative = folder.getPathTo(resource);
            if (relative == null) {
                continue;
            }
            StringBuilder path = new StringBuilder();
            relative.forEach(name -> path.append('/').append(name));
            paths.add(path.toString());
        }
        return paths;
    }
}
