package warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import warehouse.duckdb.DuckDbDialect;
import warehouse.postgres.PostgresDialect;
import warehouse.snowflake.SnowflakeDialect;

/**
 * Golden SQL of the one MERGE generator, for each dialect: a change here is a change to what every
 * warehouse runs, so it has to be made on purpose. DuckDB's statements also run for real in
 * DuckDbWarehouseTest, BatchInsertMergeWarehouseTest (Snowflake's loader on DuckDB) and the end-to-end
 * tests; Snowflake's are checked here only (no account).
 */
class MergeSqlGeneratorTest {

    private static final TableSchema FLIGHT_STATE = new TableSchema(new TableId("public", "flight_state"), List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("time_position", ColumnType.TIMESTAMPTZ, false),
            new Column("velocity", ColumnType.DOUBLE, false),
            new Column("on_ground", ColumnType.BOOLEAN, false),
            new Column("sensors", ColumnType.INTEGER, true)), List.of("icao24"));

    private final MergeSqlGenerator duckdb = new MergeSqlGenerator(new DuckDbDialect());
    private final MergeSqlGenerator snowflake = new MergeSqlGenerator(new SnowflakeDialect());
    private final MergeSqlGenerator postgres = new MergeSqlGenerator(new PostgresDialect());

    @Test
    void duckdbMergesTheLastChangePerKey() {
        assertThat(duckdb.mergeFromStage(FLIGHT_STATE)).isEqualTo("""
                MERGE INTO "flight_state" AS t
                USING (
                  SELECT * FROM (
                    SELECT "_op", "icao24" AS "icao24", CAST("time_position" AS TIMESTAMPTZ) AS "time_position", \
                CAST("velocity" AS DOUBLE) AS "velocity", CAST("on_ground" AS BOOLEAN) AS "on_ground", \
                CAST(CAST("sensors" AS JSON) AS INTEGER[]) AS "sensors",
                      row_number() OVER (PARTITION BY "icao24" ORDER BY "_kafka_offset" DESC) AS "_newest"
                    FROM "_stage_flight_state"
                  ) AS staged WHERE "_newest" = 1
                ) AS s
                ON t."icao24" = s."icao24"
                WHEN MATCHED AND s."_op" = 'd' THEN DELETE
                WHEN MATCHED THEN UPDATE SET "time_position" = s."time_position", "velocity" = s."velocity", \
                "on_ground" = s."on_ground", "sensors" = s."sensors"
                WHEN NOT MATCHED AND s."_op" <> 'd' THEN INSERT ("icao24", "time_position", "velocity", "on_ground", \
                "sensors") VALUES (s."icao24", s."time_position", s."velocity", s."on_ground", s."sensors")""");
    }

    @Test
    void snowflakeMergesTheLastChangePerKeyWithItsOwnIdentifiersAndCasts() {
        assertThat(snowflake.mergeFromStage(FLIGHT_STATE)).isEqualTo("""
                MERGE INTO "FLIGHT_STATE" AS t
                USING (
                  SELECT * FROM (
                    SELECT "_OP", "ICAO24" AS "ICAO24", TO_TIMESTAMP_TZ("TIME_POSITION") AS "TIME_POSITION", \
                CAST("VELOCITY" AS FLOAT) AS "VELOCITY", CAST("ON_GROUND" AS BOOLEAN) AS "ON_GROUND", \
                CAST(PARSE_JSON("SENSORS") AS ARRAY) AS "SENSORS",
                      row_number() OVER (PARTITION BY "ICAO24" ORDER BY "_KAFKA_OFFSET" DESC) AS "_NEWEST"
                    FROM "_STAGE_FLIGHT_STATE"
                  ) AS staged WHERE "_NEWEST" = 1
                ) AS s
                ON t."ICAO24" = s."ICAO24"
                WHEN MATCHED AND s."_OP" = 'd' THEN DELETE
                WHEN MATCHED THEN UPDATE SET "TIME_POSITION" = s."TIME_POSITION", "VELOCITY" = s."VELOCITY", \
                "ON_GROUND" = s."ON_GROUND", "SENSORS" = s."SENSORS"
                WHEN NOT MATCHED AND s."_OP" <> 'd' THEN INSERT ("ICAO24", "TIME_POSITION", "VELOCITY", "ON_GROUND", \
                "SENSORS") VALUES (s."ICAO24", s."TIME_POSITION", s."VELOCITY", s."ON_GROUND", s."SENSORS")""");
    }

    /**
     * DuckDB replaces the stage's keys (a delete of them, then an insert of each key's newest change unless it is a
     * delete); the others merge. A key that is not text is compared in its own type.
     */
    @Test
    void duckdbReplacesTheStagedKeysWhereTheOthersMerge() {
        // The newest change of each key, as the MERGE takes it.
        String merge = duckdb.mergeFromStage(FLIGHT_STATE);
        String newestPerKey = merge.substring(merge.indexOf("  SELECT * FROM ("), merge.indexOf("\n) AS s\n"));
        assertThat(duckdb.applyStage(FLIGHT_STATE)).containsExactly(
                "DELETE FROM \"flight_state\" AS t USING (SELECT DISTINCT \"icao24\" AS \"icao24\" FROM"
                        + " \"_stage_flight_state\") AS s WHERE t.\"icao24\" = s.\"icao24\"",
                "INSERT INTO \"flight_state\" (\"icao24\", \"time_position\", \"velocity\", \"on_ground\", \"sensors\")\n"
                        + "SELECT \"icao24\", \"time_position\", \"velocity\", \"on_ground\", \"sensors\" FROM (\n"
                        + newestPerKey + "\n) AS s\nWHERE s.\"_op\" <> 'd'");
        assertThat(snowflake.applyStage(FLIGHT_STATE)).containsExactly(snowflake.mergeFromStage(FLIGHT_STATE));
        assertThat(postgres.applyStage(FLIGHT_STATE)).containsExactly(postgres.mergeFromStage(FLIGHT_STATE));

        TableSchema positions = new TableSchema(new TableId("public", "positions"), List.of(
                new Column("flight", ColumnType.BIGINT, false), new Column("seen", ColumnType.TIMESTAMP, false),
                new Column("note", ColumnType.TEXT, false)), List.of("flight", "seen"));
        assertThat(duckdb.deleteStagedKeys(positions)).isEqualTo("DELETE FROM \"positions\" AS t USING (SELECT DISTINCT"
                + " CAST(\"flight\" AS BIGINT) AS \"flight\", CASE WHEN \"seen\" LIKE '%infinity' THEN CAST(\"seen\" AS"
                + " TIMESTAMP) ELSE make_timestamp(CAST(\"seen\" AS BIGINT)) END AS \"seen\" FROM \"_stage_positions\") AS s"
                + " WHERE t.\"flight\" = s.\"flight\" AND t.\"seen\" = s.\"seen\"");
    }

    /** A TRUNCATE read from one partition empties the keys the history shows loaded from that partition. */
    @Test
    void aTruncateEmptiesTheRowsOfItsPartitionInBothWarehouses() {
        assertThat(snowflake.truncateCurrent(FLIGHT_STATE)).isEqualTo("DELETE FROM \"FLIGHT_STATE\" AS c USING (SELECT"
                + " DISTINCT \"ICAO24\" FROM \"FLIGHT_STATE_HISTORY\" WHERE \"_KAFKA_TOPIC\" = ? AND \"_KAFKA_PARTITION\" = ?)"
                + " AS h WHERE c.\"ICAO24\" = h.\"ICAO24\"");
        assertThat(duckdb.truncateCurrent(FLIGHT_STATE)).isEqualTo("DELETE FROM \"flight_state\" AS c USING (SELECT"
                + " DISTINCT \"icao24\" FROM \"flight_state_history\" WHERE \"_kafka_topic\" = ? AND \"_kafka_partition\" = ?)"
                + " AS h WHERE c.\"icao24\" = h.\"icao24\"");
        assertThat(duckdb.forWriter(1).stageTable(FLIGHT_STATE)).as("a second writer's stage").isEqualTo("_stage_flight_state_1");
    }

    @Test
    void snowflakeHistoryKeepsEveryChangeInKafkaOrderWithItsCommitAndLoadTimes() {
        assertThat(snowflake.insertHistoryFromStage(FLIGHT_STATE)).isEqualTo("""
                INSERT INTO "FLIGHT_STATE_HISTORY" ("_OP", "_LSN", "_TX_ID", "_SOURCE_TS", "_LOADED_AT", "_KAFKA_TOPIC", \
                "_KAFKA_PARTITION", "_KAFKA_OFFSET", "ICAO24", "TIME_POSITION", "VELOCITY", "ON_GROUND", "SENSORS")
                SELECT "_OP", "_LSN", "_TX_ID", TO_TIMESTAMP_TZ("_SOURCE_TS_MS", 3), CURRENT_TIMESTAMP(), "_KAFKA_TOPIC", \
                "_KAFKA_PARTITION", "_KAFKA_OFFSET",
                  "ICAO24" AS "ICAO24", TO_TIMESTAMP_TZ("TIME_POSITION") AS "TIME_POSITION", \
                CAST("VELOCITY" AS FLOAT) AS "VELOCITY", CAST("ON_GROUND" AS BOOLEAN) AS "ON_GROUND", \
                CAST(PARSE_JSON("SENSORS") AS ARRAY) AS "SENSORS"
                FROM "_STAGE_FLIGHT_STATE"
                ORDER BY "_KAFKA_PARTITION", "_KAFKA_OFFSET\"""");
        assertThat(duckdb.insertHistoryFromStage(FLIGHT_STATE))
                .contains("to_timestamp(CAST(\"_source_ts_ms\" AS DOUBLE) / 1000), now(), ");
    }

    @Test
    void currentStateTablesDeclareTheKeyWhereItCostsNothing() {
        assertThat(snowflake.createCurrentTable(FLIGHT_STATE)).isEqualTo("""
                CREATE TABLE IF NOT EXISTS "FLIGHT_STATE" (
                  "ICAO24" VARCHAR,
                  "TIME_POSITION" TIMESTAMP_TZ,
                  "VELOCITY" FLOAT,
                  "ON_GROUND" BOOLEAN,
                  "SENSORS" ARRAY,
                  PRIMARY KEY ("ICAO24")
                )""");
        // DuckDB would maintain an index on every MERGE (see DuckDbDialect.declaresPrimaryKey).
        assertThat(duckdb.createCurrentTable(FLIGHT_STATE)).isEqualTo("""
                CREATE TABLE IF NOT EXISTS "flight_state" (
                  "icao24" VARCHAR,
                  "time_position" TIMESTAMPTZ,
                  "velocity" DOUBLE,
                  "on_ground" BOOLEAN,
                  "sensors" INTEGER[]
                )""");
    }

    @Test
    void snowflakeStagesInATemporaryTableOfText() {
        assertThat(snowflake.createStageTable(FLIGHT_STATE)).isEqualTo("CREATE TEMPORARY TABLE IF NOT EXISTS"
                + " \"_STAGE_FLIGHT_STATE\" (\"_OP\" VARCHAR, \"_LSN\" BIGINT, \"_TX_ID\" BIGINT, \"_SOURCE_TS_MS\" BIGINT,"
                + " \"_KAFKA_TOPIC\" VARCHAR, \"_KAFKA_PARTITION\" INTEGER, \"_KAFKA_OFFSET\" BIGINT, \"ICAO24\" VARCHAR,"
                + " \"TIME_POSITION\" VARCHAR, \"VELOCITY\" VARCHAR, \"ON_GROUND\" VARCHAR, \"SENSORS\" VARCHAR,"
                + " \"_UNAVAILABLE\" VARCHAR)");
        assertThat(snowflake.insertDeadLetter())
                .isEqualTo("INSERT INTO \"_FLIGHTCDC_DEAD_LETTER\" VALUES (CURRENT_TIMESTAMP(), ?, ?, ?, ?, ?, ?)");
    }

    @Test
    void batchInsertStagingBindsEveryStageColumnInOrder() {
        assertThat(duckdb.insertIntoStage(FLIGHT_STATE)).isEqualTo("INSERT INTO \"_stage_flight_state\" (\"_op\","
                + " \"_lsn\", \"_tx_id\", \"_source_ts_ms\", \"_kafka_topic\", \"_kafka_partition\", \"_kafka_offset\","
                + " \"icao24\", \"time_position\", \"velocity\", \"on_ground\", \"sensors\", \"_unavailable\")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        assertThat(snowflake.insertIntoStage(FLIGHT_STATE)).isEqualTo("INSERT INTO \"_STAGE_FLIGHT_STATE\" (\"_OP\","
                + " \"_LSN\", \"_TX_ID\", \"_SOURCE_TS_MS\", \"_KAFKA_TOPIC\", \"_KAFKA_PARTITION\", \"_KAFKA_OFFSET\","
                + " \"ICAO24\", \"TIME_POSITION\", \"VELOCITY\", \"ON_GROUND\", \"SENSORS\", \"_UNAVAILABLE\")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }

    @Test
    void duckdbProgressTableKeepsTheNamesOfTheFirstReleaseAndGainsTheLaterColumns() {
        // A warehouse file made before the generator wrote this table must open as it is.
        assertThat(duckdb.createProgressTable()).isEqualTo("""
                CREATE TABLE IF NOT EXISTS "_flightcdc_kafka_offsets" (
                  "topic" VARCHAR,
                  "partition" INTEGER,
                  "next_offset" BIGINT NOT NULL,
                  "newest_last_commit_lsn" BIGINT,
                  "newest_lsn" BIGINT,
                  "newest_tx_order" BIGINT,
                  "replayed_last_commit_lsn" BIGINT,
                  "replayed_lsn" BIGINT,
                  "replayed_tx_order" BIGINT,
                  PRIMARY KEY ("topic", "partition")
                )""");
        assertThat(duckdb.addProgressColumns()).containsExactly(
                "ALTER TABLE \"_flightcdc_kafka_offsets\" ADD COLUMN IF NOT EXISTS \"newest_last_commit_lsn\" BIGINT",
                "ALTER TABLE \"_flightcdc_kafka_offsets\" ADD COLUMN IF NOT EXISTS \"newest_lsn\" BIGINT",
                "ALTER TABLE \"_flightcdc_kafka_offsets\" ADD COLUMN IF NOT EXISTS \"newest_tx_order\" BIGINT",
                "ALTER TABLE \"_flightcdc_kafka_offsets\" ADD COLUMN IF NOT EXISTS \"replayed_last_commit_lsn\" BIGINT",
                "ALTER TABLE \"_flightcdc_kafka_offsets\" ADD COLUMN IF NOT EXISTS \"replayed_lsn\" BIGINT",
                "ALTER TABLE \"_flightcdc_kafka_offsets\" ADD COLUMN IF NOT EXISTS \"replayed_tx_order\" BIGINT");
        assertThat(duckdb.selectProgress()).isEqualTo("SELECT \"topic\", \"partition\", \"next_offset\","
                + " \"newest_last_commit_lsn\", \"newest_lsn\", \"newest_tx_order\", \"replayed_last_commit_lsn\","
                + " \"replayed_lsn\", \"replayed_tx_order\" FROM \"_flightcdc_kafka_offsets\"");
    }

    @Test
    void snowflakeProgressTableQuotesItsUpperCaseNames() {
        assertThat(snowflake.createProgressTable()).isEqualTo("""
                CREATE TABLE IF NOT EXISTS "_FLIGHTCDC_KAFKA_OFFSETS" (
                  "TOPIC" VARCHAR,
                  "PARTITION" INTEGER,
                  "NEXT_OFFSET" BIGINT NOT NULL,
                  "NEWEST_LAST_COMMIT_LSN" BIGINT,
                  "NEWEST_LSN" BIGINT,
                  "NEWEST_TX_ORDER" BIGINT,
                  "REPLAYED_LAST_COMMIT_LSN" BIGINT,
                  "REPLAYED_LSN" BIGINT,
                  "REPLAYED_TX_ORDER" BIGINT,
                  PRIMARY KEY ("TOPIC", "PARTITION")
                )""");
        assertThat(snowflake.addProgressColumns()).hasSize(6).first().isEqualTo(
                "ALTER TABLE \"_FLIGHTCDC_KAFKA_OFFSETS\" ADD COLUMN IF NOT EXISTS \"NEWEST_LAST_COMMIT_LSN\" BIGINT");
        assertThat(snowflake.selectProgress()).isEqualTo("SELECT \"TOPIC\", \"PARTITION\", \"NEXT_OFFSET\","
                + " \"NEWEST_LAST_COMMIT_LSN\", \"NEWEST_LSN\", \"NEWEST_TX_ORDER\", \"REPLAYED_LAST_COMMIT_LSN\","
                + " \"REPLAYED_LSN\", \"REPLAYED_TX_ORDER\" FROM \"_FLIGHTCDC_KAFKA_OFFSETS\"");
    }

    /**
     * One MERGE for all of a load's partitions, each moved on only from the offset the loader knew: a row another
     * loader moved on since is left alone, and the statement changes fewer rows than it was given.
     */
    @Test
    void progressIsMovedOnWithAStandardMergeOnlyFromWhereTheLoaderKnewIt() {
        String row = "CAST(? AS VARCHAR) AS \"topic\", CAST(? AS INTEGER) AS \"partition\", "
                + "CAST(? AS BIGINT) AS \"next_offset\", CAST(? AS BIGINT) AS \"newest_last_commit_lsn\", "
                + "CAST(? AS BIGINT) AS \"newest_lsn\", CAST(? AS BIGINT) AS \"newest_tx_order\", "
                + "CAST(? AS BIGINT) AS \"replayed_last_commit_lsn\", CAST(? AS BIGINT) AS \"replayed_lsn\", "
                + "CAST(? AS BIGINT) AS \"replayed_tx_order\", CAST(? AS BIGINT) AS \"known_next_offset\"";
        assertThat(duckdb.advanceProgress(2)).isEqualTo("""
                MERGE INTO "_flightcdc_kafka_offsets" AS t
                USING (SELECT %s
                  UNION ALL SELECT %s) AS s
                ON t."topic" = s."topic" AND t."partition" = s."partition"
                WHEN MATCHED AND t."next_offset" = s."known_next_offset" THEN UPDATE SET "next_offset" = s."next_offset", \
                "newest_last_commit_lsn" = s."newest_last_commit_lsn", "newest_lsn" = s."newest_lsn", \
                "newest_tx_order" = s."newest_tx_order", "replayed_last_commit_lsn" = s."replayed_last_commit_lsn", \
                "replayed_lsn" = s."replayed_lsn", "replayed_tx_order" = s."replayed_tx_order"
                WHEN NOT MATCHED AND s."known_next_offset" IS NULL THEN INSERT ("topic", "partition", "next_offset", \
                "newest_last_commit_lsn", "newest_lsn", "newest_tx_order", "replayed_last_commit_lsn", "replayed_lsn", \
                "replayed_tx_order") VALUES (s."topic", s."partition", s."next_offset", s."newest_last_commit_lsn", \
                s."newest_lsn", s."newest_tx_order", s."replayed_last_commit_lsn", s."replayed_lsn", s."replayed_tx_order")\
                """.formatted(row, row));
        assertThat(snowflake.advanceProgress(2)).isEqualTo(upperCaseQuoted(duckdb.advanceProgress(2)));
    }

    /** Snowflake's generator quotes the same names in upper case. */
    private static String upperCaseQuoted(String sql) {
        return Pattern.compile("\"([a-z_]+)\"").matcher(sql).replaceAll(m -> "\"" + m.group(1).toUpperCase() + "\"");
    }

    @Test
    void snowflakeMapsEverySourceType() {
        SnowflakeDialect d = new SnowflakeDialect();
        assertThat(Arrays.stream(ColumnType.values()).map(t -> d.type(new Column("c", t, false))).toList())
                .containsExactly("VARCHAR", "BOOLEAN", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "FLOAT", "VARCHAR",
                        "DATE", "TIME", "VARCHAR", "TIMESTAMP_NTZ", "TIMESTAMP_TZ", "VARCHAR", "BINARY", "VARIANT");
        assertThat(d.type(new Column("c", ColumnType.TEXT, true))).isEqualTo("ARRAY");
        // Debezium's time.precision.mode=microseconds: days and microseconds since the epoch.
        assertThat(d.castFromText("x", new Column("c", ColumnType.DATE, false)))
                .isEqualTo("DATEADD(day, CAST(x AS INTEGER), DATE '1970-01-01')");
        assertThat(d.castFromText("x", new Column("c", ColumnType.TIMESTAMP, false)))
                .isEqualTo("TO_TIMESTAMP_NTZ(CAST(x AS BIGINT), 6)");
        assertThat(d.castFromText("x", new Column("c", ColumnType.JSON, false))).isEqualTo("PARSE_JSON(x)");
        assertThat(d.castFromText("x", new Column("c", ColumnType.BYTEA, false))).isEqualTo("TO_BINARY(x, 'HEX')");
    }

    @Test
    void aNumericIsADecimalOfItsOwnPrecisionWhereOneHoldsItAndExactTextElsewhere() {
        DuckDbDialect duck = new DuckDbDialect();
        SnowflakeDialect snow = new SnowflakeDialect();
        Column money = Column.numeric("c", 12, 3);
        Column wide = Column.numeric("c", 60, 20);
        Column unconstrained = new Column("c", ColumnType.NUMERIC, false);
        Column allScale = Column.numeric("c", 38, 38);

        assertThat(List.of(duck.type(money), duck.type(wide), duck.type(unconstrained), duck.type(allScale)))
                .containsExactly("DECIMAL(12,3)", "VARCHAR", "VARCHAR", "DECIMAL(38,38)");
        // Snowflake's scale stops at 37.
        assertThat(List.of(snow.type(money), snow.type(wide), snow.type(unconstrained), snow.type(allScale)))
                .containsExactly("NUMBER(12,3)", "VARCHAR", "VARCHAR", "VARCHAR");
        assertThat(duck.castFromText("x", money)).isEqualTo("CAST(x AS DECIMAL(12,3))");
        assertThat(duck.castFromText("x", wide)).isEqualTo("x");
        assertThat(snow.castFromText("x", unconstrained)).isEqualTo("x");
    }

    @Test
    void duckdbReadsTheTextStageTextGivesForEachType() {
        DuckDbDialect d = new DuckDbDialect();
        assertThat(Arrays.stream(ColumnType.values()).map(t -> d.type(new Column("c", t, false))).toList())
                .containsExactly("VARCHAR", "BOOLEAN", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "VARCHAR",
                        "DATE", "TIME", "TIMETZ", "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL", "BLOB", "VARCHAR");
        assertThat(d.castFromText("x", new Column("c", ColumnType.DATE, false))).isEqualTo("CASE WHEN x LIKE"
                + " '%infinity' THEN CAST(x AS DATE) ELSE CAST(DATE '1970-01-01' + CAST(x AS INTEGER) AS DATE) END");
        assertThat(d.castFromText("x", new Column("c", ColumnType.TIMESTAMP, false))).isEqualTo("CASE WHEN x LIKE"
                + " '%infinity' THEN CAST(x AS TIMESTAMP) ELSE make_timestamp(CAST(x AS BIGINT)) END");
        assertThat(d.castFromText("x", new Column("c", ColumnType.BYTEA, false))).isEqualTo("unhex(x)");
        assertThat(d.castFromText("x", new Column("c", ColumnType.INTERVAL, false))).isEqualTo("CAST(x AS INTERVAL)");
        assertThat(d.castFromText("x", new Column("c", ColumnType.TEXT, true))).isEqualTo("CAST(CAST(x AS JSON) AS VARCHAR[])");
    }

    @Test
    void duckdbHistoryTakesTheValuesAChangeLacksFromTheCurrentStateAndRefusesThemWhereItHasNoRow() {
        TableSchema notes = new TableSchema(new TableId("public", "notes"), List.of(
                new Column("id", ColumnType.INTEGER, false),
                new Column("body", ColumnType.TEXT, false)), List.of("id"), false);

        assertThat(duckdb.insertHistoryFromStageTakingUnavailable(notes)).isEqualTo("""
                INSERT INTO "notes_history" ("_op", "_lsn", "_tx_id", "_source_ts", "_loaded_at", "_kafka_topic", \
                "_kafka_partition", "_kafka_offset", "id", "body")
                SELECT s."_op", s."_lsn", s."_tx_id", to_timestamp(CAST(s."_source_ts_ms" AS DOUBLE) / 1000), now(), \
                s."_kafka_topic", s."_kafka_partition", s."_kafka_offset",
                  CAST(s."id" AS INTEGER) AS "id", CASE WHEN substr(s."_unavailable", 2, 1) = '1' THEN CASE WHEN \
                c."id" IS NULL THEN error('column body: the change does not carry its value (an unchanged TOASTed \
                value, or a column a delete leaves out under REPLICA IDENTITY DEFAULT) and the warehouse holds no row \
                of its key to take it from (Kafka offset ' || CAST(s."_kafka_offset" AS VARCHAR) || ')') \
                ELSE c."body" END ELSE s."body" END AS "body"
                FROM "_stage_notes" AS s
                LEFT JOIN "notes" AS c ON c."id" = CAST(s."id" AS INTEGER)
                ORDER BY s."_kafka_partition", s."_kafka_offset\"""");
        assertThat(duckdb.mergeFromStageKeepingUnavailable(notes)).isEqualTo("""
                MERGE INTO "notes" AS t
                USING (
                  SELECT * FROM (
                    SELECT "_op", "_unavailable", CAST("id" AS INTEGER) AS "id", "body" AS "body",
                      row_number() OVER (PARTITION BY "id" ORDER BY "_kafka_offset" DESC) AS "_newest"
                    FROM "_stage_notes"
                  ) AS staged WHERE "_newest" = 1
                ) AS s
                ON t."id" = s."id"
                WHEN MATCHED AND s."_op" = 'd' THEN DELETE
                WHEN MATCHED THEN UPDATE SET "body" = CASE WHEN substr(s."_unavailable", 2, 1) = '1' THEN t."body" \
                ELSE s."body" END
                WHEN NOT MATCHED AND s."_op" <> 'd' THEN INSERT ("id", "body") VALUES (s."id", s."body")""");
        // Snowflake has no function that raises an error: a cast of the message to a number fails quoting it.
        assertThat(snowflake.insertHistoryFromStageTakingUnavailable(notes))
                .contains("THEN CAST('column body: the change does not carry its value");
    }

    /**
     * PostgreSQL: no QUALIFY (the newest change per key is picked in a subquery, as for the others), each source column
     * in its own type (a timestamptz before 1 AD renumbered to PostgreSQL's BC), arrays element by element, the stage
     * emptied with TRUNCATE, and a failure typed as its column.
     */
    @Test
    void postgresMergesTheLastChangePerKeyInTheSourcesOwnTypes() {
        assertThat(postgres.mergeFromStage(FLIGHT_STATE)).isEqualTo("""
                MERGE INTO "flight_state" AS t
                USING (
                  SELECT * FROM (
                    SELECT "_op", "icao24" AS "icao24", CASE WHEN "time_position" ~ '^(-[0-9]|0000-)' THEN \
                CAST(lpad(CAST(1 - CAST(substring("time_position" from '^(-?[0-9]+)-') AS integer) AS text), 4, '0') || \
                substring("time_position" from '^-?[0-9]+(-.*)$') || ' BC' AS timestamptz) \
                ELSE CAST("time_position" AS timestamptz) END AS "time_position", \
                CAST("velocity" AS double precision) AS "velocity", CAST("on_ground" AS boolean) AS "on_ground", \
                CASE WHEN "sensors" IS NULL THEN NULL ELSE ARRAY(SELECT CAST(e AS integer) FROM \
                jsonb_array_elements_text(CAST("sensors" AS jsonb)) WITH ORDINALITY AS a(e, n) ORDER BY n) END AS "sensors",
                      row_number() OVER (PARTITION BY "icao24" ORDER BY "_kafka_offset" DESC) AS "_newest"
                    FROM "_stage_flight_state"
                  ) AS staged WHERE "_newest" = 1
                ) AS s
                ON t."icao24" = s."icao24"
                WHEN MATCHED AND s."_op" = 'd' THEN DELETE
                WHEN MATCHED THEN UPDATE SET "time_position" = s."time_position", "velocity" = s."velocity", \
                "on_ground" = s."on_ground", "sensors" = s."sensors"
                WHEN NOT MATCHED AND s."_op" <> 'd' THEN INSERT ("icao24", "time_position", "velocity", "on_ground", \
                "sensors") VALUES (s."icao24", s."time_position", s."velocity", s."on_ground", s."sensors")""");
        assertThat(postgres.clearStage(FLIGHT_STATE)).isEqualTo("TRUNCATE \"_stage_flight_state\"");
        assertThat(postgres.createCurrentTable(FLIGHT_STATE)).contains("PRIMARY KEY (\"icao24\")");

        TableSchema notes = new TableSchema(new TableId("public", "notes"), List.of(
                new Column("id", ColumnType.INTEGER, false),
                new Column("at", ColumnType.TIMESTAMP, false)), List.of("id"), false);
        assertThat(postgres.insertHistoryFromStageTakingUnavailable(notes))
                .contains("THEN CAST(CAST(CAST('column at: the change does not carry its value")
                .contains("AS integer) AS text) AS timestamp) ELSE c.\"at\" END")
                .contains("LEFT JOIN \"notes\" AS c ON c.\"id\" = CAST(s.\"id\" AS integer)");
    }

    @Test
    void snowflakeSetsAsideOnlyWhatTheDataCausedAndRetriesTheRest() {
        SnowflakeDialect d = new SnowflakeDialect();
        assertThat(d.refusesData(new SQLException("Numeric value 'abc' is not recognized", "22018"))).isTrue();
        assertThat(d.refusesData(new SQLException("NULL result in a non-nullable column", "23502"))).isTrue();
        assertThat(d.refusesData(new SQLException("JDBC driver encountered communication error", "08001"))).isFalse();
        assertThat(d.refusesData(new SQLException("no state"))).isFalse();
    }
}
