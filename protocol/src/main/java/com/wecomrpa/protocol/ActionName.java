package com.wecomrpa.protocol;

/**
 * The names of the actions a job or a device runs: each is a flow of that name in a script set
 * ({@code scripts/CLIENT/flows/NAME.yaml}). Jobs carry the send actions; the device runs the others
 * around them.
 */
public final class ActionName {
  public static final String SEND_GROUP_TEXT = "send_group_text";
  public static final String SEND_GROUP_IMAGE = "send_group_image";
  public static final String SEND_GROUP_LINK = "send_group_link";
  public static final String SEND_GROUP_MINIPROGRAM = "send_group_miniprogram";
  public static final String SEND_GROUP_FILE = "send_group_file";
  public static final String SEND_PRIVATE_TEXT = "send_private_text";
  public static final String SEND_PRIVATE_IMAGE = "send_private_image";
  public static final String SEND_PRIVATE_LINK = "send_private_link";
  public static final String SEND_PRIVATE_MINIPROGRAM = "send_private_miniprogram";
  public static final String SEND_PRIVATE_FILE = "send_private_file";
  public static final String POST_MOMENTS = "post_moments";
  /** Accepts one pending friend request ({@code customer_name}). */
  public static final String ACCEPT_FRIEND = "accept_friend";
  /** Sends one customer ({@code customer_name}) an invitation card for one group ({@code group_name}). */
  public static final String INVITE_TO_GROUP = "invite_to_group";
  /** Removes one member ({@code member_name}) from a group ({@code group_name}). */
  public static final String REMOVE_MEMBER = "remove_member";

  /** Reads the pending friend requests while listening, into {@code requests}. */
  public static final String LIST_FRIEND_REQUESTS = "list_friend_requests";

  /** Opens the client and logs in; run when a session starts. */
  public static final String LOGIN = "login";
  /** Dismisses what a person would before working (update prompts, permission dialogs). */
  public static final String PREPARE = "prepare";
  /** Looks for a risk state on screen after a failure. */
  public static final String DETECT_RISK = "detect_risk";
  /** Proves a repaired device works. */
  public static final String HEALTH_CHECK = "health_check";

  private ActionName() {}

  /** Whether the action sends a private message to one customer (any content kind). */
  public static boolean privateSend(String action) {
    return action.startsWith("send_private_");
  }

  /** The flow that looks for what {@code action} would have sent, before it is sent again. */
  public static String verifyOf(String action) {
    return "verify_" + action;
  }
}
