package com.wecomrpa.controller.members;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a line the client writes itself says happened: someone joined a group (by its QR code or an
 * invitation), left, was removed, or was added as a friend. The wording is WeCom's and WeChat's
 * as their clients show it; a line matching none is kept as a message and means nothing more.
 */
public record MemberLine(Event event, String name, String how) {
  public enum Event {
    JOINED,
    LEFT,
    ADDED
  }

  private record Shape(Pattern pattern, Event event, String how, int nameGroup) {}

  private static final List<Shape> SHAPES = List.of(
      new Shape(Pattern.compile("^(.+?) ?通过扫描(?:群)?二维码加入(?:了)?群聊$"), Event.JOINED, "qr", 1),
      new Shape(Pattern.compile("^(.+?) ?接受(?:了)?(?:你|.+?)的邀请加入了群聊$"), Event.JOINED, "invite", 1),
      new Shape(Pattern.compile("^你邀请 ?(.+?) ?加入了群聊$"), Event.JOINED, "invite", 1),
      new Shape(Pattern.compile("^\"?(.+?)\"?邀请\"?(.+?)\"?加入了群聊$"), Event.JOINED, "invite", 2),
      new Shape(Pattern.compile("^(.+?) ?退出了群聊$"), Event.LEFT, "left", 1),
      new Shape(Pattern.compile("^你将 ?(.+?) ?移出了群聊$"), Event.LEFT, "removed", 1),
      new Shape(Pattern.compile("^(.+?) ?将 ?(.+?) ?移出了群聊$"), Event.LEFT, "removed", 2),
      new Shape(Pattern.compile("^你已添加了(.+?)，现在可以开始聊天了。?$"), Event.ADDED, "accepted", 1));

  /** The event a system line states, if it states one. */
  public static Optional<MemberLine> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.strip();
    for (Shape s : SHAPES) {
      Matcher m = s.pattern().matcher(t);
      if (m.matches()) {
        return Optional.of(new MemberLine(s.event(), m.group(s.nameGroup()).strip(), s.how()));
      }
    }
    return Optional.empty();
  }
}
