package io.liveboard.support;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the test classes that share one real server (fresh database) for all their tests. */
public abstract class ServerTest {

    protected static TestServer server;
    protected static Http http;

    @BeforeAll
    static void startServer() {
        server = TestServer.start();
        http = new Http(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }
}
