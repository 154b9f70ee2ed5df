package load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import warehouse.ChangeBatch;
import warehouse.KafkaPartition;
import warehouse.LoadResult;
import warehouse.PartitionProgress;
import warehouse.TableSchema;
import warehouse.Warehouse;

/**
 * A consumer Kafka gives partitions reads each from the warehouse's progress, read again at that moment: not from the
 * group's offsets, nor from where it was before, since another loader may have loaded on meanwhile.
 */
class PartitionHandoverTest {

    private static final String FLIGHTS = "flightcdc.public.flight_state";
    private static final String ENDS = "flightcdc.transaction";
    private static final TopicPartition FLIGHTS_0 = new TopicPartition(FLIGHTS, 0);
    private static final TopicPartition FLIGHTS_1 = new TopicPartition(FLIGHTS, 1);
    private static final TopicPartition ENDS_0 = new TopicPartition(ENDS, 0);
    private static final TopicPartition ENDS_1 = new TopicPartition(ENDS, 1);

    private final MockConsumer<Object, Object> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
    private final TransactionBoundaries boundaries = new TransactionBoundaries(true, 1000, t -> FLIGHTS, Map::of);
    private final StoredProgress warehouse = new StoredProgress();
    private final List<String> halts = new ArrayList<>();

    @BeforeEach
    void assign() {
        List<TopicPartition> all = List.of(FLIGHTS_0, FLIGHTS_1, ENDS_0, ENDS_1);
        consumer.assign(all);
        consumer.updateBeginningOffsets(Map.of(FLIGHTS_0, 0L, FLIGHTS_1, 0L, ENDS_0, 0L, ENDS_1, 0L));
        all.forEach(tp -> consumer.seek(tp, 900));
    }

    @Test
    void aPartitionTheWarehouseHasLoadedIsReadFromItsProgressReadAtThatMoment() {
        warehouse.stored = Map.of(new KafkaPartition(FLIGHTS, 0), new PartitionProgress(1500, null, null),
                new KafkaPartition(ENDS, 0), new PartitionProgress(40, null, null));
        consumer.commitSync(Map.of(FLIGHTS_0, new OffsetAndMetadata(1000), ENDS_0, new OffsetAndMetadata(30)));

        handover().onPartitionsAssigned(List.of(FLIGHTS_0, ENDS_0));

        assertThat(warehouse.reads).isEqualTo(1);
        assertThat(consumer.position(FLIGHTS_0)).isEqualTo(1500);
        assertThat(consumer.position(ENDS_0)).isEqualTo(40);
        assertThat(consumer.position(FLIGHTS_1)).as("not given: left as it was").isEqualTo(900);
    }

    /** Nothing loaded of it yet (or, with Snowpipe Streaming, a transaction topic): the group's offset, or the start. */
    @Test
    void aPartitionTheWarehouseHasNotLoadedIsReadFromTheGroupsOffsetOrItsStart() {
        consumer.commitSync(Map.of(ENDS_1, new OffsetAndMetadata(70)));

        handover().onPartitionsAssigned(List.of(FLIGHTS_1, ENDS_1));

        assertThat(consumer.position(FLIGHTS_1)).isZero();
        assertThat(consumer.position(ENDS_1)).isEqualTo(70);
        assertThat(halts).isEmpty();
    }

    @Test
    void withTheWarehouseDownPartitionsAreReadFromTheGroupsOffsets() {
        warehouse.down = true;
        consumer.commitSync(Map.of(FLIGHTS_0, new OffsetAndMetadata(1000)));

        handover().onPartitionsAssigned(List.of(FLIGHTS_0, ENDS_0));

        assertThat(consumer.position(FLIGHTS_0)).isEqualTo(1000);
        assertThat(consumer.position(ENDS_0)).isZero();
    }

    /**
     * The group committed part of a change topic's partition, so its loaders loaded that part into a warehouse, and this
     * one holds nothing of it: another warehouse, loaded by the same group. Read from the group's offset, this warehouse
     * would miss what came before; nothing of the partitions given is read, and the pipeline stops.
     */
    @Test
    void aPartitionTheGroupLoadedButThisWarehouseNeverDidStopsThePipelineAndIsNotRead() {
        warehouse.stored = Map.of(new KafkaPartition(FLIGHTS, 0), new PartitionProgress(1500, null, null));
        consumer.commitSync(Map.of(FLIGHTS_0, new OffsetAndMetadata(1500), FLIGHTS_1, new OffsetAndMetadata(800),
                ENDS_1, new OffsetAndMetadata(70)));

        handover().onPartitionsAssigned(List.of(FLIGHTS_0, FLIGHTS_1, ENDS_1));

        assertThat(halts).singleElement().asString()
                .contains(FLIGHTS_1 + " up to offset 800")
                .contains("another loader of the group loads another warehouse")
                .contains("flightcdc.kafka.consumer-group");
        assertThat(consumer.paused()).containsExactlyInAnyOrder(FLIGHTS_0, FLIGHTS_1, ENDS_1);
        assertThat(consumer.position(FLIGHTS_1)).as("not moved to the group's offset").isEqualTo(900);
    }

    @Test
    void aPartitionTheGroupLoadedIsNotRefusedWhenTheWarehouseCouldNotBeRead() {
        warehouse.down = true;
        consumer.commitSync(Map.of(FLIGHTS_1, new OffsetAndMetadata(800)));

        handover().onPartitionsAssigned(List.of(FLIGHTS_1));

        assertThat(halts).isEmpty();
        assertThat(consumer.position(FLIGHTS_1)).isEqualTo(800);
    }

    private PartitionHandover handover() {
        return new PartitionHandover(consumer, boundaries, warehouse, Set.of(FLIGHTS), halts::add);
    }

    /** A warehouse whose stored progress changes behind the loader's back, as another loader makes it. */
    private static final class StoredProgress implements Warehouse {

        Map<KafkaPartition, PartitionProgress> stored = Map.of();
        boolean down;
        int reads;

        @Override
        public Map<KafkaPartition, PartitionProgress> progressReadAgain() {
            if (down) {
                throw new IllegalStateException("the warehouse is down");
            }
            reads++;
            return stored;
        }

        @Override
        public Map<KafkaPartition, PartitionProgress> progress() {
            return Map.of();
        }

        @Override
        public void prepare(List<TableSchema> tables) {
        }

        @Override
        public LoadResult load(ChangeBatch batch) {
            throw new AssertionError("nothing is loaded here");
        }

        @Override
        public void close() {
        }
    }
}
