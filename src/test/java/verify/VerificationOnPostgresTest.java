package verify;

import static org.assertj.core.api.Assertions.assertThat;
import static verify.FlightStateCopies.ROWS;

import analytics.FlightAnalyticsViews;
import e2e.FreePorts;
import embedded.EmbeddedPostgresServer;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import settings.PipelineSettings;
import warehouse.Warehouse;
import warehouse.postgres.PostgresWarehouse;

/**
 * verify as the command runs it, from the settings, with {@code flightcdc.warehouse.type=postgres}: here the warehouse
 * is a database of the embedded server, which verify itself starts from the data folder.
 */
class VerificationOnPostgresTest {

    @Test
    void aWarehouseDatabaseOnTheEmbeddedServerIsComparedOnceVerifyHasStartedIt() throws Exception {
        Path dataDir = FlightStateCopies.newDirectory("embedded-warehouse-");
        String password;
        // The pipeline's run, which left the source and its warehouse database in the data folder.
        try (FlightStateCopies run = FlightStateCopies.start(dataDir.resolve("postgres"))) {
            password = run.password();
            run.replaceSource(ROWS);
            run.sourceSql("CREATE DATABASE warehouse");
            try (Warehouse loader = PostgresWarehouse.open(database(run.jdbcUrl(), "warehouse"),
                    EmbeddedPostgresServer.SUPERUSER, password, FlightAnalyticsViews::over, 1)) {
                loader.prepare(List.of(run.schema()));
                loader.load(FlightStateCopies.creates(FlightStateCopies.TABLE, ROWS));
            }
        }
        int port = FreePorts.one();
        Map<String, String> settings = defaults(dataDir);
        settings.put("flightcdc.source.embedded-port", String.valueOf(port));
        settings.put("flightcdc.warehouse.type", "postgres");
        settings.put("flightcdc.warehouse.postgres-url", "jdbc:postgresql://127.0.0.1:" + port + "/warehouse");
        settings.put("flightcdc.warehouse.postgres-user", EmbeddedPostgresServer.SUPERUSER);
        settings.put("flightcdc.warehouse.postgres-password", password);

        List<TableComparison> comparisons = Verification.compareAll(
                PipelineSettings.from(key -> Optional.ofNullable(settings.get(key))), 20);

        assertThat(comparisons).extracting(TableComparison::summary)
                .containsExactly("public.flight_state: source 3 rows, warehouse 3 rows, checksums equal — MATCH");
        assertThat(dataDir.resolve("postgres/postmaster.pid")).as("the server verify started is stopped").doesNotExist();
    }

    /** The settings' defaults, with this data folder. */
    private static Map<String, String> defaults(Path dataDir) throws Exception {
        Map<String, String> values = new HashMap<>();
        try (InputStream in = VerificationOnPostgresTest.class.getResourceAsStream("/application.properties")) {
            Properties p = new Properties();
            p.load(in);
            p.stringPropertyNames().forEach(k -> values.put(k,
                    p.getProperty(k).replace("{{flightcdc.data-dir}}", dataDir.toString())));
        }
        values.put("flightcdc.data-dir", dataDir.toString());
        return values;
    }

    private static String database(String jdbcUrl, String database) {
        return jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1) + database;
    }
}
