package com.wecomrpa.controller.sop;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;

/** A checked plan, ready to expand into jobs. Built only by {@link PlanRules}. */
public record Plan(
    String id,
    String name,
    Kind kind,
    int priority,
    Duration window,
    List<String> accounts,
    TagSelector selector,
    List<String> groupIds,
    Set<DayOfWeek> days,
    LocalDate startDate,
    LocalDate endDate,
    String triggerEvent,
    String triggerStage,
    String triggerTag,
    String stage,
    int repeatCount,
    int repeatIntervalDays,
    List<PlanStepRule> steps,
    String triggerField,
    List<String> exitOn) {

  public enum Kind {
    GROUP,
    CUSTOMER,
    MOMENTS
  }

  /** One step: a time of day (group, moments) or an offset (customer), its content, and a customer step's conditions. */
  public record PlanStepRule(int index, LocalTime at, StepOffset offset, ContentSpec content, List<String> unless, boolean transactional) {}

  /** The customer's date field a yearly plan starts on (trigger {@code date}). */
  public static final String DATE_TRIGGER = "date";

  /** Whether a calendar day is one this plan runs on. */
  public boolean runsOn(LocalDate day) {
    return (startDate == null || !day.isBefore(startDate))
        && (endDate == null || !day.isAfter(endDate))
        && (days.isEmpty() || days.contains(day.getDayOfWeek()));
  }

  /** A plan's state and version beside its rules. */
  public record Stored(Plan plan, PlanSpec spec, String status, int version, Instant effectiveAt, Instant createdAt, Instant updatedAt) {}
}
