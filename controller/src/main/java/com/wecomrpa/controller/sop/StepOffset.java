package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.input.Rejected;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a customer step is due, relative to the event that started the sequence: {@code +3m},
 * {@code +2h}, {@code +3d}, or {@code day 2 at 09:00} (the event's calendar day is day 0, in the
 * account's time zone).
 */
public record StepOffset(long minutes, Integer day, LocalTime at) {
  private static final Pattern RELATIVE = Pattern.compile("\\+(\\d{1,5})([mhd])");
  private static final Pattern DAY_AT = Pattern.compile("day (\\d{1,4}) at (\\d{2}):(\\d{2})");

  public static StepOffset parse(String field, String text) {
    if (text == null || text.isBlank()) {
      throw Rejected.invalid(field, field + " is required for customer plans (e.g. +3m, +3d, day 2 at 09:00)");
    }
    String t = text.trim();
    Matcher r = RELATIVE.matcher(t);
    if (r.matches()) {
      long n = Long.parseLong(r.group(1));
      long minutes = switch (r.group(2)) {
        case "m" -> n;
        case "h" -> n * 60;
        default -> n * 1440;
      };
      if (minutes > 366L * 1440) {
        throw Rejected.invalid(field, field + " '" + t + "' is more than a year away");
      }
      return new StepOffset(minutes, null, null);
    }
    Matcher d = DAY_AT.matcher(t);
    if (d.matches()) {
      int hh = Integer.parseInt(d.group(2));
      int mm = Integer.parseInt(d.group(3));
      if (hh > 23 || mm > 59) {
        throw Rejected.invalid(field, field + " '" + t + "': time of day out of range");
      }
      return new StepOffset(0, Integer.parseInt(d.group(1)), LocalTime.of(hh, mm));
    }
    throw Rejected.invalid(field, field + " '" + t + "' is not an offset; use +3m, +2h, +3d or day 2 at 09:00");
  }

  /** A sort key in minutes after the event day's start, used to keep steps in order. */
  public long nominalMinutes() {
    return day == null ? minutes : day * 1440L + at.getHour() * 60L + at.getMinute();
  }

  public Instant dueAfter(Instant anchor, ZoneId zone) {
    if (day == null) {
      return anchor.plusSeconds(minutes * 60);
    }
    return anchor.atZone(zone).toLocalDate().plusDays(day).atTime(at).atZone(zone).toInstant();
  }

  @Override
  public String toString() {
    return day == null ? "+" + minutes + "m" : "day " + day + " at " + at;
  }
}
