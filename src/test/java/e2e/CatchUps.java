package e2e;

import embedded.EmbeddedPostgresServer;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import monitor.CatchUp;
import org.postgresql.ds.PGSimpleDataSource;

/** {@link CatchUp} for the tests' plaintext servers, which they know by URL, user and password. */
final class CatchUps {

    private CatchUps() {
    }

    static CatchUp of(String jdbcUrl, String user, String password, String slot, String bootstrap, String group,
                      Collection<String> topics) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(jdbcUrl);
        source.setUser(user);
        source.setPassword(password);
        return new CatchUp(source, slot, Map.of("bootstrap.servers", bootstrap), group, topics);
    }

    /** For a pipeline with the shipped slot and consumer group, capturing flight_state from {@code source}. */
    static CatchUp ofFlightState(EmbeddedPostgresServer source, String bootstrap) {
        return of(source.jdbcUrl(), source.user(), source.password(), "flightcdc", bootstrap, "flightcdc-warehouse",
                Set.of("flightcdc.public.flight_state"));
    }
}
