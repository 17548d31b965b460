package io.liveboard.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database's schema up to date with Flyway, from the SQL migrations of its kind in
 * {@code src/main/resources/db/migration/<kind>/} ({@code V1__schema.sql}, then {@code V2__…}): every change of
 * the schema is a new migration there, never an edit of one that has shipped. Flyway records what it applied in
 * the database's {@code flyway_schema_history} table, and on PostgreSQL holds a lock while it migrates, so nodes
 * starting together apply each step once.
 */
final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {
    }

    /**
     * Migrates a SQLite file. A file made before migrations existed has the tables but no history: it is baselined
     * at version 0, so that {@code V1} (which creates only what is missing) runs over it and keeps its data.
     *
     * @throws FlywayException if a migration fails (it is rolled back)
     */
    static void sqlite(String jdbcUrl) {
        run(Flyway.configure(Migrations.class.getClassLoader()).dataSource(jdbcUrl, null, null)
                .locations("classpath:db/migration/sqlite").baselineOnMigrate(true).baselineVersion("0")
                .baselineDescription("the schema before migrations"), "SQLite");
    }

    /**
     * Migrates a PostgreSQL database. One that holds other tables but no Liveboard history is refused (not
     * baselined): it is not a Liveboard database.
     *
     * @throws FlywayException if a migration fails (it is rolled back)
     */
    static void postgresql(DataSource dataSource) {
        run(Flyway.configure(Migrations.class.getClassLoader()).dataSource(dataSource)
                .locations("classpath:db/migration/postgresql"), "PostgreSQL");
    }

    private static void run(org.flywaydb.core.api.configuration.FluentConfiguration configuration, String kind) {
        MigrateResult result = configuration.load().migrate();
        if (result.migrationsExecuted > 0) {
            LOG.info("Migrated the {} schema from version {} to {}", kind,
                    result.initialSchemaVersion == null ? "none" : result.initialSchemaVersion, result.targetSchemaVersion);
        }
    }
}
