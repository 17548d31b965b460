package io.liveboard.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The static files' test pages ({@code src/test/resources/web-fixture/}: a page whose script opens a WebSocket, an
 * EventSource and a fetch, a board page, a CSP probe, a script, a style sheet, an icon, a file in a folder), copied
 * to a new folder that a test may change and serve with {@code Config.Builder.webRoot}.
 */
public final class WebFixture {

    private WebFixture() {
    }

    public static Path copy() {
        try {
            Path from = Path.of(WebFixture.class.getClassLoader().getResource("web-fixture").toURI());
            Path to = Files.createTempDirectory("liveboard-web").resolve("web");
            try (Stream<Path> files = Files.walk(from)) {
                for (Path source : files.toList()) {
                    Path target = to.resolve(from.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target);
                    }
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
