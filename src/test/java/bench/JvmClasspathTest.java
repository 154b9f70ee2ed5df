package bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class JvmClasspathTest {

    private static List<String> jarNames(String classpath) {
        return Stream.of(classpath.split(File.pathSeparator)).map(e -> Path.of(e).getFileName().toString()).toList();
    }

    @Test
    void kafkaConnectGetsTheClientsOfItsOwnVersionAndNoneOfTheBrokersJars() {
        List<String> ours = jarNames(JvmClasspath.current());
        List<String> connect = jarNames(JvmClasspath.forKafkaConnect());

        assertThat(ours).anyMatch(j -> j.startsWith("kafka-clients-3.")).anyMatch(j -> j.startsWith("kafka_2.13-"));
        String runtime = connect.stream().filter(j -> j.startsWith("connect-runtime-")).findFirst().orElseThrow();
        String version = runtime.substring("connect-runtime-".length(), runtime.length() - ".jar".length());
        assertThat(connect.stream().filter(j -> j.startsWith("kafka")))
                .as("Kafka's own jars: only Connect's clients").containsExactly("kafka-clients-" + version + ".jar");
        assertThat(connect).contains("classes").anyMatch(j -> j.startsWith("debezium-connector-postgres-"));
    }
}
