package bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicationCeilingTest {

    @Test
    void findsPgRecvlogicalInTheFirstFolderOfThePathThatHasIt(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path tools = Files.createDirectory(dir.resolve("tools"));
        Path program = Files.createFile(tools.resolve("pg_recvlogical"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));

        assertThat(ReplicationCeiling.program(empty + File.pathSeparator + tools)).contains(program);
    }

    @Test
    void isMissingWhereNoFolderOfThePathHasIt(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("pg_recvlogical")); // there, but not executable: not a program

        assertThat(ReplicationCeiling.program(dir.toString())).isEmpty();
        assertThat(ReplicationCeiling.notInstalled()).contains("pg_recvlogical was not found", "apt-get install postgresql-client");
    }
}
