package com.wecomrpa.controller.spam;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.sop.ContentTemplate;
import java.util.List;
import java.util.Set;

/**
 * An anti-spam rule (防骚扰) for one group or every group with a tag: what a message from someone who
 * is not staff and not whitelisted must not carry (keywords, links, mini-program cards, QR codes
 * and other images, many messages in a short time), and what follows: a warning in the group, the
 * member removed, the member blacklisted across the account's groups (removed again on re-joining).
 */
public record SpamRule(
    String id, String groupTag, String groupId, List<String> keywords, Boolean links, Boolean miniprograms, Boolean qrImages, Burst burst,
    List<String> whitelist, Boolean warn, String warning, Boolean remove, Boolean blacklist, Boolean enabled) {

  /** {@code messages} or more from one member within {@code seconds}. */
  public record Burst(Integer messages, Integer seconds) {}

  static SpamRule checked(String id, SpamRule in) {
    Fields.id("id", id);
    if (in == null) {
      throw Rejected.invalid("body", "body must be an anti-spam rule object");
    }
    if ((in.groupTag() == null) == (in.groupId() == null)) {
      throw Rejected.invalid(in.groupTag() == null ? "groupTag" : "groupId", "give groupTag or groupId, not both and not neither");
    }
    if (in.groupTag() != null) {
      Fields.maxLength("groupTag", Fields.required("groupTag", in.groupTag()), 128);
    } else {
      Fields.id("groupId", in.groupId());
    }
    List<String> words = in.keywords() == null ? List.of() : in.keywords();
    for (int i = 0; i < words.size(); i++) {
      Fields.maxLength("keywords[" + i + "]", Fields.required("keywords[" + i + "]", words.get(i) == null ? null : words.get(i).strip()), 100);
    }
    if (in.burst() != null) {
      if (in.burst().messages() == null || in.burst().messages() < 2 || in.burst().messages() > 100) {
        throw Rejected.invalid("burst.messages", "burst.messages must be 2 to 100");
      }
      if (in.burst().seconds() == null || in.burst().seconds() < 1 || in.burst().seconds() > 3600) {
        throw Rejected.invalid("burst.seconds", "burst.seconds must be 1 to 3600");
      }
    }
    if (words.isEmpty() && !on(in.links()) && !on(in.miniprograms()) && !on(in.qrImages()) && in.burst() == null) {
      throw Rejected.invalid("keywords", "a rule needs a condition: keywords, links, miniprograms, qrImages or burst");
    }
    List<String> white = in.whitelist() == null ? List.of() : in.whitelist();
    for (int i = 0; i < white.size(); i++) {
      Fields.maxLength("whitelist[" + i + "]", Fields.required("whitelist[" + i + "]", white.get(i)), 200);
    }
    boolean blacklist = on(in.blacklist());
    boolean remove = on(in.remove()) || blacklist;
    if (!on(in.warn()) && !remove) {
      throw Rejected.invalid("warn", "a rule needs an action: warn, remove or blacklist");
    }
    if (on(in.warn())) {
      Fields.maxLength("warning", Fields.required("warning", in.warning()), 500);
      ContentTemplate.check("warning", in.warning(), Set.of("nickname", "group_name"));
    }
    return new SpamRule(id, in.groupTag(), in.groupId(), words.stream().map(String::strip).toList(), on(in.links()), on(in.miniprograms()),
        on(in.qrImages()), in.burst(), white, on(in.warn()), in.warning(), remove, blacklist, in.enabled() == null || in.enabled());
  }

  static boolean on(Boolean b) {
    return Boolean.TRUE.equals(b);
  }
}
