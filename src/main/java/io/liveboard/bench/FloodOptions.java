package io.liveboard.bench;

/**
 * The {@code flood} scenario's settings (the attacker's connection count is {@code --clients}).
 *
 * @param seconds       how long the attack lasts ({@code --seconds}, default 30)
 * @param attackAddress the one local address the attacker's connections come from ({@code --attack-address},
 *                      default 127.0.0.1)
 * @param probeAddress  the local address of the probe that measures whether others are still served
 *                      ({@code --probe-address}, default 127.0.0.2)
 * @param reconnect     whether the attacker reopens the connections the server closes ({@code --reconnect},
 *                      default true)
 * @param inFlight      the attacker's connects in flight at most ({@code --in-flight}, default 1000)
 */
public record FloodOptions(int seconds, String attackAddress, String probeAddress, boolean reconnect, int inFlight) {

    public static final FloodOptions DEFAULTS = new FloodOptions(30, "127.0.0.1", "127.0.0.2", true, 1000);

    public FloodOptions {
        if (seconds <= 0 || inFlight <= 0) {
            throw new IllegalArgumentException("--seconds and --in-flight must be positive");
        }
    }
}
