package com.wecomrpa.controller.access;

import com.wecomrpa.controller.caller.Role;
import io.vertx.core.http.HttpMethod;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which roles may call which part of the API. Reading is for every human role; changing plans,
 * broadcasts, groups and events is for operators; limits, accounts, tokens, backups and the audit log are
 * for admins, but operators hand an account's groups and customers over. Agent tokens open the agent gateway only.
 */
public final class AccessPolicy {
  private static final Set<Role> READERS = EnumSet.of(Role.ADMIN, Role.OPERATOR, Role.VIEWER);
  private static final Set<Role> OPERATORS = EnumSet.of(Role.ADMIN, Role.OPERATOR);
  private static final Set<Role> ADMINS = EnumSet.of(Role.ADMIN);

  private AccessPolicy() {}

  /** Roles allowed for a request to {@code path} (relative to /api/v1, e.g. /plans/x/pause). */
  public static Set<Role> allowed(HttpMethod method, String path) {
    String first = path.replaceFirst("^/", "").split("/", 2)[0];
    if (first.equals("tokens") || first.equals("audit") || first.equals("login-links") || first.equals("webhooks") || first.equals("backups")) {
      return ADMINS;
    }
    if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
      return READERS;
    }
    if (first.equals("customers") && method == HttpMethod.DELETE && path.replaceFirst("^/", "").split("/").length == 2) {
      // Erasing a person's data cannot be undone: admins only.
      return ADMINS;
    }
    if (first.equals("accounts") && path.endsWith("/handover")) {
      // Handing a leaving account's groups and customers over is the group operators' daily work.
      return OPERATORS;
    }
    return switch (first) {
      // Alerts are acknowledged and resolved by whoever is on shift (operators).
      case "accounts", "limits" -> ADMINS;
      default -> OPERATORS;
    };
  }
}
