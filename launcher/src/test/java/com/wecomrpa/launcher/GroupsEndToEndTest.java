package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.simulator.Rosters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Groups as operators run them, through the client's UI and judged by the simulator's own record:
 * a friend request heard and accepted starts the friend_added plan once; a group code sends
 * invitations that customers accept, each join is heard and welcomed once, and a group full to its
 * cap less the margin rolls the code over to the next; a customer posting a link ad is removed and
 * blacklisted, and removed again when he re-joins; staff posting a link are never touched.
 */
class GroupsEndToEndTest {
  @TempDir Path dir;
  TestStack stack;

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void joinsAreWelcomedOnceAFullGroupRollsOverASpammerIsRemovedAndAFriendRequestStartsItsPlanOnce() {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o);
    seed();
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));

    // A friend request, heard in the new-contacts list, accepted by the device; the client's line
    // "你已添加了李女士" starts the friend_added plan, whose first step greets her.
    stack.sim.rosters().requestFriend("acc-1", "c-9", "李女士", "我是来领券的", "store-12");
    TestStack.waitUntil("李女士 greeted by the friend_added plan", Duration.ofSeconds(90),
        () -> stack.sim.world().conversationsOf("acc-1").stream().anyMatch(c -> c.id().equals("c-9"))
            && stack.sim.world().messagesOf("c-9").stream().anyMatch(m -> m.text().equals("欢迎 李女士")));

    // The group code knows its groups' sizes once a listen has read their titles: 196 and 3.
    TestStack.waitUntil("the pool's member counts read", Duration.ofSeconds(60), () -> {
      JsonArray rows = stack.getObject("/group-codes/stores/report").getJsonArray("byGroup");
      return Integer.valueOf(196).equals(rows.getJsonObject(0).getInteger("members")) && Integer.valueOf(3).equals(rows.getJsonObject(1).getInteger("members"));
    });
    JsonObject first = stack.post("/group-codes/stores/resolve", new JsonObject().put("customerId", "c-1"));
    assertThat(first.getString("groupId")).isEqualTo("g-1");
    JsonObject second = stack.post("/group-codes/stores/resolve", new JsonObject().put("customerId", "c-2"));
    assertThat(second.getString("groupId")).as("g-1 is at its cap less the margin with 一号's invitation: rolled over").isEqualTo("g-2");
    TestStack.waitUntil("一号 and 二号 joined by invitation and welcomed", Duration.ofSeconds(90),
        () -> welcomed("g-1", "一号") == 1 && welcomed("g-2", "二号") == 1);

    // A customer who scans the QR code is welcomed too; an ad from a customer removes and
    // blacklists him; a link from staff is left alone.
    stack.sim.rosters().join("g-2", "m-qr", "扫码客", "qr");
    stack.sim.world().customerWrites("g-2", "m-ad", "广告哥", "text", "低价代购 加我 https://ads.example.com/x", Map.of());
    stack.sim.world().customerWrites("g-1", "s-1", "店长", "text", "本周新品 https://shop.example.com/new", Map.of());
    TestStack.waitUntil("广告哥 removed from g-2", Duration.ofSeconds(90), () -> removalsOf("广告哥") == 1);
    TestStack.waitUntil("扫码客 welcomed", Duration.ofSeconds(90), () -> welcomed("g-2", "扫码客") == 1);
    stack.sim.rosters().join("g-2", "m-ad", "广告哥", "qr");
    TestStack.waitUntil("广告哥 removed again on re-joining", Duration.ofSeconds(90), () -> removalsOf("广告哥") == 2);
    stack.awaitListens("acc-1", 2);
    stack.awaitSettled();

    // The simulator's record: each join welcomed once, the spammer never, staff never removed,
    // the plan's greeting once, and nothing over a cap.
    assertThat(welcomed("g-1", "一号")).isEqualTo(1);
    assertThat(welcomed("g-2", "二号")).isEqualTo(1);
    assertThat(welcomed("g-2", "扫码客")).isEqualTo(1);
    assertThat(welcomed("g-2", "广告哥")).as("a removed member is not welcomed").isZero();
    assertThat(stack.sim.rosters().removals()).allSatisfy(r -> assertThat(r.staff()).as("staff removed").isFalse());
    assertThat(stack.sim.world().messagesOf("c-9").stream().filter(m -> m.text().equals("欢迎 李女士"))).hasSize(1);
    assertThat(stack.sim.rosters().membersOf("g-1")).hasSizeLessThanOrEqualTo(200);
    JsonObject report = stack.getObject("/group-codes/stores/report");
    assertThat(report.getInteger("invited")).isEqualTo(2);
    assertThat(report.getInteger("joined")).isEqualTo(2);
    assertThat(stack.getArray("/groups/g-2/spam-actions").stream().map(o -> ((JsonObject) o).getString("action")).toList())
        .contains("blacklist", "remove");
    JsonObject stats = stack.getObject("/group-stats?accountId=acc-1");
    assertThat(stats.getInteger("joins")).as("一号, 二号, 扫码客, and 广告哥 re-joining (he was seeded in)").isEqualTo(4);
    assertThat(stats.getInteger("removals")).isEqualTo(2);
  }

  /** Account acc-1 with g-1 (196 members and a staff member) and g-2 (3 members, one of them the spammer), rules, a code, customers. */
  private void seed() {
    stack.sim.world().addAccounts(List.of(new ChatWorld.Account("acc-1", "小助手")));
    stack.sim.world().addGroups(List.of(new ChatWorld.Group("g-1", "acc-1", "门店群 1"), new ChatWorld.Group("g-2", "acc-1", "门店群 2")));
    List<Rosters.Member> many = new ArrayList<>(List.of(new Rosters.Member("s-1", "店长", true, null)));
    IntStream.range(1, 196).forEach(i -> many.add(new Rosters.Member("m-" + i, "老客" + i, false, null)));
    stack.sim.rosters().seed("g-1", many);
    stack.sim.rosters().seed("g-2", List.of(new Rosters.Member("s-2", "店员", true, null), new Rosters.Member("m-ad", "广告哥", false, null),
        new Rosters.Member("m-0", "老客0", false, null)));
    stack.sim.world().addContacts(List.of(new ChatWorld.Contact("c-1", "acc-1", "一号"), new ChatWorld.Contact("c-2", "acc-1", "二号")));

    TestStack.await(stack.api.createAccount("acc-1", "wecom", "小助手", "Asia/Shanghai"));
    TestStack.await(stack.api.createGroups(new JsonArray()
        .add(new JsonObject().put("id", "g-1").put("name", "门店群 1").put("accountId", "acc-1").put("tags", new JsonArray().add("store")))
        .add(new JsonObject().put("id", "g-2").put("name", "门店群 2").put("accountId", "acc-1").put("tags", new JsonArray().add("store")))));
    stack.put("/accounts/acc-1/listening", new JsonObject().put("intervalSeconds", 1).put("budgetSeconds", 5));
    stack.put("/accounts/acc-1/staff", new JsonObject().put("names", new JsonArray().add("店长").add("店员")));
    stack.put("/channel-codes/store-12", new JsonObject().put("accountId", "acc-1").put("source", "store-12").put("tags", new JsonArray().add("门店12")));
    stack.post("/events", new JsonObject().put("events", new JsonArray()
        .add(new JsonObject().put("id", "e-1").put("type", "customer_added").put("customerId", "c-1").put("nickname", "一号").put("channelCode", "store-12"))
        .add(new JsonObject().put("id", "e-2").put("type", "customer_added").put("customerId", "c-2").put("nickname", "二号").put("channelCode", "store-12"))));
    stack.post("/plans", new JsonObject().put("id", "new-friend").put("name", "new friend").put("kind", "customer")
        .put("trigger", new JsonObject().put("event", "friend_added"))
        .put("steps", new JsonArray().add(new JsonObject().put("offset", "+0m").put("content", new JsonObject().put("kind", "text").put("text", "欢迎 {nickname}")))));
    stack.put("/welcome-rules/stores", new JsonObject().put("groupTag", "store").put("batchSeconds", 2).put("minGapMinutes", 0)
        .put("content", new JsonObject().put("kind", "text").put("text", "欢迎 {nickname} 加入{group_name}")));
    stack.put("/spam-rules/no-ads", new JsonObject().put("groupTag", "store").put("links", true).put("blacklist", true));
    stack.put("/group-codes/stores", new JsonObject().put("routeBy", "tag").put("memberCap", 200).put("margin", 3)
        .put("pools", new JsonArray().add(new JsonObject().put("key", "门店12").put("groups", new JsonArray().add("g-1").add("g-2")))));
    // Customers tap an invitation card a moment after it arrives.
    stack.sim.acceptInvitationsAfter(300);
  }

  /** Welcome messages in the group that name this member. */
  private long welcomed(String groupId, String name) {
    return stack.sim.world().messagesOf(groupId).stream().filter(m -> m.text().startsWith("欢迎 ") && List.of(m.text().split("[ 、]")).contains(name)).count();
  }

  private long removalsOf(String name) {
    return stack.sim.rosters().removals().stream().filter(r -> r.name().equals(name)).count();
  }
}
