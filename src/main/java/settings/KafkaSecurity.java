package settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How every Kafka client of the pipeline authenticates and encrypts: the capture's producer, the loader's
 * consumer, the routes users add, and the admin clients of the startup checks and the monitor. One set of
 * settings, so that no client can be left speaking PLAINTEXT to a cluster that wants TLS. Secrets print as
 * {@value Secret#HIDDEN}.
 *
 * @param saslUser the SASL user and password, with a SASL protocol
 * @param truststore the certificates the client trusts; empty: the JVM's own (enough for a public CA's)
 * @param keystore the client's own certificate, for a cluster that asks for one (mutual TLS)
 */
public record KafkaSecurity(Protocol protocol, Optional<SaslMechanism> saslMechanism, Optional<SaslUser> saslUser,
                            Optional<Store> truststore, Optional<Store> keystore, Optional<Secret> keyPassword) {

    /** Kafka's security.protocol: what the cluster's listener speaks. */
    public enum Protocol {
        PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL;

        boolean sasl() {
            return this == SASL_PLAINTEXT || this == SASL_SSL;
        }

        boolean tls() {
            return this == SSL || this == SASL_SSL;
        }
    }

    /** The SASL mechanisms with a user and a password; the setting's values are Kafka's names. */
    public enum SaslMechanism {
        PLAIN("org.apache.kafka.common.security.plain.PlainLoginModule"),
        SCRAM_SHA_256("org.apache.kafka.common.security.scram.ScramLoginModule"),
        SCRAM_SHA_512("org.apache.kafka.common.security.scram.ScramLoginModule");

        private final String loginModule;

        SaslMechanism(String loginModule) {
            this.loginModule = loginModule;
        }

        public String setting() {
            return name().replace('_', '-');
        }
    }

    public record SaslUser(String name, Secret password) {
    }

    /** A keystore or truststore file; type empty: Kafka's default (JKS, which reads PKCS12 files too). */
    public record Store(Path location, Optional<Secret> password, Optional<String> type) {
    }

    /** Plain connections, as to the embedded broker. */
    public static final KafkaSecurity NONE = new KafkaSecurity(Protocol.PLAINTEXT, Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());

    public boolean plaintext() {
        return protocol == Protocol.PLAINTEXT;
    }

    /** The Kafka client configuration these settings stand for, by Kafka's own names; holds the secrets. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("security.protocol", protocol.name());
        saslMechanism.ifPresent(mechanism -> p.put("sasl.mechanism", mechanism.setting()));
        saslUser.ifPresent(user -> p.put("sasl.jaas.config", saslMechanism.orElseThrow().loginModule + " required"
                + " username=\"" + jaasQuoted(user.name()) + "\" password=\"" + jaasQuoted(user.password().value()) + "\";"));
        truststore.ifPresent(store -> putStore(p, "ssl.truststore.", store));
        keystore.ifPresent(store -> putStore(p, "ssl.keystore.", store));
        keyPassword.ifPresent(secret -> p.put("ssl.key.password", secret.value()));
        return p;
    }

    /** For the startup summary: the protocol and, with SASL, the mechanism and user; never a secret. */
    public String describe() {
        return protocol + saslMechanism.map(m -> " " + m.setting()).orElse("")
                + saslUser.map(user -> " as " + user.name()).orElse("")
                + truststore.map(store -> ", trusting " + store.location()).orElse("")
                + keystore.map(store -> ", client certificate " + store.location()).orElse("");
    }

    private static void putStore(Map<String, Object> p, String prefix, Store store) {
        p.put(prefix + "location", store.location().toAbsolutePath().toString());
        store.password().ifPresent(secret -> p.put(prefix + "password", secret.value()));
        store.type().ifPresent(type -> p.put(prefix + "type", type));
    }

    /** JAAS reads a quoted value with Java's string escapes: a quote or backslash in a password must not end it. */
    private static String jaasQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    static KafkaSecurity from(SettingsReader r, boolean embeddedBroker) {
        String protocolSetting = r.required("flightcdc.kafka.security-protocol");
        Protocol protocol = Arrays.stream(Protocol.values()).filter(p -> p.name().equalsIgnoreCase(protocolSetting)).findFirst()
                .orElseThrow(() -> new InvalidSettingException("flightcdc.kafka.security-protocol",
                        "must be one of " + Arrays.toString(Protocol.values()) + ", got '" + protocolSetting + "'"));
        if (embeddedBroker && protocol != Protocol.PLAINTEXT) {
            throw new InvalidSettingException("flightcdc.kafka.security-protocol", "is " + protocol + " but the embedded"
                    + " broker speaks PLAINTEXT only: set flightcdc.kafka.bootstrap-servers to your cluster's, or this to PLAINTEXT");
        }

        Optional<SaslMechanism> mechanism = Optional.empty();
        Optional<SaslUser> user = Optional.empty();
        if (protocol.sasl()) {
            String mechanismSetting = r.required("flightcdc.kafka.sasl-mechanism");
            mechanism = Optional.of(Arrays.stream(SaslMechanism.values())
                    .filter(m -> m.setting().equalsIgnoreCase(mechanismSetting)).findFirst()
                    .orElseThrow(() -> new InvalidSettingException("flightcdc.kafka.sasl-mechanism", "must be one of "
                            + Arrays.stream(SaslMechanism.values()).map(SaslMechanism::setting).toList()
                            + ", got '" + mechanismSetting + "'")));
            user = Optional.of(new SaslUser(r.required("flightcdc.kafka.sasl-username"),
                    Secret.of(r.required("flightcdc.kafka.sasl-password"))));
        } else {
            onlyWith(r, protocol, "SASL_PLAINTEXT or SASL_SSL", "flightcdc.kafka.sasl-username", "flightcdc.kafka.sasl-password");
        }

        Optional<Store> truststore = Optional.empty();
        Optional<Store> keystore = Optional.empty();
        Optional<Secret> keyPassword = Optional.empty();
        if (protocol.tls()) {
            truststore = store(r, "flightcdc.kafka.ssl-truststore-");
            keystore = store(r, "flightcdc.kafka.ssl-keystore-");
            keyPassword = r.optional("flightcdc.kafka.ssl-key-password").map(Secret::of);
            if (keystore.isEmpty() && keyPassword.isPresent()) {
                throw new InvalidSettingException("flightcdc.kafka.ssl-key-password",
                        "is set but flightcdc.kafka.ssl-keystore-location is empty: the key is in the keystore");
            }
        } else {
            onlyWith(r, protocol, "SSL or SASL_SSL", "flightcdc.kafka.ssl-truststore-location",
                    "flightcdc.kafka.ssl-keystore-location", "flightcdc.kafka.ssl-key-password");
        }
        return new KafkaSecurity(protocol, mechanism, user, truststore, keystore, keyPassword);
    }

    private static Optional<Store> store(SettingsReader r, String prefix) {
        Optional<Path> location = r.optional(prefix + "location").map(Path::of);
        if (location.isEmpty()) {
            if (r.optional(prefix + "password").isPresent()) {
                throw new InvalidSettingException(prefix + "password", "is set but " + prefix + "location is empty");
            }
            return Optional.empty();
        }
        if (!Files.isRegularFile(location.get()) || !Files.isReadable(location.get())) {
            throw new InvalidSettingException(prefix + "location", "names no readable file: " + location.get().toAbsolutePath());
        }
        return Optional.of(new Store(location.get(), r.optional(prefix + "password").map(Secret::of),
                r.optional(prefix + "type")));
    }

    /** A setting that would be ignored under this protocol is a mistake to report, not to pass over. */
    private static void onlyWith(SettingsReader r, Protocol protocol, String protocols, String... keys) {
        for (String key : keys) {
            if (r.optional(key).isPresent()) {
                throw new InvalidSettingException(key, "is set but flightcdc.kafka.security-protocol is " + protocol
                        + ": it takes effect only with " + protocols);
            }
        }
    }
}
