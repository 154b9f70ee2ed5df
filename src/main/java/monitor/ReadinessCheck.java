package monitor;

import java.util.Map;
import java.util.Optional;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * One part of the pipeline's readiness (/observe/health/ready): UP, or DOWN with what is wrong in words an operator
 * acts on. A part that is down is not a reason to restart the process, so these never count for liveness.
 */
public final class ReadinessCheck extends AbstractHealthCheck {

    /** What is wrong with the part now, or nothing. */
    @FunctionalInterface
    public interface Probe {
        Optional<String> problem() throws Exception;
    }

    private final Probe probe;

    public ReadinessCheck(String id, Probe probe) {
        super("flightcdc", id);
        this.probe = probe;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            probe.problem().ifPresentOrElse(problem -> builder.down().message(problem), builder::up);
        } catch (Exception e) {
            builder.down().message(getId() + " could not be checked: " + e.getMessage()).error(e);
        }
    }
}
