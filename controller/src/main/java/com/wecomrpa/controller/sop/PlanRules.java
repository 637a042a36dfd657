package com.wecomrpa.controller.sop;


import com.wecomrpa.controller.conditions.StepGuard;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a submitted plan and compiles it. Every refusal names the field at fault; nothing about a
 * plan is left to be discovered when its first job runs.
 */
public final class PlanRules {
  public static final Set<String> TRIGGER_EVENTS = Triggers.PLAN_STARTS;
  private static final Pattern TIME = Pattern.compile("(\\d{2}):(\\d{2})");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,5})([mhd])");

  private final ContentRules content;

  public PlanRules(int maxTextLength) {
    this.content = new ContentRules(maxTextLength);
  }

  public Plan compile(PlanSpec s) {
    String id = Fields.id("id", s.id());
    String name = Fields.maxLength("name", Fields.required("name", s.name()), 200);
    Plan.Kind kind = kind(s.kind());
    int priority = s.priority() == null ? 0 : s.priority();
    if (priority < -1000 || priority > 1000) {
      throw Rejected.invalid("priority", "priority must be -1000..1000");
    }
    Duration window =
        s.window() == null ? (kind == Plan.Kind.CUSTOMER ? Duration.ofHours(4) : Duration.ofMinutes(30)) : duration("window", s.window());
    if (s.steps() == null || s.steps().isEmpty()) {
      throw Rejected.invalid("steps", "steps must list at least one step");
    }
    if (s.steps().size() > 50) {
      throw Rejected.invalid("steps", "a plan has at most 50 steps");
    }
    // A plan started by an order knows the order: {order_id}, {order_amount}, {order_products}.
    Set<String> known = s.trigger() != null && Triggers.ORDER_PLACED.equals(s.trigger().event()) ? ORDER_VARIABLES : Set.of();
    List<Plan.PlanStepRule> steps = new ArrayList<>();
    for (int i = 0; i < s.steps().size(); i++) {
      steps.add(step(kind, i, s.steps().get(i), known));
    }

    TagSelector selector = null;
    List<String> groupIds = List.of();
    List<String> accounts = List.of();
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    LocalDate start = null;
    LocalDate end = null;
    String triggerEvent = null;
    String triggerStage = null;
    String triggerTag = null;
    String triggerField = null;
    List<String> exitOn = List.of();
    int repeatCount = 1;
    int repeatInterval = 0;

    if (kind == Plan.Kind.CUSTOMER) {
      checkOrder(steps);
      absent("target", s.target());
      absent("schedule", s.schedule());
      if (s.trigger() == null) {
        throw Rejected.invalid("trigger", "customer plans need trigger.event, one of " + new java.util.TreeSet<>(TRIGGER_EVENTS));
      }
      triggerEvent = Fields.required("trigger.event", s.trigger().event());
      if (!TRIGGER_EVENTS.contains(triggerEvent) && !triggerEvent.equals(Plan.DATE_TRIGGER)) {
        throw Rejected.invalid("trigger.event", "trigger.event must be one of " + new java.util.TreeSet<>(TRIGGER_EVENTS) + " or date");
      }
      // A yearly day of the customer's own (birthday, membership anniversary), from one of their fields.
      if (triggerEvent.equals(Plan.DATE_TRIGGER)) {
        triggerField = Fields.maxLength("trigger.field", Fields.required("trigger.field", s.trigger().field()), 64);
        if (!triggerField.matches("[A-Za-z][A-Za-z0-9_]*")) {
          throw Rejected.invalid("trigger.field", "trigger.field '" + triggerField + "' must be a field name like birthday");
        }
      } else if (s.trigger().field() != null) {
        throw Rejected.invalid("trigger.field", "trigger.field applies to date only");
      }
      if (s.exitOn() != null) {
        for (int i = 0; i < s.exitOn().size(); i++) {
          condition("exitOn[" + i + "]", s.exitOn().get(i), EXITS);
        }
        exitOn = List.copyOf(s.exitOn());
      }
      if (triggerEvent.equals("stage_entered") || triggerEvent.equals("stage_left")) {
        triggerStage = Fields.required("trigger.stage", s.trigger().stage());
      } else if (s.trigger().stage() != null) {
        throw Rejected.invalid("trigger.stage", "trigger.stage applies to stage_entered and stage_left only");
      }
      // A customer's words tag them (keyword rules); the plan starts when this tag is added.
      if (triggerEvent.equals("tag_added")) {
        triggerTag = Fields.maxLength("trigger.tag", Fields.required("trigger.tag", s.trigger().tag()), 64);
      } else if (s.trigger().tag() != null) {
        throw Rejected.invalid("trigger.tag", "trigger.tag applies to tag_added only");
      }
      if (s.repeat() != null) {
        repeatCount = s.repeat().count() == null ? 1 : s.repeat().count();
        repeatInterval = s.repeat().intervalDays() == null ? 0 : s.repeat().intervalDays();
        if (repeatCount < 1 || repeatCount > 24) {
          throw Rejected.invalid("repeat.count", "repeat.count must be 1..24");
        }
        long last = steps.get(steps.size() - 1).offset().nominalMinutes();
        if (repeatCount > 1 && (repeatInterval < 1 || repeatInterval > 365)) {
          throw Rejected.invalid("repeat.intervalDays", "repeat.intervalDays must be 1..365");
        }
        if (repeatCount > 1 && repeatInterval * 1440L <= last) {
          throw Rejected.invalid("repeat.intervalDays", "repeat.intervalDays must be longer than one pass of the steps (" + steps.get(steps.size() - 1).offset() + ")");
        }
      }
    } else {
      absent("trigger", s.trigger());
      absent("repeat", s.repeat());
      if (kind == Plan.Kind.GROUP) {
        if (s.target() == null || (s.target().selector() == null) == (s.target().groupIds() == null)) {
          throw Rejected.invalid("target", "group plans need target.selector (e.g. store:*) or target.groupIds, not both");
        }
        if (s.target().selector() != null) {
          selector = TagSelector.parse("target.selector", s.target().selector());
        } else {
          if (s.target().groupIds().isEmpty()) {
            throw Rejected.invalid("target.groupIds", "target.groupIds must not be empty");
          }
          for (int i = 0; i < s.target().groupIds().size(); i++) {
            Fields.id("target.groupIds[" + i + "]", s.target().groupIds().get(i));
          }
          groupIds = List.copyOf(new java.util.LinkedHashSet<>(s.target().groupIds()));
        }
      } else {
        absent("target", s.target());
        if (s.accounts() == null || s.accounts().isEmpty()) {
          throw Rejected.invalid("accounts", "Moments plans need accounts: the accounts that post");
        }
        for (int i = 0; i < s.accounts().size(); i++) {
          Fields.id("accounts[" + i + "]", s.accounts().get(i));
        }
        accounts = List.copyOf(s.accounts());
      }
      if (s.schedule() != null) {
        if (s.schedule().daysOfWeek() != null) {
          for (int i = 0; i < s.schedule().daysOfWeek().size(); i++) {
            days.add(dayOfWeek("schedule.daysOfWeek[" + i + "]", s.schedule().daysOfWeek().get(i)));
          }
        }
        start = date("schedule.startDate", s.schedule().startDate());
        end = date("schedule.endDate", s.schedule().endDate());
        if (start != null && end != null && end.isBefore(start)) {
          throw Rejected.invalid("schedule.endDate", "schedule.endDate is before schedule.startDate");
        }
      }
      Set<LocalTime> seen = new HashSet<>();
      for (Plan.PlanStepRule st : steps) {
        if (!seen.add(st.at())) {
          throw Rejected.invalid("steps[" + st.index() + "].at", "steps[" + st.index() + "].at repeats " + st.at());
        }
      }
    }
    if (kind != Plan.Kind.CUSTOMER && s.exitOn() != null) {
      throw Rejected.invalid("exitOn", "exitOn applies to customer plans only");
    }
    if (kind != Plan.Kind.MOMENTS && s.accounts() != null) {
      throw Rejected.invalid("accounts", "accounts applies to Moments plans only");
    }
    if (kind != Plan.Kind.CUSTOMER && s.stage() != null) {
      throw Rejected.invalid("stage", "stage applies to customer plans only");
    }
    String stage = s.stage() == null ? null : Fields.required("stage", s.stage());
    return new Plan(id, name, kind, priority, window, accounts, selector, groupIds, days, start, end, triggerEvent, triggerStage, triggerTag, stage,
        repeatCount, repeatInterval, List.copyOf(steps), triggerField, exitOn);
  }

  private static final Set<String> ORDER_VARIABLES = Set.of("order_id", "order_amount", "order_products");

  private Plan.PlanStepRule step(Plan.Kind kind, int i, PlanSpec.Step step, Set<String> known) {
    String f = "steps[" + i + "]";
    if (step == null) {
      throw Rejected.invalid(f, f + " must be an object");
    }
    LocalTime at = null;
    StepOffset offset = null;
    if (kind == Plan.Kind.CUSTOMER) {
      if (step.at() != null) {
        throw Rejected.invalid(f + ".at", f + ".at does not apply to customer plans; use offset");
      }
      offset = StepOffset.parse(f + ".offset", step.offset());
    } else {
      if (step.offset() != null) {
        throw Rejected.invalid(f + ".offset", f + ".offset applies to customer plans only; use at");
      }
      at = time(f + ".at", step.at());
    }
    content.check(kind, f + ".content", step.content(), known);
    List<String> unless = List.of();
    if (step.unless() != null) {
      if (kind != Plan.Kind.CUSTOMER) {
        throw Rejected.invalid(f + ".unless", f + ".unless applies to customer plans only");
      }
      for (int u = 0; u < step.unless().size(); u++) {
        condition(f + ".unless[" + u + "]", step.unless().get(u), UNLESS);
      }
      unless = List.copyOf(step.unless());
    }
    if (step.transactional() != null && kind != Plan.Kind.CUSTOMER) {
      throw Rejected.invalid(f + ".transactional", f + ".transactional applies to customer plans only");
    }
    return new Plan.PlanStepRule(i, at, offset, step.content(), unless, Boolean.TRUE.equals(step.transactional()));
  }

  /** Steps of a customer plan must be in time order. Called after compiling all steps. */
  static void checkOrder(List<Plan.PlanStepRule> steps) {
    for (int i = 1; i < steps.size(); i++) {
      if (steps.get(i).offset().nominalMinutes() < steps.get(i - 1).offset().nominalMinutes()) {
        throw Rejected.invalid(
            "steps[" + i + "].offset",
            "steps[" + i + "].offset " + steps.get(i).offset() + " comes before steps[" + (i - 1) + "].offset " + steps.get(i - 1).offset() + "; list steps in time order");
      }
    }
  }

  private static final List<String> UNLESS = List.of(StepGuard.ADDED, StepGuard.REPLIED, StepGuard.BOUGHT, StepGuard.TAG + "X");
  private static final List<String> EXITS = List.of(StepGuard.REPLY, StepGuard.PURCHASE, StepGuard.TAG + "X", StepGuard.STAGE + "S");

  /** One condition of an unless or an exitOn, among {@code allowed} (tag:X and stage:S take a name). */
  private static void condition(String f, String text, List<String> allowed) {
    String v = Fields.required(f, text).trim();
    for (String a : allowed) {
      boolean named = a.endsWith(":X") || a.endsWith(":S");
      if (named ? v.startsWith(a.substring(0, a.length() - 1)) && v.length() > a.length() - 1 && v.length() <= 68 : v.equals(a)) {
        return;
      }
    }
    throw Rejected.invalid(f, f + " '" + text + "' must be one of " + String.join(", ", allowed));
  }

  private static Plan.Kind kind(String k) {
    String v = Fields.required("kind", k);
    try {
      return Plan.Kind.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Rejected.invalid("kind", "kind must be one of group, customer, moments");
    }
  }

  private static LocalTime time(String f, String text) {
    Matcher m = TIME.matcher(Fields.required(f, text).trim());
    if (!m.matches()) {
      throw Rejected.invalid(f, f + " '" + text + "' must be a time of day HH:MM");
    }
    int hh = Integer.parseInt(m.group(1));
    int mm = Integer.parseInt(m.group(2));
    if (hh > 23 || mm > 59) {
      throw Rejected.invalid(f, f + " '" + text + "' is out of range (00:00..23:59)");
    }
    return LocalTime.of(hh, mm);
  }

  static Duration duration(String f, String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw Rejected.invalid(f, f + " '" + text + "' must look like 30m, 4h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    if (d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(Duration.ofDays(7)) > 0) {
      throw Rejected.invalid(f, f + " must be between 1m and 7d");
    }
    return d;
  }

  private static DayOfWeek dayOfWeek(String f, String text) {
    String v = Fields.required(f, text).trim().toUpperCase(Locale.ROOT);
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().equals(v) || d.name().startsWith(v) && v.length() == 3) {
        return d;
      }
    }
    throw Rejected.invalid(f, f + " '" + text + "' is not a day of the week (MON..SUN)");
  }

  private static LocalDate date(String f, String text) {
    if (text == null) {
      return null;
    }
    try {
      return LocalDate.parse(text.trim());
    } catch (DateTimeException e) {
      throw Rejected.invalid(f, f + " '" + text + "' must be a date YYYY-MM-DD");
    }
  }

  private static void absent(String f, Object value) {
    if (value != null) {
      throw Rejected.invalid(f, f + " does not apply to this kind of plan");
    }
  }
}
