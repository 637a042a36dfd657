package com.wecomrpa.script;

/** A script that does not parse or does not make sense, with the file and line at fault. */
public final class ScriptError extends RuntimeException {
  private final String file;
  private final int line;

  public ScriptError(String file, int line, String reason) {
    super(file + ":" + line + ": " + reason);
    this.file = file;
    this.line = line;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }
}
