package com.wecomrpa.controller.sop;

import java.util.Map;
import java.util.Set;

/**
 * Group content for senders other than plans (welcomes): checked by the same rules as a group
 * plan's step, and turned into the same agent action and params.
 */
public final class GroupContent {
  /** The agent action and its params. */
  public record Action(String name, Map<String, String> params) {}

  private static final ContentRules RULES = new ContentRules(1000);

  private GroupContent() {}

  /** Refuses content a group post cannot carry, naming the field; {@code variables} are known besides the group plan's. */
  public static void check(String field, ContentSpec content, Set<String> variables) {
    RULES.check(Plan.Kind.GROUP, field, content, variables);
  }

  public static Action forGroup(ContentSpec content, String groupId, String groupName, Map<String, String> vars) {
    ContentActions.Action a = ContentActions.forGroup(content, groupId, groupName, vars);
    return new Action(a.name(), a.params());
  }
}
