package embedded;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import e2e.FreePorts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import settings.StartupException;

class EmbeddedKafkaBrokerTest {

    @TempDir
    Path dir;

    @Test
    void aBusyControllerPortStopsTheStartWithAMessageInsteadOfHaltingTheJvm() throws Exception {
        int port = FreePorts.pair();
        try (ServerSocket taken = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> EmbeddedKafkaBroker.start(dir, port))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("127.0.0.1:" + (port + 1) + " is in use")
                    .hasMessageContaining("flightcdc.kafka.embedded-port");
        }
    }
}
