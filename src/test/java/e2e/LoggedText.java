package e2e;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
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
 * Everything logged while it is open, by any logger, as a log file would hold it: each event's level,
 * logger and message, then its exception's stack trace with every cause and their messages. The root
 * logger and the loggers named are set to the levels given while it listens; closing it reloads the
 * configured logging.
 */
final class LoggedText implements AutoCloseable {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final LoggerConfig root;
    private final AbstractAppender appender;

    LoggedText(Level rootLevel, Map<String, Level> loggers) {
        root = context().getConfiguration().getRootLogger();
        appender = new AbstractAppender("logged-text", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                StringWriter text = new StringWriter();
                text.append(event.getLevel().name()).append(' ').append(event.getLoggerName()).append(": ")
                        .append(event.getMessage().getFormattedMessage());
                if (event.getThrown() != null) {
                    text.append('\n');
                    event.getThrown().printStackTrace(new PrintWriter(text));
                }
                events.add(text.toString());
            }
        };
        appender.start();
        root.addAppender(appender, Level.ALL, null);
        Configurator.setRootLevel(rootLevel);
        Configurator.setLevel(loggers);
    }

    /** Each event logged so far, with its stack trace if it has one. */
    List<String> events() {
        return List.copyOf(events);
    }

    @Override
    public void close() {
        root.removeAppender(appender.getName());
        appender.stop();
        context().reconfigure();
    }

    private static LoggerContext context() {
        return (LoggerContext) LogManager.getContext(false);
    }
}
