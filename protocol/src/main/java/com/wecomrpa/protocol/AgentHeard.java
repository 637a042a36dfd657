package com.wecomrpa.protocol;

import java.time.Instant;
import java.util.List;

/**
 * What one listen read, chat by chat, as the client showed it. Kept by the agent until
 * acknowledged; the controller stores each message once however often it is read. {@code error}
 * says why reading stopped early (the listen still carries what it read before).
 */
public record AgentHeard(
    String listenId, String deviceId, String accountId, Instant startedAt, Instant finishedAt, List<Chat> chats, String error, List<Request> requests)
    implements Message, Kept {

  public AgentHeard {
    requests = requests == null ? List.of() : List.copyOf(requests);
  }

  public AgentHeard(String listenId, String deviceId, String accountId, Instant startedAt, Instant finishedAt, List<Chat> chats, String error) {
    this(listenId, deviceId, accountId, startedAt, finishedAt, chats, error, List.of());
  }

  /**
   * A friend request waiting in the client's "new contacts" list: the name shown, the note the
   * customer wrote, and the channel code it came through when the client shows one (else null).
   */
  public record Request(String name, String note, String channel) {}

  public AgentHeard withRequests(List<Request> found) {
    return new AgentHeard(listenId, deviceId, accountId, startedAt, finishedAt, chats, error, found);
  }

  /**
   * One chat read: its name and kind (group or private) as listed, and its last messages, oldest
   * first; for a group, its member count when the client shows one (else null).
   */
  public record Chat(String name, String type, int unread, List<Line> messages, String error, Integer members) {
    public Chat(String name, String type, int unread, List<Line> messages, String error) {
      this(name, type, unread, messages, error, null);
    }
  }

  /**
   * One message as shown: the client's own id when it exposes one (else null), the sender's display
   * name, whether the account wrote it, its kind, the time as shown ("14:03"), the exact time when
   * the client exposes it (epoch ms, else null), and the text (an image's address for images).
   */
  public record Line(String clientId, String sender, boolean mine, String kind, String shownTime, Long at, String text) {}

  @Override
  public String keptId() {
    return "heard-" + listenId;
  }
}
