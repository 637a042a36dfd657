package com.wecomrpa.controller.input;

/**
 * A request the controller refuses, naming the field at fault. Thrown before anything is stored, or
 * inside a transaction that then rolls back, so a rejection never leaves a partial change.
 */
public final class Rejected extends RuntimeException {
  public enum Kind {
    INVALID,
    NOT_FOUND,
    CONFLICT
  }

  private final Kind kind;
  private final String field;

  private Rejected(Kind kind, String field, String message) {
    super(message);
    this.kind = kind;
    this.field = field;
  }

  public static Rejected invalid(String field, String message) {
    return new Rejected(Kind.INVALID, field, message);
  }

  public static Rejected notFound(String field, String message) {
    return new Rejected(Kind.NOT_FOUND, field, message);
  }

  public static Rejected conflict(String field, String message) {
    return new Rejected(Kind.CONFLICT, field, message);
  }

  public Kind kind() {
    return kind;
  }

  public String field() {
    return field;
  }
}
