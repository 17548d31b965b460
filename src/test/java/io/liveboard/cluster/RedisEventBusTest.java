package io.liveboard.cluster;

import io.liveboard.realtime.EventBus;
import io.liveboard.realtime.EventBusContract;
import io.liveboard.support.TestRedis;

/** The bus contract between nodes, through a real Redis ({@link TestRedis}). */
class RedisEventBusTest extends EventBusContract {

    @Override
    protected EventBus newBus() {
        return RedisEventBus.connect(TestRedis.url());
    }

    @Override
    protected boolean between() {
        return true;
    }
}
