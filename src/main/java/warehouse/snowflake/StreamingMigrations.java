package warehouse.snowflake;

import static warehouse.snowflake.MigrationPlaceholder.LOADER_ROLE;
import static warehouse.snowflake.MigrationPlaceholder.TARGET_LAG;
import static warehouse.snowflake.MigrationPlaceholder.WAREHOUSE;

import analytics.FlightAnalyticsViews;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import warehouse.ChangeLogSqlGenerator;
import warehouse.TableSchema;

/**
 * The Snowflake migrations of the Snowpipe Streaming mode under snowflake/streaming/, written from the
 * generators so they cannot drift from what the DuckDB tests prove: the files are pasted from here and a
 * golden test holds them equal. Only the dynamic table is Snowflake's own; everything else comes from
 * {@link ChangeLogSqlGenerator} and {@link FlightAnalyticsViews}.
 */
public final class StreamingMigrations {

    private final SnowflakeDialect d = new SnowflakeDialect();
    private final ChangeLogSqlGenerator sql = new ChangeLogSqlGenerator(d);
    /** What V3 was made from when deployed: a versioned migration never changes, a later one replaces its objects. */
    private final ChangeLogSqlGenerator beforeLoadWatermark = sql.withoutLoadWatermark();

    /** The files for a captured table, by path under snowflake/streaming/, in the order Flyway applies them. */
    public Map<String, String> files(TableSchema t) {
        String name = t.id().name();
        Map<String, String> files = new LinkedHashMap<>();
        files.put("V2__" + name + "_changes.sql", changeTable(t));
        files.put("V3__" + name + "_current.sql", currentState(t));
        files.put("V4__load_watermark.sql", loadWatermark());
        files.put("V5__" + name + "_current_through_load_watermark.sql", currentStateThroughLoadWatermark(t));
        files.put("R__analytics_views.sql", analyticsViews());
        files.put("R__" + name + "_refresh.sql", refreshSettings(t));
        return files;
    }

    /** The table Snowpipe Streaming appends to, and the one privilege the writer needs on it. */
    String changeTable(TableSchema t) {
        return file(t, List.of(
                        "The raw change table Snowpipe Streaming appends to: one row per Kafka record. The writer inserts;"
                                + "\n-- it reads nothing else."),
                List.of(sql.createChangeTable(t),
                        "GRANT INSERT, SELECT ON TABLE " + d.quote(sql.changeTable(t)) + " TO ROLE " + LOADER_ROLE.token()));
    }

    /**
     * What MERGE mode keeps in tables, derived from the change table, as first deployed (replaced by
     * {@link #currentStateThroughLoadWatermark}). None is granted to the loader: it only appends to the
     * change table.
     */
    String currentState(TableSchema t) {
        return file(t, List.of("The history, the current state (a dynamic table, and a view with no lag) and the records set"
                        + "\n-- aside, all derived from the change table. The loader reads none of them: nothing is granted."),
                List.of(beforeLoadWatermark.createHistoryView(t),
                        createDynamicTable("CREATE DYNAMIC TABLE IF NOT EXISTS", beforeLoadWatermark, t),
                        beforeLoadWatermark.createLiveView(t), beforeLoadWatermark.createDeadLetterView(List.of(t))));
    }

    /** The table the writer appends a row to after each load, and the one privilege it needs on it. */
    String loadWatermark() {
        return header(ChangeLogSqlGenerator.class.getName(), List.of(
                        "The load watermark: after each load, once every change table has committed its rows, the writer"
                                + "\n-- appends the highest last commit LSN it carried. The history and current state show only"
                                + "\n-- the changes it covers."))
                + statements(List.of(sql.createLoadedThroughTable(), "GRANT INSERT, SELECT ON TABLE "
                        + d.quote(ChangeLogSqlGenerator.LOADED_THROUGH_TABLE) + " TO ROLE " + LOADER_ROLE.token()));
    }

    /**
     * The history and the current state of V3, made again to show only what the load watermark covers, so
     * that a source transaction shows in every table at once. The dynamic table is replaced, which
     * refreshes it in full once; its lag and warehouse are the settings' as in V3.
     */
    String currentStateThroughLoadWatermark(TableSchema t) {
        return file(t, List.of("The history and the current state of V3, showing only the changes the load watermark covers:"
                        + "\n-- a source transaction shows in every table at once, or not yet."),
                List.of(sql.createHistoryView(t), createDynamicTable("CREATE OR REPLACE DYNAMIC TABLE", sql, t),
                        sql.createLiveView(t)));
    }

    /**
     * The current state, refreshed by Snowflake within the target lag. First made IF NOT EXISTS, so that
     * running it again would leave a table that is already being refreshed alone; made again OR REPLACE when
     * its query changes. Its lag and warehouse follow the settings through {@link #refreshSettings}.
     */
    private String createDynamicTable(String create, ChangeLogSqlGenerator from, TableSchema t) {
        return create + " " + d.quote(from.currentTable(t))
                + "\n  TARGET_LAG = '" + TARGET_LAG.token() + "'\n  WAREHOUSE = " + WAREHOUSE.token() + "\nAS\n"
                + from.currentStateQuery(t);
    }

    /**
     * A repeatable migration: Flyway runs it again whenever its text changes with the placeholders filled
     * in, so a changed flightcdc.snowflake.target-lag or .warehouse reaches the existing dynamic table.
     */
    String refreshSettings(TableSchema t) {
        String table = d.quote(sql.currentTable(t));
        return file(t, List.of("The dynamic table's target lag and warehouse, from the settings: re-applied by migrate whenever"
                        + "\n-- they change."),
                List.of("ALTER DYNAMIC TABLE " + table + " SET TARGET_LAG = '" + TARGET_LAG.token() + "'",
                        "ALTER DYNAMIC TABLE " + table + " SET WAREHOUSE = " + WAREHOUSE.token()));
    }

    /**
     * The dashboard views, the same as every warehouse has; re-created whenever they change. The header names
     * the views' class as it was when first deployed, so that moving the class does not change the text and
     * make Flyway run the file again.
     */
    String analyticsViews() {
        return header("warehouse.FlightAnalyticsViews", List.of(
                        "The views a dashboard is built on, over FLIGHT_STATE and FLIGHT_STATE_HISTORY."))
                + statements(new FlightAnalyticsViews(d).createStatements());
    }

    private String file(TableSchema t, List<String> purpose, List<String> statements) {
        return header(t.id() + " as sql/ defines it", purpose) + statements(statements);
    }

    private static String header(String source, List<String> purpose) {
        StringBuilder header = new StringBuilder("-- Generated by " + StreamingMigrations.class.getName() + " from " + source + ";\n"
                + "-- do not edit: change the generator, then paste what StreamingMigrationFilesTest prints.\n");
        purpose.forEach(line -> header.append("-- ").append(line).append('\n'));
        return header.toString();
    }

    private static String statements(List<String> statements) {
        return String.join(";\n\n", statements) + ";\n";
    }
}
