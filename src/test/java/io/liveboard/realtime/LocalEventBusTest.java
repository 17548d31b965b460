package io.liveboard.realtime;

/** The bus contract within one process. */
class LocalEventBusTest extends EventBusContract {

    @Override
    protected EventBus newBus() {
        return new LocalEventBus();
    }
}
