package com.wecomrpa.controller.retention;

/**
 * How long each kind of stored data is kept, in days: messages heard from customers and groups,
 * the content of sent jobs, screenshots of attempts, attempts themselves, and the audit log. The
 * defaults keep personal data no longer than a farm needs it (PIPL): what customers wrote half a
 * year, screenshots (they show chats) a month.
 */
public record Retention(int heardDays, int sentDays, int screenshotDays, int executionDays, int auditDays) {
  public static final Retention DEFAULTS = new Retention(180, 365, 30, 365, 1095);

  public Retention {
    check("--keep-heard-days", heardDays);
    check("--keep-sent-days", sentDays);
    check("--keep-screenshot-days", screenshotDays);
    check("--keep-execution-days", executionDays);
    check("--keep-audit-days", auditDays);
  }

  private static void check(String option, int days) {
    if (days < 1 || days > 36_500) {
      throw new IllegalArgumentException(option + " must be 1..36500 days, was " + days);
    }
  }
}
