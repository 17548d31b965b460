package io.liveboard.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's build, as a newcomer runs it: {@code ./mvnw package} in a fresh copy of the project, then once
 * more in the used tree, prints no warning of ours (no shading of an already shaded jar, no deprecated API), and
 * leaves a runnable {@code target/liveboard.jar}. Runs Maven in a child process on a copy of the sources (the
 * tests are left out to keep it short).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class QuietBuildTest {

    @TempDir
    Path copy;

    @Test
    void packagingTwiceWarnsOfNothing() throws Exception {
        Path project = Path.of("").toAbsolutePath();
        copyTree(project.resolve("src/main"), copy.resolve("src/main"));
        copyTree(project.resolve(".mvn"), copy.resolve(".mvn"));
        Files.copy(project.resolve("pom.xml"), copy.resolve("pom.xml"));
        Files.copy(project.resolve("mvnw"), copy.resolve("mvnw"), StandardCopyOption.COPY_ATTRIBUTES);

        for (String build : List.of("from a clean tree", "in the used tree")) {
            String output = maven("package", "-DskipTests");
            List<String> warnings = output.lines().filter(line -> line.contains("[WARNING]")).toList();
            assertEquals(List.of(), warnings, "warnings " + build + ":\n" + output);
            assertTrue(output.contains("BUILD SUCCESS"), build + ":\n" + output);
            long size = Files.size(copy.resolve("target/liveboard.jar"));
            assertTrue(size > 5_000_000, "target/liveboard.jar holds its dependencies " + build + ": " + size);
        }
    }

    private String maven(String... goals) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("./mvnw", "-B"));
        command.addAll(List.of(goals));
        ProcessBuilder builder = new ProcessBuilder(command).directory(copy.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(240, TimeUnit.SECONDS), "maven did not finish");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), text);
        return text;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}
