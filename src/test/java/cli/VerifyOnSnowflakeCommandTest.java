package cli;

import static org.assertj.core.api.Assertions.assertThat;

import e2e.FreePorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import warehouse.snowflake.TestSnowflakeSettings;

/** {@code flight-cdc verify} with a Snowflake warehouse, without a Snowflake account: how it fails to connect. */
class VerifyOnSnowflakeCommandTest {

    @Test
    void anUnreachableAccountExitsTwoSayingWhatToCheckBeforeTheSourceIsTouched() throws Exception {
        int closed = FreePorts.one();
        List<String> args = new ArrayList<>(List.of("-D", "flightcdc.warehouse.type=snowflake-merge",
                // Nobody listens there either: the warehouse is opened first, so the source is never reached.
                "--postgres-url", "jdbc:postgresql://127.0.0.1:" + FreePorts.one() + "/flightcdc"));
        Map<String, String> snowflake = TestSnowflakeSettings.values();
        snowflake.putAll(Map.of("flightcdc.snowflake.url", "https://127.0.0.1:" + closed, "flightcdc.snowflake.user", "loader",
                "flightcdc.snowflake.role", "flightcdc_loader", "flightcdc.snowflake.login-timeout-seconds", "2"));
        snowflake.forEach((key, value) -> args.addAll(List.of("-D", key + "=" + value)));

        long started = System.nanoTime();
        CommandRun result = CommandRun.of("verify", args.toArray(String[]::new));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(result.err()).startsWith("Cannot connect to Snowflake at https://127.0.0.1:" + closed
                        + " as loader (role FLIGHTCDC_LOADER): ")
                .endsWith("Connection refused. Check the flightcdc.snowflake.* settings and that this machine reaches the"
                        + " account (see docs/snowflake.md)\n")
                .hasLineCount(1)
                .doesNotContain("java.")
                .doesNotContain("PRIVATE KEY");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void theHelpNamesEveryWarehouse() {
        CommandRun help = CommandRun.of("verify", "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("snowflake-merge").contains("snowflake-streaming").contains("DuckDB");
    }
}
