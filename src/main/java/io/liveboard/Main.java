package io.liveboard;

import io.liveboard.auth.TokenCommand;
import io.liveboard.board.StoreException;
import io.liveboard.cluster.RedisUnreachableException;
import io.liveboard.config.Config;
import io.liveboard.config.ConfigParser;
import java.io.IOException;
import java.util.List;

/**
 * Starts Liveboard from flags and environment variables ({@link ConfigParser}); {@code token …} prints a
 * signed token instead ({@link TokenCommand}). A bad flag is told in one line, with where to find the options.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("token")) {
            int status = TokenCommand.run(List.of(args).subList(1, args.length), System.getenv(), System.out,
                    System.err);
            System.exit(status);
            return;
        }
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(ConfigParser.USAGE);
            return;
        }
        Config config;
        try {
            config = ConfigParser.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("liveboard: " + e.getMessage());
            System.err.println("Run 'java -jar target/liveboard.jar --help' for the options.");
            System.exit(2);
            return;
        }
        App app;
        try {
            app = new App(config).start();
        } catch (StoreException | RedisUnreachableException e) {
            System.err.println("liveboard: " + e.getMessage());
            System.exit(1);
            return;
        } catch (IOException e) {
            System.err.println("liveboard: cannot listen on port " + config.port() + ": " + e.getMessage()
                    + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::stop, "liveboard-shutdown"));
        app.join();
    }
}
