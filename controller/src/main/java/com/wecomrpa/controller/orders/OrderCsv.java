package com.wecomrpa.controller.orders;

import com.wecomrpa.controller.input.Rejected;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Order lines as exported by order systems: a header naming the columns ({@code order_id,
 * customer_id, account_id, at, amount, products, status, nickname}; the first four and amount for
 * paid orders are required), one order per line, fields quoted with {@code "} when they hold a
 * comma, products separated by {@code |}. A bad line is refused with its number and field.
 */
public final class OrderCsv {
  /** One parsed line: its number and order, or its number and why it was refused. */
  public record Line(int number, OrderIntake.OrderIn order, String error) {}

  static final List<String> REQUIRED = List.of("order_id", "customer_id", "at");
  static final List<String> KNOWN = List.of("order_id", "customer_id", "account_id", "at", "amount", "products", "status", "nickname");

  private final Map<String, Integer> columns = new HashMap<>();

  /** Reads the header line; refuses a file without the required columns or with unknown ones. */
  public OrderCsv(String header) {
    if (header == null) {
      throw Rejected.invalid("line 1", "line 1: the file is empty; it needs a header: " + String.join(",", KNOWN));
    }
    List<String> names = split(header.startsWith("\uFEFF") ? header.substring(1) : header);
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i).trim().toLowerCase(Locale.ROOT);
      if (!KNOWN.contains(n)) {
        throw Rejected.invalid("line 1", "line 1: unknown column '" + names.get(i) + "'; known: " + String.join(",", KNOWN));
      }
      columns.put(n, i);
    }
    for (String r : REQUIRED) {
      if (!columns.containsKey(r)) {
        throw Rejected.invalid("line 1", "line 1: the header has no " + r + " column");
      }
    }
  }

  public Line parse(int number, String text) {
    List<String> cells;
    try {
      cells = split(text);
    } catch (IllegalArgumentException e) {
      return new Line(number, null, "line " + number + ": " + e.getMessage());
    }
    if (cells.size() != columns.size()) {
      return new Line(number, null, "line " + number + ": " + cells.size() + " fields, the header has " + columns.size());
    }
    String amountText = cell(cells, "amount");
    BigDecimal amount = null;
    if (amountText != null) {
      try {
        amount = new BigDecimal(amountText);
      } catch (NumberFormatException e) {
        return new Line(number, null, "line " + number + ": amount '" + amountText + "' is not a number");
      }
    }
    String products = cell(cells, "products");
    OrderIntake.OrderIn o = new OrderIntake.OrderIn(cell(cells, "order_id"), cell(cells, "customer_id"), cell(cells, "account_id"), cell(cells, "nickname"),
        cell(cells, "at"), amount, products == null ? List.of() : Arrays.stream(products.split("\\|")).map(String::trim).filter(p -> !p.isEmpty()).toList(),
        cell(cells, "status"));
    try {
      OrderIntake.check("line " + number, o);
    } catch (Rejected e) {
      return new Line(number, null, e.getMessage().replaceFirst("^line " + number + "\\.", "line " + number + ": ").replace("line " + number + ".", ""));
    }
    return new Line(number, o, null);
  }

  private String cell(List<String> cells, String name) {
    Integer i = columns.get(name);
    if (i == null) {
      return null;
    }
    String v = cells.get(i).trim();
    return v.isEmpty() ? null : v;
  }

  /** Splits one line on commas outside double quotes; {@code ""} inside quotes is a quote. */
  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cur.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("a quote is not closed");
    }
    out.add(cur.toString());
    return out;
  }
}
