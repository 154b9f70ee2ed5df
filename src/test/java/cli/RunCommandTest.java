package cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.Route;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {

    @TempDir
    Path userRoutes;

    @Test
    void theRoutesFolderIsLoadedBesideTheRoutesApplicationPropertiesNames() throws Exception {
        Files.writeString(userRoutes.resolve("mine.yaml"), """
                - route:
                    id: mine
                    from:
                      uri: "timer:mine?repeatCount=1"
                      steps:
                        - log: "{{flightcdc.kafka.topic-prefix}}"
                """);
        Main main = new Main();
        // Loaded, not started: no broker to read from.
        main.addOverrideProperty("flightcdc.squawks.enabled", "false");
        main.addOverrideProperty("flightcdc.kafka.bootstrap-servers", "127.0.0.1:9");
        main.addMainListener(RunCommand.alsoLoading("file:" + userRoutes.toAbsolutePath() + "/*.yaml"));
        try {
            main.start();
            assertThat(main.getCamelContext().getRoutes()).extracting(Route::getRouteId)
                    .containsExactlyInAnyOrder("emergency-squawks", "mine");
        } finally {
            main.stop();
        }
    }
}
