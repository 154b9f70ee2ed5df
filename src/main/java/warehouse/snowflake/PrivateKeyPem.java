package warehouse.snowflake;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMDecryptorProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads the private key of Snowflake key-pair authentication from PEM text, in the forms the Snowflake
 * guide's {@code openssl} commands write: PKCS#8 unencrypted ({@code BEGIN PRIVATE KEY}), PKCS#8
 * encrypted with a passphrase ({@code BEGIN ENCRYPTED PRIVATE KEY}), and the older PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}, possibly encrypted). Bouncy Castle parses them; the JDK alone cannot
 * decrypt every PBES2 scheme openssl uses.
 *
 * <p>Messages never quote the key or the passphrase.
 */
public final class PrivateKeyPem {

    /** Used, not installed: the JVM's security providers stay as they are. */
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private PrivateKeyPem() {
    }

    /**
     * @throws InvalidKeyText when the text holds no private key, or it is encrypted and the passphrase is
     *         missing or wrong ({@link InvalidKeyText#passphraseAtFault()} tells which setting to fix)
     */
    public static PrivateKey read(String pem, char[] passphrase) {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem.strip()))) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new InvalidKeyText("is not a PEM private key (" + e.getClass().getSimpleName() + ")", false);
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BC);
        try {
            if (parsed instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (parsed instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                requirePassphrase(passphrase);
                InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(passphrase);
                return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(decryptor));
            }
            if (parsed instanceof PEMEncryptedKeyPair encrypted) {
                requirePassphrase(passphrase);
                PEMDecryptorProvider decryptor = new JcePEMDecryptorProviderBuilder().setProvider(BC).build(passphrase);
                return converter.getKeyPair(encrypted.decryptKeyPair(decryptor)).getPrivate();
            }
        } catch (PKCSException | OperatorCreationException | IOException e) {
            throw new InvalidKeyText("cannot be decrypted with the passphrase given (wrong passphrase?)", true);
        }
        throw new InvalidKeyText(parsed == null
                ? "holds no PEM block (expected -----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)"
                : "holds a " + parsed.getClass().getSimpleName() + ", not a private key", false);
    }

    private static void requirePassphrase(char[] passphrase) {
        if (passphrase == null || passphrase.length == 0) {
            throw new InvalidKeyText("is encrypted, and no passphrase is set", true);
        }
    }

    /** Why the key text cannot be used, and whether the passphrase rather than the key is to blame. */
    public static final class InvalidKeyText extends IllegalArgumentException {

        private final boolean passphraseAtFault;

        InvalidKeyText(String problem, boolean passphraseAtFault) {
            super(problem);
            this.passphraseAtFault = passphraseAtFault;
        }

        public boolean passphraseAtFault() {
            return passphraseAtFault;
        }
    }
}
