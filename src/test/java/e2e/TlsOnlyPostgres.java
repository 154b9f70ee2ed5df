package e2e;

import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** An embedded PostgreSQL made to serve as a managed one does: TLS only, with a certificate of the test's authority. */
final class TlsOnlyPostgres {

    private TlsOnlyPostgres() {
    }

    /**
     * The server's certificate, TLS on, and every connection without it refused, replication included.
     *
     * @param data the server's data folder, where it reads its certificate, key and pg_hba.conf
     */
    static void serve(EmbeddedPostgresServer server, Path data, TestCertificates certificates) throws Exception {
        Files.copy(certificates.serverCertificatePem(), data.resolve("server.crt"));
        // PostgreSQL refuses a key file others may read.
        Files.copy(certificates.serverKeyPem(), data.resolve("server.key"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.writeString(data.resolve("pg_hba.conf"), """
                hostnossl all          all all reject
                hostnossl replication  all all reject
                hostssl   all          all 127.0.0.1/32 scram-sha-256
                hostssl   replication  all 127.0.0.1/32 scram-sha-256
                """);
        try (Connection c = server.connect()) {
            SourceSql.execute(c, "ALTER SYSTEM SET ssl = on");
            SourceSql.execute(c, "SELECT pg_reload_conf()");
        }
        // Reloaded: a connection that will not encrypt is refused from now on. Polled on this thread: the callers run
        // this in a static initialiser, and another thread calling their class meanwhile would wait for it forever.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Connection ignored = connect(server, certificates, "disable")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL still takes connections without TLS");
                }
                Thread.sleep(100);
            } catch (SQLException refused) {
                return;
            }
        }
    }

    /** A connection as its superuser, with libpq's {@code sslMode}, trusting the test's authority. */
    static Connection connect(EmbeddedPostgresServer server, TestCertificates certificates, String sslMode)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", server.user());
        p.setProperty("password", server.password());
        p.setProperty("sslmode", sslMode);
        p.setProperty("sslrootcert", certificates.authorityPem().toString());
        return DriverManager.getConnection(server.jdbcUrl(), p);
    }
}
