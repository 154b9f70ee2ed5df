package settings;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretTest {

    @Test
    void aSecretPrintsHiddenAndGivesItsValueOnlyWhenAsked() {
        Secret secret = Secret.of("pa55-word");

        assertThat(secret).hasToString("(hidden)");
        assertThat(String.valueOf(secret)).doesNotContain("pa55");
        assertThat(secret.value()).isEqualTo("pa55-word");
        assertThat(secret).isEqualTo(Secret.of("pa55-word")).isNotEqualTo(Secret.of("other"));
    }

    @Test
    void urlsKeepEverythingButTheirSecrets() {
        assertThat(Secret.redactUrls("jdbc:postgresql://db.example:5432/flights?user=cdc&password=pa55&ssl=true"))
                .isEqualTo("jdbc:postgresql://db.example:5432/flights?user=cdc&password=(hidden)&ssl=true");
        assertThat(Secret.redactUrls("jdbc:postgresql://db.example/flights?PASSWORD=pa55"))
                .isEqualTo("jdbc:postgresql://db.example/flights?PASSWORD=(hidden)");
        assertThat(Secret.redactUrls("jdbc:postgresql://db/f?sslmode=verify-full&sslpassword=k3y;x"))
                .isEqualTo("jdbc:postgresql://db/f?sslmode=verify-full&sslpassword=(hidden);x");
        assertThat(Secret.redactUrls("postgresql://cdc:pa55@db.example:5432/flights"))
                .isEqualTo("postgresql://cdc:(hidden)@db.example:5432/flights");
        assertThat(Secret.redactUrls("https://api.example/token?client_secret=s3cr3t&grant_type=client_credentials"))
                .isEqualTo("https://api.example/token?client_secret=(hidden)&grant_type=client_credentials");
    }

    @Test
    void urlsWithoutSecretsAndTextAroundThemStayAsTheyAre() {
        String url = "jdbc:postgresql://127.0.0.1:54329/postgres?ApplicationName=flight-cdc";
        assertThat(Secret.redactUrls(url)).isEqualTo(url);
        assertThat(Secret.redactUrls("Cannot connect to jdbc:postgresql://db:5432/x?password=pa55$1 (timeout)"))
                .isEqualTo("Cannot connect to jdbc:postgresql://db:5432/x?password=(hidden) (timeout)");
        assertThat(Secret.redactUrls("got 'jdbc:postgresql://db/x?password=pa55', expected"))
                .isEqualTo("got 'jdbc:postgresql://db/x?password=(hidden)', expected");
    }
}
