package com.wecomrpa.protocol;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The kinds of content a message can carry, in one place: the name on the wire and in plans, the
 * fields a plan step must and may give for it, and the flow that posts it to a group. The
 * controller validates and maps with it, the simulator accepts exactly these.
 */
public enum ContentKind {
  TEXT("text", Set.of("text"), Set.of(), ActionName.SEND_GROUP_TEXT, ActionName.SEND_PRIVATE_TEXT),
  /** {@code text} is the caption a Moments post carries with its picture. */
  IMAGE("image", Set.of("url"), Set.of("text"), ActionName.SEND_GROUP_IMAGE, ActionName.SEND_PRIVATE_IMAGE),
  LINK("link", Set.of("url", "title"), Set.of("description", "cover"), ActionName.SEND_GROUP_LINK, ActionName.SEND_PRIVATE_LINK),
  MINIPROGRAM("miniprogram", Set.of("appId", "path", "title"), Set.of("cover"), ActionName.SEND_GROUP_MINIPROGRAM, ActionName.SEND_PRIVATE_MINIPROGRAM),
  FILE("file", Set.of("url", "name"), Set.of(), ActionName.SEND_GROUP_FILE, ActionName.SEND_PRIVATE_FILE);

  private final String wireName;
  private final Set<String> required;
  private final Set<String> optional;
  private final String groupAction;
  private final String privateAction;

  ContentKind(String wireName, Set<String> required, Set<String> optional, String groupAction, String privateAction) {
    this.wireName = wireName;
    this.required = required;
    this.optional = optional;
    this.groupAction = groupAction;
    this.privateAction = privateAction;
  }

  public String wireName() {
    return wireName;
  }

  public Set<String> required() {
    return required;
  }

  public Set<String> optional() {
    return optional;
  }

  /** The flow that posts this kind to a group. */
  public String groupAction() {
    return groupAction;
  }

  /** The flow that sends this kind to one customer in a private chat. */
  public String privateAction() {
    return privateAction;
  }

  public static Optional<ContentKind> of(String wireName) {
    return Arrays.stream(values()).filter(k -> k.wireName.equals(wireName)).findFirst();
  }

  /** Every kind's wire name, e.g. for an error message. */
  public static Set<String> names() {
    return Arrays.stream(values()).map(ContentKind::wireName).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
  }
}
