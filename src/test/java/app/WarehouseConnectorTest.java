package app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import settings.PipelineSettings;
import settings.StartupException;
import warehouse.duckdb.DuckDbWarehouse;
import warehouse.snowflake.TestSnowflakeSettings;

/** A warehouse that cannot be reached stops the start with a message naming where and as whom, not a stack trace. */
class WarehouseConnectorTest {

    private static Map<String, String> snowflakeSettings(String type, String url) throws Exception {
        Map<String, String> v = new HashMap<>();
        try (InputStream in = WarehouseConnectorTest.class.getResourceAsStream("/application.properties")) {
            Properties p = new Properties();
            p.load(in);
            p.stringPropertyNames().forEach(k -> v.put(k, p.getProperty(k).replace("{{flightcdc.data-dir}}", "data")));
        }
        v.putAll(TestSnowflakeSettings.values());
        v.put("flightcdc.warehouse.type", type);
        v.put("flightcdc.snowflake.url", url);
        v.put("flightcdc.snowflake.user", "loader");
        v.put("flightcdc.snowflake.role", "flightcdc_loader");
        return v;
    }

    @Test
    void anAccountUrlTheStreamingSdkRefusesStopsTheStartNamingIt() throws Exception {
        Map<String, String> v = snowflakeSettings("snowflake-streaming", "https://127.0.0.1:9");
        PipelineSettings settings = PipelineSettings.from(k -> Optional.ofNullable(v.get(k)));

        assertThatThrownBy(() -> WarehouseConnector.open(settings, Optional.empty())).isInstanceOf(StartupException.class)
                .hasMessageStartingWith("Cannot open the Snowflake warehouse (snowflake-streaming) at https://127.0.0.1:9 as user"
                        + " loader with role FLIGHTCDC_LOADER: ")
                .hasMessageContaining("flightcdc.snowflake.*")
                .hasMessageNotContaining("PRIVATE KEY");
    }

    @Test
    void aSnowflakeThatDoesNotAnswerStopsTheMergeModesStartInBoundedTime() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> v = snowflakeSettings("snowflake-merge", "https://127.0.0.1:" + closedPort);
        v.put("flightcdc.snowflake.login-timeout-seconds", "3");
        PipelineSettings settings = PipelineSettings.from(k -> Optional.ofNullable(v.get(k)));

        long started = System.nanoTime();
        assertThatThrownBy(() -> WarehouseConnector.open(settings, Optional.empty())).isInstanceOf(StartupException.class)
                .hasMessageStartingWith("Cannot open the Snowflake warehouse (snowflake-merge) at https://127.0.0.1:" + closedPort);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void theDuckDbWarehouseOpensWithTheMemoryLimitOfTheSettings(@TempDir Path dir) throws Exception {
        Map<String, String> v = snowflakeSettings("duckdb", "");
        v.put("flightcdc.warehouse.duckdb-path", dir.resolve("w.duckdb").toString());
        v.put("flightcdc.warehouse.duckdb-memory-limit", "64MB");
        PipelineSettings settings = PipelineSettings.from(k -> Optional.ofNullable(v.get(k)));

        try (DuckDbWarehouse warehouse = (DuckDbWarehouse) WarehouseConnector.open(settings, Optional.empty());
                Connection reader = warehouse.newReader();
                ResultSet limit = reader.createStatement().executeQuery("SELECT current_setting('memory_limit')")) {
            assertThat(limit.next()).isTrue();
            assertThat(limit.getString(1)).isEqualTo("61.0 MiB"); // 64,000,000 bytes
        }
    }

    /** A PostgreSQL warehouse that is down stops the start naming where and as whom, and no password, even one in the URL. */
    @Test
    void aPostgresqlWarehouseThatIsDownStopsTheStartNamingItWithoutItsPassword() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> v = snowflakeSettings("postgres", "");
        v.put("flightcdc.warehouse.postgres-url", "jdbc:postgresql://127.0.0.1:" + closedPort + "/analytics?password=in-url-secret");
        v.put("flightcdc.warehouse.postgres-user", "loader");
        v.put("flightcdc.warehouse.postgres-password", "s3cret-pw");
        PipelineSettings settings = PipelineSettings.from(k -> Optional.ofNullable(v.get(k)));

        assertThatThrownBy(() -> WarehouseConnector.open(settings, Optional.empty())).isInstanceOf(StartupException.class)
                .hasMessageStartingWith("Cannot open the PostgreSQL warehouse jdbc:postgresql://127.0.0.1:" + closedPort
                        + "/analytics?password=(hidden) as user loader: ")
                .hasMessageContaining("Connection to 127.0.0.1:" + closedPort + " refused")
                .hasMessageContaining("FLIGHTCDC_WAREHOUSE_POSTGRES_PASSWORD")
                .hasMessageNotContaining("s3cret-pw").hasMessageNotContaining("in-url-secret").hasMessageNotContaining("..");
    }
}
