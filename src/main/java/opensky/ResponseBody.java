package opensky;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Message;

/**
 * Reads an OpenSky response from the connection, at most {@link #MAX_BYTES}: a body beyond any
 * plausible response (a proxy's error page streamed forever, a hostile server) must not fill the heap
 * before the parser could refuse it. A larger one is refused as malformed, with its beginning kept as
 * the message body for the record of the refusal; the rest is never read.
 */
public final class ResponseBody {

    /** As many bytes as the parser accepts characters. */
    public static final int MAX_BYTES = StateVectorParser.MAX_BODY_CHARS;
    /** What is kept of a refused body: the record of the refusal keeps no more. */
    private static final int KEPT_BYTES = 1 << 20;

    /** @return the body as UTF-8 text; empty when there is none */
    public String read(Message message) throws IOException {
        InputStream in = message.getBody(InputStream.class);
        if (in == null) {
            return "";
        }
        try (in) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                message.setBody(new String(bytes, 0, KEPT_BYTES, StandardCharsets.UTF_8));
                throw new MalformedResponseException("response is larger than " + MAX_BYTES + " bytes, more than an"
                        + " OpenSky response can plausibly be; it was not read further (its first " + KEPT_BYTES
                        + " bytes are kept)");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
