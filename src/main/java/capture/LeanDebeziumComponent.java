package capture;

import io.debezium.data.Envelope;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.debezium.DebeziumComponent;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.debezium.DebeziumConsumer;
import org.apache.camel.component.debezium.DebeziumEndpoint;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresComponent;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * camel-debezium-postgres, with each record's exchange made without throwing. camel-debezium 4.17's
 * {@code DebeziumEndpoint.createDbzExchange} reads every header it sets with {@code Struct.get(name)}, and
 * takes the Kafka {@code DataException} (stack trace filled in) as "no such field": once per change for
 * {@code ddl}, which a change never has, and five times per transaction marker. On the capture thread that
 * cost about as much as the rest of camel-debezium's part. This endpoint sets the same headers and body, and
 * looks each field up in the schema first. The source block is a view of Debezium's struct ({@link StructMap}) rather
 * than camel-debezium's copy of it into a new HashMap.
 *
 * <p>Its options are camel-debezium-postgres's own: they are bound and validated by that component, whose
 * endpoint class is final, and this one takes the resulting configuration.
 */
public final class LeanDebeziumComponent extends DebeziumComponent<PostgresConnectorEmbeddedDebeziumConfiguration> {

    /** The scheme the capture route reads from; bound to this component in place of camel-debezium's. */
    public static final String SCHEME = "debezium-postgres";

    private final DebeziumPostgresComponent postgres = new DebeziumPostgresComponent();

    @Override
    public void setCamelContext(CamelContext camelContext) {
        super.setCamelContext(camelContext);
        postgres.setCamelContext(camelContext);
    }

    @Override
    protected DebeziumEndpoint<PostgresConnectorEmbeddedDebeziumConfiguration> createEndpoint(
            String uri, String remaining, Map<String, Object> parameters) throws Exception {
        var configured = (DebeziumEndpoint<?>) postgres.createEndpoint(uri);
        parameters.clear(); // every one was taken by camel-debezium-postgres above
        return initializeDebeziumEndpoint(uri, (PostgresConnectorEmbeddedDebeziumConfiguration) configured.getConfiguration());
    }

    @Override
    protected DebeziumEndpoint<PostgresConnectorEmbeddedDebeziumConfiguration> initializeDebeziumEndpoint(
            String uri, PostgresConnectorEmbeddedDebeziumConfiguration configuration) {
        return new Endpoint(uri, this, configuration);
    }

    @Override
    public PostgresConnectorEmbeddedDebeziumConfiguration getConfiguration() {
        return postgres.getConfiguration();
    }

    @Override
    public void setConfiguration(PostgresConnectorEmbeddedDebeziumConfiguration configuration) {
        postgres.setConfiguration(configuration);
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        postgres.init(); // endpoints are made once the component is initialised, before the context starts
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        postgres.start();
    }

    @Override
    protected void doStop() throws Exception {
        postgres.stop();
        super.doStop();
    }

    static final class Endpoint extends DebeziumEndpoint<PostgresConnectorEmbeddedDebeziumConfiguration> {

        private PostgresConnectorEmbeddedDebeziumConfiguration configuration;

        Endpoint(String uri, LeanDebeziumComponent component, PostgresConnectorEmbeddedDebeziumConfiguration configuration) {
            super(uri, component);
            this.configuration = configuration;
        }

        @Override
        public Exchange createDbzExchange(DebeziumConsumer consumer, SourceRecord record) {
            Exchange exchange = consumer != null ? consumer.createExchange(false) : super.createExchange();
            Message message = exchange.getIn();
            Schema schema = record.valueSchema();
            Struct value = schema != null && schema.type() == Schema.Type.STRUCT && record.value() instanceof Struct s ? s : null;
            Struct source = (Struct) field(value, Envelope.FieldName.SOURCE);
            Object timestamp = field(value, Envelope.FieldName.TIMESTAMP);
            setIfAny(message, DebeziumConstants.HEADER_IDENTIFIER, record.topic());
            setIfAny(message, DebeziumConstants.HEADER_KEY, record.key());
            setIfAny(message, DebeziumConstants.HEADER_SOURCE_METADATA, source == null ? null : new StructMap(source));
            setIfAny(message, DebeziumConstants.HEADER_OPERATION, field(value, Envelope.FieldName.OPERATION));
            setIfAny(message, DebeziumConstants.HEADER_BEFORE, field(value, Envelope.FieldName.BEFORE));
            setIfAny(message, DebeziumConstants.HEADER_TIMESTAMP, timestamp);
            setIfAny(message, DebeziumConstants.HEADER_DDL_SQL, field(value, "ddl"));
            setIfAny(message, Exchange.MESSAGE_TIMESTAMP, timestamp);
            message.setBody(field(value, Envelope.FieldName.AFTER));
            return exchange;
        }

        /**
         * camel-debezium sets its headers null too (ddl on every change, before on every insert); each is an entry of
         * Camel's header map, a case-insensitive tree, for every change. Left out, {@code getHeader} reads null all the same.
         */
        private static void setIfAny(Message message, String name, Object value) {
            if (value != null) {
                message.setHeader(name, value);
            }
        }

        /** The field's value; null where the record has no such field, as camel-debezium has it. */
        private static Object field(Struct value, String name) {
            if (value == null) {
                return null;
            }
            Field field = value.schema().field(name);
            return field == null ? null : value.get(field);
        }

        @Override
        public PostgresConnectorEmbeddedDebeziumConfiguration getConfiguration() {
            return configuration;
        }

        @Override
        public void setConfiguration(PostgresConnectorEmbeddedDebeziumConfiguration configuration) {
            this.configuration = configuration;
        }
    }
}
