package io.liveboard;

import io.liveboard.auth.TokenCommand;
import io.liveboard.board.StoreException;
import io.liveboard.config.Config;
import java.io.IOException;
import java.util.List;

/**
 * Starts Liveboard from flags and environment variables ({@link Config#USAGE}); {@code token …} prints a
 * signed token instead ({@link TokenCommand}).
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
            System.out.print(Config.USAGE);
            return;
        }
        Config config;
        try {
            config = Config.from(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("liveboard: " + e.getMessage());
            System.err.print(Config.USAGE);
            System.exit(2);
            return;
        }
        App app;
        try {
            app = new App(config).start();
        } catch (StoreException e) {
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
