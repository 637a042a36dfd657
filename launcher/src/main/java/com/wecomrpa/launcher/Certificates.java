package com.wecomrpa.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate made at run time with the JDK's own keytool, for the demo and the
 * tests: {@code NAME.pem} (the certificate, which is also its own CA) and {@code NAME.key} (its
 * PKCS#8 private key, mode 0600). Production certificates come from the user's own CA.
 */
public final class Certificates {
  /** The files made. */
  public record Pair(Path cert, Path key) {}

  private Certificates() {}

  /** A certificate valid 30 days for the given subject alternative names, e.g. {@code ip:127.0.0.1}. */
  public static Pair selfSigned(Path dir, String name, String san) {
    try {
      Files.createDirectories(dir);
      Path store = dir.resolve(name + ".p12");
      Files.deleteIfExists(store);
      char[] pass = java.util.UUID.randomUUID().toString().toCharArray();
      ProcessBuilder p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "tls",
          "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=wecom-rpa " + name, "-ext", "SAN=" + san, "-validity", "30",
          "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass:env", "WECOM_RPA_KS", "-keypass:env", "WECOM_RPA_KS"))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      p.environment().put("WECOM_RPA_KS", new String(pass));
      Process run = p.start();
      if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
        throw new IllegalStateException("keytool could not make a certificate in " + dir);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, pass);
      }
      PrivateKey key = (PrivateKey) ks.getKey("tls", pass);
      Certificate cert = ks.getCertificate("tls");
      Files.delete(store);
      Pair out = new Pair(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
      Files.writeString(out.cert(), pem("CERTIFICATE", cert.getEncoded()));
      Files.deleteIfExists(out.key());
      Files.createFile(out.key(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(out.key(), pem("PRIVATE KEY", key.getEncoded()));
      return out;
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a certificate in " + dir + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted making a certificate");
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
