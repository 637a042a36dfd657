package com.wecomrpa.controller.tagging;

import com.wecomrpa.controller.customer.Customer;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.job.JobIntake;
import com.wecomrpa.controller.job.NewJob;
import com.wecomrpa.controller.sop.ContentTemplate;
import com.wecomrpa.controller.sop.JdbcPlanStore;
import com.wecomrpa.controller.sop.Plan;
import com.wecomrpa.controller.sop.PlanRuns;
import com.wecomrpa.controller.sop.Triggers;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.ActionName;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a customer's new message sets off, in the transaction that stores it: keyword rules add and
 * remove the customer's tags (each change recorded with the rule and the message), a tag added
 * starts the customer plans triggered by it, and a rule with a reply queues it as a job: under the
 * same limits as any send, in the hours and chats the rule allows, at most its number per
 * customer per day (the job's key says which one it is, so it is never queued twice).
 */
public final class Tagger {
  /** How long an auto-reply may wait for its device before it is pointless. */
  static final Duration REPLY_WINDOW = Duration.ofMinutes(30);
  /** Replies go before planned posts: a customer is waiting. */
  static final int REPLY_PRIORITY = 50;

  /** One new customer message, as stored. */
  public record Heard(long messageId, String accountId, String chatType, String chatName, String groupId, String customerId, String sender,
      String kind, String text) {}

  /** What the messages set off. */
  public record Effects(int tagsAdded, int tagsRemoved, int repliesQueued, int plansStarted) {
    Effects plus(Effects o) {
      return new Effects(tagsAdded + o.tagsAdded, tagsRemoved + o.tagsRemoved, repliesQueued + o.repliesQueued, plansStarted + o.plansStarted);
    }
  }

  public static final Effects NONE = new Effects(0, 0, 0, 0);

  private final JdbcPlanStore plans;
  private final JobIntake intake;

  public Tagger(JdbcPlanStore plans, JobIntake intake) {
    this.plans = plans;
    this.intake = intake;
  }

  /** Applies every enabled rule to each message, in order. */
  public Effects apply(Connection c, List<Heard> messages, Instant now) throws SQLException {
    if (messages.isEmpty()) {
      return NONE;
    }
    List<KeywordRule> rules = JdbcRuleStore.rules(c).stream().filter(KeywordRule::enabled).toList();
    if (rules.isEmpty()) {
      return NONE;
    }
    List<Plan.Stored> tagPlans = plans.active(c).stream()
        .filter(p -> p.plan().kind() == Plan.Kind.CUSTOMER && Triggers.TAG_ADDED.equals(p.plan().triggerEvent())).toList();
    Effects total = NONE;
    for (Heard m : messages) {
      if (!"text".equals(m.kind())) {
        continue;
      }
      for (KeywordRule r : rules) {
        if (r.matches(m.text(), m.chatType())) {
          total = total.plus(fire(c, r, m, tagPlans, now));
        }
      }
    }
    return total;
  }

  private Effects fire(Connection c, KeywordRule r, Heard m, List<Plan.Stored> tagPlans, Instant now) throws SQLException {
    int added = 0;
    int removed = 0;
    int started = 0;
    Customer customer = m.customerId() == null ? null : Customers.find(c, m.customerId()).orElse(null);
    if (customer != null) {
      for (String tag : r.addTags()) {
        if (Customers.addTag(c, customer.id(), tag, r.id(), m.messageId(), now)) {
          added++;
          if (customer.status().equals("active")) {
            started += PlanRuns.start(c, tagPlans, customer, Triggers.TAG_ADDED, tag, now, "tag:" + customer.id() + ":" + tag + ":" + m.messageId());
          }
        }
      }
      for (String tag : r.removeTags()) {
        if (Customers.removeTag(c, customer.id(), tag, r.id(), m.messageId(), now)) {
          removed++;
        }
      }
    }
    int replies = r.reply() == null ? 0 : reply(c, r, m, customer, now);
    return new Effects(added, removed, replies, started);
  }

  private int reply(Connection c, KeywordRule r, Heard m, Customer customer, Instant now) throws SQLException {
    KeywordRule.AutoReply a = r.reply();
    if (!KeywordRule.inScope(a.scope(), m.chatType()) || (m.chatType().equals("group") && m.groupId() == null)) {
      return 0;
    }
    String[] account = Sql.one(c, "SELECT display_name, time_zone FROM accounts WHERE id = ?",
        rs -> new String[] {rs.getString(1), rs.getString(2)}, m.accountId()).orElse(null);
    String body = Sql.one(c, "SELECT body FROM replies WHERE id = ?", rs -> rs.getString(1), a.replyId()).orElse(null);
    if (account == null || body == null) {
      return 0;
    }
    ZonedDateTime local = now.atZone(ZoneId.of(account[1]));
    if (!a.allowsAt(local.toLocalTime())) {
      return 0;
    }
    // Per customer (or, for a stranger in a group, per sender name), per rule, per day.
    String who = customer != null ? customer.id() : m.chatType().equals("private") ? "chat:" + m.chatName() : "sender:" + m.sender();
    LocalDate day = local.toLocalDate();
    String prefix = "reply:" + r.id() + ":" + who + ":" + day + ":";
    long today = intake.countKeyed(c, prefix);
    if (today >= a.perDay()) {
      return 0;
    }
    Map<String, String> vars = Map.of(
        "nickname", customer != null ? customer.nickname() : m.sender(),
        "account_name", account[0],
        "chat_name", m.chatName());
    String text = ContentTemplate.render(body, vars);
    Map<String, String> p = new LinkedHashMap<>();
    String action;
    if (m.chatType().equals("private")) {
      action = ActionName.SEND_PRIVATE_TEXT;
      p.put("customer_id", customer != null ? customer.id() : m.chatName());
      p.put("customer_name", m.chatName());
    } else {
      action = ActionName.SEND_GROUP_TEXT;
      p.put("group_id", m.groupId());
      p.put("group_name", m.chatName());
    }
    p.put("text", text);
    NewJob job = new NewJob(prefix + (today + 1), "reply", r.id(), m.accountId(), m.chatType().equals("group") ? m.groupId() : null,
        customer != null ? customer.id() : null, action, p, REPLY_PRIORITY, now, now.plus(REPLY_WINDOW), null);
    return intake.enqueue(c, List.of(job), now).size();
  }
}
