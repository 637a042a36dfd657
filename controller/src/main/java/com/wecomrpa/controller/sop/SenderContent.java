package com.wecomrpa.controller.sop;

import java.util.Map;
import java.util.Set;

/**
 * Content for senders other than plans (welcomes, broadcasts to groups or customers): checked by the
 * same rules as a plan's step, and turned into the same agent action and params.
 */
public final class SenderContent {
  /** The agent action and its params. */
  public record Action(String name, Map<String, String> params) {}

  private static final ContentRules RULES = new ContentRules(1000);

  private SenderContent() {}

  /** Refuses content a group post cannot carry, naming the field; {@code variables} are known besides the group plan's. */
  public static void check(String field, ContentSpec content, Set<String> variables) {
    RULES.check(Plan.Kind.GROUP, field, content, variables);
  }

  /** Refuses content a private message cannot carry (a webhook is a plan's step, not a message). */
  public static void checkPrivate(String field, ContentSpec content, Set<String> variables) {
    if (content != null && ContentRules.WEBHOOK.equals(content.kind())) {
      throw com.wecomrpa.controller.input.Rejected.invalid(field + ".kind", field + ".kind webhook is a customer plan's step, not a message");
    }
    RULES.check(Plan.Kind.CUSTOMER, field, content, variables);
  }

  public static Action forCustomer(ContentSpec content, String customerId, String nickname, Map<String, String> vars) {
    ContentActions.Action a = ContentActions.forCustomer(content, customerId, nickname, vars);
    return new Action(a.name(), a.params());
  }

  public static Action forGroup(ContentSpec content, String groupId, String groupName, Map<String, String> vars) {
    ContentActions.Action a = ContentActions.forGroup(content, groupId, groupName, vars);
    return new Action(a.name(), a.params());
  }
}
