package cli;

import static org.assertj.core.api.Assertions.assertThat;

import e2e.FreePorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import warehouse.snowflake.TestSnowflakeSettings;

/** {@code flight-cdc migrate} without a Snowflake account: what it refuses, and how it fails to connect. */
class MigrateCommandTest {

    @Test
    void theEmbeddedWarehouseExitsTwoNamingTheSetting() {
        CommandRun result = migrate();

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("Setting flightcdc.warehouse.type must be snowflake-streaming or snowflake-merge"
                + " for migrate, got 'duckdb': the loader makes the tables of a duckdb warehouse as it starts\n");
    }

    @Test
    void aMissingSnowflakeSettingExitsTwoNamingIt() {
        CommandRun result = migrate("-D", "flightcdc.warehouse.type=snowflake-merge");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("Setting flightcdc.snowflake.account is required but empty\n");
    }

    @Test
    void anInvalidSnowflakeSettingExitsTwoNamingIt() throws Exception {
        List<String> args = snowflake("snowflake-streaming", Map.of("flightcdc.snowflake.target-lag", "30 seconds"));

        CommandRun result = migrate(args.toArray(String[]::new));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("Setting flightcdc.snowflake.target-lag must be at least 1 minute, got '30 seconds'\n");
    }

    @Test
    void anUnreachableAccountFailsWithinTheLoginTimeoutSayingWhatToCheck() throws Exception {
        int closed = FreePorts.one();
        List<String> args = snowflake("snowflake-streaming", Map.of("flightcdc.snowflake.url", "https://127.0.0.1:" + closed));
        args.addAll(List.of("-D", "flightcdc.snowflake.login-timeout-seconds=2"));

        long started = System.nanoTime();
        CommandRun result = migrate(args.toArray(String[]::new));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(took).isLessThan(Duration.ofSeconds(30));
        assertThat(result.err()).startsWith("Cannot connect to Snowflake at https://127.0.0.1:" + closed + " as deployer (role SYSADMIN): ")
                .contains("Connection refused")
                .endsWith("(check flightcdc.snowflake.account, .url, .user and the key pair, and that this machine reaches"
                        + " the account)\n")
                .hasLineCount(1)
                .doesNotContain("PRIVATE KEY");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void theCommandLineListsMigrate() {
        CommandRun help = CommandRun.of("--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("migrate");
    }

    /** Every Snowflake setting, valid, as -D options, with {@code overrides}. */
    private static List<String> snowflake(String type, Map<String, String> overrides) throws Exception {
        Map<String, String> values = TestSnowflakeSettings.values();
        values.putAll(overrides);
        List<String> args = new ArrayList<>(List.of("-D", "flightcdc.warehouse.type=" + type));
        values.forEach((key, value) -> args.addAll(List.of("-D", key + "=" + value)));
        return args;
    }

    private static CommandRun migrate(String... args) {
        return CommandRun.of("migrate", args);
    }
}
