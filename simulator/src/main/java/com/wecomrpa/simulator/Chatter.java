package com.wecomrpa.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Customers talking on a schedule: for each account, messages spread evenly over a span of the
 * simulator's clock, into its groups and private chats, drawn from what customers really write
 * (questions with the words ops tag on, emoji, long complaints, photos). Seeded, so a run is
 * repeatable; the world records every message, which is what a listener is judged against.
 */
public final class Chatter {
  /**
   * What to say: {@code perHour} messages per account per hour of the simulator's clock, for
   * {@code minutes}; {@code accounts} empty means every account; {@code chats} limits to these
   * conversation ids when given.
   */
  public record Schedule(Integer perHour, Integer minutes, Long seed, List<String> accounts, List<String> chats) {}

  static final List<String> PHRASES = List.of(
      "请问这个多少钱？价格能再便宜点吗",
      "有优惠吗？想多买几件",
      "什么时候发货呀",
      "收到了，质量很好 👍👍",
      "🙂",
      "在吗",
      "我想退款，东西和描述不一样",
      "谢谢老板 🎉",
      "周末门店几点开门？",
      "会员有什么优惠活动吗",
      "这个颜色还有货吗",
      "好的",
      "能开发票吗",
      "上次买的用完了，想再来一套，价格还是一样吗？");

  static final String LONG = "我想详细说一下上次的情况：" + "收到的时候包装有点破损，里面的东西倒是没坏，但是说明书少了一页，".repeat(6) + "麻烦帮我看看怎么处理，谢谢。";

  private final ChatWorld world;
  private final List<ChatWorld.Conversation> chats;
  private final Instant start;
  private final Duration span;
  private final int total;
  private final Random random;
  private int written;

  Chatter(ChatWorld world, Schedule s) {
    if (s.perHour() == null || s.perHour() < 1 || s.perHour() > 100_000) {
      throw new IllegalArgumentException("perHour must be 1..100000");
    }
    if (s.minutes() == null || s.minutes() < 1 || s.minutes() > 7 * 24 * 60) {
      throw new IllegalArgumentException("minutes must be 1..10080");
    }
    this.world = world;
    List<ChatWorld.Conversation> all = new ArrayList<>();
    List<String> accounts = s.accounts() == null || s.accounts().isEmpty() ? null : s.accounts();
    for (ChatWorld.Conversation c : world.allConversations()) {
      if ((accounts == null || accounts.contains(c.accountId())) && (s.chats() == null || s.chats().isEmpty() || s.chats().contains(c.id()))) {
        all.add(c);
      }
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException("no conversation to talk in");
    }
    this.chats = all;
    long accountCount = all.stream().map(ChatWorld.Conversation::accountId).distinct().count();
    this.start = world.clock().instant();
    this.span = Duration.ofMinutes(s.minutes());
    this.total = (int) Math.max(1, Math.round(s.perHour() * accountCount * s.minutes() / 60.0));
    this.random = new Random(s.seed() == null ? 7 : s.seed());
  }

  /** Writes whatever is due by the simulator's clock now; true once all is written. */
  synchronized boolean tick() {
    long elapsed = Duration.between(start, world.clock().instant()).toMillis();
    int due = (int) Math.min(total, total * Math.max(0, elapsed) / Math.max(1, span.toMillis()) + 1);
    while (written < due) {
      writeOne();
      written++;
    }
    return done();
  }

  synchronized boolean done() {
    return written >= total;
  }

  synchronized Map<String, Object> status() {
    return Map.of("planned", total, "written", written, "chats", chats.size());
  }

  private void writeOne() {
    ChatWorld.Conversation c = chats.get(random.nextInt(chats.size()));
    String sender = null;
    String senderName = null;
    if (c.type().equals("group")) {
      // A member of the group: one of the account's customers when it has any, so tags land on them.
      List<ChatWorld.Conversation> customers = world.conversationsOf(c.accountId()).stream().filter(o -> o.type().equals("private")).toList();
      if (customers.isEmpty()) {
        int n = 1 + random.nextInt(20);
        sender = c.id() + "-m" + n;
        senderName = "群成员" + n;
      } else {
        ChatWorld.Conversation who = customers.get(random.nextInt(customers.size()));
        sender = who.id();
        senderName = who.name();
      }
    }
    int pick = random.nextInt(20);
    if (pick == 0) {
      world.customerWrites(c.id(), sender, senderName, "image", "https://img.example.com/photo-" + random.nextInt(1000) + ".jpg", Map.of());
    } else if (pick == 1) {
      world.customerWrites(c.id(), sender, senderName, "text", LONG, Map.of());
    } else {
      world.customerWrites(c.id(), sender, senderName, "text", PHRASES.get(random.nextInt(PHRASES.size())), Map.of());
    }
  }
}
