package e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test, and the certificates it signs: one for the servers on
 * 127.0.0.1 (PostgreSQL and the Kafka broker), one for the pipeline as a client. Written as a user gets
 * them: PEM files for PostgreSQL, PKCS12 key- and truststores for Kafka.
 *
 * @param authorityPem the authority's certificate, the root certificate a client trusts
 * @param serverCertificatePem the servers' certificate, for 127.0.0.1 and localhost
 * @param serverKeyPem its private key, unencrypted PKCS#8, readable by its owner only (PostgreSQL insists)
 * @param serverKeystore the servers' key and certificate chain
 * @param clientKeystore the client's key and certificate chain
 * @param truststore the authority's certificate
 */
record TestCertificates(Path authorityPem, Path serverCertificatePem, Path serverKeyPem, Path serverKeystore,
                        Path clientKeystore, Path truststore, String storePassword) {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** Makes a new authority and its certificates in {@code dir}. */
    static TestCertificates make(Path dir, String authorityName) {
        try {
            Files.createDirectories(dir);
            String password = "store-secret";
            KeyPair authorityKeys = keyPair();
            X500Name authority = new X500Name("CN=" + authorityName);
            X509Certificate authorityCertificate = sign(authority, authorityKeys, authority, authorityKeys, true, null);

            KeyPair serverKeys = keyPair();
            X509Certificate serverCertificate = sign(new X500Name("CN=localhost"), serverKeys, authority, authorityKeys, false,
                    new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            KeyPair clientKeys = keyPair();
            X509Certificate clientCertificate = sign(new X500Name("CN=flightcdc"), clientKeys, authority, authorityKeys, false, null);

            TestCertificates certificates = new TestCertificates(dir.resolve("authority.pem"), dir.resolve("server.crt"),
                    dir.resolve("server.key"), dir.resolve("server.p12"), dir.resolve("client.p12"), dir.resolve("truststore.p12"),
                    password);
            Files.writeString(certificates.authorityPem, pem("CERTIFICATE", authorityCertificate.getEncoded()));
            Files.writeString(certificates.serverCertificatePem, pem("CERTIFICATE", serverCertificate.getEncoded()));
            Files.writeString(certificates.serverKeyPem, pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
            Files.setPosixFilePermissions(certificates.serverKeyPem, PosixFilePermissions.fromString("rw-------"));

            keystore(certificates.serverKeystore, password, serverKeys, serverCertificate, authorityCertificate);
            keystore(certificates.clientKeystore, password, clientKeys, clientCertificate, authorityCertificate);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("authority", authorityCertificate);
            try (OutputStream out = Files.newOutputStream(certificates.truststore)) {
                trust.store(out, password.toCharArray());
            }
            return certificates;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("Cannot make test certificates", e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                        boolean authority, GeneralNames names)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(authority
                ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (names != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
    }

    private static void keystore(Path file, String password, KeyPair keys, X509Certificate certificate, X509Certificate authority)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("key", keys.getPrivate(), password.toCharArray(), new Certificate[] {certificate, authority});
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
