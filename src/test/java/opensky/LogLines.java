package opensky;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every line logged while a test runs, by any logger, down to {@code level} (the root logger is set
 * there and put back on close), as "LEVEL logger: message". For asserting what is logged once, and
 * what is never logged at all.
 */
public final class LogLines implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LoggerConfig root;
    private final Level previousLevel;
    private final AbstractAppender appender;

    public LogLines(Level level) {
        root = ((LoggerContext) LogManager.getContext(false)).getConfiguration().getRootLogger();
        previousLevel = root.getLevel();
        appender = new AbstractAppender("log-lines", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getLevel() + " " + event.getLoggerName() + ": " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        root.addAppender(appender, Level.ALL, null);
        Configurator.setRootLevel(level);
    }

    public List<String> all() {
        return List.copyOf(lines);
    }

    /** The lines of one class's logger. */
    public List<String> of(Class<?> source) {
        return lines.stream().filter(l -> l.contains(" " + source.getName() + ": ")).toList();
    }

    @Override
    public void close() {
        Configurator.setRootLevel(previousLevel);
        root.removeAppender(appender.getName());
        appender.stop();
    }
}
