package app;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import monitor.KafkaAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import settings.KafkaSecurity;
import settings.StartupException;

/**
 * Speaks to an external Kafka cluster once before any stage does, so that a wrong address, protocol,
 * certificate or password stops the start with what to fix. Without it, each client would retry on its
 * own and the first to give up would say only that a request timed out.
 */
final class KafkaPreflight {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaPreflight() {
    }

    static void check(String bootstrap, Map<String, Object> clientProperties, KafkaSecurity security) throws InterruptedException {
        String where = "Kafka at " + bootstrap + " (" + security.describe() + ")";
        try (Admin admin = KafkaAdmin.create(clientProperties, "flightcdc-preflight", TIMEOUT)) {
            admin.describeCluster().clusterId().get(TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (KafkaException e) {
            // Thrown while the client is made: a keystore or truststore that cannot be read, a bad JAAS line.
            throw new StartupException("Cannot make a client for " + where + ": " + messages(e)
                    + ". Fix: the flightcdc.kafka.ssl-* and sasl-* settings (docs/configuration.md, \"Kafka\")", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException(refusal(where, security, e instanceof ExecutionException ? e.getCause() : e), e);
        }
    }

    private static String refusal(String where, KafkaSecurity security, Throwable cause) {
        if (cause instanceof SslAuthenticationException) {
            return "The TLS handshake with " + where + " failed: " + messages(cause) + ". Fix:"
                    + " flightcdc.kafka.ssl-truststore-location must hold the authority that signed the brokers' certificates,"
                    + " whose names must include the host in flightcdc.kafka.bootstrap-servers; when the brokers ask for a"
                    + " client certificate, flightcdc.kafka.ssl-keystore-location holds it";
        }
        if (cause instanceof SaslAuthenticationException || cause instanceof AuthenticationException) {
            return where + " refused the login: " + messages(cause) + ". Fix: flightcdc.kafka.sasl-username,"
                    + " sasl-password (FLIGHTCDC_KAFKA_SASL_PASSWORD) and sasl-mechanism must be a user of the cluster's";
        }
        return where + " did not answer within " + TIMEOUT.toSeconds() + " s (" + messages(cause) + "). Is it running and"
                + " reachable from here, and does flightcdc.kafka.security-protocol (" + security.protocol()
                + ") match the listener of flightcdc.kafka.bootstrap-servers? A client speaking PLAINTEXT to a TLS"
                + " listener, or the other way round, waits like this";
    }

    /** The exception's message and its causes', which say what was wrong with a certificate. */
    private static String messages(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }
}
