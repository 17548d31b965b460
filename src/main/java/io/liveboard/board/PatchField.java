package io.liveboard.board;

/** One field of a partial update: absent (keep the current value) or present with a value, which may be null. */
public record PatchField<T>(boolean present, T value) {

    private static final PatchField<?> ABSENT = new PatchField<>(false, null);

    @SuppressWarnings("unchecked")
    public static <T> PatchField<T> absent() {
        return (PatchField<T>) ABSENT;
    }

    public static <T> PatchField<T> of(T value) {
        return new PatchField<>(true, value);
    }

    public T orElse(T current) {
        return present ? value : current;
    }
}
