package com.wecomrpa.agent.executor;

import com.wecomrpa.agent.listen.ChatReader;
import com.wecomrpa.protocol.ActionName;
import com.wecomrpa.protocol.AgentHeard;
import com.wecomrpa.protocol.ControllerListen;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device reading its chats between jobs: the unread ones and those the controller names, plus
 * those a job opened while they showed unread messages (opening cleared the badge). Stops between
 * chats when a job is waiting. Always answers, even when it cannot read, so the controller frees
 * the device. Used on the device's thread only.
 */
final class ListenRun {
  private static final Logger LOG = LoggerFactory.getLogger(ListenRun.class);

  private final String deviceId;
  private final String accountId;
  private final DeviceSession session;
  private final ChatReader reader;
  private final Clock clock;
  private final Set<String> openedUnread = new LinkedHashSet<>();

  ListenRun(String deviceId, String accountId, DeviceSession session, Clock clock) {
    this.deviceId = deviceId;
    this.accountId = accountId;
    this.session = session;
    this.reader = new ChatReader(clock);
    this.clock = clock;
  }

  /** A job opened this chat while it showed unread messages: the next listen reads it by name. */
  void openedUnread(String chat) {
    openedUnread.add(chat);
  }

  /** {@code notNow}: why the device cannot listen now (draining, being repaired), or null; {@code stop}: a job is waiting. */
  AgentHeard read(ControllerListen ask, String notNow, BooleanSupplier stop) {
    Instant now = clock.instant();
    if (notNow != null || !session.hasScripts()) {
      return new AgentHeard(ask.listenId(), deviceId, accountId, now, now, List.of(), "device " + (notNow != null ? notNow : "no script set yet"));
    }
    try {
      session.ensure();
      var interpreter = session.interpreter();
      interpreter.scripts().flow(ActionName.PREPARE).ifPresent(p -> interpreter.run(p, Map.of(), session.driver()));
      List<String> chats = new ArrayList<>(ask.chats() == null ? List.of() : ask.chats());
      openedUnread.stream().filter(c -> !chats.contains(c)).forEach(chats::add);
      ControllerListen withOpened = new ControllerListen(ask.listenId(), ask.deviceId(), ask.accountId(), ask.unread(), chats, ask.maxChats(), ask.perChat(),
          ask.budgetMillis());
      AgentHeard h = reader.read(withOpened, interpreter, session.driver(), stop);
      h.chats().stream().filter(c -> c.error() == null).forEach(c -> openedUnread.remove(c.name()));
      int lines = h.chats().stream().mapToInt(c -> c.messages().size()).sum();
      LOG.debug("device={} listen {} read {} chats, {} messages{}", deviceId, ask.listenId(), h.chats().size(), lines, h.error() == null ? "" : ": " + h.error());
      session.closeIfDead();
      return h;
    } catch (RuntimeException e) {
      LOG.warn("device={} listen {} failed: {}", deviceId, ask.listenId(), e.getMessage());
      return new AgentHeard(ask.listenId(), deviceId, accountId, now, clock.instant(), List.of(), e.getMessage());
    }
  }
}
