package com.wecomrpa.controller.input;

import java.util.regex.Pattern;

/** Field checks shared by the request types; each failure names its field. */
public final class Fields {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

  private Fields() {}

  public static String id(String field, String value) {
    String v = required(field, value);
    if (!ID.matcher(v).matches()) {
      throw Rejected.invalid(field, field + " must be 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
    }
    return v;
  }

  public static String required(String field, String value) {
    if (value == null || value.isBlank()) {
      throw Rejected.invalid(field, field + " is required and must not be empty");
    }
    return value;
  }

  public static String maxLength(String field, String value, int max) {
    if (value != null && value.codePointCount(0, value.length()) > max) {
      throw Rejected.invalid(field, field + " is longer than " + max + " characters");
    }
    return value;
  }
}
