package routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MonitorRouteTest extends RouteTestSupport {

    private final FailingMonitor slot = new FailingMonitor();
    private final CountingMonitor lag = new CountingMonitor();
    private final CountingMonitor source = new CountingMonitor();

    @Override
    protected Properties resolvedProperties() {
        return properties("flightcdc.monitor.interval-ms", "100");
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        super.configure(configuration);
        configuration.addRoutesBuilder(new MonitorRoute());
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("replicationSlotMonitor", slot);
        registry.bind("consumerLagMonitor", lag);
        registry.bind("sourceGuard", source);
    }

    @BeforeEach
    void start() {
        context.start();
    }

    @Test
    void aFailingMeasurementIsTriedAgainAtTheNextTickAndDoesNotStopTheOther() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(slot.calls.get()).isGreaterThanOrEqualTo(3);
            assertThat(lag.calls.get()).isGreaterThanOrEqualTo(3);
            assertThat(source.calls.get()).isGreaterThanOrEqualTo(3);
        });
        assertThat(context.getRouteController().getRouteStatus(MonitorRoute.SLOT_ROUTE_ID).isStarted()).isTrue();
    }

    public static final class FailingMonitor {
        final AtomicInteger calls = new AtomicInteger();

        public void check() throws SQLException {
            calls.incrementAndGet();
            throw new SQLException("Connection refused");
        }
    }

    public static final class CountingMonitor {
        final AtomicInteger calls = new AtomicInteger();

        public long check() {
            calls.incrementAndGet();
            return 0;
        }
    }
}
