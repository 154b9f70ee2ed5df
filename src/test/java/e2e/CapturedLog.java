package e2e;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The warnings one class logs while a test runs, as formatted one-line messages. Listens at the
 * root logger, so the configured logging (the console) stays as it is.
 */
final class CapturedLog implements AutoCloseable {

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final LoggerConfig root;
    private final AbstractAppender appender;

    CapturedLog(Class<?> source) {
        root = ((LoggerContext) LogManager.getContext(false)).getConfiguration().getRootLogger();
        appender = new AbstractAppender("captured-" + source.getSimpleName(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLoggerName().equals(source.getName())) {
                    warnings.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        appender.start();
        root.addAppender(appender, Level.WARN, null);
    }

    List<String> warnings() {
        return warnings;
    }

    @Override
    public void close() {
        root.removeAppender(appender.getName());
        appender.stop();
    }
}
