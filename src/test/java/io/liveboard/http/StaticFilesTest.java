package io.liveboard.http;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.liveboard.auth.AuthMode;
import io.liveboard.json.Json;
import io.liveboard.support.Await;
import io.liveboard.support.Http;
import io.liveboard.support.SseClient;
import io.liveboard.support.TestServer;
import io.liveboard.support.WebFixture;
import io.liveboard.support.WsClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The page's files (issue 11): served from a copy of {@code src/test/resources/web-fixture/} through
 * {@code --web-root}, from the class path as the jar serves them, and from jars made here; with ETags, 304,
 * gzip for them only, the CSP on pages, and the WebSocket at {@code /} and the event streams as they were.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StaticFilesTest {

    private static final Duration QUICK = Duration.ofSeconds(5);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(QUICK).build();

    private static Path web;
    private static TestServer server;
    private static Http http;

    /** A response with its body as bytes, exactly as sent (no client decompresses anything here). */
    private record Got(int status, HttpResponse<byte[]> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        byte[] body() {
            return raw.body();
        }

        String text() {
            return new String(raw.body(), StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return Json.parse(text());
            } catch (IOException e) {
                throw new AssertionError("Not JSON: " + text(), e);
            }
        }
    }

    @BeforeAll
    static void start() {
        web = WebFixture.copy();
        server = TestServer.start(TestServer.fastConfig().toBuilder().webRoot(web).build());
        http = new Http(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theRootIsTheIndexPageWithItsPolicyAndCharset() throws IOException {
        Got got = get(server, "/", Map.of());

        assertEquals(200, got.status());
        assertArrayEquals(Files.readAllBytes(web.resolve("index.html")), got.body());
        assertAll(
                () -> assertType("text/html", got.header("Content-Type")),
                () -> assertEquals(StaticFiles.POLICY, got.header("Content-Security-Policy")),
                () -> assertEquals("no-cache", got.header("Cache-Control")),
                () -> assertEquals("nosniff", got.header("X-Content-Type-Options")),
                () -> assertTrue(Pattern.matches("\"[0-9a-f]{32}\"", got.header("ETag")), got.header("ETag")),
                () -> assertNotNull(got.header("Last-Modified")));
        assertTrue(StaticFiles.POLICY.contains("frame-ancestors 'none'") && StaticFiles.POLICY.contains("base-uri 'none'")
                && StaticFiles.POLICY.contains("connect-src 'self'"), StaticFiles.POLICY);
    }

    @Test
    void everyFileIsServedAtItsPathWithItsTypeByteForByte() throws IOException {
        Map<String, String> types = Map.of("/app.js", "text/javascript", "/app.css", "text/css",
                "/icon.svg", "image/svg+xml", "/folder/nested.js", "text/javascript", "/board.html", "text/html",
                "/index.html", "text/html");
        for (Map.Entry<String, String> entry : types.entrySet()) {
            String path = entry.getKey();
            Got got = get(server, path, Map.of());
            assertEquals(200, got.status(), path);
            assertArrayEquals(Files.readAllBytes(web.resolve(path.substring(1))), got.body(), path);
            assertType(entry.getValue(), got.header("Content-Type"));
            assertEquals(path.endsWith(".html") ? StaticFiles.POLICY : null, got.header("Content-Security-Policy"),
                    path);
        }
        assertTrue(get(server, "/app.js", Map.of()).text().contains("“ünïcödé”"), "UTF-8 sent as it is");
    }

    @Test
    void aBoardAddressIsTheBoardPageForAValidIdOnly() throws IOException {
        byte[] board = Files.readAllBytes(web.resolve("board.html"));
        for (String id : List.of("board-1", "A_z-9", "x".repeat(128), "no-such-board")) {
            Got got = get(server, "/b/" + id, Map.of());
            assertEquals(200, got.status(), id);
            assertArrayEquals(board, got.body(), id);
            assertEquals(StaticFiles.POLICY, got.header("Content-Security-Policy"));
        }
        for (String path : List.of("/b/bad!id", "/b/" + "x".repeat(129), "/b/", "/b", "/b/board-1/more")) {
            assertJsonNotFound(path, get(server, path, Map.of()));
        }
    }

    @Test
    void anETagIsAnsweredWith304UntilTheFileChanges() throws Exception {
        Got first = get(server, "/app.css", Map.of());
        String etag = first.header("ETag");

        Got again = get(server, "/app.css", Map.of("If-None-Match", etag));
        assertEquals(304, again.status());
        assertEquals(0, again.body().length);
        assertEquals(etag, again.header("ETag"));
        assertEquals("no-cache", again.header("Cache-Control"), "a 304 keeps the 200's caching headers");
        assertEquals(200, get(server, "/app.css", Map.of("If-None-Match", "\"something-else\"")).status());

        // the same length, a new content: the ETag is made from the bytes
        Path css = web.resolve("app.css");
        String changed = Files.readString(css).replace("2rem", "3rem");
        Files.writeString(css, changed);
        Files.setLastModifiedTime(css, FileTime.from(Instant.now().plusSeconds(5)));
        Await.until("the edited file is served", () -> get(server, "/app.css", Map.of()).text().equals(changed));

        Got edited = get(server, "/app.css", Map.of("If-None-Match", etag));
        assertEquals(200, edited.status(), "the old ETag no longer matches");
        assertEquals(changed, edited.text());
        assertNotEquals(etag, edited.header("ETag"));
    }

    @Test
    void gzipWhenAskedForTheSameBytesAndNotOtherwise() throws IOException {
        byte[] file = Files.readAllBytes(web.resolve("app.js"));

        Got zipped = get(server, "/app.js", Map.of("Accept-Encoding", "gzip"));
        assertEquals(200, zipped.status());
        assertEquals("gzip", zipped.header("Content-Encoding"));
        assertTrue(Requests.itemsLowerCase(String.join(",", zipped.raw().headers().allValues("Vary")))
                .contains("accept-encoding"), zipped.raw().headers().toString());
        assertTrue(zipped.body().length < file.length, "compressed: " + zipped.body().length + " < " + file.length);
        assertArrayEquals(file, gunzip(zipped.body()));
        assertType("text/javascript", zipped.header("Content-Type"));

        Got revalidated = get(server, "/app.js", Map.of("Accept-Encoding", "gzip",
                "If-None-Match", zipped.header("ETag")));
        assertEquals(304, revalidated.status(), "the gzip answer's ETag: " + zipped.header("ETag"));

        Got plain = get(server, "/app.js", Map.of());
        assertNull(plain.header("Content-Encoding"));
        assertEquals(String.valueOf(file.length), plain.header("Content-Length"));
        assertArrayEquals(file, plain.body());
    }

    @Test
    void headAnswersLikeGetWithoutABody() {
        Got get = get(server, "/", Map.of());
        Requests.Raw head = Requests.rawClose(server, "HEAD", "/", QUICK);

        assertEquals(200, head.status());
        assertEquals(0, head.rest().length, "no body after the headers");
        assertEquals(get.header("Content-Type"), head.header("Content-Type"));
        assertEquals(get.header("ETag"), head.header("ETag"));
        assertEquals(get.header("Content-Length"), head.header("Content-Length"));
        assertEquals(StaticFiles.POLICY, head.header("Content-Security-Policy"));
    }

    @Test
    void aRangeIsServed() {
        Got range = get(server, "/app.css", Map.of("Range", "bytes=0-3"));
        assertEquals(206, range.status());
        assertEquals("/* T", range.text());
    }

    @Test
    void unknownPathsFoldersAndWaysOutOfTheFolderAreTheJson404() {
        for (String path : List.of("/nope", "/nope.js", "/folder", "/folder/", "/app.js/", "/web/index.html",
                "/jetty-dir.css", "/META-INF/MANIFEST.MF", "/io/liveboard/App.class", "/simplelogger.properties")) {
            assertJsonNotFound(path, get(server, path, Map.of()));
        }
        // written by hand: a client would tidy these paths before sending them
        String outside = web.getParent().getFileName() + "/" + web.getFileName();
        for (String path : List.of("/../pom.xml", "/folder/../../pom.xml", "/folder/../../" + outside + "/app.js", "/%2e%2e/pom.xml",
                "/folder/..%2f..%2fpom.xml", "/folder/%2e%2e/%2e%2e/etc/passwd", "/..;/app.js", "/app.js%00")) {
            Requests.Raw raw = Requests.rawClose(server, "GET", path, QUICK);
            String body = new String(raw.rest(), StandardCharsets.UTF_8);
            assertTrue(raw.status() == 400 || raw.status() == 404, path + " → " + raw.status() + " " + body);
            assertTrue(body.contains("\"error\""), path + " → " + body);
            assertFalse(body.contains("<svg") || body.contains("show("), path + " → " + body);
        }
    }

    @Test
    void onlyGetAndHeadAreServedOtherMethodsGoToTheRoutes() {
        Http.Reply post = http.post("/app.js", "{}");
        assertEquals(404, post.status(), post.body());
        assertEquals(Requests.error("Not found: /app.js"), post.json());
        Http.Reply delete = http.delete("/");
        assertEquals(404, delete.status(), delete.body());
        assertEquals(Requests.error("Not found: /"), delete.json());
    }

    @Test
    void theWebSocketAtTheRootAndAtWsStillJoins() {
        for (String path : List.of("/", "/ws")) {
            try (WsClient client = WsClient.connect(server, path)) {
                JsonNode joined = client.join("board-1");
                assertEquals("joined", joined.path("type").asText(), path + ": " + joined);
                assertEquals("board-1", joined.path("boardId").asText());
            }
        }
    }

    @Test
    void eventStreamsPollsAndJsonAreNeverCompressed() {
        Map<String, String> gzip = Map.of("Accept-Encoding", "gzip");
        try (SseClient stream = SseClient.open(server, "/boards/board-1/events", gzip)) {
            assertEquals(200, stream.status());
            assertNull(stream.header("Content-Encoding"));
            assertTrue(stream.header("Content-Type").startsWith("text/event-stream"), stream.header("Content-Type"));
            stream.await(e -> e.data() != null && e.json().path("type").asText().equals("connected"));
            String taskId = http.createTask("list-todo", "Streamed at once").path("id").asText();
            SseClient.Event created = stream.await(e -> e.event().equals("task_created"), QUICK);
            assertEquals(taskId, created.json().path("task").path("id").asText());
            assertFalse(stream.ended(), "the event came while the stream is open: not held back by a compressor");
        }
        for (String path : List.of("/boards/board-1/poll?after=0", "/boards/board-1/updates", "/boards", "/healthz")) {
            Got got = get(server, path, gzip);
            assertEquals(200, got.status(), path);
            assertNull(got.header("Content-Encoding"), path);
            assertNotNull(got.json(), path);
        }
    }

    @Test
    void theFilesNeedNoTokenWhenTheRoutesDo() {
        Path db = TestServer.sqliteFile(TestServer.fastConfig());
        try (TestServer guarded = TestServer.start(TestServer.fastConfig(db).toBuilder().webRoot(web)
                .auth(AuthMode.TOKEN).jwtSecret("s".repeat(32)).build())) {
            assertEquals(200, get(guarded, "/", Map.of()).status());
            assertEquals(200, get(guarded, "/b/board-1", Map.of()).status());
            assertEquals(200, get(guarded, "/app.js", Map.of()).status());
            assertEquals(401, get(guarded, "/boards", Map.of()).status());
        }
    }

    @Test
    void theJarsPageIsServedFromTheClassPath() throws IOException {
        assertNotNull(getClass().getClassLoader().getResource("web/board.html"), "the board page is on the class path");
        try (TestServer plain = TestServer.start()) {
            for (String path : List.of("/", "/b/board-1")) {
                Got got = get(plain, path, Map.of());
                String file = path.equals("/") ? "web/index.html" : "web/board.html";
                assertEquals(200, got.status(), path);
                assertType("text/html", got.header("Content-Type"));
                assertEquals(StaticFiles.POLICY, got.header("Content-Security-Policy"));
                try (InputStream in = getClass().getClassLoader().getResourceAsStream(file)) {
                    assertNotNull(in, file);
                    assertArrayEquals(in.readAllBytes(), got.body(), path);
                }
            }
            assertJsonNotFound("/web-fixture/app.js", get(plain, "/web-fixture/app.js", Map.of()));
        }
    }

    /**
     * Two jars whose {@code web/index.html} have one length and one time, as a build makes them, and different
     * bytes: the second one's ETag differs, and the first one's is no longer answered 304.
     */
    @Test
    void aNewJarWithAFileOfTheSameTimeAndLengthHasANewETag() throws Exception {
        Path folder = Files.createTempDirectory("liveboard-jars");
        Instant time = Instant.parse("2026-01-01T00:00:00Z");
        Path first = jar(folder.resolve("first.jar"), "<!doctype html><title>A</title>", time);
        Path second = jar(folder.resolve("second.jar"), "<!doctype html><title>B</title>", time);
        Path db = TestServer.sqliteFile(TestServer.fastConfig());

        String firstTag;
        try (TestServer fromJar = startWithClassPath(first, db)) {
            Got got = get(fromJar, "/", Map.of());
            assertEquals("<!doctype html><title>A</title>", got.text());
            firstTag = got.header("ETag");
            assertEquals(304, get(fromJar, "/", Map.of("If-None-Match", firstTag)).status());
            Got zipped = get(fromJar, "/", Map.of("Accept-Encoding", "gzip"));
            assertArrayEquals("<!doctype html><title>A</title>".getBytes(StandardCharsets.UTF_8),
                    "gzip".equals(zipped.header("Content-Encoding")) ? gunzip(zipped.body()) : zipped.body());
        }
        try (TestServer fromJar = startWithClassPath(second, db)) {
            Got got = get(fromJar, "/", Map.of("If-None-Match", firstTag));
            assertEquals(200, got.status(), "the old jar's ETag must not match the new file");
            assertEquals("<!doctype html><title>B</title>", got.text());
            assertNotEquals(firstTag, got.header("ETag"));
        }
    }

    /** The app started with {@code jar} as the class path its thread sees first (as {@code java -jar} would). */
    private static TestServer startWithClassPath(Path jar, Path db) throws IOException {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                null)) {
            thread.setContextClassLoader(loader);
            return TestServer.start(TestServer.fastConfig(db));
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    private static Path jar(Path file, String index, Instant time) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                JarOutputStream jar = new JarOutputStream(out)) {
            for (String name : List.of("web/", "web/index.html")) {
                JarEntry entry = new JarEntry(name);
                entry.setTime(time.toEpochMilli());
                jar.putNextEntry(entry);
                if (!name.endsWith("/")) {
                    jar.write(index.getBytes(StandardCharsets.UTF_8));
                }
                jar.closeEntry();
            }
        }
        return file;
    }

    private static void assertJsonNotFound(String path, Got got) {
        assertEquals(404, got.status(), path + ": " + got.text());
        assertTrue(got.header("Content-Type").startsWith("application/json"), path + ": " + got.header("Content-Type"));
        assertTrue(got.json().path("error").asText().startsWith("Not found"), path + ": " + got.text());
    }

    /** {@code type} with {@code charset=utf-8} (Jetty writes it without a space after the semicolon). */
    private static void assertType(String type, String contentType) {
        assertNotNull(contentType);
        assertTrue(Pattern.compile(Pattern.quote(type) + ";\\s*charset=utf-8", Pattern.CASE_INSENSITIVE)
                .matcher(contentType).matches(), contentType);
    }

    private static Got get(TestServer target, String path, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(new URI(target.http(path))).timeout(QUICK).GET();
            headers.forEach(request::header);
            HttpResponse<byte[]> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Got(response.statusCode(), response);
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        } catch (URISyntaxException | InterruptedException e) {
            throw new IllegalStateException("GET " + path, e);
        }
    }

    private static byte[] gunzip(byte[] bytes) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }
}
