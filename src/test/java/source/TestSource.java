package source;

import e2e.FreePorts;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real embedded PostgreSQL holding the source schema, for the tests that need one; closing stops it. */
public final class TestSource implements AutoCloseable {

    private final Path dir;
    private final EmbeddedPostgresServer postgres;
    private final SourceDatabase database;

    private TestSource(Path dir, EmbeddedPostgresServer postgres, SourceDatabase database) {
        this.dir = dir;
        this.postgres = postgres;
        this.database = database;
    }

    /** Starts PostgreSQL on a free port in a new folder under target/pg named after {@code name}, and migrates it. */
    public static TestSource start(String name) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "pg")), name + "-");
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one());
        SourceDatabase database = SourceDatabase.of(postgres);
        try {
            database.migrate();
        } catch (Exception e) {
            database.close();
            postgres.close();
            throw e;
        }
        return new TestSource(dir, postgres, database);
    }

    /** The test's own folder, beside the server's data. */
    public Path dir() {
        return dir;
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    /** The superuser's password, which the server generated. */
    public String password() {
        return postgres.password();
    }

    public SourceDatabase database() {
        return database;
    }

    @Override
    public void close() throws Exception {
        database.close();
        postgres.close();
    }
}
