package warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import analytics.FlightAnalyticsViews;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import source.SourceCatalog;
import source.TestSource;
import warehouse.TableSchema;

/**
 * The files under snowflake/streaming/ are what {@link StreamingMigrations} makes of public.flight_state
 * as sql/ defines it, read from a real PostgreSQL migrated from sql/: a column added to the source shows
 * up here as a difference, with the content to paste.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingMigrationFilesTest {

    private static final Path SNOWFLAKE = Path.of("snowflake");
    /** Files under snowflake/ that no generator makes: they depend on no source table. */
    private static final Set<String> WRITTEN_BY_HAND = Set.of("common/V1__loader_role.sql", "merge/V2__loader_owns_tables.sql");

    private TestSource source;
    private TableSchema flightState;
    private Map<String, String> generated;

    @BeforeAll
    void describeTheSource() throws Exception {
        source = TestSource.start("snowflake-ddl");
        flightState = new SourceCatalog(source.database().dataSource()).describe(FlightAnalyticsViews.FLIGHT_STATE);
        generated = new StreamingMigrations().files(flightState);
    }

    @AfterAll
    void stop() throws Exception {
        source.close();
    }

    @TestFactory
    Stream<DynamicTest> eachStreamingMigrationIsWhatTheGeneratorsMake() {
        return generated.entrySet().stream().map(file -> DynamicTest.dynamicTest(file.getKey(), () -> {
            Path path = SNOWFLAKE.resolve("streaming").resolve(file.getKey());
            String actual = Files.exists(path) ? Files.readString(path) : null;
            if (!file.getValue().equals(actual)) {
                fail(path + (actual == null ? " is missing" : " differs from what the generators make") + " (a migration"
                        + " already deployed must not change: add a new one instead). Its content should be, between the"
                        + " scissors:\n----8<----\n" + file.getValue() + "----8<----");
            }
        }));
    }

    @Test
    void everyFileUnderSnowflakeIsGeneratedOrKnownToBeWrittenByHand() throws Exception {
        Set<String> expected = new TreeSet<>(WRITTEN_BY_HAND);
        generated.keySet().forEach(name -> expected.add("streaming/" + name));

        Set<String> present;
        try (Stream<Path> files = Files.walk(SNOWFLAKE)) {
            present = files.filter(Files::isRegularFile).map(f -> SNOWFLAKE.relativize(f).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(present).isEqualTo(expected);
    }

    @Test
    void theAnalyticsViewsFindTheColumnsTheyReadInTheSource() {
        assertThat(FlightAnalyticsViews.missingColumns(flightState)).isEmpty();
    }

    /**
     * Flyway computes a repeatable migration's checksum with the placeholders filled in, so a new target lag
     * makes migrate apply the refresh settings again, while the versioned migrations stay as deployed. Flyway
     * resolves the migrations without running them; PostgreSQL only lets it look for its history table.
     */
    @Test
    void aNewTargetLagOrWarehouseReappliesTheRefreshSettingsAndNothingElse() throws Exception {
        Map<String, Integer> before = checksums(TestSnowflakeSettings.values());
        Map<String, String> changed = TestSnowflakeSettings.values();
        changed.put("flightcdc.snowflake.target-lag", "5 minutes");
        Map<String, Integer> afterNewLag = checksums(changed);
        changed.put("flightcdc.snowflake.warehouse", "bigger_wh");
        Map<String, Integer> afterNewWarehouse = checksums(changed);

        String refresh = "R__" + flightState.id().name() + "_refresh.sql";
        assertThat(changedScripts(before, afterNewLag)).containsExactly(refresh);
        assertThat(changedScripts(afterNewLag, afterNewWarehouse)).containsExactly(refresh);
    }

    private Map<String, Integer> checksums(Map<String, String> settings) {
        MigrationInfo[] all = SnowflakeMigration.configuration(TestSnowflakeSettings.settings(settings),
                        SnowflakeMigration.Mode.STREAMING)
                .dataSource(source.database().dataSource())
                .load().info().all();
        assertThat(all).isNotEmpty();
        return Stream.of(all).collect(Collectors.toMap(MigrationInfo::getScript, MigrationInfo::getChecksum));
    }

    private static Set<String> changedScripts(Map<String, Integer> before, Map<String, Integer> after) {
        assertThat(after.keySet()).isEqualTo(before.keySet());
        return before.keySet().stream().filter(script -> !before.get(script).equals(after.get(script)))
                .map(script -> script.substring(script.lastIndexOf('/') + 1)).collect(Collectors.toSet());
    }
}
