package e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * Loopback ports nobody listens on, so tests never collide with a running pipeline. They are drawn below the range the
 * kernel hands out to outgoing connections and to listeners on port 0 (from 32768 on Linux, ip_local_port_range): a
 * port found free there stays free until the test's server binds it, where one in that range could be taken in between
 * by any connection the test makes.
 */
public final class FreePorts {

    private static final int LOWEST = 20000;
    private static final int BELOW_EPHEMERAL = 32768;

    private FreePorts() {
    }

    public static int one() {
        return adjacent(1);
    }

    /** A port whose next port up is free too (the embedded Kafka broker uses both). */
    public static int pair() {
        return adjacent(2);
    }

    private static int adjacent(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, BELOW_EPHEMERAL - count + 1);
            if (IntStream.range(port, port + count).allMatch(FreePorts::isFree)) {
                return port;
            }
        }
        throw new IllegalStateException("no " + count + " adjacent free ports on loopback between " + LOWEST + " and "
                + (BELOW_EPHEMERAL - 1));
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
