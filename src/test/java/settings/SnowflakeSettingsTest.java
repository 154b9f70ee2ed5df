package settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import warehouse.snowflake.TestSnowflakeSettings;

class SnowflakeSettingsTest {

    private static final org.bouncycastle.jce.provider.BouncyCastleProvider BC =
            new org.bouncycastle.jce.provider.BouncyCastleProvider();
    private static KeyPair keys;

    @TempDir
    Path dir;

    @BeforeAll
    static void generateKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
    }

    private static Map<String, String> valid(String pem) throws Exception {
        Map<String, String> v = new HashMap<>(TestSnowflakeSettings.values());
        v.put("flightcdc.snowflake.account", "MyOrg-MyAccount");
        v.put("flightcdc.snowflake.private-key", pem);
        return v;
    }

    private static SnowflakeSettings read(Map<String, String> values) {
        return SnowflakeSettings.from(key -> Optional.ofNullable(values.get(key)));
    }

    private static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object instanceof java.security.PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
        }
        return out.toString();
    }

    /** PKCS#8 encrypted the way Snowflake's guide has openssl do it (-v2 des3), or with AES-256. */
    private static String encryptedPkcs8(ASN1ObjectIdentifier cipher, String passphrase) throws Exception {
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(cipher).setProvider(BC).setPassword(passphrase.toCharArray()).build();
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), encryptor));
        }
        return out.toString();
    }

    @Test
    void readsEverySettingAndFoldsIdentifiersToUpperCaseAsSnowflakeDoes() throws Exception {
        SnowflakeSettings s = read(valid(pem(keys.getPrivate())));

        assertThat(s.url()).isEqualTo("https://myorg-myaccount.snowflakecomputing.com");
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:snowflake://myorg-myaccount.snowflakecomputing.com/"
                + "?db=FLIGHTCDC&schema=CDC&warehouse=FLIGHTCDC_WH&role=SYSADMIN");
        assertThat(s.privateKey().getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThat(s.targetLag()).isEqualTo("1 minute");
        assertThat(s.loaderUser()).isEmpty();
    }

    @Test
    void neverPrintsTheKey() throws Exception {
        SnowflakeSettings s = read(valid(pem(keys.getPrivate())));

        String base64Key = java.util.Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
        assertThat(s.toString()).contains("privateKey=(hidden)").doesNotContain(base64Key.substring(40, 80))
                .doesNotContain(((java.security.interfaces.RSAPrivateKey) keys.getPrivate()).getPrivateExponent().toString());
    }

    @Test
    void readsTheKeyFromAFile() throws Exception {
        Path file = dir.resolve("rsa_key.p8");
        Files.writeString(file, pem(keys.getPrivate()));
        Map<String, String> v = valid(null);
        v.remove("flightcdc.snowflake.private-key");
        v.put("flightcdc.snowflake.private-key-file", file.toString());

        assertThat(read(v).privateKey().getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
    }

    @ParameterizedTest
    @ValueSource(strings = {"des3", "aes256"})
    void decryptsAnEncryptedPkcs8KeyWithItsPassphrase(String cipher) throws Exception {
        Map<String, String> v = valid(encryptedPkcs8(cipher.equals("des3") ? PKCS8Generator.DES3_CBC : PKCS8Generator.AES_256_CBC,
                "correct horse"));
        v.put("flightcdc.snowflake.private-key-passphrase", "correct horse");

        assertThat(read(v).privateKey().getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
    }

    @Test
    void readsAnEncryptedPkcs1Key() throws Exception {
        var generator = new JcaMiscPEMGenerator(keys.getPrivate(),
                new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BC).build("s3cret".toCharArray()));
        Map<String, String> v = valid(pem(generator));
        v.put("flightcdc.snowflake.private-key-passphrase", "s3cret");

        assertThat(read(v).privateKey().getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
    }

    @Test
    void aWrongOrMissingPassphraseNamesThePassphraseSetting() throws Exception {
        Map<String, String> v = valid(encryptedPkcs8(PKCS8Generator.AES_256_CBC, "correct horse"));
        assertThatThrownBy(() -> read(v)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("flightcdc.snowflake.private-key-passphrase").hasMessageContaining("no passphrase");

        v.put("flightcdc.snowflake.private-key-passphrase", "battery staple");
        assertThatThrownBy(() -> read(v)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("flightcdc.snowflake.private-key-passphrase").hasMessageContaining("wrong passphrase")
                .hasMessageNotContaining("battery staple");
    }

    @Test
    void somethingThatIsNotAKeyNamesTheKeySettingWithoutQuotingIt() throws Exception {
        Map<String, String> v = valid("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-not-a-pem");
        assertThatThrownBy(() -> read(v)).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Setting flightcdc.snowflake.private-key ").hasMessageNotContaining("MIIEvQ");

        v.put("flightcdc.snowflake.private-key", pem(keys.getPublic()));
        assertThatThrownBy(() -> read(v)).hasMessageContaining("flightcdc.snowflake.private-key ")
                .hasMessageContaining("not a private key");
    }

    @Test
    void exactlyOneSourceOfTheKey() throws Exception {
        Map<String, String> none = valid(null);
        none.remove("flightcdc.snowflake.private-key");
        assertThatThrownBy(() -> read(none)).hasMessageContaining("flightcdc.snowflake.private-key-file or "
                + "flightcdc.snowflake.private-key must be set");

        Map<String, String> both = valid(pem(keys.getPrivate()));
        both.put("flightcdc.snowflake.private-key-file", "/keys/rsa_key.p8");
        assertThatThrownBy(() -> read(both)).hasMessageContaining("are both set");

        Map<String, String> missingFile = valid(null);
        missingFile.remove("flightcdc.snowflake.private-key");
        missingFile.put("flightcdc.snowflake.private-key-file", dir.resolve("absent.p8").toString());
        assertThatThrownBy(() -> read(missingFile)).hasMessageContaining("flightcdc.snowflake.private-key-file names")
                .hasMessageContaining("does not exist");
    }

    @Test
    void wrongSettingsFailNamingTheKey() throws Exception {
        String key = pem(keys.getPrivate());
        Map<String, String> wrong = Map.of(
                "flightcdc.snowflake.account", "https://x.snowflakecomputing.com",
                "flightcdc.snowflake.user", " ",
                "flightcdc.snowflake.database", "flight-cdc",
                "flightcdc.snowflake.schema", "1cdc",
                "flightcdc.snowflake.target-lag", "30 seconds",
                "flightcdc.snowflake.url", "http://insecure.example",
                "flightcdc.snowflake.commit-timeout-ms", "soon",
                "flightcdc.snowflake.login-timeout-seconds", "0");
        for (Map.Entry<String, String> setting : wrong.entrySet()) {
            Map<String, String> v = valid(key);
            v.put(setting.getKey(), setting.getValue());
            assertThatThrownBy(() -> read(v)).as(setting.getKey()).isInstanceOf(InvalidSettingException.class)
                    .hasMessageStartingWith("Setting " + setting.getKey() + " ");
        }
    }

    @Test
    void theWarehouseTypeSwitchesSnowflakeOnAndItsSettingsAreReadOnlyThen() throws Exception {
        Map<String, String> v = new HashMap<>();
        try (var in = getClass().getResourceAsStream("/application.properties")) {
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            p.stringPropertyNames().forEach(k -> v.put(k, p.getProperty(k).replace("{{flightcdc.data-dir}}", "data")));
        }
        assertThat(PipelineSettings.from(k -> Optional.ofNullable(v.get(k))).snowflake()).isEmpty();

        v.put("flightcdc.warehouse.type", "snowflake-streaming");
        assertThatThrownBy(() -> PipelineSettings.from(k -> Optional.ofNullable(v.get(k))))
                .hasMessageStartingWith("Setting flightcdc.snowflake.account ");

        v.putAll(valid(pem(keys.getPrivate())));
        PipelineSettings s = PipelineSettings.from(k -> Optional.ofNullable(v.get(k)));
        assertThat(s.warehouse().type()).isEqualTo(PipelineSettings.Warehouse.Type.SNOWFLAKE_STREAMING);
        assertThat(s.snowflake()).isPresent();

        v.put("flightcdc.warehouse.type", "snowflake");
        assertThatThrownBy(() -> PipelineSettings.from(k -> Optional.ofNullable(v.get(k))))
                .hasMessage("Setting flightcdc.warehouse.type must be one of [duckdb, snowflake-streaming, snowflake-merge, postgres],"
                        + " got 'snowflake'");
    }
}
