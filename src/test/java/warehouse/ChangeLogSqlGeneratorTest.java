package warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import warehouse.duckdb.DuckDbDialect;
import warehouse.snowflake.SnowflakeDialect;

/**
 * Golden SQL of the append-only mode's generator, for each dialect: the change table is the contract with
 * the Snowpipe Streaming writer, and the queries are what Snowflake refreshes. What they mean is proven on
 * DuckDB in ChangeLogOnDuckDbTest; Snowflake's text is checked here only (no account).
 */
class ChangeLogSqlGeneratorTest {

    /** A key of two columns, so that every PARTITION BY shows it whole. */
    private static final TableSchema POSITIONS = new TableSchema(new TableId("public", "positions"), List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("seen_at", ColumnType.TIMESTAMPTZ, false),
            new Column("altitude", ColumnType.DOUBLE, false),
            new Column("extra", ColumnType.JSON, false)), List.of("icao24", "seen_at"));

    private final ChangeLogSqlGenerator duckdb = new ChangeLogSqlGenerator(new DuckDbDialect());
    private final ChangeLogSqlGenerator snowflake = new ChangeLogSqlGenerator(new SnowflakeDialect());

    @Test
    void snowflakeChangeTableHasTheWritersColumnsThenTheSourceColumnsAllNullableWithoutDefaults() {
        assertThat(snowflake.createChangeTable(POSITIONS)).isEqualTo("""
                CREATE TABLE IF NOT EXISTS "POSITIONS_CHANGES" (
                  "_OP" VARCHAR,
                  "_LAST_COMMIT_LSN" BIGINT,
                  "_LSN" BIGINT,
                  "_TX_ID" BIGINT,
                  "_SOURCE_TS" TIMESTAMP_TZ,
                  "_LOADED_AT" TIMESTAMP_TZ NOT NULL,
                  "_KAFKA_TOPIC" VARCHAR NOT NULL,
                  "_KAFKA_PARTITION" INTEGER NOT NULL,
                  "_KAFKA_OFFSET" BIGINT NOT NULL,
                  "_REJECTED_REASON" VARCHAR,
                  "_REJECTED_EVENT" VARCHAR,
                  "ICAO24" VARCHAR,
                  "SEEN_AT" TIMESTAMP_TZ,
                  "ALTITUDE" FLOAT,
                  "EXTRA" VARIANT
                )""");
    }

    @Test
    void duckdbChangeTableUsesItsOwnTypes() {
        assertThat(duckdb.createChangeTable(POSITIONS)).isEqualTo("""
                CREATE TABLE IF NOT EXISTS "positions_changes" (
                  "_op" VARCHAR,
                  "_last_commit_lsn" BIGINT,
                  "_lsn" BIGINT,
                  "_tx_id" BIGINT,
                  "_source_ts" TIMESTAMPTZ,
                  "_loaded_at" TIMESTAMPTZ NOT NULL,
                  "_kafka_topic" VARCHAR NOT NULL,
                  "_kafka_partition" INTEGER NOT NULL,
                  "_kafka_offset" BIGINT NOT NULL,
                  "_rejected_reason" VARCHAR,
                  "_rejected_event" VARCHAR,
                  "icao24" VARCHAR,
                  "seen_at" TIMESTAMPTZ,
                  "altitude" DOUBLE,
                  "extra" VARCHAR
                )""");
    }

    @Test
    void snowflakeHistoryKeepsTheFirstDeliveryOfEachChangeWithMergeModesColumns() {
        assertThat(snowflake.createHistoryView(POSITIONS)).isEqualTo("""
                CREATE OR REPLACE VIEW "POSITIONS_HISTORY" AS
                SELECT "_OP", "_LSN", "_TX_ID", "_SOURCE_TS", "_LOADED_AT", "_KAFKA_TOPIC", "_KAFKA_PARTITION", \
                "_KAFKA_OFFSET", "ICAO24", "SEEN_AT", "ALTITUDE", "EXTRA"
                FROM "POSITIONS_CHANGES"
                CROSS JOIN (SELECT coalesce(max("_LAST_COMMIT_LSN"), 0) AS "_LOADED_THROUGH" FROM "_FLIGHTCDC_LOADED_THROUGH") AS lt
                WHERE "_REJECTED_REASON" IS NULL AND coalesce("_LAST_COMMIT_LSN", 0) <= lt."_LOADED_THROUGH"
                QUALIFY row_number() OVER (PARTITION BY "_LAST_COMMIT_LSN", "_LSN", "_OP", "ICAO24", "SEEN_AT" \
                ORDER BY "_KAFKA_PARTITION", "_KAFKA_OFFSET") = 1""");
    }

    @Test
    void snowflakeLoadWatermarkTableHasTheWritersColumnsWithoutDefaults() {
        assertThat(snowflake.createLoadedThroughTable()).isEqualTo("""
                CREATE TABLE IF NOT EXISTS "_FLIGHTCDC_LOADED_THROUGH" (
                  "_LAST_COMMIT_LSN" BIGINT NOT NULL,
                  "_LOADED_AT" TIMESTAMP_TZ NOT NULL
                )""");
    }

    /** The first streaming migrations were made from these; a versioned migration must stay as deployed. */
    @Test
    void withoutTheLoadWatermarkTheQueriesShowEveryChangeCommitted() {
        ChangeLogSqlGenerator before = snowflake.withoutLoadWatermark();

        assertThat(before.historyQuery(POSITIONS)).isEqualTo("""
                SELECT "_OP", "_LSN", "_TX_ID", "_SOURCE_TS", "_LOADED_AT", "_KAFKA_TOPIC", "_KAFKA_PARTITION", \
                "_KAFKA_OFFSET", "ICAO24", "SEEN_AT", "ALTITUDE", "EXTRA"
                FROM "POSITIONS_CHANGES"
                WHERE "_REJECTED_REASON" IS NULL
                QUALIFY row_number() OVER (PARTITION BY "_LAST_COMMIT_LSN", "_LSN", "_OP", "ICAO24", "SEEN_AT" \
                ORDER BY "_KAFKA_PARTITION", "_KAFKA_OFFSET") = 1""");
        assertThat(before.currentStateQuery(POSITIONS)).doesNotContain("LOADED_THROUGH")
                .contains("CROSS JOIN (SELECT max(\"_LSN\") AS \"_TRUNCATED_AT\" FROM \"POSITIONS_CHANGES\" WHERE \"_OP\" = 't'"
                        + " AND \"_REJECTED_REASON\" IS NULL) AS tr");
    }

    @Test
    void snowflakeCurrentStateIsTheLastChangePerKeyAfterTheNewestTruncateWithoutDeletes() {
        assertThat(snowflake.createLiveView(POSITIONS)).isEqualTo("""
                CREATE OR REPLACE VIEW "POSITIONS_LIVE" AS
                SELECT "ICAO24", "SEEN_AT", "ALTITUDE", "EXTRA"
                FROM (
                  SELECT h."_OP", h."ICAO24", h."SEEN_AT", h."ALTITUDE", h."EXTRA"
                  FROM (
                    SELECT "_OP", "_LSN", "_TX_ID", "_SOURCE_TS", "_LOADED_AT", "_KAFKA_TOPIC", "_KAFKA_PARTITION", \
                "_KAFKA_OFFSET", "ICAO24", "SEEN_AT", "ALTITUDE", "EXTRA"
                    FROM "POSITIONS_CHANGES"
                    CROSS JOIN (SELECT coalesce(max("_LAST_COMMIT_LSN"), 0) AS "_LOADED_THROUGH" \
                FROM "_FLIGHTCDC_LOADED_THROUGH") AS lt
                    WHERE "_REJECTED_REASON" IS NULL AND coalesce("_LAST_COMMIT_LSN", 0) <= lt."_LOADED_THROUGH"
                    QUALIFY row_number() OVER (PARTITION BY "_LAST_COMMIT_LSN", "_LSN", "_OP", "ICAO24", "SEEN_AT" \
                ORDER BY "_KAFKA_PARTITION", "_KAFKA_OFFSET") = 1
                  ) AS h
                  CROSS JOIN (SELECT max("_LSN") AS "_TRUNCATED_AT" FROM "POSITIONS_CHANGES" \
                CROSS JOIN (SELECT coalesce(max("_LAST_COMMIT_LSN"), 0) AS "_LOADED_THROUGH" FROM "_FLIGHTCDC_LOADED_THROUGH") AS lt \
                WHERE "_OP" = 't' AND "_REJECTED_REASON" IS NULL AND coalesce("_LAST_COMMIT_LSN", 0) <= lt."_LOADED_THROUGH") AS tr
                  WHERE tr."_TRUNCATED_AT" IS NULL OR h."_LSN" > tr."_TRUNCATED_AT"
                  QUALIFY row_number() OVER (PARTITION BY h."ICAO24", h."SEEN_AT" ORDER BY h."_KAFKA_OFFSET" DESC) = 1
                ) AS latest
                WHERE "_OP" <> 'd'""");
    }

    @Test
    void duckdbCurrentStateIsTheSameQueryWithItsIdentifiers() {
        assertThat(duckdb.currentStateQuery(POSITIONS)).isEqualTo("""
                SELECT "icao24", "seen_at", "altitude", "extra"
                FROM (
                  SELECT h."_op", h."icao24", h."seen_at", h."altitude", h."extra"
                  FROM (
                    SELECT "_op", "_lsn", "_tx_id", "_source_ts", "_loaded_at", "_kafka_topic", "_kafka_partition", \
                "_kafka_offset", "icao24", "seen_at", "altitude", "extra"
                    FROM "positions_changes"
                    CROSS JOIN (SELECT coalesce(max("_last_commit_lsn"), 0) AS "_loaded_through" \
                FROM "_flightcdc_loaded_through") AS lt
                    WHERE "_rejected_reason" IS NULL AND coalesce("_last_commit_lsn", 0) <= lt."_loaded_through"
                    QUALIFY row_number() OVER (PARTITION BY "_last_commit_lsn", "_lsn", "_op", "icao24", "seen_at" \
                ORDER BY "_kafka_partition", "_kafka_offset") = 1
                  ) AS h
                  CROSS JOIN (SELECT max("_lsn") AS "_truncated_at" FROM "positions_changes" \
                CROSS JOIN (SELECT coalesce(max("_last_commit_lsn"), 0) AS "_loaded_through" FROM "_flightcdc_loaded_through") AS lt \
                WHERE "_op" = 't' AND "_rejected_reason" IS NULL AND coalesce("_last_commit_lsn", 0) <= lt."_loaded_through") AS tr
                  WHERE tr."_truncated_at" IS NULL OR h."_lsn" > tr."_truncated_at"
                  QUALIFY row_number() OVER (PARTITION BY h."icao24", h."seen_at" ORDER BY h."_kafka_offset" DESC) = 1
                ) AS latest
                WHERE "_op" <> 'd'""");
    }

    @Test
    void snowflakeDeadLetterViewGathersTheRejectedRowsOfEveryChangeTableUnderTheDeadLetterTablesColumns() {
        TableSchema quoted = new TableSchema(new TableId("ops", "pilot's_log"),
                List.of(new Column("id", ColumnType.BIGINT, false)), List.of("id"));

        assertThat(snowflake.createDeadLetterView(List.of(POSITIONS, quoted))).isEqualTo("""
                CREATE OR REPLACE VIEW "_FLIGHTCDC_DEAD_LETTER" AS
                SELECT "_LOADED_AT" AS "DEAD_AT", "_KAFKA_TOPIC" AS "KAFKA_TOPIC", "_KAFKA_PARTITION" AS "KAFKA_PARTITION", \
                "_KAFKA_OFFSET" AS "KAFKA_OFFSET", 'public.positions' AS "SOURCE_TABLE", "_REJECTED_REASON" AS "REASON", \
                "_REJECTED_EVENT" AS "EVENT"
                FROM "POSITIONS_CHANGES"
                WHERE "_REJECTED_REASON" IS NOT NULL
                UNION ALL
                SELECT "_LOADED_AT" AS "DEAD_AT", "_KAFKA_TOPIC" AS "KAFKA_TOPIC", "_KAFKA_PARTITION" AS "KAFKA_PARTITION", \
                "_KAFKA_OFFSET" AS "KAFKA_OFFSET", 'ops.pilot''s_log' AS "SOURCE_TABLE", "_REJECTED_REASON" AS "REASON", \
                "_REJECTED_EVENT" AS "EVENT"
                FROM "PILOT'S_LOG_CHANGES"
                WHERE "_REJECTED_REASON" IS NOT NULL""");
    }

    /**
     * Without REPLICA IDENTITY FULL a change may lack values (an update its unchanged TOASTed ones, a delete all
     * but its key): the writer names them in _UNAVAILABLE and the history carries each forward from the key's
     * latest change that had it, a NULL it had included.
     */
    @Test
    void snowflakeHistoryOfATableWithoutFullReplicaIdentityCarriesTheValuesAChangeLacksForward() {
        TableSchema notes = new TableSchema(new TableId("public", "notes"), List.of(
                new Column("id", ColumnType.INTEGER, false),
                new Column("title", ColumnType.TEXT, false),
                new Column("body", ColumnType.TEXT, false)), List.of("id"), false);

        assertThat(snowflake.createChangeTable(notes))
                .contains("\"_REJECTED_EVENT\" VARCHAR,\n  \"_UNAVAILABLE\" ARRAY,\n  \"ID\" INTEGER,");
        assertThat(snowflake.historyQuery(notes)).isEqualTo("""
                SELECT "_OP", "_LSN", "_TX_ID", "_SOURCE_TS", "_LOADED_AT", "_KAFKA_TOPIC", "_KAFKA_PARTITION", "_KAFKA_OFFSET",
                  "ID",
                  first_value("TITLE") OVER (PARTITION BY "ID", "_FROM_2" ORDER BY "_KAFKA_PARTITION", "_KAFKA_OFFSET") AS "TITLE",
                  first_value("BODY") OVER (PARTITION BY "ID", "_FROM_3" ORDER BY "_KAFKA_PARTITION", "_KAFKA_OFFSET") AS "BODY"
                FROM (
                  SELECT *,
                    max(CASE WHEN "_UNAVAILABLE" IS NULL OR NOT ARRAY_CONTAINS('title'::VARIANT, "_UNAVAILABLE") \
                THEN "_KAFKA_OFFSET" END) OVER (PARTITION BY "ID" ORDER BY "_KAFKA_PARTITION", "_KAFKA_OFFSET" \
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "_FROM_2",
                    max(CASE WHEN "_UNAVAILABLE" IS NULL OR NOT ARRAY_CONTAINS('body'::VARIANT, "_UNAVAILABLE") \
                THEN "_KAFKA_OFFSET" END) OVER (PARTITION BY "ID" ORDER BY "_KAFKA_PARTITION", "_KAFKA_OFFSET" \
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "_FROM_3"
                  FROM (
                    SELECT "_OP", "_LSN", "_TX_ID", "_SOURCE_TS", "_LOADED_AT", "_KAFKA_TOPIC", "_KAFKA_PARTITION", \
                "_KAFKA_OFFSET", "_UNAVAILABLE", "ID", "TITLE", "BODY"
                    FROM "NOTES_CHANGES"
                    CROSS JOIN (SELECT coalesce(max("_LAST_COMMIT_LSN"), 0) AS "_LOADED_THROUGH" \
                FROM "_FLIGHTCDC_LOADED_THROUGH") AS lt
                    WHERE "_REJECTED_REASON" IS NULL AND coalesce("_LAST_COMMIT_LSN", 0) <= lt."_LOADED_THROUGH"
                    QUALIFY row_number() OVER (PARTITION BY "_LAST_COMMIT_LSN", "_LSN", "_OP", "ID" \
                ORDER BY "_KAFKA_PARTITION", "_KAFKA_OFFSET") = 1
                  ) AS delivered
                ) AS sourced""");
        // The current state is the latest of those rows per key, so it keeps the carried values too.
        assertThat(snowflake.currentStateQuery(notes)).contains(snowflake.historyQuery(notes).replace("\n", "\n    "));
    }
}
