package embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import settings.StartupException;

/**
 * The embedded PostgreSQL superuser's password: made up on the first start of a data directory (or of
 * one an older version made, which asked for no password), and kept in a file beside it that only its
 * owner may read (mode 0600). Every command that starts the server on that directory, and a user's
 * psql, reads it there. Beside the data directory rather than in it: initdb wants an empty directory.
 */
final class SuperuserPassword {

    /** 192 random bits: 32 characters of base64url, which need no quoting in a shell, a URL or a properties file. */
    private static final int RANDOM_BYTES = 24;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SuperuserPassword() {
    }

    /** Where the password of the server with its data in {@code dataDirectory} is kept. */
    static Path file(Path dataDirectory) {
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".password");
    }

    /** The password in {@code file}, made up and written there first if there is none yet. */
    static String readOrCreate(Path file) {
        if (Files.exists(file)) {
            return read(file);
        }
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        write(file, password);
        return password;
    }

    /** The password in {@code file}, which must be there. */
    static String read(Path file) {
        String password;
        try {
            password = Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            throw new StartupException("The embedded PostgreSQL asks for the password that was kept in " + file
                    + ", and that file is gone: put it back, or start from scratch with --reset (which deletes its data)");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the embedded PostgreSQL's password in " + file, e);
        }
        if (password.isEmpty()) {
            throw new StartupException(file + " is empty: it should hold the embedded PostgreSQL's password;"
                    + " put it back, or start from scratch with --reset (which deletes its data)");
        }
        return password;
    }

    /** Written to a file of its own first, then moved in place: a crash leaves no file or a whole one. */
    private static void write(Path file, String password) {
        Path folder = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(folder);
            Path written = Files.createTempFile(folder, file.getFileName().toString(), ".tmp", ownerOnly());
            try {
                Files.writeString(written, password + "\n");
                Files.move(written, file, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(written);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the embedded PostgreSQL's password to " + file, e);
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
    }
}
