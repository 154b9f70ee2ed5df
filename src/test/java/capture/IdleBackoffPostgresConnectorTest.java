package capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.PostgresConnectorTask;
import org.junit.jupiter.api.Test;

class IdleBackoffPostgresConnectorTest {

    @Test
    void runsDebeziumsOwnPostgresTask() {
        assertThat(new IdleBackoffPostgresConnector().taskClass()).isEqualTo(IdleBackoffPostgresConnector.IdleBackoffTask.class);
        assertThat(PostgresConnectorTask.class).isAssignableFrom(IdleBackoffPostgresConnector.IdleBackoffTask.class);
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
