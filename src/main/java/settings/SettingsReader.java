package settings;

import java.util.Optional;
import java.util.function.Function;

/**
 * Reads typed settings from a key-value source and fails with a message that names the key,
 * so a wrong setting stops the pipeline at startup instead of somewhere downstream.
 */
final class SettingsReader {

    private final Function<String, Optional<String>> source;

    SettingsReader(Function<String, Optional<String>> source) {
        this.source = source;
    }

    Optional<String> optional(String key) {
        return source.apply(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    String required(String key) {
        return optional(key).orElseThrow(() -> new InvalidSettingException(key, "is required but empty"));
    }

    String string(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    int intInRange(String key, int min, int max) {
        String raw = required(key);
        int value;
        try {
            value = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "must be a whole number, got '" + raw + "'");
        }
        if (value < min || value > max) {
            throw new InvalidSettingException(key, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    long longValue(String key) {
        String raw = required(key);
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "must be a whole number, got '" + raw + "'");
        }
    }

    boolean bool(String key) {
        String raw = required(key);
        return switch (raw.toLowerCase()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidSettingException(key, "must be true or false, got '" + raw + "'");
        };
    }

    String matching(String key, String regex, String expectation) {
        String raw = required(key);
        if (!raw.matches(regex)) {
            throw new InvalidSettingException(key, "must be " + expectation + ", got '" + raw + "'");
        }
        return raw;
    }
}
