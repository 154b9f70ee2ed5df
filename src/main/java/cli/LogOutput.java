package cli;

import java.util.Objects;
import org.apache.logging.log4j.core.config.Configurator;
import settings.LogFormat;

/** Puts the log in the format flightcdc.log.format names. */
final class LogOutput {

    private LogOutput() {
    }

    /**
     * From the next line on, logs in {@code format}. log4j2.properties picks its layout by a system property when
     * Log4j configures itself, which it has done by now: the first class that asks for a logger starts it, and Camel's,
     * which read the setting, are such classes. So Log4j is configured again when the layout must change; nothing
     * has logged yet when the command line runs as main runs it.
     */
    static void use(LogFormat format) {
        String before = System.setProperty(LogFormat.LOG4J_PROPERTY, format.setting());
        if (!format.setting().equals(Objects.requireNonNullElse(before, LogFormat.TEXT.setting()))) {
            Configurator.reconfigure();
        }
    }
}
