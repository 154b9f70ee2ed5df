package settings;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * How log lines are written, the setting {@value #KEY}: text for people, or one JSON object a line for log shippers.
 * The flight-cdc command reads it before the command it runs logs anything (see cli.LogOutput), so it is not part
 * of {@link PipelineSettings}, which the pipeline reads only once it starts.
 */
public enum LogFormat {
    /** {@code 12:00:00.000 INFO  OpenSkyPollRoute Poll ...}: log4j2.properties' pattern. */
    TEXT,
    /** One JSON object a line in Elastic Common Schema, stack traces included (log4j2.properties says why ECS). */
    JSON;

    public static final String KEY = "flightcdc.log.format";

    /**
     * The system property log4j2.properties chooses its layout by (a SystemPropertyArbiter), set to the value of
     * {@link #setting()}. It is not the setting's own key: Camel reads system properties as settings too, and a
     * value handed to Log4j must not become the setting of the next command run in the same JVM (the tests').
     */
    public static final String LOG4J_PROPERTY = "flightcdc.log4j.layout";

    /** The setting's value: the constant's name in lower case. */
    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads and checks {@value #KEY}; {@code properties} resolves a key to its configured value. */
    public static LogFormat from(Function<String, Optional<String>> properties) {
        String value = new SettingsReader(properties).required(KEY);
        return Arrays.stream(values()).filter(format -> format.setting().equalsIgnoreCase(value)).findFirst()
                .orElseThrow(() -> new InvalidSettingException(KEY, "must be one of "
                        + Arrays.stream(values()).map(LogFormat::setting).toList() + ", got '" + value + "'"));
    }
}
