package embedded;

import java.nio.file.Path;

/** Runs an embedded PostgreSQL until the JVM dies: a test kills it to leave the server orphaned. */
public final class PostgresUntilKilled {

    public static void main(String[] args) throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]), Integer.parseInt(args[1]));
        System.out.println("READY " + server.jdbcUrl());
        Thread.sleep(Long.MAX_VALUE);
    }
}
