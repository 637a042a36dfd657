package com.wecomrpa.simulator;

import com.wecomrpa.protocol.ContentKind;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's own record of accounts, their conversations (groups and private chats with
 * customers), Moments, and every message received, stamped with the simulator's clock. Tests and
 * the demo read the truth from here, never from the controller.
 */
public final class ChatWorld {
  public record Account(String id, String name) {}

  public record Group(String id, String accountId, String name) {}

  /** A customer in an account's contacts; its private chat is a conversation with the same id. */
  public record Contact(String id, String accountId, String nickname) {}

  /** A group or a private chat, as the conversation list shows it. */
  public record Conversation(String id, String accountId, String name, String type) {}

  /**
   * One message in a chat. {@code mine} is true for what the account sent (through the product, or
   * by a person on the device); false for what a customer wrote, with the customer as sender.
   */
  public record ChatMessage(
      long id, String conversationId, String accountId, String kind, String text, Map<String, String> payload, Instant receivedAt,
      boolean mine, String senderId, String senderName) {}

  public record MomentPost(long id, String accountId, String text, Map<String, String> payload, Instant postedAt) {}

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

  public static final Set<String> KINDS = ContentKind.names();
  /** The kind of a line the client writes itself. */
  public static final String SYSTEM = "system";
  /** An invitation to a group, sent as a card in a private chat (群聊邀请). */
  public static final String GROUP_CARD = "groupcard";

  private final Clock clock;
  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<String, Account> accounts = new LinkedHashMap<>();
  private final Map<String, Conversation> conversations = new LinkedHashMap<>();
  private final Map<String, List<ChatMessage>> messages = new LinkedHashMap<>();
  private final List<MomentPost> moments = new ArrayList<>();
  /** Customer messages the account has not opened yet, per conversation: the client's unread badge. */
  private final Map<String, Integer> unread = new LinkedHashMap<>();
  private long customerMessages;

  public ChatWorld(Clock clock) {
    this.clock = clock;
  }

  public Clock clock() {
    return clock;
  }

  /** Adds all accounts or none: a repeated id refuses the whole batch. */
  public synchronized void addAccounts(List<Account> batch) {
    Set<String> seen = new HashSet<>();
    for (Account a : batch) {
      require(a.id() != null && !a.id().isBlank(), 400, "account id is required");
      require(!accounts.containsKey(a.id()) && seen.add(a.id()), 409, "account " + a.id() + " already exists");
    }
    batch.forEach(a -> accounts.put(a.id(), new Account(a.id(), a.name() == null ? a.id() : a.name())));
  }

  /** Adds all groups or none. A name is unique among an account's conversations, as search relies on it. */
  public synchronized void addGroups(List<Group> batch) {
    addConversations(batch.stream().map(g -> new Conversation(g.id(), g.accountId(), g.name() == null ? g.id() : g.name(), "group")).toList());
  }

  /** Adds customers to accounts' contacts, each with its private chat; all or none. */
  public synchronized void addContacts(List<Contact> batch) {
    addConversations(batch.stream().map(c -> new Conversation(c.id(), c.accountId(), c.nickname() == null ? c.id() : c.nickname(), "private")).toList());
  }

  private void addConversations(List<Conversation> batch) {
    Set<String> seenIds = new HashSet<>();
    Set<String> seenNames = new HashSet<>();
    conversations.values().forEach(o -> seenNames.add(o.accountId() + "\u0000" + o.name()));
    for (Conversation c : batch) {
      require(c.id() != null && !c.id().isBlank(), 400, c.type() + " id is required");
      require(accounts.containsKey(c.accountId()), 404, "account " + c.accountId() + " not found");
      require(!conversations.containsKey(c.id()) && seenIds.add(c.id()), 409, c.type() + " " + c.id() + " already exists");
      require(seenNames.add(c.accountId() + "\u0000" + c.name()), 409, "account " + c.accountId() + " already has a conversation named " + c.name());
    }
    for (Conversation c : batch) {
      conversations.put(c.id(), c);
      messages.put(c.id(), new ArrayList<>());
    }
  }

  /**
   * Gives a group (its ownership) or a customer (as a contact) to another account, as the admin
   * console's transfer does: the chat leaves the old account's list and appears in the new one's,
   * its history kept in the record.
   */
  public synchronized Conversation transfer(String conversationId, String toAccountId) {
    Conversation c = conversations.get(conversationId);
    require(c != null, 404, "conversation " + conversationId + " not found");
    require(accounts.containsKey(toAccountId), 404, "account " + toAccountId + " not found");
    require(conversations.values().stream().noneMatch(o -> o != c && o.accountId().equals(toAccountId) && o.name().equals(c.name())), 409,
        "account " + toAccountId + " already has a conversation named " + c.name());
    Conversation moved = new Conversation(c.id(), toAccountId, c.name(), c.type());
    conversations.put(c.id(), moved);
    return moved;
  }

  /** The conversation, or null. */
  public synchronized Conversation find(String id) {
    return conversations.get(id);
  }

  /**
   * Renames a group or private chat, as its owner would in the client: the conversation list shows
   * the new name, and a search for the old one finds nothing.
   */
  public synchronized Conversation rename(String conversationId, String name) {
    Conversation c = conversations.get(conversationId);
    require(c != null, 404, "conversation " + conversationId + " not found");
    require(name != null && !name.isBlank(), 400, "name is required");
    require(conversations.values().stream().noneMatch(o -> o != c && o.accountId().equals(c.accountId()) && o.name().equals(name)), 409,
        "account " + c.accountId() + " already has a conversation named " + name);
    Conversation renamed = new Conversation(c.id(), c.accountId(), name, c.type());
    conversations.put(c.id(), renamed);
    return renamed;
  }

  public synchronized boolean hasAccount(String accountId) {
    return accounts.containsKey(accountId);
  }

  public synchronized Account account(String accountId) {
    Account a = accounts.get(accountId);
    require(a != null, 404, "account " + accountId + " not found");
    return a;
  }

  public synchronized List<Conversation> conversationsOf(String accountId) {
    return conversations.values().stream().filter(c -> c.accountId().equals(accountId)).toList();
  }

  public synchronized List<Conversation> allConversations() {
    return List.copyOf(conversations.values());
  }

  /** Records a message the client sent; only the account in the conversation can post in it. */
  public synchronized ChatMessage receive(String accountId, String conversationId, String kind, String text, Map<String, String> payload) {
    Conversation c = conversations.get(conversationId);
    require(c != null, 404, "conversation " + conversationId + " not found");
    require(c.accountId().equals(accountId), 403, "account " + accountId + " is not in conversation " + conversationId);
    require(KINDS.contains(kind) || (kind.equals(GROUP_CARD) && c.type().equals("private")), 400, "unknown message kind " + kind);
    ChatMessage m = new ChatMessage(nextId.getAndIncrement(), conversationId, accountId, kind, text, Map.copyOf(payload), clock.instant(),
        true, accountId, accounts.get(accountId).name());
    messages.get(conversationId).add(m);
    // Sending from a chat means it is open: whatever was unread there is seen.
    unread.remove(conversationId);
    return m;
  }

  /**
   * A customer writes into a chat: the private chat's own customer, or in a group whoever
   * {@code senderName} is. The account's client shows an unread badge until the chat is opened.
   */
  public synchronized ChatMessage customerWrites(String conversationId, String senderId, String senderName, String kind, String text, Map<String, String> payload) {
    Conversation c = conversations.get(conversationId);
    require(c != null, 404, "conversation " + conversationId + " not found");
    require(KINDS.contains(kind), 400, "unknown message kind " + kind);
    require(text != null && !text.isBlank(), 400, "text is required");
    String id = c.type().equals("private") ? c.id() : senderId == null || senderId.isBlank() ? "member" : senderId;
    String name = c.type().equals("private") ? c.name() : senderName == null || senderName.isBlank() ? id : senderName;
    ChatMessage m = new ChatMessage(nextId.getAndIncrement(), conversationId, c.accountId(), kind, text, Map.copyOf(payload), clock.instant(), false, id, name);
    messages.get(conversationId).add(m);
    unread.merge(conversationId, 1, Integer::sum);
    customerMessages++;
    return m;
  }

  /**
   * A line the client itself writes into a chat when someone joins, leaves, is removed or is added
   * as a friend ("X 通过扫描群二维码加入群聊"): no one's message, but it shows an unread badge, as
   * the chat moves up the list. {@code event} (joined, left, removed, added) is for the record.
   */
  synchronized ChatMessage systemLine(String conversationId, String memberId, String memberName, String event, String text) {
    Conversation c = conversations.get(conversationId);
    require(c != null, 404, "conversation " + conversationId + " not found");
    ChatMessage m = new ChatMessage(nextId.getAndIncrement(), conversationId, c.accountId(), SYSTEM, text, Map.of("event", event), clock.instant(), false,
        memberId, memberName);
    messages.get(conversationId).add(m);
    unread.merge(conversationId, 1, Integer::sum);
    return m;
  }

  /** Every line the client wrote itself (joins, leaves, removals, friends added), oldest first. */
  public synchronized List<ChatMessage> systemLines() {
    return messages.values().stream().flatMap(List::stream).filter(m -> m.kind().equals(SYSTEM)).sorted(Comparator.comparingLong(ChatMessage::id)).toList();
  }

  public synchronized Conversation conversation(String conversationId) {
    Conversation c = conversations.get(conversationId);
    require(c != null, 404, "conversation " + conversationId + " not found");
    return c;
  }

  /** What the account itself wrote, not through the product (a person on the device): no badge, no risk check. */
  public synchronized ChatMessage personOnDeviceWrites(String conversationId, String text) {
    Conversation c = conversations.get(conversationId);
    require(c != null, 404, "conversation " + conversationId + " not found");
    return receive(c.accountId(), conversationId, "text", text, Map.of());
  }

  /** Unread customer messages in a conversation, as its badge shows. */
  public synchronized int unread(String conversationId) {
    return unread.getOrDefault(conversationId, 0);
  }

  /** Every customer message ever written, in every chat: what a listener should have heard. */
  public synchronized long customerMessageCount() {
    return customerMessages;
  }

  /** Customer messages, oldest first. */
  public synchronized List<ChatMessage> customerMessages() {
    return messages.values().stream().flatMap(List::stream).filter(m -> !m.mine() && !m.kind().equals(SYSTEM)).sorted(Comparator.comparingLong(ChatMessage::id)).toList();
  }

  public synchronized ChatMessage receive(String accountId, String conversationId, String kind, String text) {
    return receive(accountId, conversationId, kind, text, Map.of());
  }

  public synchronized MomentPost postMoment(String accountId, String text, Map<String, String> payload) {
    account(accountId);
    MomentPost p = new MomentPost(nextId.getAndIncrement(), accountId, text, Map.copyOf(payload), clock.instant());
    moments.add(p);
    return p;
  }

  public synchronized List<MomentPost> momentsOf(String accountId) {
    return moments.stream().filter(p -> accountId == null || p.accountId().equals(accountId)).toList();
  }

  /** What the account sent into a group or private chat (customers' messages are not in it). */
  public synchronized List<ChatMessage> messagesOf(String conversationId) {
    List<ChatMessage> list = messages.get(conversationId);
    require(list != null, 404, "conversation " + conversationId + " not found");
    return list.stream().filter(ChatMessage::mine).toList();
  }

  /** Everything said in a chat, by the account and by customers, oldest first. */
  public synchronized List<ChatMessage> chatLog(String conversationId) {
    List<ChatMessage> list = messages.get(conversationId);
    require(list != null, 404, "conversation " + conversationId + " not found");
    return List.copyOf(list);
  }

  /**
   * What a member of the conversation sees in it, as the client opens it: the chat counts as read.
   * A non-member sees nothing (404, like a client).
   */
  public synchronized List<ChatMessage> openedBy(String accountId, String conversationId) {
    List<ChatMessage> seen = messagesSeenBy(accountId, conversationId);
    unread.remove(conversationId);
    return seen;
  }

  /** What a member of the conversation sees in it, without opening it; a non-member gets a 404. */
  public synchronized List<ChatMessage> messagesSeenBy(String accountId, String conversationId) {
    Conversation c = conversations.get(conversationId);
    require(c != null && c.accountId().equals(accountId), 404, "conversation " + conversationId + " not found");
    return List.copyOf(messages.get(conversationId));
  }

  public synchronized ChatMessage lastMessageOf(String conversationId) {
    List<ChatMessage> list = messages.get(conversationId);
    return list == null || list.isEmpty() ? null : list.get(list.size() - 1);
  }

  /** How many messages the account sent to every group (private chats excluded), including groups that received nothing. */
  public synchronized Map<String, Integer> messageCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    conversations.values().stream().filter(c -> c.type().equals("group"))
        .forEach(c -> counts.put(c.id(), (int) messages.get(c.id()).stream().filter(ChatMessage::mine).count()));
    return counts;
  }

  /** Every message the account sent, oldest first (customers' messages are in {@link #customerMessages()}). */
  public synchronized List<ChatMessage> allMessages() {
    return messages.values().stream().flatMap(List::stream).filter(ChatMessage::mine).sorted(Comparator.comparingLong(ChatMessage::id)).toList();
  }

  static void require(boolean condition, int status, String message) {
    if (!condition) {
      throw new WorldException(status, message);
    }
  }
}
