package com.wecomrpa.controller.sop;

import java.util.List;

/**
 * A plan as submitted. {@code kind} is {@code group} (posts to groups at times of day), {@code
 * customer} (private messages at offsets from an event) or {@code moments} (posts to accounts'
 * Moments at times of day). {@link PlanRules} checks it and compiles it to a {@link Plan}. {@code
 * exitOn} (customer plans) ends a customer's run on a reply, a purchase, tag:X or stage:S.
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
    List<Step> steps,
    List<String> exitOn) {

  /** Group plans: a tag selector such as {@code store:*} or {@code region=east & vip}, or group ids. */
  public record Target(String selector, List<String> groupIds) {}

  /** Days of the week (MON..SUN) and the dates the plan runs between, inclusive; all optional. */
  public record Schedule(List<String> daysOfWeek, String startDate, String endDate) {}

  /**
   * What starts a customer plan: an event, the stage entered (stage_entered), the tag added
   * (tag_added), or for {@code date} the customer's date field ({@code birthday}: MM-DD or
   * YYYY-MM-DD) whose day comes round each year in the account's zone.
   */
  public record Trigger(String event, String stage, String tag, String field) {}

  /** Customer plans: run the whole sequence {@code count} times, {@code intervalDays} apart. */
  public record Repeat(Integer count, Integer intervalDays) {}

  /**
   * One post: at a time of day ({@code at: "09:00"}) or at an offset from the event ({@code offset}).
   * Customer plans: {@code unless} skips the step when one condition holds since the run started
   * (added, replied, bought, tag:X); {@code transactional} marks a message that spends no cadence.
   */
  public record Step(String at, String offset, ContentSpec content, List<String> unless, Boolean transactional) {}
}
