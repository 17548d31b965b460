package io.liveboard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real program, {@code java -cp <test class path> io.liveboard.Main …}, as a child process with a chosen
 * environment, and checks what a user sees: the exit code, stdout and stderr (slf4j-simple logs to stderr).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MainProcessTest {

    private static final String HINT = "Run 'java -jar target/liveboard.jar --help' for the options.";
    private static final long RUN_SECONDS = 20;

    @TempDir
    Path tmp;

    /** What a finished child left: its exit code and what it printed. */
    private record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    @Test
    void helpPrintsTheUsageNamingTheTokenCommand() throws Exception {
        Run run = run(Map.of(), "--help");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("Usage:"), run.toString());
        assertTrue(run.out().contains("token --help"), run.toString());
        assertEquals("", run.err(), run.toString());
    }

    @Test
    void tokenHelpPrintsTheTokenUsage() throws Exception {
        Run run = run(Map.of(), "token", "--help");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().startsWith("Usage: java -jar target/liveboard.jar token "), run.toString());
        assertEquals("", run.err(), run.toString());
    }

    @Test
    void anUnknownLastFlagIsOneLineAndTheHint() throws Exception {
        Run run = run(Map.of(), "--bogus");
        assertEquals(2, run.exit(), run.toString());
        assertEquals(List.of("liveboard: Unknown option: --bogus", HINT), run.errLines(), run.toString());
        assertEquals("", run.out(), run.toString());
    }

    @Test
    void anUnknownFlagAfterAGoodOneIsOneLineAndTheHint() throws Exception {
        Run run = run(Map.of(), "--port", "1", "--bogus");
        assertEquals(2, run.exit(), run.toString());
        assertEquals(List.of("liveboard: Unknown option: --bogus", HINT), run.errLines(), run.toString());
        assertEquals("", run.out(), run.toString());
    }

    @Test
    void aBadPortVariableIsNamedWithTheHint() throws Exception {
        Run run = run(Map.of("PORT", "xyz"));
        assertEquals(2, run.exit(), run.toString());
        assertEquals(List.of("liveboard: PORT must be a whole number, got 'xyz'", HINT), run.errLines(),
                run.toString());
    }

    @Test
    void anUnknownTransportIsOneLineAndTheHint() throws Exception {
        Run run = run(Map.of(), "--transports", "ws,x");
        assertEquals(2, run.exit(), run.toString());
        assertEquals(List.of("liveboard: --transports: unknown transport 'x' (ws, sse, longpoll, poll)", HINT),
                run.errLines(), run.toString());
    }

    @Test
    void aPortInUseExitsOneAndCreatesNoDatabase() throws Exception {
        Path folder = tmp.resolve("sub");
        Path db = folder.resolve("liveboard.db");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            long started = System.nanoTime();
            Run run = run(Map.of(), "--host", "127.0.0.1", "--port", String.valueOf(port), "--db", db.toString());
            assertEquals(1, run.exit(), run.toString());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(RUN_SECONDS), run.toString());
            // slf4j-simple logs go to stderr too, so the message is looked for as a line of its own
            String prefix = "liveboard: cannot listen on port " + port + ": ";
            assertTrue(run.errLines().stream().anyMatch(line -> line.startsWith(prefix)),
                    "no line starting with '" + prefix + "' in\n" + run);
            assertFalse(Files.exists(db), "the database was created by a start that failed\n" + run);
            assertFalse(Files.exists(folder), "the database folder was created by a start that failed\n" + run);
        }
    }

    @Test
    void aDatabaseFolderUnderARegularFileIsRefusedSayingWhy() throws Exception {
        Path file = Files.createFile(tmp.resolve("f"));
        Path db = file.resolve("sub").resolve("liveboard.db");
        Run run = run(Map.of(), "--port", "0", "--host", "127.0.0.1", "--db", db.toString());
        assertEquals(1, run.exit(), run.toString());
        String line = line(run, "liveboard: Cannot open the database");
        assertTrue(line.toLowerCase().contains("not a directory"), "no reason in: " + line + "\n" + run);
    }

    @Test
    void aDatabaseWhoseFolderIsARegularFileIsRefusedSayingWhy() throws Exception {
        // the folder itself is a file: Files.createDirectories fails with a message that is only the path
        Path file = Files.createFile(tmp.resolve("f"));
        Path db = file.resolve("liveboard.db");
        Run run = run(Map.of(), "--port", "0", "--host", "127.0.0.1", "--db", db.toString());
        assertEquals(1, run.exit(), run.toString());
        String line = line(run, "liveboard: Cannot open the database");
        assertTrue(line.toLowerCase().contains("not a directory"), "no reason in: " + line + "\n" + run);
    }

    @Test
    void aDatabaseFolderThatCannotBeWrittenIsRefusedSayingWhy() throws Exception {
        // Tests run as root in CI, so chmod cannot make a folder unwritable; sysfs refuses new files even to root
        // (EACCES, or EROFS where /sys is mounted read-only, as in most containers).
        Path sys = Path.of("/sys");
        assumeTrue(Files.isDirectory(sys) && !canCreateIn(sys), "needs a Linux /sys that refuses new files");
        Path db = sys.resolve("liveboard.db");
        Run run = run(Map.of(), "--port", "0", "--host", "127.0.0.1", "--db", db.toString());
        assertEquals(1, run.exit(), run.toString());
        String line = line(run, "liveboard: Cannot open the database");
        assertTrue(Pattern.compile("not writable|permission denied|access denied|not permitted|read-only",
                Pattern.CASE_INSENSITIVE).matcher(line).find(), "no reason in: " + line + "\n" + run);
    }

    @Test
    void theStartLineTellsThePidAndTheLimits() throws Exception {
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process process = start(Map.of(), out, err, "--port", "0", "--host", "127.0.0.1", "--db",
                tmp.resolve("db").resolve("liveboard.db").toString());
        try {
            String line = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_SECONDS);
            while (line == null && System.nanoTime() < deadline && process.isAlive()) {
                line = Files.readAllLines(err, StandardCharsets.UTF_8).stream()
                        .filter(l -> l.contains("Liveboard listening on port")).findFirst().orElse(null);
                if (line == null) {
                    Thread.sleep(50);
                }
            }
            if (line == null) {
                line = Files.readAllLines(err, StandardCharsets.UTF_8).stream()
                        .filter(l -> l.contains("Liveboard listening on port")).findFirst().orElse(null);
            }
            assertNotNull(line, "no start line; alive=" + process.isAlive() + "\n" + Files.readString(err));
            assertTrue(Pattern.compile("pid=" + process.pid() + "(?!\\d)").matcher(line).find(),
                    "'pid=" + process.pid() + "' missing from: " + line);
            for (String expected : new String[] {"allowed-origins=any", "ws-rate=100/s", "max-connections=",
                    "max-connections-per-ip=1000", "header-timeout=5s", "transports=ws,sse,longpoll,poll"}) {
                assertTrue(line.contains(expected), "'" + expected + "' missing from: " + line);
            }
            process.destroy(); // SIGTERM: the shutdown hook stops the server
            assertTrue(process.waitFor(RUN_SECONDS, TimeUnit.SECONDS),
                    "still running after SIGTERM\n" + Files.readString(err));
        } finally {
            kill(process);
        }
    }

    private static String line(Run run, String start) {
        return run.errLines().stream().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + start + "' in\n" + run));
    }

    private static boolean canCreateIn(Path folder) {
        try {
            Files.delete(Files.createTempFile(folder, "liveboard-probe", ""));
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Runs Main to its end (at most {@link #RUN_SECONDS}); the child is killed whatever happens. */
    private Run run(Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process process = start(env, out, err, args);
        try {
            assertTrue(process.waitFor(RUN_SECONDS, TimeUnit.SECONDS),
                    "still running after " + RUN_SECONDS + " s\n" + Files.readString(err));
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            kill(process);
        }
    }

    /** Starts Main with the test's own java and class path, no PORT nor LIVEBOARD_* but those given. */
    private static Process start(Map<String, String> env, Path out, Path err, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.liveboard.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.equals("PORT") || name.startsWith("LIVEBOARD_"));
        builder.environment().putAll(env);
        builder.directory(out.getParent().toFile());
        builder.redirectOutput(out.toFile());
        builder.redirectError(err.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        return process;
    }

    private static void kill(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
