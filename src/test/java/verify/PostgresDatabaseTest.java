package verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static verify.FlightStateCopies.ROWS;

import analytics.FlightAnalyticsViews;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import settings.PipelineSettings;
import settings.Secret;
import settings.StartupException;
import warehouse.Column;
import warehouse.DerivedViews;
import warehouse.LoadResult;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.Warehouse;
import warehouse.postgres.PostgresWarehouse;

/**
 * verify against a PostgreSQL warehouse: a second database of the test's PostgreSQL, loaded by the real loader
 * (PostgresWarehouse) from Debezium's JSON of the source's rows, each load in a schema of its own named by the URL's
 * currentSchema, as a user may set it. Every column type the loader carries compares equal, its edge values included;
 * a row changed or removed in the warehouse is a difference.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresDatabaseTest {

    private static final TableId EVERY_TYPE = new TableId("public", "every_type");

    private static final String EVERY_TYPE_COLUMNS = "id integer PRIMARY KEY, t text, b boolean, s smallint, i integer,"
            + " bi bigint, r real, d double precision, n numeric(12,3), nu numeric, nw numeric(60,20), dt date, tm time,"
            + " ts timestamp, tz timestamptz, tt timetz, iv interval, by bytea, jb jsonb, js json, ta text[], ia integer[],"
            + " da double precision[]";

    /**
     * Every column type, as PostgreSQL's values: 1 a value in each column, 2 NULLs, 3 before 1970, empty and JSON
     * null, 4 infinities, NaN and the largest interval, 5 the first date and timestamp PostgreSQL has, 6 the last it
     * has that Debezium carries, 7 the other infinities. timetz is NULL: the loader sets a change with one aside. No
     * timestamptz before the year 1: see {@link #aTimestamptzBeforeTheYearOneComparesEqual}.
     */
    private static final List<String> EVERY_TYPE_VALUES = List.of(
            "1, 'Zürich ✈', true, -32768, 2147483647, -9223372036854775808, 1.1, 0.30000000000000004, 1.500,"
                    + " 123456789012345678901234567890.123456789, '12345678901234567890123456789012345678.01234567890123456789',"
                    + " '2024-02-29', '10:00:00.5', '2024-05-01 10:00:00.123456', '2024-05-01 12:00:00.123456+02', NULL,"
                    + " '1 year 2 mons -3 days 04:05:06.789012', '\\x00ff10', '{\"b\": 2.50, \"a\": [1, {\"c\": null}]}',"
                    + " '{ \"z\":1,  \"a\":\"x\" }', ARRAY['a', 'b,c', NULL, '\"q\"', '', '{brace}', 'NULL', 'back\\slash'],"
                    + " ARRAY[1, NULL, 3], ARRAY[1.5, NULL, -0.0]",
            "2" + ", NULL".repeat(22),
            "3, '', false, 0, 0, 0, -1.5, 1e300, -0.001, 'NaN', 0.00000000000000000001, '1969-12-31', '00:00:00',"
                    + " '1969-12-31 23:59:59.999999', '1900-01-01 00:00:00+00', NULL, '-1 mons', '\\x', '[]', 'null', '{}',"
                    + " '{}', '{}'",
            "4, E'tab\\t\"quote\"\\nline, comma', true, 32767, -2147483648, 9223372036854775807, 'Infinity', 'NaN', 'NaN',"
                    + " 'Infinity', NULL, 'infinity', '24:00:00', '-infinity', 'infinity', NULL,"
                    + " '178956970 years 7 mons 2147483647 days 596523:14:07.999999', NULL, '{\"a\": \"é😀\"}', '[]',"
                    + " ARRAY[NULL]::text[], NULL, ARRAY[1e-300]",
            "5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, -999999999.999, '-Infinity',"
                    + " '-99999999999999999999999999999999999999.99999999999999999999', '4714-11-24 BC', '23:59:59.999999',"
                    + " '4714-11-24 00:00:00 BC', NULL, NULL, '-00:00:00.000001', NULL, NULL, NULL,"
                    + " NULL, NULL, NULL",
            "6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '0.0000001', NULL, '5874897-12-31', NULL,"
                    + " '294247-01-10 04:00:54.775806', '12345-06-07 08:09:10.111213+00', NULL,"
                    + " '-1 years -2 mons +3 days -04:05:06.5', NULL, NULL, NULL, NULL, NULL, NULL",
            "7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '-infinity', NULL, 'infinity', '-infinity',"
                    + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL");

    /** The same rows as Debezium's JSON carries them to the loader (see warehouse.StageText for its forms). */
    private static final List<String> EVERY_TYPE_ROWS = List.of(
            """
            {"id":1,"t":"Zürich ✈","b":true,"s":-32768,"i":2147483647,"bi":-9223372036854775808,"r":1.1,
             "d":0.30000000000000004,"n":"1.500","nu":"123456789012345678901234567890.123456789",
             "nw":"12345678901234567890123456789012345678.01234567890123456789","dt":19782,"tm":36000500000,
             "ts":1714557600123456,"tz":"2024-05-01T10:00:00.123456Z","tt":null,"iv":"P1Y2M-3DT4H5M6.789012S",
             "by":"00ff10","jb":"{\\"a\\": [1, {\\"c\\": null}], \\"b\\": 2.50}","js":"{ \\"z\\":1,  \\"a\\":\\"x\\" }",
             "ta":["a","b,c",null,"\\"q\\"","","{brace}","NULL","back\\\\slash"],"ia":[1,null,3],"da":[1.5,null,-0.0]}""",
            "{\"id\":2}",
            """
            {"id":3,"t":"","b":false,"s":0,"i":0,"bi":0,"r":-1.5,"d":1.0E300,"n":"-0.001","nu":"NAN",
             "nw":"0.00000000000000000001","dt":-1,"tm":0,"ts":-1,"tz":"1900-01-01T00:00:00Z","tt":null,
             "iv":"P0Y-1M0DT0H0M0S","by":"","jb":"[]","js":"null","ta":[],"ia":[],"da":[]}""",
            """
            {"id":4,"t":"tab\\t\\"quote\\"\\nline, comma","b":true,"s":32767,"i":-2147483648,"bi":9223372036854775807,
             "r":"Infinity","d":"NaN","n":"NAN","nu":"POSITIVE_INFINITY","dt":-2147472692,"tm":86400000000,
             "ts":-9223372036832400000,"tz":"infinity","iv":"P178956970Y7M2147483647DT596523H14M7.999999S",
             "jb":"{\\"a\\": \\"é😀\\"}","js":"[]","ta":[null],"da":[1.0E-300]}""",
            """
            {"id":5,"n":"-999999999.999","nu":"NEGATIVE_INFINITY",
             "nw":"-99999999999999999999999999999999999999.99999999999999999999","dt":-2440588,"tm":86399999999,
             "ts":-210866803200000000,"iv":"P0Y0M0DT0H0M-0.000001S"}""",
            """
            {"id":6,"nu":"0.0000001","dt":2145042905,"ts":9223372036854775806,"tz":"+12345-06-07T08:09:10.111213Z",
             "iv":"P-1Y-2M3DT-4H-5M-6.5S"}""",
            """
            {"id":7,"dt":-2147472691,"ts":9223372036825200000,"tz":"-infinity"}""");

    private Path dir;
    private FlightStateCopies copies;
    private TableSchema everyType;
    private int schemas;

    @BeforeAll
    void start() throws Exception {
        dir = FlightStateCopies.newDirectory("postgres-warehouse-");
        copies = FlightStateCopies.start(dir.resolve("postgres"));
        copies.sourceSql("CREATE DATABASE warehouse");
        copies.sourceSql("CREATE TABLE every_type (" + EVERY_TYPE_COLUMNS + ")");
        copies.sourceSql(EVERY_TYPE_VALUES.stream().map(v -> "(" + v + ")")
                .collect(Collectors.joining(", ", "INSERT INTO every_type VALUES ", "")));
        everyType = copies.describe(EVERY_TYPE);
    }

    @AfterAll
    void stop() throws Exception {
        copies.close();
    }

    @Test
    void everyColumnTypeAndItsEdgeValuesCompareEqual() throws Exception {
        String url = load(everyType, EVERY_TYPE_ROWS, DerivedViews.NONE);

        TableComparison result = verify(url, everyType);

        assertThat(result.summary()).as(() -> "columns that differ: " + differingColumns(url, everyType))
                .isEqualTo("public.every_type: source 7 rows, warehouse 7 rows, checksums equal — MATCH");
    }

    @Test
    void flightStateInTheDefaultSchemaWithTheLoadersViewsComparesEqual() throws Exception {
        copies.replaceSource(ROWS);
        String url = warehouseUrl("");
        load(url, copies.schema(), ROWS, FlightAnalyticsViews::over);

        TableComparison result = verify(url, copies.schema());

        assertThat(result.summary()).isEqualTo("public.flight_state: source 3 rows, warehouse 3 rows, checksums equal — MATCH");
    }

    @Test
    void aValueChangedInTheWarehouseIsADifferenceAndARowDeletedThereIsMissing() throws Exception {
        String url = load(everyType, EVERY_TYPE_ROWS, DerivedViews.NONE,
                "UPDATE every_type SET ts = ts + INTERVAL '1 microsecond' WHERE id = 1",
                // Equal to PostgreSQL's = (a month is 30 days to it), but not the same value.
                "UPDATE every_type SET iv = INTERVAL '-30 days' WHERE id = 3",
                // The same JSON value, but not its text, which a json column keeps.
                "UPDATE every_type SET js = '[ ]' WHERE id = 4",
                // The same number, but not its scale.
                "UPDATE every_type SET nu = 0.00000010 WHERE id = 6",
                "DELETE FROM every_type WHERE id = 7");

        TableComparison result = verify(url, everyType);

        assertThat(result.different()).isEqualTo(new TableComparison.Keys(4, List.of("1", "3", "4", "6")));
        assertThat(result.missing()).isEqualTo(new TableComparison.Keys(1, List.of("7")));
        assertThat(result.summary()).isEqualTo("public.every_type: source 7 rows, warehouse 6 rows, checksums differ"
                + " — 5 keys differ: missing in warehouse: 7; different: 1, 3, 4, 6");
    }

    /**
     * Debezium writes a timestamptz before the year 1 with ISO's signed year (4714-11-24 00:00:00+00 BC as
     * -4713-11-24T00:00:00Z, 1 BC as year 0000), which PostgreSQL's timestamptz input does not read: the dialect
     * renumbers them, and leaves -infinity, which starts with a minus too, as it is.
     */
    @Test
    void aTimestamptzBeforeTheYearOneComparesEqual() throws Exception {
        copies.sourceSql("CREATE TABLE IF NOT EXISTS before_year_one (id integer PRIMARY KEY, tz timestamptz);"
                + " TRUNCATE before_year_one; INSERT INTO before_year_one VALUES (1, '4714-11-24 00:00:00+00 BC'),"
                + " (2, '0001-06-01 00:00:00.5+00 BC'), (3, '0001-01-01 00:00:00+00'), (4, '-infinity'), (5, 'infinity')");
        TableSchema table = copies.describe(new TableId("public", "before_year_one"));
        String url = load(table, List.of("{\"id\":1,\"tz\":\"-4713-11-24T00:00:00Z\"}",
                "{\"id\":2,\"tz\":\"0000-06-01T00:00:00.5Z\"}", "{\"id\":3,\"tz\":\"0001-01-01T00:00:00Z\"}",
                "{\"id\":4,\"tz\":\"-infinity\"}", "{\"id\":5,\"tz\":\"infinity\"}"),
                DerivedViews.NONE);

        assertThat(verify(url, table).matches()).isTrue();
    }

    @Test
    void aWarehouseTheLoaderNeverWroteSaysToRunThePipelineFirst() throws Exception {
        String url = warehouseUrl(newSchema());

        try (Connection source = copies.sourceConnection(); PostgresDatabase warehouse = open(url, copies.password())) {
            assertThat(warehouse.name()).isEqualTo("PostgreSQL " + schemaOf(url) + " at " + url);
            assertThatThrownBy(() -> Verification.compare(everyType, source, warehouse, 20))
                    .isInstanceOf(StartupException.class)
                    .hasMessage("The warehouse " + warehouse.name() + " has no table every_type for public.every_type:"
                            + " run the pipeline with this warehouse and public.every_type in flightcdc.source.tables first");
        }
    }

    @Test
    void aPasswordRefusedSaysWhatToCheckAndShowsNoSecret() {
        String url = warehouseUrl("") + "?password=in-the-url";

        assertThatThrownBy(() -> open(url, "wrong-password"))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("Cannot connect to the PostgreSQL warehouse " + warehouseUrl("")
                        + "?password=(hidden) as postgres: ")
                .hasMessageEndingWith(". Check flightcdc.warehouse.postgres-url, -user and"
                        + " FLIGHTCDC_WAREHOUSE_POSTGRES_PASSWORD")
                .hasMessageNotContaining("in-the-url").hasMessageNotContaining("wrong-password");
    }

    @Test
    void aCurrentSchemaThatDoesNotExistIsNamedAsTheThingToCheck() {
        assertThatThrownBy(() -> open(warehouseUrl("nowhere"), copies.password()))
                .isInstanceOf(StartupException.class)
                .hasMessage("The PostgreSQL warehouse " + warehouseUrl("nowhere") + " has no schema postgres may use on"
                        + " its search path: the URL's currentSchema (public by default) does not exist, or postgres has no"
                        + " USAGE on it. Check flightcdc.warehouse.postgres-url and -user");
    }

    /** Loads {@code rows} into a new schema of the warehouse with the real loader, then runs {@code sql} there. */
    private String load(TableSchema table, List<String> rows, DerivedViews views, String... sql) throws Exception {
        String url = warehouseUrl(newSchema());
        load(url, table, rows, views, sql);
        return url;
    }

    private void load(String url, TableSchema table, List<String> rows, DerivedViews views, String... sql) throws Exception {
        try (Warehouse loader = PostgresWarehouse.open(url, EmbeddedPostgresServer.SUPERUSER, copies.password(), views, 1)) {
            loader.prepare(List.of(table));
            LoadResult loaded = loader.load(FlightStateCopies.creates(table.id(), rows));
            assertThat(loaded.deadLetters()).as("changes the loader set aside").isEmpty();
        }
        try (Connection c = DriverManager.getConnection(url, EmbeddedPostgresServer.SUPERUSER, copies.password());
             Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    private TableComparison verify(String url, TableSchema table) throws Exception {
        try (Connection source = copies.sourceConnection(); PostgresDatabase warehouse = open(url, copies.password())) {
            return Verification.compare(table, source, warehouse, 20);
        }
    }

    /** For a failure's message: per column, the keys whose value differs. */
    private List<String> differingColumns(String url, TableSchema table) {
        List<String> differing = new ArrayList<>();
        for (Column c : table.columns().subList(1, table.columns().size())) {
            TableSchema one = new TableSchema(table.id(), List.of(table.columns().get(0), c), table.primaryKey());
            try {
                TableComparison r = verify(url, one);
                if (!r.matches()) {
                    differing.add(c.name() + " " + r.different().listed());
                }
            } catch (Exception e) {
                differing.add(c.name() + " " + e.getMessage());
            }
        }
        return differing;
    }

    private PostgresDatabase open(String url, String password) {
        return PostgresDatabase.open(
                new PipelineSettings.Warehouse.Postgres(url, EmbeddedPostgresServer.SUPERUSER, Secret.of(password)));
    }

    private String newSchema() throws Exception {
        String schema = "load_" + schemas++;
        try (Connection c = DriverManager.getConnection(warehouseUrl(""), EmbeddedPostgresServer.SUPERUSER,
                copies.password()); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return schema;
    }

    /** The warehouse database, in {@code schema} (its currentSchema), or in public when it is empty. */
    private String warehouseUrl(String schema) {
        String url = copies.jdbcUrl().substring(0, copies.jdbcUrl().lastIndexOf('/')) + "/warehouse";
        return schema.isEmpty() ? url : url + "?currentSchema=" + schema;
    }

    private static String schemaOf(String url) {
        return url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
    }
}
