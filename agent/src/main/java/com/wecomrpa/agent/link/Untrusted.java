package com.wecomrpa.agent.link;

/** A controller whose certificate does not check out: a configuration to fix, not a network blip. */
final class Untrusted {
  private Untrusted() {}

  /** Why a TLS handshake failed on the certificate (untrusted issuer, wrong host), or null for any other failure. */
  static String why(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("PKIX path") || m.contains("unable to find valid certification path") || t instanceof java.security.cert.CertPathBuilderException) {
        return "its certificate is not signed by a trusted CA (give the CA with --ca-file): " + m;
      }
      if (m.contains("No subject alternative") || m.contains("No name matching")) {
        return "its certificate does not match the host name: " + m;
      }
      if (t instanceof java.security.cert.CertificateException) {
        return "its certificate was refused: " + m;
      }
    }
    return null;
  }
}
