package e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where secrets ended up: every file under a folder, read as bytes (Kafka logs, WAL, DuckDB files and
 * text alike), searched for each secret as UTF-8. For asserting that a run wrote a secret nowhere but
 * where it belongs.
 */
public final class SecretSearch {

    private SecretSearch() {
    }

    /** Every regular file under {@code root} that holds any of {@code secrets}. */
    public static List<Path> filesHolding(Path root, String... secrets) {
        // Latin-1 maps each byte to one char, so the search is a plain indexOf over the file's bytes.
        List<String> needles = Arrays.stream(secrets)
                .map(s -> new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)).toList();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(file -> {
                String bytes = read(file);
                return needles.stream().anyMatch(bytes::contains);
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return ""; // gone since the walk listed it: it holds nothing now
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
