package warehouse.snowflake;

import app.SnowflakeSettings;
import java.sql.Connection;
import net.snowflake.client.api.driver.SnowflakeDriver;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Properties;

/**
 * Opens Snowflake sessions with key-pair authentication: JDBC connections (MERGE mode, migrate) and the
 * properties of a Snowpipe Streaming client. The private key is handed over as an object or as bytes,
 * never put in a URL or a message.
 */
public final class SnowflakeConnections {

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
            // This driver by name: the Snowpipe Streaming SDK carries a copy of its own, registered for the same URLs.
            return new SnowflakeDriver().connect(settings.jdbcUrl(), jdbcProperties());
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
        // The driver retries a login for up to 5 minutes by default; a start that cannot log in should say so sooner.
        p.put("loginTimeout", String.valueOf(settings.loginTimeout().toSeconds()));
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
