package com.wecomrpa.controller.sop;

import java.util.List;

/**
 * A plan as submitted. {@code kind} is {@code group} (posts to groups at times of day), {@code
 * customer} (private messages at offsets from an event) or {@code moments} (posts to accounts'
 * Moments at times of day). {@link PlanRules} checks it and compiles it to a {@link Plan}.
 */
public record PlanSpec(
    String id,
    String name,
    String kind,
    Integer priority,
    String window,
    List<String> accounts,
    Target target,
    Schedule schedule,
    Trigger trigger,
    String stage,
    Repeat repeat,
    List<Step> steps) {

  /** Group plans: a tag selector such as {@code store:*} or {@code region=east & vip}, or group ids. */
  public record Target(String selector, List<String> groupIds) {}

  /** Days of the week (MON..SUN) and the dates the plan runs between, inclusive; all optional. */
  public record Schedule(List<String> daysOfWeek, String startDate, String endDate) {}

  /** Customer plans: the event that starts a customer's sequence, and for stage_entered which stage. */
  /** What starts a customer plan: an event, the stage entered (stage_entered), the tag added (tag_added). */
  public record Trigger(String event, String stage, String tag) {}

  /** Customer plans: run the whole sequence {@code count} times, {@code intervalDays} apart. */
  public record Repeat(Integer count, Integer intervalDays) {}

  /** One post: at a time of day ({@code at: "09:00"}) or at an offset from the event ({@code offset}). */
  public record Step(String at, String offset, ContentSpec content) {}
}
