package warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.internal.resource.ResourceName;
import org.flywaydb.core.internal.resource.ResourceNameParser;
import org.flywaydb.core.internal.scanner.Scanner;
import org.junit.jupiter.api.Test;
import warehouse.snowflake.SnowflakeMigration.Mode;

/**
 * What migrate hands Flyway, checked without an account: the migrations Flyway finds on the classpath
 * for each mode (which also proves the build packages snowflake/), their versions and descriptions, and
 * the placeholders, which must be exactly those the files use.
 */
class SnowflakeMigrationTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    @Test
    void streamingModeFindsTheCommonThenTheStreamingMigrations() throws Exception {
        assertThat(migrations(Mode.STREAMING)).containsExactly(
                "V1 loader role", "V2 flight state changes", "V3 flight state current", "V4 load watermark",
                "V5 flight state current through load watermark", "R analytics views", "R flight state refresh");
    }

    @Test
    void mergeModeFindsTheCommonThenTheMergeMigrations() throws Exception {
        assertThat(migrations(Mode.MERGE)).containsExactly("V1 loader role", "V2 loader owns tables");
    }

    @Test
    void flywayKeepsItsHistoryInTheConfiguredSchemaAndIsGivenTheSettingsAsPlaceholders() throws Exception {
        Configuration c = SnowflakeMigration.configuration(TestSnowflakeSettings.settings(), Mode.STREAMING);

        assertThat(c.getSchemas()).containsExactly("CDC");
        assertThat(c.getPlaceholders()).containsExactlyInAnyOrderEntriesOf(Map.of("database", "FLIGHTCDC", "schema", "CDC",
                "warehouse", "FLIGHTCDC_WH", "target_lag", "1 minute", "loader_role", "FLIGHTCDC_LOADER"));
        assertThat(c.isFailOnMissingLocations()).isTrue();
        assertThat(c.isBaselineOnMigrate()).isTrue();
        assertThat(c.getBaselineVersion().getVersion()).isEqualTo("0");
    }

    @Test
    void everyPlaceholderTheFilesUseIsOneMigrateSuppliesAndTheReverse() throws Exception {
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("snowflake"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Matcher m = PLACEHOLDER.matcher(Files.readString(file));
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }

        assertThat(used).isEqualTo(Arrays.stream(MigrationPlaceholder.values()).map(MigrationPlaceholder::key)
                .collect(Collectors.toCollection(TreeSet::new)));
        assertThat(MigrationPlaceholder.values(TestSnowflakeSettings.settings())).containsOnlyKeys(used);
    }

    @Test
    void aLoaderUserNamedWithoutQuotesIsFoldedAndAnyOtherIsQuotedExactly() {
        assertThat(SnowflakeMigration.identifier("flightcdc_loader")).isEqualTo("flightcdc_loader");
        assertThat(SnowflakeMigration.identifier("loader@example.com")).isEqualTo("\"loader@example.com\"");
        assertThat(SnowflakeMigration.identifier("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    }

    /** Version and description of each migration Flyway finds, versioned first, as Flyway orders them. */
    private static List<String> migrations(Mode mode) throws Exception {
        Configuration c = SnowflakeMigration.configuration(TestSnowflakeSettings.settings(), mode);
        Scanner<JavaMigration> scanner = new Scanner<>(JavaMigration.class, c, c.getLocations());
        ResourceNameParser parser = new ResourceNameParser(c);
        return scanner.getResources("", c.getSqlMigrationSuffixes()).stream()
                .map(resource -> parser.parse(resource.getFilename()))
                .filter(ResourceName::isValid)
                .sorted(Comparator.comparing(ResourceName::getVersion, Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparing(ResourceName::getDescription))
                .map(name -> (name.getVersion() == null ? "R" : "V" + name.getVersion()) + " " + name.getDescription())
                .toList();
    }
}
