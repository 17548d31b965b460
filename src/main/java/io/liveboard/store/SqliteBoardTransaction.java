package io.liveboard.store;

import java.time.Instant;

/** A transaction on SQLite, where one writer thread does every write: ids from a counter table, no locks. */
final class SqliteBoardTransaction extends JdbcBoardTransaction {

    SqliteBoardTransaction(Statements statements, String epoch, int retention) {
        super(statements, epoch, retention);
    }

    @Override
    public String nextId(String prefix) {
        long value = query("""
                INSERT INTO id_counters(prefix, value) VALUES (?, 1)
                ON CONFLICT(prefix) DO UPDATE SET value = value + 1
                RETURNING value""", rs -> rs.getLong(1), prefix).get(0);
        return prefix + "-" + value;
    }

    @Override
    public int purgeCommandResults(Instant notAfter, int limit) {
        return update("""
                DELETE FROM idempotency_keys WHERE rowid IN (
                  SELECT rowid FROM idempotency_keys WHERE created_at <= ? ORDER BY created_at LIMIT ?)""",
                notAfter.toEpochMilli(), limit);
    }
}
