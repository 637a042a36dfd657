package com.wecomrpa.simulator;

import static com.wecomrpa.simulator.ChatWorld.require;

import com.wecomrpa.simulator.ChatWorld.ChatMessage;
import com.wecomrpa.simulator.ChatWorld.Conversation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who is in each group and who asked to be a friend, as the client knows them, and the simulator's
 * own record of every join, leave, removal and friend added. A group holds at most {@code
 * memberCap} members (200 in a WeCom customer group); a join over it is refused. Every change the
 * client would show writes its system line into the chat ("X 退出了群聊").
 */
public final class Rosters {
  /** A group member; {@code staff} for the company's own people (never to be removed by a rule). */
  public record Member(String id, String name, boolean staff, Instant joinedAt) {}

  /**
   * A friend request to an account: {@code channel} is the channel code the customer scanned (the
   * client shows its name), null when added by search or card. {@code state}: pending or accepted.
   */
  public record FriendRequest(long id, String accountId, String customerId, String name, String note, String channel, Instant at, String state) {}

  /** One removal, as it happened: who was removed, and whether they were staff. */
  public record Removal(String groupId, String accountId, String memberId, String name, boolean staff, Instant at) {}

  /**
   * An invitation card the account sent a customer: {@code outcome} is null while it waits, then
   * joined, or refused with the client's reason (the group is full, they are in it already).
   */
  public record Invitation(long messageId, String accountId, String customerId, String customerName, String groupId, Instant at, String outcome) {}

  /** One join or leave, with how (qr, invite, removed, left). */
  public record Change(String groupId, String memberId, String name, String event, String via, Instant at) {}

  private final ChatWorld world;
  private final int memberCap;
  private final AtomicLong nextRequest = new AtomicLong(1);
  private final Map<String, LinkedHashMap<String, Member>> members = new LinkedHashMap<>();
  private final List<FriendRequest> requests = new ArrayList<>();
  private final List<Removal> removals = new ArrayList<>();
  private final List<Change> changes = new ArrayList<>();
  private final List<Invitation> invitations = new ArrayList<>();

  public Rosters(ChatWorld world, int memberCap) {
    this.world = world;
    this.memberCap = memberCap;
  }

  public int memberCap() {
    return memberCap;
  }

  /** Members a group starts with, silently (no system line), all or none; the cap holds. */
  public synchronized void seed(String groupId, List<Member> batch) {
    Map<String, Member> in = roster(groupId);
    require(in.size() + batch.size() <= memberCap, 409, "group " + groupId + " would hold " + (in.size() + batch.size()) + " members, over its cap of " + memberCap);
    for (Member m : batch) {
      require(m.id() != null && !m.id().isBlank(), 400, "member id is required");
      require(!in.containsKey(m.id()), 409, "member " + m.id() + " is already in group " + groupId);
    }
    Instant now = world.clock().instant();
    batch.forEach(m -> in.put(m.id(), new Member(m.id(), m.name() == null ? m.id() : m.name(), m.staff(), now)));
  }

  /** A customer joins: by the group's QR code ({@code via} qr) or by accepting an invitation (invite). */
  public synchronized ChatMessage join(String groupId, String memberId, String name, String via) {
    Map<String, Member> in = roster(groupId);
    require(memberId != null && !memberId.isBlank(), 400, "memberId is required");
    require(!in.containsKey(memberId), 409, "member " + memberId + " is already in group " + groupId);
    require(in.size() < memberCap, 409, "group " + groupId + " is full (" + memberCap + " members)");
    String shown = name == null || name.isBlank() ? memberId : name;
    Instant now = world.clock().instant();
    in.put(memberId, new Member(memberId, shown, false, now));
    String how = "invite".equals(via) ? "invite" : "qr";
    changes.add(new Change(groupId, memberId, shown, "joined", how, now));
    String line = how.equals("invite") ? shown + " 接受你的邀请加入了群聊" : shown + " 通过扫描群二维码加入群聊";
    return world.systemLine(groupId, memberId, shown, "joined", line);
  }

  /** A member leaves of their own accord. */
  public synchronized ChatMessage leave(String groupId, String memberId) {
    Member m = roster(groupId).remove(memberId);
    require(m != null, 404, "member " + memberId + " is not in group " + groupId);
    changes.add(new Change(groupId, memberId, m.name(), "left", "left", world.clock().instant()));
    return world.systemLine(groupId, memberId, m.name(), "left", m.name() + " 退出了群聊");
  }

  /** The account removes a member by the name the member list shows, as its owner can. */
  public synchronized ChatMessage removeByName(String accountId, String groupId, String name) {
    Conversation c = world.conversation(groupId);
    require(c.accountId().equals(accountId) && c.type().equals("group"), 404, "no group " + groupId);
    Member m = roster(groupId).values().stream().filter(x -> x.name().equals(name)).findFirst()
        .orElseThrow(() -> new ChatWorld.WorldException(404, name + " is not in the group"));
    roster(groupId).remove(m.id());
    Instant now = world.clock().instant();
    removals.add(new Removal(groupId, accountId, m.id(), m.name(), m.staff(), now));
    changes.add(new Change(groupId, m.id(), m.name(), "left", "removed", now));
    return world.systemLine(groupId, m.id(), m.name(), "removed", "你将 " + m.name() + " 移出了群聊");
  }

  public synchronized List<Member> membersOf(String groupId) {
    return List.copyOf(roster(groupId).values());
  }

  /** A customer asks to be the account's friend. */
  public synchronized FriendRequest requestFriend(String accountId, String customerId, String name, String note, String channel) {
    world.account(accountId);
    require(customerId != null && !customerId.isBlank(), 400, "customerId is required");
    String shown = name == null || name.isBlank() ? customerId : name;
    require(requests.stream().noneMatch(r -> r.accountId().equals(accountId) && r.name().equals(shown) && r.state().equals("pending")), 409,
        shown + " already has a pending request to " + accountId);
    FriendRequest r = new FriendRequest(nextRequest.getAndIncrement(), accountId, customerId, shown, note == null ? "" : note, channel,
        world.clock().instant(), "pending");
    requests.add(r);
    return r;
  }

  /** The account accepts a pending request: the customer becomes a contact with a private chat that says so. */
  public synchronized FriendRequest accept(String accountId, long requestId) {
    int i = indexOf(requestId);
    FriendRequest r = requests.get(i);
    require(r.accountId().equals(accountId), 404, "no friend request " + requestId);
    require(r.state().equals("pending"), 409, "friend request " + requestId + " is already " + r.state());
    world.addContacts(List.of(new ChatWorld.Contact(r.customerId(), accountId, r.name())));
    FriendRequest done = new FriendRequest(r.id(), r.accountId(), r.customerId(), r.name(), r.note(), r.channel(), r.at(), "accepted");
    requests.set(i, done);
    world.systemLine(r.customerId(), r.customerId(), r.name(), "added", "你已添加了" + r.name() + "，现在可以开始聊天了。");
    return done;
  }

  /** The account's requests, newest first, as the "new contacts" list shows them. */
  public synchronized List<FriendRequest> requestsTo(String accountId) {
    List<FriendRequest> out = new ArrayList<>(requests.stream().filter(r -> accountId == null || r.accountId().equals(accountId)).toList());
    java.util.Collections.reverse(out);
    return out;
  }

  /** The account sent an invitation card for {@code groupId} into a customer's private chat. */
  public synchronized Invitation invited(long messageId, String accountId, String customerId, String groupId) {
    Conversation chat = world.conversation(customerId);
    Invitation i = new Invitation(messageId, accountId, customerId, chat.name(), groupId, world.clock().instant(), null);
    invitations.add(i);
    return i;
  }

  /** The customer taps the card: they join the group by invitation, or the client says why they cannot. */
  public synchronized Invitation acceptInvitation(long messageId) {
    for (int k = 0; k < invitations.size(); k++) {
      Invitation i = invitations.get(k);
      if (i.messageId() == messageId) {
        require(i.outcome() == null, 409, "invitation " + messageId + " was already " + i.outcome());
        String outcome;
        try {
          join(i.groupId(), i.customerId(), i.customerName(), "invite");
          outcome = "joined";
        } catch (ChatWorld.WorldException e) {
          outcome = "refused: " + e.getMessage();
        }
        Invitation done = new Invitation(i.messageId(), i.accountId(), i.customerId(), i.customerName(), i.groupId(), i.at(), outcome);
        invitations.set(k, done);
        return done;
      }
    }
    throw new ChatWorld.WorldException(404, "no invitation " + messageId);
  }

  public synchronized List<Invitation> invitations() {
    return List.copyOf(invitations);
  }

  public synchronized List<Removal> removals() {
    return List.copyOf(removals);
  }

  public synchronized List<Change> changes() {
    return List.copyOf(changes);
  }

  private int indexOf(long requestId) {
    for (int i = 0; i < requests.size(); i++) {
      if (requests.get(i).id() == requestId) {
        return i;
      }
    }
    throw new ChatWorld.WorldException(404, "no friend request " + requestId);
  }

  private LinkedHashMap<String, Member> roster(String groupId) {
    Conversation c = world.conversation(groupId);
    require(c.type().equals("group"), 400, groupId + " is not a group");
    return members.computeIfAbsent(groupId, g -> new LinkedHashMap<>());
  }
}
