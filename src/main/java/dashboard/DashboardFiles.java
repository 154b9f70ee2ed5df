package dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's own files (its page, scripts, styles, the coastlines and the vendored libraries), served from the
 * classpath folder {@value #FOLDER} and nowhere else: a path is a plain relative one (no "..", no leading slash) with
 * an extension the dashboard uses. Camel Main's static file handler is not used for them, since it serves any file
 * under the working directory and any classpath resource (see application.properties).
 */
public final class DashboardFiles {

    /** Where the files are on the classpath, and the URL path they are served under. */
    public static final String FOLDER = "dashboard";

    private static final Pattern RELATIVE_PATH = Pattern.compile("[A-Za-z0-9_-]+(?:[./][A-Za-z0-9_-]+)*\\.[a-z]+");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "geojson", "application/geo+json",
            "svg", "image/svg+xml",
            "png", "image/png",
            "txt", "text/plain; charset=utf-8");

    private final ClassLoader classLoader;
    private final Map<String, DashboardFile> loaded = new ConcurrentHashMap<>();

    public DashboardFiles(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /** A file's bytes, and the content type to serve them with. */
    public record DashboardFile(byte[] bytes, String contentType) {
    }

    /** There is no such file of the dashboard's; answered with 404. */
    public static final class NoSuchFileException extends RuntimeException {
        public NoSuchFileException(String path) {
            super("No file " + path);
        }
    }

    /** The page itself. */
    public DashboardFile page() {
        return file("index.html");
    }

    /**
     * The file at {@code path}, as the request gives it: relative to the folder, or its full path under it.
     *
     * @throws NoSuchFileException for a path that is not one of the dashboard's files
     */
    public DashboardFile file(String path) {
        String relative = path == null ? "" : path.replaceFirst("^/+", "").replaceFirst("^" + FOLDER + "/", "");
        int dot = relative.lastIndexOf('.');
        if (!RELATIVE_PATH.matcher(relative).matches() || relative.contains("..")
                || !CONTENT_TYPES.containsKey(relative.substring(dot + 1))) {
            throw new NoSuchFileException(path);
        }
        return loaded.computeIfAbsent(relative, this::load);
    }

    private DashboardFile load(String relative) {
        try (InputStream in = classLoader.getResourceAsStream(FOLDER + "/" + relative)) {
            if (in == null) {
                throw new NoSuchFileException(relative);
            }
            return new DashboardFile(in.readAllBytes(), CONTENT_TYPES.get(relative.substring(relative.lastIndexOf('.') + 1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
