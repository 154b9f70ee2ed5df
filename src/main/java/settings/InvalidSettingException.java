package settings;

/** A setting that cannot work; the message names the key so the user knows what to fix. */
public class InvalidSettingException extends StartupException {

    public InvalidSettingException(String key, String problem) {
        super("Setting " + key + " " + problem);
    }
}
