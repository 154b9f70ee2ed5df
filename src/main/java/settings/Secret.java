package settings;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A secret from the settings, such as a database password: its value goes only to what authenticates
 * with it, through {@link #value()}; printed, it reads {@value #HIDDEN}. Settings records hold their
 * secrets as this type, so their own {@code toString()} (they are bound in Camel's registry and may be
 * printed) never shows one, whatever field is added later.
 *
 * <p>{@link #redactUrls(String)} does the same for secrets inside connection URLs, for messages that
 * name a URL or quote a driver's message that does.
 */
public final class Secret {

    /** What a secret reads as wherever it would be printed. */
    public static final String HIDDEN = "(hidden)";

    /**
     * Query parameters whose value is a secret (password=, sslpassword=, ...) and the password of a
     * user:password@ part; the name or user stays, so the message still says what to check. A value ends
     * where the URL does in a message: at a space or a quote.
     */
    private static final Pattern URL_SECRETS = Pattern.compile(
            "(?i)([?&;][^=&;#\\s]*(?:password|passphrase|secret|token)=)[^&;#\\s'\"]*|(//[^/:@?#\\s]*:)[^/@?#\\s]*(@)");

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        if (value == null) {
            throw new IllegalArgumentException("a secret needs a value");
        }
        return new Secret(value);
    }

    /** The secret itself, for what authenticates with it; never for a message. */
    public String value() {
        return value;
    }

    /** {@code text} (a URL, or a message naming URLs) with the value of every secret a URL carries replaced by {@value #HIDDEN}. */
    public static String redactUrls(String text) {
        return URL_SECRETS.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) != null
                ? m.group(1) + HIDDEN
                : m.group(2) + HIDDEN + m.group(3)));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && secret.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return HIDDEN;
    }
}
