package com.wecomrpa.controller.limits;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A customer cadence as written in a limit: at most {@code max} marketing private messages in any
 * {@code days} days ({@code 1/7d}), or none at all ({@code off}, max -1).
 */
public record CadenceRate(int max, int days) {
  private static final Pattern FORM = Pattern.compile("(\\d{1,3})/(\\d{1,3})d");
  public static final CadenceRate OFF = new CadenceRate(-1, 0);

  /** The rate a setting names; throws IllegalArgumentException saying the form. */
  public static CadenceRate parse(String text) {
    String t = text.trim();
    if (t.equals("off")) {
      return OFF;
    }
    Matcher m = FORM.matcher(t);
    if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 365) {
      throw new IllegalArgumentException("'" + text + "' must look like 1/7d (at most 1 message in 7 days; days 1..365) or off");
    }
    return new CadenceRate(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  public boolean off() {
    return max < 0;
  }

  /** Messages per day, for choosing the stricter of two rates; off allows any number. */
  double perDay() {
    return off() ? Double.MAX_VALUE : (double) max / days;
  }

  /** {@code 1 per 7 days}, as a skip reason says it. */
  public String describe() {
    return off() ? "off" : max + " per " + days + (days == 1 ? " day" : " days");
  }

  /** The cadence that applies to a customer, and the setting it came from. */
  public record ForCustomer(CadenceRate rate, String source) {
    public Optional<CadenceRate> limited() {
      return rate.off() ? Optional.empty() : Optional.of(rate);
    }
  }
}
