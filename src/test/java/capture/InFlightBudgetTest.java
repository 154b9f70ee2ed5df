package capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultMessage;
import org.junit.jupiter.api.Test;

class InFlightBudgetTest {

    private final CamelContext camel = new DefaultCamelContext();

    @Test
    void aRecordCostsItsKeyAndValueAndAKibibyteForWhatIsKeptWithIt() {
        assertThat(InFlightBudget.unitsOf(record(new byte[10], new byte[1000]))).isEqualTo(1 + 1);
        assertThat(InFlightBudget.unitsOf(record(new byte[10], new byte[1014]))).isEqualTo(1 + 1);
        assertThat(InFlightBudget.unitsOf(record(new byte[10], new byte[1015]))).isEqualTo(2 + 1);
        assertThat(InFlightBudget.unitsOf(record(new byte[10], null))).as("a tombstone").isEqualTo(1 + 1);
        assertThat(InFlightBudget.unitsOf(record(null, new byte[5 << 20]))).isEqualTo(5 * 1024 + 1);
    }

    @Test
    void aListIsSentAsARecordPerElement() {
        Message ends = new DefaultMessage(camel);
        ends.setBody(List.of(record(new byte[40], new byte[200]), record(new byte[40], new byte[3000])));
        assertThat(InFlightBudget.unitsOf(ends)).isEqualTo(2 + 4);
    }

    @Test
    void whenSpentASendWaitsForAnswersToGiveSomeBack() throws Exception {
        InFlightBudget budget = new InFlightBudget(10 * 1024);
        assertThat(budget.take(6, Duration.ZERO)).isTrue();
        assertThat(budget.take(4, Duration.ZERO)).isTrue();
        assertThat(budget.take(1, Duration.ofMillis(50))).as("spent").isFalse();

        Thread answer = new Thread(() -> {
            sleep(200);
            budget.giveBack(6);
        });
        answer.start();
        long start = System.nanoTime();
        assertThat(budget.take(5, Duration.ofSeconds(30))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited for the answer").isGreaterThanOrEqualTo(Duration.ofMillis(150));
        answer.join();
        assertThat(budget.take(1, Duration.ZERO)).as("what the answer gave back and the send did not take").isTrue();
        assertThat(budget.take(1, Duration.ZERO)).isFalse();
    }

    private Message record(byte[] key, byte[] value) {
        Message message = new DefaultMessage(camel);
        message.setHeader(KafkaConstants.KEY, key);
        message.setBody(value);
        return message;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
