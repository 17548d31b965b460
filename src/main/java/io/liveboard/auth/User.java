package io.liveboard.auth;

/** Someone viewing boards: a token's {@code sub} and {@code name}, or a guest when authentication is off. */
public record User(String userId, String name) {

    /** The anonymous user of one connection: stable for as long as that connection lives. */
    public static User guest(String connectionId) {
        String tag = connectionId.length() > 8 ? connectionId.substring(0, 8) : connectionId;
        return new User("guest-" + tag, "Guest " + tag);
    }
}
