package settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import warehouse.snowflake.PrivateKeyPem;

/**
 * Where and as whom the pipeline reaches Snowflake, validated at startup: the account, the user and its
 * key pair (the private key read and decrypted here, so a wrong key or passphrase stops the start with
 * the setting's name), the role, compute warehouse, database and schema, and the loading options.
 *
 * <p>{@link #toString()} leaves the key out: settings are bound in Camel's registry and may be printed.
 */
public record SnowflakeSettings(String account, String url, String user, String role, String warehouse, String database,
                                String schema, PrivateKey privateKey, String targetLag, Duration commitTimeout,
                                String loaderRole, Optional<String> loaderUser, Duration loginTimeout) {

    /** Snowflake's unquoted identifiers, which it folds to upper case. */
    private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_$]{0,254}";
    private static final Pattern LAG = Pattern.compile("(\\d+)\\s*(second|minute|hour|day)s?", Pattern.CASE_INSENSITIVE);

    public static final String PRIVATE_KEY = "flightcdc.snowflake.private-key";
    public static final String PRIVATE_KEY_FILE = "flightcdc.snowflake.private-key-file";
    public static final String PASSPHRASE = "flightcdc.snowflake.private-key-passphrase";

    /** Reads the flightcdc.snowflake.* settings; {@code properties} resolves a key to its configured value. */
    public static SnowflakeSettings from(Function<String, Optional<String>> properties) {
        SettingsReader r = new SettingsReader(properties);
        String account = r.matching("flightcdc.snowflake.account", "[A-Za-z0-9][A-Za-z0-9._-]*",
                "an account identifier such as myorg-myaccount (the part before .snowflakecomputing.com)");
        String url = r.optional("flightcdc.snowflake.url").map(u -> u.replaceAll("/+$", ""))
                .orElse("https://" + account.toLowerCase(Locale.ROOT) + ".snowflakecomputing.com");
        if (!url.matches("https://[A-Za-z0-9._-]+(:\\d+)?")) {
            throw new InvalidSettingException("flightcdc.snowflake.url", "must look like https://host[:port], got '" + url + "'");
        }
        return new SnowflakeSettings(account, url,
                r.required("flightcdc.snowflake.user"),
                identifier(r, "flightcdc.snowflake.role"),
                identifier(r, "flightcdc.snowflake.warehouse"),
                identifier(r, "flightcdc.snowflake.database"),
                identifier(r, "flightcdc.snowflake.schema"),
                privateKey(r),
                targetLag(r),
                Duration.ofMillis(r.intInRange("flightcdc.snowflake.commit-timeout-ms", 1_000, 3_600_000)),
                identifier(r, "flightcdc.snowflake.loader-role"),
                r.optional("flightcdc.snowflake.loader-user"),
                Duration.ofSeconds(r.intInRange("flightcdc.snowflake.login-timeout-seconds", 1, 3600)));
    }

    /** The JDBC URL, naming the session's database, schema, warehouse and role; the credentials go apart. */
    public String jdbcUrl() {
        return "jdbc:snowflake://" + url.substring("https://".length()) + "/?db=" + database + "&schema=" + schema
                + "&warehouse=" + warehouse + "&role=" + role;
    }

    private static String identifier(SettingsReader r, String key) {
        return r.matching(key, IDENTIFIER, "a Snowflake identifier (letters, digits, _ and $, not starting with a digit)")
                .toUpperCase(Locale.ROOT);
    }

    /** The key as PEM text from the setting (an environment variable, typically) or from a file: exactly one. */
    private static PrivateKey privateKey(SettingsReader r) {
        Optional<String> inline = r.optional(PRIVATE_KEY);
        Optional<String> file = r.optional(PRIVATE_KEY_FILE);
        if (inline.isPresent() == file.isPresent()) {
            throw new InvalidSettingException(PRIVATE_KEY_FILE, inline.isPresent()
                    ? "and " + PRIVATE_KEY + " are both set: set only one"
                    : "or " + PRIVATE_KEY + " must be set: Snowflake key-pair authentication needs the user's private key");
        }
        String key = inline.isPresent() ? PRIVATE_KEY : PRIVATE_KEY_FILE;
        String pem = inline.orElseGet(() -> readKeyFile(Path.of(file.get())));
        char[] passphrase = r.optional(PASSPHRASE).map(String::toCharArray).orElse(null);
        try {
            return PrivateKeyPem.read(pem, passphrase);
        } catch (PrivateKeyPem.InvalidKeyText e) {
            throw new InvalidSettingException(e.passphraseAtFault() ? PASSPHRASE : key,
                    e.passphraseAtFault() ? "does not open " + key + ": the key " + e.getMessage() : e.getMessage());
        }
    }

    private static String readKeyFile(Path path) {
        try {
            return Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new InvalidSettingException(PRIVATE_KEY_FILE, "names " + path.toAbsolutePath() + ", which does not exist");
        } catch (IOException e) {
            throw new InvalidSettingException(PRIVATE_KEY_FILE, "names " + path.toAbsolutePath() + ", which cannot be read: "
                    + e.getMessage());
        }
    }

    /** A dynamic table's target lag: Snowflake accepts one minute or more. */
    private static String targetLag(SettingsReader r) {
        String raw = r.required("flightcdc.snowflake.target-lag");
        Matcher m = LAG.matcher(raw);
        if (!m.matches()) {
            throw new InvalidSettingException("flightcdc.snowflake.target-lag",
                    "must be a number and a unit (seconds, minutes, hours, days), such as '1 minute', got '" + raw + "'");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        long seconds = amount * switch (unit) {
            case "second" -> 1;
            case "minute" -> 60;
            case "hour" -> 3600;
            default -> 86_400;
        };
        if (seconds < 60) {
            throw new InvalidSettingException("flightcdc.snowflake.target-lag", "must be at least 1 minute, got '" + raw + "'");
        }
        return amount + " " + unit + (amount == 1 ? "" : "s");
    }

    @Override
    public String toString() {
        return "SnowflakeSettings[account=" + account + ", url=" + url + ", user=" + user + ", role=" + role
                + ", warehouse=" + warehouse + ", database=" + database + ", schema=" + schema
                + ", privateKey=" + Secret.HIDDEN + ", targetLag=" + targetLag + ", commitTimeout=" + commitTimeout
                + ", loaderRole=" + loaderRole + ", loaderUser=" + loaderUser.orElse("") + ", loginTimeout=" + loginTimeout + "]";
    }
}
