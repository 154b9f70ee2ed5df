package capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.PostgresConnectorTask;
import java.util.Map;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.junit.jupiter.api.Test;

class IdleBackoffPostgresConnectorTest {

    @Test
    void runsDebeziumsOwnPostgresTask() {
        assertThat(new IdleBackoffPostgresConnector().taskClass()).isEqualTo(IdleBackoffPostgresConnector.IdleBackoffTask.class);
        assertThat(PostgresConnectorTask.class).isAssignableFrom(IdleBackoffPostgresConnector.IdleBackoffTask.class);
    }

    /** CaptureRoute names it through camel-debezium's additional properties, which must win over its own connector class. */
    @Test
    void camelDebeziumHandsTheEngineThisConnectorWhenTheAdditionalPropertiesNameIt() {
        var configuration = new PostgresConnectorEmbeddedDebeziumConfiguration();
        configuration.setName("capture");
        configuration.setTopicPrefix("flightcdc");
        configuration.setOffsetStorageFileName("target/idle-backoff-offsets.dat");
        configuration.setAdditionalProperties(Map.of("connector.class", IdleBackoffPostgresConnector.class.getName()));

        assertThat(configuration.createDebeziumConfiguration().getString("connector.class"))
                .isEqualTo(IdleBackoffPostgresConnector.class.getName());
    }

    @Test
    void pausesDoubleWhileAsksFindNothingUpToTheLongestAndStopAtTheFirstChange() {
        var pause = new IdleBackoffPostgresConnector.IdlePause(100);
        assertThat(pause.nextMs()).as("no pause before the first ask").isZero();

        long[] pauses = new long[9];
        for (int i = 0; i < pauses.length; i++) {
            pause.found(false);
            pauses[i] = pause.nextMs();
        }
        assertThat(pauses).containsExactly(1, 2, 4, 8, 16, 32, 64, 100, 100);

        pause.found(true);
        assertThat(pause.nextMs()).as("under load, no pause at all").isZero();
        pause.found(false);
        assertThat(pause.nextMs()).isEqualTo(1);
    }
}
