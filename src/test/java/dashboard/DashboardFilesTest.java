package dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The dashboard's files, and nothing else on the classpath, whatever path a request gives. */
class DashboardFilesTest {

    private final DashboardFiles files = new DashboardFiles(DashboardFilesTest.class.getClassLoader());

    @Test
    void thePageItsScriptsAndTheVendoredLibrariesAreServedWithTheirTypes() {
        assertThat(new String(files.page().bytes(), StandardCharsets.UTF_8)).contains("<title>flight-cdc dashboard</title>");
        assertThat(files.page().contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(files.file("/dashboard/map.js").contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(files.file("vendor/leaflet/leaflet.css").contentType()).isEqualTo("text/css; charset=utf-8");
        assertThat(files.file("/dashboard/vendor/uplot/uPlot.iife.min.js").bytes()).isNotEmpty();
        assertThat(files.file("/dashboard/vendor/world-atlas/countries-110m.json").contentType()).isEqualTo("application/json");
    }

    @Test
    void noPathLeadsOutOfItsFolderOrToAFileOfAnotherKind() {
        for (String path : new String[] {"/application.properties", "/dashboard/../application.properties",
                "/dashboard/%2e%2e/application.properties", "../application.properties", "/dashboard//etc/passwd",
                "/dashboard/vendor/leaflet/LICENSE", "/dashboard/app/Pipeline.class", "/dashboard/", "/dashboard/nothere.js",
                "/dashboard/vendor/../../log4j2.properties", null}) {
            assertThatThrownBy(() -> files.file(path)).as(path).isInstanceOf(DashboardFiles.NoSuchFileException.class);
        }
    }
}
