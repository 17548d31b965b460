package io.liveboard.browser;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.Pause;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One person's board page in a browser, driven as that person would: typing, clicking, dragging, keys; read
 * through the page's documented hooks ({@code data-task-id}, {@code data-list-id}, {@code [data-connection]},
 * {@code [data-presence]}, …).
 */
final class BoardPage {

    static final Duration WAIT = Duration.ofSeconds(10);

    final ChromeDriver driver;

    BoardPage(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Opens {@code url} (the board's address) and waits until the board is shown and live. */
    static BoardPage open(ChromeDriver driver, String url) {
        driver.get(url);
        BoardPage page = new BoardPage(driver);
        page.awaitLive(WAIT);
        return page;
    }

    /** A wait on {@code driver} that looks every 20 ms (WebDriverWait's default is every 500 ms). */
    static WebDriverWait within(WebDriver driver, Duration timeout) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(20));
    }

    <T> T await(Duration timeout, String what, Function<WebDriver, T> condition) {
        return within(driver, timeout).withMessage(what).until(condition);
    }

    void awaitLive(Duration timeout) {
        await(timeout, "the board live", d -> "live".equals(connection().getAttribute("data-state"))
                && !d.findElements(By.cssSelector("[data-list-id]")).isEmpty());
    }

    WebElement connection() {
        return driver.findElement(By.cssSelector("[data-connection]"));
    }

    String connectionState() {
        return connection().getAttribute("data-state");
    }

    String transport() {
        return connection().getAttribute("data-transport");
    }

    WebElement column(String listId) {
        return driver.findElement(By.cssSelector("[data-list-id='" + listId + "']"));
    }

    WebElement card(String taskId) {
        return driver.findElement(By.cssSelector("[data-task-id='" + taskId + "']"));
    }

    /** The ids of a list's cards, in the order shown. */
    @SuppressWarnings("unchecked")
    List<String> taskIds(String listId) {
        return (List<String>) driver.executeScript("return [...document.querySelectorAll("
                + "`[data-list-id='${arguments[0]}'] .cards > [data-task-id]`)].map(c => c.dataset.taskId)", listId);
    }

    /** The titles of a list's cards, in the order shown. */
    @SuppressWarnings("unchecked")
    List<String> titles(String listId) {
        return (List<String>) driver.executeScript("return [...document.querySelectorAll("
                + "`[data-list-id='${arguments[0]}'] .cards > [data-task-id] [data-card-title]`)]"
                + ".map(t => t.textContent)", listId);
    }

    /** The id of the one card titled {@code title} that is confirmed (not a temporary one), or null. */
    String idOf(String title) {
        return (String) driver.executeScript("const c = [...document.querySelectorAll('.cards > [data-task-id]')]"
                + ".filter(c => c.querySelector('[data-card-title]').textContent === arguments[0]"
                + " && !c.dataset.taskId.startsWith('tmp-'));"
                + "return c.length === 1 ? c[0].dataset.taskId : null", title);
    }

    /** How many cards show {@code title} (confirmed or not). */
    long count(String title) {
        return (Long) driver.executeScript("return [...document.querySelectorAll('.cards > [data-task-id]"
                + " [data-card-title]')].filter(t => t.textContent === arguments[0]).length", title);
    }

    /** Types a new card's title into the list's form and presses Enter. */
    void addTask(String listId, String title) {
        column(listId).findElement(By.cssSelector("[data-form=create-task] input[name=title]"))
                .sendKeys(title, Keys.ENTER);
    }

    /** Opens the card's editor with a click. */
    WebElement openEditor(String taskId) {
        card(taskId).findElement(By.cssSelector("[data-action=edit]")).click();
        return card(taskId).findElement(By.cssSelector("[data-form=edit-task]"));
    }

    /** Edits title and description in the card's editor and saves with the Save button. */
    void edit(String taskId, String title, String description) {
        WebElement editor = openEditor(taskId);
        WebElement titleInput = editor.findElement(By.name("title"));
        titleInput.sendKeys(Keys.chord(Keys.CONTROL, "a"), title);
        WebElement descriptionInput = editor.findElement(By.name("description"));
        descriptionInput.sendKeys(Keys.chord(Keys.CONTROL, "a"), description);
        editor.findElement(By.cssSelector("[data-action=save]")).click();
    }

    /** Opens the card's menu from the keyboard (focus on its button, Enter) and picks the item with Enter. */
    void menuByKeyboard(String taskId, String itemSelector) {
        WebElement button = card(taskId).findElement(By.cssSelector("[data-action=menu]"));
        button.sendKeys(Keys.ENTER);
        WebElement item = await(WAIT, "the menu open", d -> {
            List<WebElement> items = card(taskId).findElements(By.cssSelector(".card-menu " + itemSelector));
            return items.isEmpty() || !items.get(0).isDisplayed() ? null : items.get(0);
        });
        item.sendKeys(Keys.ENTER);
    }

    /** Deletes a card with its menu and the confirm step, by mouse. */
    void delete(String taskId) {
        card(taskId).findElement(By.cssSelector("[data-action=menu]")).click();
        card(taskId).findElement(By.cssSelector("[data-action=delete]")).click();
        card(taskId).findElement(By.cssSelector("[data-action=confirm-delete]")).click();
    }

    /**
     * Drags a card with the mouse, as a person would: press on it, move in small steps to just above the middle
     * of {@code beforeTaskId}'s card (or to the bottom of the list {@code listId} when null), release.
     */
    void drag(String taskId, String listId, String beforeTaskId) {
        WebElement card = card(taskId);
        Rectangle from = card.getRect();
        Rectangle to;
        int targetY;
        if (beforeTaskId != null) {
            to = card(beforeTaskId).getRect();
            targetY = to.getY() + to.getHeight() / 4;
        } else {
            to = column(listId).findElement(By.cssSelector("[data-form=create-task]")).getRect();
            targetY = to.getY() + to.getHeight() / 2;
        }
        int startX = from.getX() + from.getWidth() / 2;
        int startY = from.getY() + from.getHeight() / 2;
        int dx = to.getX() + to.getWidth() / 2 - startX;
        int dy = targetY - startY;
        Actions actions = new Actions(driver).clickAndHold(card);
        int steps = 12;
        int movedX = 0;
        int movedY = 0;
        for (int i = 1; i <= steps; i++) {
            int x = dx * i / steps;
            int y = dy * i / steps;
            actions.moveByOffset(x - movedX, y - movedY);
            movedX = x;
            movedY = y;
        }
        actions.release().perform();
    }

    /**
     * Drags a card with a finger (the browser must emulate touch): hold it a moment, move in small steps to just
     * above the middle of {@code beforeTaskId}'s card, lift.
     */
    void touchDrag(String taskId, String beforeTaskId) {
        // the column into view first (as a swipe would), then the two cards' places in the window
        @SuppressWarnings("unchecked")
        List<Number> at = (List<Number>) driver.executeScript("arguments[0].scrollIntoView({block: 'nearest',"
                + " inline: 'center'}); const a = arguments[0].getBoundingClientRect(),"
                + " b = arguments[1].getBoundingClientRect();"
                + " return [a.x + a.width / 2, a.y + a.height / 2, b.x + b.width / 2, b.y + b.height / 4]",
                card(taskId), card(beforeTaskId));
        int x = at.get(0).intValue();
        int y = at.get(1).intValue();
        int targetX = at.get(2).intValue();
        int targetY = at.get(3).intValue();
        PointerInput finger = new PointerInput(PointerInput.Kind.TOUCH, "finger");
        Sequence touch = new Sequence(finger, 0)
                .addAction(finger.createPointerMove(Duration.ZERO, PointerInput.Origin.viewport(), x, y))
                .addAction(finger.createPointerDown(PointerInput.MouseButton.LEFT.asArg()))
                .addAction(new Pause(finger, Duration.ofMillis(500)));
        int steps = 10;
        for (int i = 1; i <= steps; i++) {
            touch.addAction(finger.createPointerMove(Duration.ofMillis(30), PointerInput.Origin.viewport(),
                    x + (targetX - x) * i / steps, y + (targetY - y) * i / steps));
        }
        touch.addAction(finger.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
        driver.perform(List.of(touch));
    }

    /** The texts of the alerts shown (refused changes), oldest first. */
    @SuppressWarnings("unchecked")
    List<String> alerts() {
        return (List<String>) driver.executeScript(
                "return [...document.querySelectorAll('[data-alert] p')].map(p => p.textContent)");
    }

    /** What was announced to screen readers and is still in the aria-live region. */
    String announcements() {
        return driver.findElement(By.cssSelector("[data-announcer]")).getAttribute("textContent");
    }

    /** The user ids listed in the presence area. */
    @SuppressWarnings("unchecked")
    List<String> viewers() {
        return (List<String>) driver.executeScript(
                "return [...document.querySelectorAll('[data-presence] [data-user-id]')].map(u => u.dataset.userId)");
    }

    String presenceText() {
        return driver.findElement(By.cssSelector("[data-presence]")).getText();
    }

    String typingLine() {
        return driver.findElement(By.cssSelector("[data-typing-line]")).getAttribute("textContent");
    }

    /** What a card says of who is typing on it ("Alice is typing…"), empty when nobody. */
    String cardTyping(String taskId) {
        return card(taskId).findElement(By.cssSelector("[data-card-typing]")).getAttribute("textContent");
    }
}
