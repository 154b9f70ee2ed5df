package warehouse.snowflake;

import java.io.StringWriter;
import java.security.KeyPairGenerator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import settings.SnowflakeSettings;

/** Valid Snowflake settings for tests that never reach an account: a fresh key pair, made-up names. */
public final class TestSnowflakeSettings {

    private static String pem;

    private TestSnowflakeSettings() {
    }

    /** An unencrypted PKCS#8 private key, PEM, made once per test JVM. */
    public static synchronized String privateKeyPem() throws Exception {
        if (pem == null) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(new JcaPKCS8Generator(generator.generateKeyPair().getPrivate(), null));
            }
            pem = out.toString();
        }
        return pem;
    }

    /** The flightcdc.snowflake.* keys with values, as they would be set. */
    public static Map<String, String> values() throws Exception {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("flightcdc.snowflake.account", "myorg-myaccount");
        v.put("flightcdc.snowflake.user", "deployer");
        v.put("flightcdc.snowflake.private-key", privateKeyPem());
        v.put("flightcdc.snowflake.role", "sysadmin");
        v.put("flightcdc.snowflake.warehouse", "flightcdc_wh");
        v.put("flightcdc.snowflake.database", "flightcdc");
        v.put("flightcdc.snowflake.schema", "cdc");
        v.put("flightcdc.snowflake.target-lag", "1 minute");
        v.put("flightcdc.snowflake.commit-timeout-ms", "120000");
        v.put("flightcdc.snowflake.loader-role", "flightcdc_loader");
        v.put("flightcdc.snowflake.login-timeout-seconds", "60");
        return v;
    }

    public static SnowflakeSettings settings(Map<String, String> values) {
        return SnowflakeSettings.from(key -> Optional.ofNullable(values.get(key)));
    }

    public static SnowflakeSettings settings() throws Exception {
        return settings(values());
    }
}
