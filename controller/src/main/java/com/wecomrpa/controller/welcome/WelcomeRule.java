package com.wecomrpa.controller.welcome;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.sop.ContentSpec;
import com.wecomrpa.controller.sop.SenderContent;
import java.util.Set;

/**
 * A welcome for those who join a group (入群欢迎语): for one group, or every group with a tag (a
 * group's own rule wins). Joins within {@code batchSeconds} of the first (60 by default) are
 * welcomed in one message; a group gets at most one welcome per {@code minGapMinutes} (10). Outside the account's active
 * hours a welcome waits for them ({@code wait}) or is dropped when it cannot go within
 * {@link Welcomes#DROP_AFTER} ({@code drop}).
 */
public record WelcomeRule(
    String id, String groupTag, String groupId, ContentSpec content, Integer batchSeconds, Integer minGapMinutes, String outsideHours, Boolean enabled) {

  /**
   * Variables a welcome may use besides a group plan's: the joiners' names, joined with "、", and
   * the store the group serves (its {@code store:NAME} tag; empty when it has none).
   */
  public static final Set<String> VARIABLES = Set.of("nickname", "store");
  static final Set<String> OUTSIDE_HOURS = Set.of("wait", "drop");

  /** What a client sends: defaults filled in, every field checked, naming the first at fault. */
  static WelcomeRule checked(String id, WelcomeRule in) {
    Fields.id("id", id);
    if (in == null) {
      throw Rejected.invalid("body", "body must be a welcome rule object");
    }
    boolean byTag = in.groupTag() != null;
    boolean byGroup = in.groupId() != null;
    if (byTag == byGroup) {
      throw Rejected.invalid(byTag ? "groupId" : "groupTag", "give groupTag or groupId, not both and not neither");
    }
    if (byTag) {
      Fields.maxLength("groupTag", Fields.required("groupTag", in.groupTag()), 128);
    } else {
      Fields.id("groupId", in.groupId());
    }
    SenderContent.check("content", in.content(), VARIABLES);
    int batch = in.batchSeconds() == null ? 60 : in.batchSeconds();
    if (batch < 1 || batch > 3600) {
      throw Rejected.invalid("batchSeconds", "batchSeconds must be 1 to 3600 (joins this close are welcomed together)");
    }
    int gap = in.minGapMinutes() == null ? 10 : in.minGapMinutes();
    if (gap < 0 || gap > 1440) {
      throw Rejected.invalid("minGapMinutes", "minGapMinutes must be 0 to 1440");
    }
    String outside = in.outsideHours() == null ? "wait" : in.outsideHours();
    if (!OUTSIDE_HOURS.contains(outside)) {
      throw Rejected.invalid("outsideHours", "outsideHours must be wait or drop");
    }
    return new WelcomeRule(id, in.groupTag(), in.groupId(), in.content(), batch, gap, outside, in.enabled() == null || in.enabled());
  }
}
