package warehouse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import warehouse.ChangeEvent.Operation;

class ChangeEventDecoderTest {

    private static final String TOPIC = "flightcdc.public.flight_state";
    private final ChangeEventDecoder decoder = new ChangeEventDecoder();

    private ChangeEvent decode(String value) {
        return decoder.decode(TOPIC, 0, 7, value).orElseThrow();
    }

    private java.util.Optional<TransactionEnd> marker(String topic, int partition, long offset, String value) {
        return decoder.decodeTransactionEnd(topic, partition, offset, value == null ? null : value.getBytes(UTF_8));
    }

    @Test
    void theIdentityIsTheLastCommitBeforeTheTransactionAndTheChangesNumberInIt() {
        ChangeEvent e = decode("""
                {"before":null,"after":{"icao24":"a"},"source":{"schema":"public","table":"flight_state","lsn":510,
                 "txId":9,"ts_ms":1,"sequence":"[\\"500\\",\\"510\\"]"},
                 "transaction":{"id":"9","total_order":4,"data_collection_order":3},"op":"c","ts_ms":2}""");

        assertThat(e.position()).isEqualTo(new SourcePosition(500, 510, 3L));
        assertThat(e.streamed()).isTrue();
    }

    @Test
    void aRecordWithoutTransactionMetadataHasNoOrder() {
        ChangeEvent e = decode("""
                {"after":{"icao24":"a"},"source":{"schema":"public","table":"flight_state","lsn":510,
                 "sequence":"[\\"500\\",\\"510\\"]"},"op":"c"}""");

        assertThat(e.position()).isEqualTo(new SourcePosition(500, 510, null));
    }

    @Test
    void aTruncateWithinASnapshotStartsTheSnapshotOverAndIsNoStreamedChange() {
        ChangeEvent streamed = decode("""
                {"source":{"schema":"public","table":"flight_state","lsn":510,"snapshot":"false"},"op":"t"}""");
        ChangeEvent snapshot = decode("""
                {"source":{"schema":"public","table":"flight_state","lsn":509,"snapshot":"true"},"op":"t"}""");

        assertThat(streamed.operation()).isEqualTo(Operation.TRUNCATE);
        assertThat(snapshot.operation()).isEqualTo(Operation.SNAPSHOT_START);
        assertThat(snapshot.operation().emptiesTable()).isTrue();
        assertThat(snapshot.streamed()).isFalse();
    }

    @Test
    void anOrderThatIsNotAPositiveNumberIsNotAChangeEvent() {
        assertThatThrownBy(() -> decode("""
                {"after":{"icao24":"a"},"source":{"schema":"public","table":"flight_state","lsn":1},
                 "transaction":{"data_collection_order":"first"},"op":"c"}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data_collection_order");
    }

    @Test
    void anUpdateLoadsItsNewRowAndADeleteItsOldOneWhereverTheEnvelopePutsThem() {
        ChangeEvent update = decode("""
                {"before":{"icao24":"a","callsign":"OLD \\"1\\"","tags":{"x":[1,{"y":2}]}},"after":{"icao24":"a","callsign":"NEW"},
                 "source":{"schema":"public","table":"flight_state","lsn":510,"txId":9,"ts_ms":1},"op":"u"}""");
        ChangeEvent delete = decode("""
                {"op":"d","after":null,"source":{"schema":"public","table":"flight_state","lsn":511,"txId":null},
                 "before":{"icao24":"b","callsign":"GONE \\"2\\"","tags":{"x":[1,{"y":2}]}}}""");

        assertThat(update.row().toString()).isEqualTo("{\"icao24\":\"a\",\"callsign\":\"NEW\"}");
        assertThat(update.txId()).isEqualTo(9);
        assertThat(delete.operation()).isEqualTo(Operation.DELETE);
        assertThat(delete.row().toString()).isEqualTo("{\"icao24\":\"b\",\"callsign\":\"GONE \\\"2\\\"\",\"tags\":{\"x\":[1,{\"y\":2}]}}");
        assertThat(delete.txId()).isNull();
        assertThat(delete.lsn()).isEqualTo(511);
    }

    @Test
    void aChangeWithoutTheRowItsOperationNeedsOrWithoutOpOrSourceIsNotAChangeEvent() {
        assertThatThrownBy(() -> decode("""
                {"before":null,"after":{"icao24":"a"},"source":{"schema":"public","table":"flight_state"},"op":"d"}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("op 'd' without its row image");
        assertThatThrownBy(() -> decode("""
                {"before":{"icao24":"a"},"source":{"schema":"public","table":"flight_state"},"op":"u"}"""))
                .hasMessage("op 'u' without its row image");
        assertThatThrownBy(() -> decode("""
                {"after":{"icao24":"a"},"source":{"schema":"public"},"op":{"c":1}}"""))
                .hasMessage("not a Debezium change event (no op or source)");
        assertThatThrownBy(() -> decode("""
                {"after":{"icao24":"a"},"op":"c"}""")).hasMessage("not a Debezium change event (no op or source)");
        assertThatThrownBy(() -> decode("[1,2]")).hasMessage("not a Debezium change event (no op or source)");
        assertThatThrownBy(() -> decode("""
                {"after":[{"op":"c"}],"source":[{"op":"c"}],"transaction":["x"],"op":"c"}"""))
                .hasMessage("not a Debezium change event (no op or source)");
        assertThatThrownBy(() -> decode("""
                {"after":{"icao24":"a"},"source":{"schema":"public","table":"t"},"op":"x"}""")).hasMessageContaining("unknown Debezium op 'x'");
    }

    @Test
    void aSequenceWithoutALastCommitGivesNoneAndOneThatIsNoLsnIsRefused() {
        ChangeEvent first = decode("""
                {"after":{"icao24":"a"},"source":{"schema":"public","table":"flight_state","lsn":510,
                 "sequence":"[null,\\"510\\"]"},"op":"c"}""");
        assertThat(first.position().lastCommitLsn()).isZero();

        assertThatThrownBy(() -> decode("""
                {"after":{"icao24":"a"},"source":{"schema":"public","table":"flight_state","lsn":510,
                 "sequence":"[\\"x\\",\\"510\\"]"},"op":"c"}""")).hasMessageContaining("source.sequence is not");
    }

    @Test
    void aValueThatIsNotJsonOrEndsEarlyIsRefusedAsNotJson() {
        assertThatThrownBy(() -> decode("{\"after\":{\"icao24\":\"a\"},\"source\":{},\"op\":\"c\""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not JSON: ");
        assertThatThrownBy(() -> decode("{\"op\":c}")).hasMessageStartingWith("not JSON: ");
    }

    @Test
    void aDeletesRowIsReadFromTheValuesBytesPastCharactersOfSeveralBytes() {
        String value = """
                {"before":{"icao24":"a","origin_country":"Côte d'Ivoire ✈ 𝔸"},"after":null,"source":{"schema":"public",
                 "table":"flight_state","lsn":510,"txId":9,"ts_ms":1,"sequence":"[\\"500\\",\\"510\\"]"},"op":"d"}""";

        ChangeEvent delete = decoder.decode(TOPIC, 0, 7, value.getBytes(UTF_8)).orElseThrow();

        assertThat(delete.row().path("origin_country").asText()).isEqualTo("Côte d'Ivoire ✈ 𝔸");
        assertThat(delete.raw()).isEqualTo(value);
    }

    @Test
    void changesDecodedFromEqualBytesAreEqualAsValuesNotAsArrays() {
        String value = """
                {"after":{"icao24":"a"},"source":{"schema":"public","table":"flight_state","lsn":510},"op":"c"}""";

        ChangeEvent one = decoder.decode(TOPIC, 0, 7, value.getBytes(UTF_8)).orElseThrow();
        ChangeEvent other = decoder.decode(TOPIC, 0, 7, value.getBytes(UTF_8)).orElseThrow();

        assertThat(one).isEqualTo(other).hasSameHashCodeAs(other);
        assertThat(one).isNotEqualTo(decoder.decode(TOPIC, 0, 7, value.replace("\"a\"", "\"b\"")).orElseThrow());
    }

    @Test
    void aValueThatIsNotUtf8IsRefusedAsNotJsonRatherThanLoadedWithCharactersReplaced() {
        byte[] value = "{\"after\":{\"callsign\":\"AFR?\"},\"source\":{},\"op\":\"c\"}".getBytes(UTF_8);
        value[new String(value, UTF_8).indexOf('?')] = (byte) 0xC3;

        assertThatThrownBy(() -> decoder.decode(TOPIC, 0, 7, value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not JSON: ").hasMessageContaining("UTF-8");
    }

    @Test
    void aTransactionEndGivesEachTablesCountAndTheCommitBeforeIt() {
        TransactionEnd end = marker("flightcdc.transaction", 0, 5, """
                {"status":"END","id":"789","event_count":3,"data_collections":[
                 {"data_collection":"public.flight_state","event_count":2},{"data_collection":"public.airport","event_count":1}],
                 "ts_ms":1,"last_commit_lsn":500}""").orElseThrow();

        assertThat(end.txId()).isEqualTo(789);
        assertThat(end.lastCommitLsn()).isEqualTo(500);
        assertThat(end.offset()).isEqualTo(5);
        assertThat(end.eventCounts()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                new TableId("public", "flight_state"), 2L, new TableId("public", "airport"), 1L));
    }

    @Test
    void aBeginMarkerEndsNothingAndDebeziumsOwnEndHasNoCommitPosition() {
        assertThat(marker("t", 0, 1, "{\"status\":\"BEGIN\",\"id\":\"1\"}")).isEmpty();
        assertThat(marker("t", 0, 2, """
                {"status":"END","id":"1","event_count":1,"data_collections":[
                 {"data_collection":"public.flight_state","event_count":1}]}""").orElseThrow().lastCommitLsn()).isNull();
    }

    @Test
    void aRecordOfTheTransactionTopicThatIsNoMarkerIsRefused() {
        assertThatThrownBy(() -> marker("t", 0, 1, "{\"status\":\"END\",\"id\":\"x1\","
                + "\"data_collections\":[]}")).hasMessageContaining("not a PostgreSQL xid");
        assertThatThrownBy(() -> marker("t", 0, 1, "{}")).hasMessageContaining("not a Debezium transaction marker");
        assertThatThrownBy(() -> marker("t", 0, 1, null)).hasMessageContaining("not a Debezium transaction marker");
    }
}
