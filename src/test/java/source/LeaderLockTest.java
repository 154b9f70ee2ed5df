package source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import settings.StartupException;

/**
 * The lead among instances of one slot, against a real PostgreSQL: one leads, the others wait until it lets go, dies or
 * goes unheard for a lease; a leader whose session ended takes the lock again when nobody took it, and stops when
 * somebody did or when the source stays out of reach for a lease.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaderLockTest {

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration RETRY = Duration.ofMillis(100);

    private TestSource source;
    private final ExecutorService standbys = Executors.newCachedThreadPool();
    private final List<LeaderLock> opened = new CopyOnWriteArrayList<>();
    private final List<String> halts = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        source = TestSource.start("leader-lock");
        try (Connection c = source.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE instance LOGIN PASSWORD 'secret'");
        }
    }

    @AfterEach
    void letGo() throws Exception {
        opened.forEach(LeaderLock::close);
        opened.clear();
        halts.clear();
        try (Connection c = source.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER ROLE instance LOGIN");
        }
    }

    @AfterAll
    void stop() throws Exception {
        standbys.shutdownNow();
        source.close();
    }

    private LeaderLock lock(String slot) {
        Properties connection = new Properties();
        connection.setProperty("user", "instance");
        connection.setProperty("password", "secret");
        LeaderLock lock = new LeaderLock(source.jdbcUrl(), connection, slot, LEASE, halts::add);
        opened.add(lock);
        return lock;
    }

    private Future<?> standBy(LeaderLock lock) {
        return standbys.submit(() -> {
            lock.awaitLead(RETRY);
            return null;
        });
    }

    @Test
    void oneInstanceLeadsAndTheNextTakesOverWhenItLetsGo() throws Exception {
        LeaderLock first = lock("slot_a");
        first.awaitLead(RETRY);
        LeaderLock second = lock("slot_a");
        Future<?> waiting = standBy(second);
        Thread.sleep(500);
        assertThat(waiting).as("the second stands by while the first leads").isNotDone();
        lock("slot_b").awaitLead(RETRY);

        first.close();
        waiting.get(5, TimeUnit.SECONDS);
        second.check();
        assertThat(halts).isEmpty();
    }

    @Test
    void aLeaderThatDiesLetsGoAtOnce() throws Exception {
        LeaderLock first = lock("slot_c");
        first.awaitLead(RETRY);
        Future<?> waiting = standBy(lock("slot_c"));
        Thread.sleep(300);
        long died = System.nanoTime();
        terminate("pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)");
        waiting.get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - died)).isLessThan(LEASE);

        first.check();
        assertThat(halts).singleElement().asString()
                .startsWith("Lost the lead: process ").contains("flight-cdc leader ").contains("holds the lock of slot slot_c");
    }

    @Test
    void aLeaderUnheardForALeaseLosesTheLeadToAStandby() throws Exception {
        LeaderLock frozen = lock("slot_d");
        frozen.awaitLead(RETRY);
        long frozenAt = System.nanoTime();
        // The frozen leader checks nothing: the source ends its idle session after the lease.
        standBy(lock("slot_d")).get(LEASE.multipliedBy(4).toMillis(), TimeUnit.MILLISECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - frozenAt)).isGreaterThanOrEqualTo(LEASE.minusMillis(200));

        frozen.check();
        assertThat(halts).singleElement().asString().startsWith("Lost the lead: process ");
    }

    @Test
    void aLeaderWhoseSessionEndedTakesTheLockAgainWhenNobodyElseDid() throws Exception {
        LeaderLock leader = lock("slot_e");
        leader.awaitLead(RETRY);
        terminate("true");
        await().atMost(Duration.ofSeconds(5)).until(() -> holders() == 0);
        leader.check();
        assertThat(halts).isEmpty();
        assertThat(holders()).isEqualTo(1);
    }

    @Test
    void aLeaderThatCannotReachTheSourceStopsOnceALeaseHasPassed() throws Exception {
        LeaderLock leader = lock("slot_f");
        leader.awaitLead(RETRY);
        try (Connection c = source.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER ROLE instance NOLOGIN");
        }
        terminate("true");
        await().atMost(Duration.ofSeconds(5)).until(() -> holders() == 0);
        leader.check();
        assertThat(halts).as("within the lease it keeps trying").isEmpty();

        await().atMost(LEASE.multipliedBy(3)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            leader.check();
            assertThat(halts).singleElement().asString()
                    .startsWith("Lost the lead: the source has not been reached for ")
                    .contains("flightcdc.failover.lease-ms");
        });
    }

    /** Ends the instances' sessions that {@code which} picks, as PostgreSQL does those of a process that died. */
    @Test
    void aWrongLoginIsRefusedRatherThanWaitedOut() {
        Properties wrong = new Properties();
        wrong.setProperty("user", "instance");
        wrong.setProperty("password", "not the secret");
        LeaderLock lock = new LeaderLock(source.jdbcUrl(), wrong, "slot_g", LEASE, halts::add);
        opened.add(lock);
        assertThatThrownBy(() -> lock.awaitLead(RETRY))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("Cannot ask the source who leads: FATAL: password authentication failed for user")
                .hasMessageContaining("flightcdc.source.jdbc-url, user, password");
    }

    private void terminate(String which) throws SQLException {
        try (Connection c = source.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'instance' AND " + which);
        }
    }

    private int holders() throws SQLException {
        try (Connection c = source.database().dataSource().getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
