package warehouse.snowflake;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Properties;
import net.snowflake.client.api.driver.SnowflakeDriver;
import settings.SnowflakeSettings;

/**
 * Opens Snowflake sessions with key-pair authentication: JDBC connections (MERGE mode, migrate) and the
 * properties of a Snowpipe Streaming client. The private key is handed over as an object or as bytes,
 * never put in a URL or a message.
 */
public final class SnowflakeConnections {

    static {
        // The driver logs through java.util.logging to the console unless told to use SLF4J, where
        // log4j2.properties governs it. Read once, when the driver's classes load: hence here, first.
        if (System.getProperty("net.snowflake.jdbc.loggerImpl") == null) {
            System.setProperty("net.snowflake.jdbc.loggerImpl", "net.snowflake.client.log.SLF4JLogger");
        }
    }

    /**
     * snowflake-jdbc's driver, named rather than found by DriverManager: the Snowpipe Streaming SDK carries
     * an older copy of the driver of its own, registered for the same jdbc:snowflake: URLs, and DriverManager
     * hands out whichever was registered first (the SDK's, on this classpath, which ignores the login timeout).
     */
    private static final Driver DRIVER = SnowflakeDriver.INSTANCE;

    private final SnowflakeSettings settings;

    public SnowflakeConnections(SnowflakeSettings settings) {
        this.settings = settings;
    }

    public SnowflakeSettings settings() {
        return settings;
    }

    /** A JDBC session in the configured database, schema, warehouse and role. */
    public Connection openJdbc() throws SQLException {
        try {
            return DRIVER.connect(settings.jdbcUrl(), jdbcProperties());
        } catch (SQLException e) {
            throw new SQLException("Cannot connect to Snowflake at " + settings.url() + " as " + settings.user() + " (role "
                    + settings.role() + "): " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    /** What the JDBC driver is given beside the URL. */
    Properties jdbcProperties() {
        Properties p = new Properties();
        p.put("user", settings.user());
        // The driver takes a java.security.PrivateKey under this name and then authenticates with a JWT.
        p.put("privateKey", settings.privateKey());
        // Arrow result sets need --add-opens on Java 17; the loader reads little, JSON is as good.
        p.put("JDBC_QUERY_RESULT_FORMAT", "JSON");
        p.put("application", "flight-cdc");
        // Bounds the login, retries included (the driver's default is 5 minutes): an unreachable account fails sooner.
        p.put("loginTimeout", String.valueOf(settings.loginTimeout().toSeconds()));
        // Otherwise each login first probes cloud metadata endpoints (AWS, Azure, GCP) to tell Snowflake where
        // it runs: seconds of waiting off the cloud, and errors in the log.
        p.put("disablePlatformDetection", "true");
        return p;
    }

    /** The properties of a Snowpipe Streaming client, in the SDK's own names. */
    public Properties streamingProperties() {
        Properties p = new Properties();
        p.put("url", settings.url() + ":443");
        p.put("user", settings.user());
        p.put("role", settings.role());
        // The SDK wants the PKCS#8 bytes of an unencrypted key, base64: it was decrypted once, at startup.
        p.put("private_key", Base64.getEncoder().encodeToString(settings.privateKey().getEncoded()));
        return p;
    }
}
