package capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SlotCheckedReplicationConnectionTest {

    /** Debezium's connection as a stand-in that records what it was asked to do. */
    private final List<String> debeziumDid = new ArrayList<>();
    private final ReplicationConnection debezium = (ReplicationConnection) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {ReplicationConnection.class}, (proxy, method, args) -> {
                debeziumDid.add(method.getName());
                return switch (method.getName()) {
                    case "createReplicationSlot" -> Optional.empty();
                    case "isConnected" -> true;
                    default -> null;
                };
            });

    @Test
    void aSlotThatMustNotBeMadeAnewStopsEveryStepThatCouldMakeIt() {
        Runnable refuse = () -> {
            throw new IllegalStateException("Replication slot 'flightcdc' does not exist, but the pipeline ran before");
        };
        ReplicationConnection checked = new SlotCheckedReplicationConnection(debezium, refuse);

        assertThatThrownBy(checked::initConnection).hasMessageContaining("does not exist");
        assertThatThrownBy(checked::reconnect).hasMessageContaining("does not exist");
        assertThatThrownBy(checked::createReplicationSlot).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> checked.startStreaming(null)).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> checked.startStreaming(Lsn.valueOf(1L), null)).hasMessageContaining("does not exist");

        assertThat(debeziumDid).as("what reached Debezium's connection").isEmpty();
    }

    @Test
    void aSlotThatPassesItsChecksIsLeftToDebezium() throws Exception {
        List<String> checks = new ArrayList<>();
        ReplicationConnection checked = new SlotCheckedReplicationConnection(debezium, () -> checks.add("checked"));

        checked.initConnection();
        checked.startStreaming(Lsn.valueOf(1L), null);
        checked.reconnect();
        assertThat(checked.isConnected()).isTrue();
        checked.close();

        assertThat(debeziumDid).containsExactly("initConnection", "startStreaming", "reconnect", "isConnected", "close");
        assertThat(checks).hasSize(3);
    }
}
