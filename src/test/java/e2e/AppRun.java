package e2e;

import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code flight-cdc run --no-poll} against a PostgreSQL the test owns, as a user runs it: its data in {@code dir/app},
 * the embedded broker on {@code kafkaPort}, no YAML routes of its own (the sample one runs, as it does for users), the
 * password in the environment.
 */
record AppRun(Path dir, EmbeddedPostgresServer postgres, int kafkaPort) {

    static AppRun of(Path dir, EmbeddedPostgresServer postgres) {
        return new AppRun(dir, postgres, FreePorts.pair());
    }

    Map<String, String> environment() {
        return Map.of("FLIGHTCDC_SOURCE_PASSWORD", postgres.password());
    }

    /** Where the application's data and source are: what {@code verify} is given too. */
    List<String> location() {
        return List.of("--data-dir", dir.resolve("app").toString(), "--postgres-url", postgres.jdbcUrl());
    }

    List<String> run() {
        List<String> run = new ArrayList<>(List.of("run", "--no-poll", "--routes", dir.resolve("no-routes").toString(),
                "-D", "flightcdc.kafka.embedded-port=" + kafkaPort, "-D", "flightcdc.source.heartbeat-interval-ms=500"));
        run.addAll(location());
        return run;
    }

    String kafka() {
        return "127.0.0.1:" + kafkaPort;
    }
}
