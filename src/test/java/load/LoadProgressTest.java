package load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import opensky.LogLines;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import warehouse.ChangeEvent.Operation;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.KafkaPartition;
import warehouse.LoadPlan;
import warehouse.LoadResult;
import warehouse.PartitionProgress;
import warehouse.SourcePosition;
import warehouse.TableId;

/** The load log: every skip counted by its reason, and a skip no restart explains warned of with what it was. */
class LoadProgressTest {

    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final KafkaPartition P0 = new KafkaPartition(TOPIC, 0);

    private static ChangeEvent change(long offset, SourcePosition position) {
        return new ChangeEvent(TOPIC, 0, offset, new TableId("public", "flight_state"), Operation.UPDATE, position, 1L, 0L,
                JsonNodeFactory.instance.objectNode().put("icao24", "k" + offset), "{}");
    }

    @Test
    void skipsAreCountedByReasonAndOneNoRestartExplainsIsWarnedOfWithWhatItWas() {
        Map<KafkaPartition, PartitionProgress> loaded = Map.of(P0, new PartitionProgress(10, new SourcePosition(900, 950, 3L), null));
        ChangeBatch batch = ChangeBatch.of(List.of(
                change(9, new SourcePosition(900, 950, 3L)),    // below the stored offset: delivered again by Kafka
                change(10, new SourcePosition(900, 940, 1L)),   // a transaction emitted again from its start
                change(11, new SourcePosition(900, 945, 2L)),
                change(12, new SourcePosition(400, 410, 3L)),   // inside an old transaction, nothing before it
                change(13, new SourcePosition(950, 960, 1L)))); // new
        LoadPlan plan = LoadPlan.of(batch, loaded, t -> true);

        try (LogLines log = new LogLines(Level.INFO); LoadProgress progress = new LoadProgress(Duration.ofHours(1))) {
            progress.record(LoadResult.of(batch, plan, plan.changes(), List.of(), System.nanoTime()));
            progress.report();

            assertThat(log.all()).filteredOn(line -> line.startsWith("WARN load:")).singleElement().asString()
                    .contains("Skipped 1 change of public.flight_state", "which no restart of the capture explains",
                            "flightcdc.public.flight_state/0 offsets 12 to 12", "lastCommitLsn=400", "\"icao24\":\"k12\"");
            assertThat(log.all()).filteredOn(line -> line.startsWith("INFO load: Loaded")).singleElement().asString()
                    .contains("Loaded 1 change", "1 delivered again by Kafka, skipped",
                            "2 emitted again by the capture after a restart, skipped",
                            "1 at or before the newest position applied, skipped unexplained");
        }
    }
}
