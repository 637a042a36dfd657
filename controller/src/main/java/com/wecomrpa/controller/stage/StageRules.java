package com.wecomrpa.controller.stage;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ordered list of rules over a customer's facts; the first rule whose conditions all hold names
 * the stage. No rule matching leaves the stage as it is. Built only from a checked {@link Spec}.
 */
public final class StageRules {
  /** The rules as submitted. */
  public record Spec(List<RuleSpec> rules, String note) {}

  /** {@code when}: every condition must hold; an empty list always holds (a catch-all). */
  public record RuleSpec(String name, String stage, List<Condition> when) {}

  /** {@code fact op value}, e.g. {@code days_since_last_order >= 60} or {@code bought = membership}. */
  public record Condition(String fact, String op, Object value) {}

  /** A checked rule. */
  public record Rule(String name, String stage, List<Check> checks) {
    boolean holds(Facts f) {
      for (Check c : checks) {
        if (!c.holds(f)) {
          return false;
        }
      }
      return true;
    }
  }

  /** What the rules decide for one customer: a stage and the rule that named it. */
  public record Decision(String stage, String rule) {}

  /** The numeric facts; a customer with no orders has no days_since_last_order, so no such condition holds for them. */
  static final Set<String> NUMBERS = Set.of("order_count", "total_spent", "days_since_last_order", "days_since_first_order", "orders_last_30_days",
      "orders_last_90_days", "days_since_added", "days_since_last_message");
  /** The facts that are sets: compared with = (contains) and != (does not contain). */
  static final Set<String> SETS = Set.of("bought", "tag");
  private static final java.util.regex.Pattern STAGE = java.util.regex.Pattern.compile("[\\p{L}\\p{N}_.:-]{1,64}");
  private static final Set<String> OPS = Set.of(">=", ">", "<=", "<", "=", "!=");

  private final List<Rule> rules;
  private final Spec spec;

  private StageRules(List<Rule> rules, Spec spec) {
    this.rules = rules;
    this.spec = spec;
  }

  public List<Rule> rules() {
    return rules;
  }

  public Spec spec() {
    return spec;
  }

  /** The stage for these facts, or null when no rule matches. */
  public Decision decide(Facts f) {
    for (Rule r : rules) {
      if (r.holds(f)) {
        return new Decision(r.stage(), r.name());
      }
    }
    return null;
  }

  /** Checks a submitted list, naming the first bad field, e.g. {@code rules[2].when[0].fact}. */
  public static StageRules check(Spec spec) {
    if (spec == null || spec.rules() == null || spec.rules().isEmpty()) {
      throw Rejected.invalid("rules", "rules must be a non-empty list");
    }
    if (spec.rules().size() > 100) {
      throw Rejected.invalid("rules", "at most 100 rules");
    }
    Fields.maxLength("note", spec.note(), 500);
    List<Rule> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < spec.rules().size(); i++) {
      String f = "rules[" + i + "]";
      RuleSpec r = spec.rules().get(i);
      if (r == null) {
        throw Rejected.invalid(f, f + " must be an object");
      }
      String name = Fields.maxLength(f + ".name", Fields.required(f + ".name", r.name()), 64);
      if (!names.add(name)) {
        throw Rejected.invalid(f + ".name", f + ".name '" + name + "' is used by an earlier rule");
      }
      String stage = Fields.maxLength(f + ".stage", Fields.required(f + ".stage", r.stage()), 64);
      if (!STAGE.matcher(stage).matches()) {
        throw Rejected.invalid(f + ".stage", f + ".stage '" + stage + "' may hold letters (any script), digits, _ . : - only");
      }
      List<Check> checks = new ArrayList<>();
      List<Condition> when = r.when() == null ? List.of() : r.when();
      for (int j = 0; j < when.size(); j++) {
        checks.add(check(f + ".when[" + j + "]", when.get(j)));
      }
      out.add(new Rule(name, stage, List.copyOf(checks)));
    }
    return new StageRules(List.copyOf(out), spec);
  }

  private static Check check(String f, Condition c) {
    if (c == null) {
      throw Rejected.invalid(f, f + " must be an object");
    }
    String fact = Fields.required(f + ".fact", c.fact());
    String op = Fields.required(f + ".op", c.op());
    if (!OPS.contains(op)) {
      throw Rejected.invalid(f + ".op", f + ".op '" + op + "' must be one of >=, >, <=, <, =, !=");
    }
    if (c.value() == null) {
      throw Rejected.invalid(f + ".value", f + ".value is required");
    }
    if (SETS.contains(fact)) {
      if (!op.equals("=") && !op.equals("!=")) {
        throw Rejected.invalid(f + ".op", f + ".op for " + fact + " must be = (has) or != (has not)");
      }
      if (!(c.value() instanceof String s) || s.isBlank()) {
        throw Rejected.invalid(f + ".value", f + ".value for " + fact + " must be a name");
      }
      String name = (String) c.value();
      boolean has = op.equals("=");
      return facts -> (fact.equals("bought") ? facts.products() : facts.tags()).contains(name) == has;
    }
    if (!NUMBERS.contains(fact)) {
      throw Rejected.invalid(f + ".fact", f + ".fact '" + fact + "' is not a known fact; known: " + new java.util.TreeSet<>(known()));
    }
    BigDecimal v;
    try {
      v = new BigDecimal(String.valueOf(c.value()));
    } catch (NumberFormatException e) {
      throw Rejected.invalid(f + ".value", f + ".value for " + fact + " must be a number, was " + c.value());
    }
    return facts -> {
      BigDecimal x = facts.number(fact);
      if (x == null) {
        return false;
      }
      int cmp = x.compareTo(v);
      return switch (op) {
        case ">=" -> cmp >= 0;
        case ">" -> cmp > 0;
        case "<=" -> cmp <= 0;
        case "<" -> cmp < 0;
        case "=" -> cmp == 0;
        default -> cmp != 0;
      };
    };
  }

  static Set<String> known() {
    Set<String> all = new HashSet<>(NUMBERS);
    all.addAll(SETS);
    return all;
  }

  /** One condition, compiled. */
  @FunctionalInterface
  public interface Check {
    boolean holds(Facts f);
  }

  /** The facts as a map, for showing a customer why they are where they are. */
  public static Map<String, Object> describe(Facts f) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (String n : new java.util.TreeSet<>(NUMBERS)) {
      m.put(n, f.number(n));
    }
    m.put("bought", new java.util.TreeSet<>(f.products()));
    m.put("tag", new java.util.TreeSet<>(f.tags()));
    return m;
  }
}
