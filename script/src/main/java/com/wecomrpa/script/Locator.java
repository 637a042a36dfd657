package com.wecomrpa.script;

/** One way to find an element: a strategy (css, xpath, id, accessibility-id, text) and its value. */
public record Locator(Strategy strategy, String value) {
  /** A string as an XPath 1.0 literal, whatever quotes it holds. */
  public static String xpathLiteral(String s) {
    if (!s.contains("'")) {
      return "'" + s + "'";
    }
    if (!s.contains("\"")) {
      return "\"" + s + "\"";
    }
    return "concat('" + s.replace("'", "',\"'\",'") + "')";
  }

  public enum Strategy {
    CSS("css"),
    XPATH("xpath"),
    ID("id"),
    ACCESSIBILITY_ID("accessibility-id"),
    TEXT("text");

    private final String key;

    Strategy(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    public static Strategy fromKey(String key) {
      for (Strategy s : values()) {
        if (s.key.equals(key)) {
          return s;
        }
      }
      return null;
    }
  }
}
