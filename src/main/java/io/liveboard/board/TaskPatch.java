package io.liveboard.board;

/** A partial update of a task's content: only the present fields change. */
public record TaskPatch(PatchField<String> title, PatchField<String> description, PatchField<String> assigneeId) {

    public boolean isEmpty() {
        return !title.present() && !description.present() && !assigneeId.present();
    }
}
