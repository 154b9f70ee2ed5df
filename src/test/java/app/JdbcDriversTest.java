package app;

import static org.assertj.core.api.Assertions.assertThat;

import e2e.ChildJvm;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DriverManager loads its drivers once per JVM, so each case runs in a JVM of its own, on the test classpath
 * (which holds both of Snowflake's drivers, as the release does).
 */
class JdbcDriversTest {

    @TempDir
    Path dir;

    @Test
    void driverManagerLoadsEveryDriverButSnowflakesAndSnowflakeStillRegistersItsOwnWhenUsed() throws Exception {
        List<String> lines = drivers("filtered");

        assertThat(lines).contains("before org.postgresql.Driver", "before org.duckdb.DuckDBDriver", "duckdb connects");
        assertThat(lines).noneMatch(line -> line.startsWith("before net.snowflake."));
        // SnowflakeConnections names snowflake-jdbc's driver, whose class registers it as it loads.
        assertThat(lines).contains("after net.snowflake.client.api.driver.SnowflakeDriver");
    }

    @Test
    void withoutItDriverManagerLoadsBothOfSnowflakesDrivers() throws Exception {
        List<String> lines = drivers("unfiltered");

        assertThat(lines).contains("before net.snowflake.client.api.driver.SnowflakeDriver",
                "before net.snowflake.ingest.internal.net.snowflake.client.jdbc.SnowflakeDriver");
    }

    private List<String> drivers(String mode) throws InterruptedException {
        try (ChildJvm child = ChildJvm.start(dir.resolve(mode + ".log"), List.of(), PrintDrivers.class.getName(), List.of(mode))) {
            assertThat(child.awaitExit(Duration.ofMinutes(1))).as(child.tail(20)).isZero();
            return child.lines();
        }
    }

    /** Prints the drivers DriverManager holds, before and after SnowflakeConnections is first used. */
    public static final class PrintDrivers {
        public static void main(String[] args) throws Exception {
            if (args[0].equals("filtered")) {
                JdbcDrivers.loadAllButSnowflake();
            }
            print("before");
            try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
                System.out.println("duckdb connects");
            }
            Class.forName("warehouse.snowflake.SnowflakeConnections");
            print("after");
        }

        private static void print(String when) {
            for (Driver driver : Collections.list(DriverManager.getDrivers())) {
                System.out.println(when + " " + driver.getClass().getName());
            }
        }
    }
}
