package cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import settings.PipelineSettings;
import warehouse.TableId;

/** Commands that do not start Camel Main still see the settings the way {@code run} does. */
class SettingOptionsTest {

    private static PipelineSettings resolve(String... args) throws Exception {
        SettingOptions options = new SettingOptions();
        new CommandLine(options).parseArgs(args);
        return options.resolve();
    }

    @Test
    void withoutOptionsTheShippedApplicationPropertiesApply() throws Exception {
        PipelineSettings settings = resolve();

        assertThat(settings.dataDir()).isEqualTo(Path.of("data"));
        assertThat(settings.warehouse().duckdbPath()).isEqualTo(Path.of("data", "warehouse.duckdb"));
        assertThat(settings.source().embedded()).isTrue();
        assertThat(settings.source().tables()).containsExactly(new TableId("public", "flight_state"));
    }

    @Test
    void optionsAndDashDOverrideTheFileAndItsPlaceholdersFollow() throws Exception {
        PipelineSettings settings = resolve("--data-dir", "/tmp/elsewhere", "--postgres-url",
                "jdbc:postgresql://127.0.0.1:5432/flights", "-D", "flightcdc.source.tables=public.a, public.b");

        assertThat(settings.warehouse().duckdbPath()).isEqualTo(Path.of("/tmp/elsewhere/warehouse.duckdb"));
        assertThat(settings.source().jdbcUrl()).contains("jdbc:postgresql://127.0.0.1:5432/flights");
        assertThat(settings.source().tables()).containsExactly(new TableId("public", "a"), new TableId("public", "b"));
    }
}
