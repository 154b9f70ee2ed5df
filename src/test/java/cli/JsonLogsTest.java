package cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.apache.logging.log4j.spi.MutableThreadContextStack;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import settings.LogFormat;

/**
 * flightcdc.log.format: the command line's log in JSON from its first line, text as it always was, and a wrong
 * value refused before anything starts. The commands run in child JVMs, the only way to give them environment
 * variables and a Log4j of their own; each stops at a wrong setting, after Camel Main has logged its start.
 */
class JsonLogsTest {

    /** log4j2.properties' text pattern: time, level padded to 5, the logger's simple name padded to 22, message. */
    private static final String TEXT_LINE = "\\d{2}:\\d{2}:\\d{2}\\.\\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) .{22} .*";

    /** A start that stops at this, once Camel Main has logged that it is starting: a few log lines, nothing opened. */
    private static final String WRONG_SETTING = "flightcdc.source.sslmode=bogus";

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void withJsonEveryLogLineFromTheFirstIsOneObjectWithLevelLoggerAndMessage() throws Exception {
        Run run = run(Map.of("FLIGHTCDC_LOG_FORMAT", "json"), "run", "--data-dir", dir.toString(), "-D", WRONG_SETTING);

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.out).isNotEmpty();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.out) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.isObject()).as("%s", line).isTrue();
            assertThat(line.path("log.level").asText()).as("%s", line).matches("TRACE|DEBUG|INFO|WARN|ERROR|FATAL");
            assertThat(line.path("log.logger").asText()).as("%s", line).isNotBlank();
            assertThat(line.path("message").isTextual()).as("%s", line).isTrue();
            assertThat(line.path("service.name").asText()).isEqualTo("flight-cdc");
        });
        assertThat(lines.get(0).path("message").asText()).startsWith("Apache Camel (Main)").endsWith("is starting");
        // What the command prints itself is not a log line: the reason it stopped, on stderr, for the person.
        assertThat(run.err).containsExactly("Setting flightcdc.source.sslmode must be one of [disable, allow, prefer,"
                + " require, verify-ca, verify-full], got 'bogus'");
    }

    @Test
    void textStaysTheDefaultLineAndTheCommandLineWinsOverTheEnvironment() throws Exception {
        assertThat(new SettingOptions().logFormat()).as("application.properties' default").isEqualTo(LogFormat.TEXT);

        Run run = run(Map.of("FLIGHTCDC_LOG_FORMAT", "json"), "run", "--data-dir", dir.toString(), "-D", WRONG_SETTING,
                "-D", "flightcdc.log.format=text");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.out).isNotEmpty().allSatisfy(line -> assertThat(line).matches(TEXT_LINE));
        assertThat(run.out.get(0)).matches(".{13}INFO  MainSupport            Apache Camel \\(Main\\) .* is starting");
    }

    @Test
    void aFormatNeitherTextNorJsonStopsTheStartBeforeAnythingLogsButNotTheHelp() throws Exception {
        Run run = run(Map.of(), "run", "--data-dir", dir.toString(), "-D", "flightcdc.log.format=xml");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err).containsExactly("Setting flightcdc.log.format must be one of [text, json], got 'xml'");

        Run help = run(Map.of("FLIGHTCDC_LOG_FORMAT", "xml"), "run", "--help");

        assertThat(help.exitCode).isZero();
        assertThat(help.out).first().asString().startsWith("Usage: flight-cdc run");
    }

    /**
     * log4j2.properties' JSON layout itself: a stack trace, causes and all, stays inside its event's one line, and the
     * thread context, which libraries fill on their own and the text line never showed, stays out.
     */
    @Test
    void aStackTraceStaysInItsObjectAndTheThreadContextIsLeftOut() throws Exception {
        IllegalStateException failure = new IllegalStateException("Poll failed", new IOException("Connection reset"));
        LogEvent event = Log4jLogEvent.newBuilder()
                .setLoggerName("routes.OpenSkyPollRoute")
                .setLevel(Level.WARN)
                .setMessage(new SimpleMessage("OpenSky did not answer"))
                .setThrown(failure)
                .setContextData(new SortedArrayStringMap(Map.of("secret", "mdc-hunter2")))
                .setContextStack(new MutableThreadContextStack(List.of("ndc-hunter2")))
                .build();

        String json = new String(consoleLayout(LogFormat.JSON).toByteArray(event), StandardCharsets.UTF_8);

        assertThat(json).endsWith("\n");
        assertThat(json.strip()).doesNotContain("\n", "\r").doesNotContain("hunter2");
        JsonNode line = JSON.readTree(json);
        assertThat(line.path("log.level").asText()).isEqualTo("WARN");
        assertThat(line.path("log.logger").asText()).isEqualTo("routes.OpenSkyPollRoute");
        assertThat(line.path("message").asText()).isEqualTo("OpenSky did not answer");
        assertThat(line.path("error.type").asText()).isEqualTo(IllegalStateException.class.getName());
        assertThat(line.path("error.message").asText()).isEqualTo("Poll failed");
        assertThat(line.path("error.stack_trace").asText())
                .contains("at cli.JsonLogsTest.", "Caused by: java.io.IOException: Connection reset");
        assertThat(line.has("labels")).isFalse();
        assertThat(line.has("tags")).isFalse();

        String text = new String(consoleLayout(LogFormat.TEXT).toByteArray(event), StandardCharsets.UTF_8);
        assertThat(text.lines().findFirst()).hasValueSatisfying(first -> assertThat(first)
                .matches(TEXT_LINE).endsWith(" WARN  OpenSkyPollRoute       OpenSky did not answer"));
        assertThat(text).contains("Caused by: java.io.IOException: Connection reset").doesNotContain("hunter2");
    }

    /** The console appender's layout as log4j2.properties makes it for {@code format}, in a configuration of its own. */
    private static Layout<?> consoleLayout(LogFormat format) {
        String before = System.setProperty(LogFormat.LOG4J_PROPERTY, format.setting());
        try {
            ConfigurationSource source = ConfigurationSource.fromResource("log4j2.properties", JsonLogsTest.class.getClassLoader());
            Configuration configuration = new PropertiesConfigurationFactory()
                    .getConfiguration(new LoggerContext(JsonLogsTest.class.getSimpleName()), source);
            configuration.initialize();
            return configuration.getAppender("console").getLayout();
        } finally {
            if (before == null) {
                System.clearProperty(LogFormat.LOG4J_PROPERTY);
            } else {
                System.setProperty(LogFormat.LOG4J_PROPERTY, before);
            }
        }
    }

    private record Run(int exitCode, List<String> out, List<String> err) {
    }

    /** {@code flight-cdc args} in a JVM of its own, in {@link #dir}, with {@code environment} as its only FLIGHTCDC_* variables. */
    private Run run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), FlightCdc.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "stdout", ".log");
        Path err = Files.createTempFile(dir, "stderr", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("FLIGHTCDC_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("flight-cdc " + String.join(" ", args) + " did not end; its output:\n"
                        + Files.readString(out) + Files.readString(err));
            }
            return new Run(process.exitValue(), Files.readAllLines(out), Files.readAllLines(err));
        } finally {
            process.destroyForcibly();
        }
    }
}
