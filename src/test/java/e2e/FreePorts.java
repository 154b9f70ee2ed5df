package e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports nobody listens on, so tests never collide with a running pipeline. They are drawn below the range the
 * kernel hands to outgoing connections (32768 and up on Linux, ip_local_port_range) and to listeners on port 0: there,
 * a port found free stays free until the test's server binds it, where an ephemeral one can be taken meanwhile by any
 * client connection the test makes.
 */
public final class FreePorts {

    private static final int LOWEST = 20000;
    private static final int BELOW_EPHEMERAL = 32768;

    private FreePorts() {
    }

    public static int one() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, BELOW_EPHEMERAL);
            if (isFree(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port on loopback between " + LOWEST + " and " + BELOW_EPHEMERAL);
    }

    /** A port whose next port up is free too (the embedded Kafka broker uses both). */
    public static int pair() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, BELOW_EPHEMERAL - 1);
            if (isFree(port) && isFree(port + 1)) {
                return port;
            }
        }
        throw new IllegalStateException("no two adjacent free ports on loopback between " + LOWEST + " and "
                + BELOW_EPHEMERAL);
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
