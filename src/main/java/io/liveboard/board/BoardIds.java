package io.liveboard.board;

import java.util.regex.Pattern;

/** The shape of a board id: 1 to 128 characters of {@code [A-Za-z0-9_-]}. */
public final class BoardIds {

    public static final int MAX_LENGTH = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_LENGTH + "}");

    private BoardIds() {
    }

    public static boolean valid(String boardId) {
        return boardId != null && VALID.matcher(boardId).matches();
    }

    /** Returns the id, or throws {@link ValidationException} ({@code Invalid boardId}) if it is not one. */
    public static String check(String boardId) {
        if (!valid(boardId)) {
            throw new ValidationException("Invalid boardId");
        }
        return boardId;
    }
}
