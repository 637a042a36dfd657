package com.wecomrpa.simulator;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's own record of accounts, groups and every message received, stamped with the
 * simulator's clock. Tests and the demo read the truth from here, never from the controller.
 */
public final class ChatWorld {
  public record Account(String id, String name) {}

  public record Group(String id, String accountId, String name) {}

  public record ChatMessage(
      long id, String groupId, String accountId, String kind, String text, Instant receivedAt) {}

  /** A request that names something the world does not have, or repeats an id. */
  public static final class WorldException extends RuntimeException {
    private final int status;

    WorldException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final Clock clock;
  private final AtomicLong nextMessageId = new AtomicLong(1);
  private final Map<String, Account> accounts = new LinkedHashMap<>();
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Map<String, List<ChatMessage>> messagesByGroup = new LinkedHashMap<>();

  public ChatWorld(Clock clock) {
    this.clock = clock;
  }

  /** Adds all accounts or none: a repeated id refuses the whole batch. */
  public synchronized void addAccounts(List<Account> batch) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Account a : batch) {
      require(a.id() != null && !a.id().isBlank(), 400, "account id is required");
      require(!accounts.containsKey(a.id()) && seen.add(a.id()), 409, "account " + a.id() + " already exists");
    }
    batch.forEach(a -> accounts.put(a.id(), new Account(a.id(), a.name() == null ? a.id() : a.name())));
  }

  /** Adds all groups or none. A group name is unique within its account, as search relies on it. */
  public synchronized void addGroups(List<Group> batch) {
    java.util.Set<String> seenIds = new java.util.HashSet<>();
    java.util.Set<String> seenNames = new java.util.HashSet<>();
    groups.values().forEach(o -> seenNames.add(o.accountId() + "\u0000" + o.name()));
    for (Group g : batch) {
      require(g.id() != null && !g.id().isBlank(), 400, "group id is required");
      require(accounts.containsKey(g.accountId()), 404, "account " + g.accountId() + " not found");
      require(!groups.containsKey(g.id()) && seenIds.add(g.id()), 409, "group " + g.id() + " already exists");
      String name = g.name() == null ? g.id() : g.name();
      require(seenNames.add(g.accountId() + "\u0000" + name), 409, "account " + g.accountId() + " already has a group named " + name);
    }
    for (Group g : batch) {
      groups.put(g.id(), new Group(g.id(), g.accountId(), g.name() == null ? g.id() : g.name()));
      messagesByGroup.put(g.id(), new ArrayList<>());
    }
  }

  public synchronized boolean hasAccount(String accountId) {
    return accounts.containsKey(accountId);
  }

  public synchronized Account account(String accountId) {
    Account a = accounts.get(accountId);
    require(a != null, 404, "account " + accountId + " not found");
    return a;
  }

  public synchronized List<Group> groupsOf(String accountId) {
    return groups.values().stream().filter(g -> g.accountId().equals(accountId)).toList();
  }

  /** Records a message the client sent; only the account that owns the group can post in it. */
  public synchronized ChatMessage receive(String accountId, String groupId, String kind, String text) {
    Group g = groups.get(groupId);
    require(g != null, 404, "group " + groupId + " not found");
    require(g.accountId().equals(accountId), 403, "account " + accountId + " is not in group " + groupId);
    ChatMessage m =
        new ChatMessage(nextMessageId.getAndIncrement(), groupId, accountId, kind, text, clock.instant());
    messagesByGroup.get(groupId).add(m);
    return m;
  }

  public synchronized List<ChatMessage> messagesOf(String groupId) {
    List<ChatMessage> list = messagesByGroup.get(groupId);
    require(list != null, 404, "group " + groupId + " not found");
    return List.copyOf(list);
  }

  /** What a member of the group sees in it; a non-member sees nothing (404, like a client). */
  public synchronized List<ChatMessage> messagesSeenBy(String accountId, String groupId) {
    Group g = groups.get(groupId);
    require(g != null && g.accountId().equals(accountId), 404, "group " + groupId + " not found");
    return List.copyOf(messagesByGroup.get(groupId));
  }

  public synchronized ChatMessage lastMessageOf(String groupId) {
    List<ChatMessage> list = messagesByGroup.get(groupId);
    return list == null || list.isEmpty() ? null : list.get(list.size() - 1);
  }

  /** Message count for every group, including groups that received nothing. */
  public synchronized Map<String, Integer> messageCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    messagesByGroup.forEach((g, list) -> counts.put(g, list.size()));
    return counts;
  }

  public synchronized List<ChatMessage> allMessages() {
    return messagesByGroup.values().stream()
        .flatMap(List::stream)
        .sorted(Comparator.comparingLong(ChatMessage::id))
        .toList();
  }

  private static void require(boolean condition, int status, String message) {
    if (!condition) {
      throw new WorldException(status, message);
    }
  }
}
