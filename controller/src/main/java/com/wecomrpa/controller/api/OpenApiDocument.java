package com.wecomrpa.controller.api;

import com.wecomrpa.protocol.WireCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The API's contract: {@code openapi.yaml} on the classpath, kept by hand beside the routes (a test
 * holds the two together), served as JSON at {@code /api/v1/openapi.json}.
 */
public final class OpenApiDocument {
  private static volatile String json;

  private OpenApiDocument() {}

  public static Map<String, Object> load() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the classpath");
      }
      return new Yaml().load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String json() {
    if (json == null) {
      try {
        json = WireCodec.mapper().writeValueAsString(load());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return json;
  }
}
