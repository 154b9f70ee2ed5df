package warehouse;

/** A partition of a Kafka topic. */
public record KafkaPartition(String topic, int partition) {

    @Override
    public String toString() {
        return topic + "/" + partition;
    }
}
