package warehouse.snowflake;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import settings.SnowflakeSettings;

/**
 * The values the files under snowflake/ leave to the account they are deployed to, written
 * {@code ${name}} in them and filled in by Flyway from the settings when {@code migrate} runs. The
 * identifiers are validated by {@link SnowflakeSettings}, so they are safe to put in SQL unquoted.
 */
public enum MigrationPlaceholder {
    DATABASE(SnowflakeSettings::database),
    SCHEMA(SnowflakeSettings::schema),
    WAREHOUSE(SnowflakeSettings::warehouse),
    TARGET_LAG(SnowflakeSettings::targetLag),
    LOADER_ROLE(SnowflakeSettings::loaderRole);

    private final Function<SnowflakeSettings, String> value;

    MigrationPlaceholder(Function<SnowflakeSettings, String> value) {
        this.value = value;
    }

    /** The name Flyway knows it by. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** How a migration writes it. */
    public String token() {
        return "${" + key() + "}";
    }

    /** Every placeholder with its value for {@code settings}, for Flyway. */
    public static Map<String, String> values(SnowflakeSettings settings) {
        Map<String, String> values = new LinkedHashMap<>();
        Arrays.stream(values()).forEach(p -> values.put(p.key(), p.value.apply(settings)));
        return values;
    }
}
