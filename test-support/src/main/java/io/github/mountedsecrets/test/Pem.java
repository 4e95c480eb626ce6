package io.github.mountedsecrets.test;

import java.util.Base64;

/** Writes PEM blocks (RFC 7468): base64 in lines of 64 characters between two labels. */
final class Pem {
  private Pem() {}

  static String encode(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }
}
