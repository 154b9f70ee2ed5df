package e2e;

import app.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import warehouse.Warehouse;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * The whole pipeline in the test's Camel context, as {@code run} wires it, with the test's settings
 * on top of application.properties.
 */
abstract class PipelineTestSupport extends CamelMainTestSupport {

    /** The settings this test's pipeline runs with, on top of application.properties. */
    protected abstract Properties pipelineSettings();

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        context.withUseOverridePropertiesWithPropertiesComponent(pipelineSettings());
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        Pipeline.addTo(configuration);
    }

    /**
     * A new folder under target/e2e. It is not deleted by the test: the embedded Kafka broker halts
     * the JVM if its log directory vanishes while it still runs, and Camel may stop it only after
     * every @AfterAll.
     */
    static Path newDirectory(String prefix) {
        try {
            return Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings every pipeline test shares: its data in {@code dataDir}, small load batches; then {@code more}. */
    static Properties settings(Path dataDir, String... more) {
        Properties p = new Properties();
        p.setProperty("flightcdc.data-dir", dataDir.toString());
        p.setProperty("flightcdc.warehouse.duckdb-path", dataDir.resolve("warehouse.duckdb").toString());
        p.setProperty("flightcdc.load.max-wait-ms", "100");
        // camel-test-main starts no embedded HTTP server (app/HttpServerSetup), and the dashboard's routes need one.
        p.setProperty("flightcdc.http.enabled", "false");
        for (int i = 0; i < more.length; i += 2) {
            p.setProperty(more[i], more[i + 1]);
        }
        return p;
    }

    protected DuckDbWarehouse warehouse() {
        // Bound as a Warehouse, by the type its configuration method declares.
        return (DuckDbWarehouse) context.getRegistry().lookupByNameAndType("warehouse", Warehouse.class);
    }

    /** A connection to the running pipeline's warehouse; the caller closes it. */
    protected Connection warehouseConnection() throws SQLException {
        return warehouse().newReader();
    }
}
