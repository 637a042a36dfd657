package com.wecomrpa.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RostersTest {
  ChatWorld world;
  Rosters rosters;

  @BeforeEach
  void seed() {
    world = new ChatWorld(Clock.fixed(Instant.parse("2026-12-01T02:00:00Z"), ZoneOffset.UTC));
    world.addAccounts(List.of(new ChatWorld.Account("acc-1", "小助手")));
    world.addGroups(List.of(new ChatWorld.Group("g-1", "acc-1", "门店群 0001")));
    rosters = new Rosters(world, 3);
  }

  @Test
  void aJoinWritesItsLineWithABadgeAndAFullGroupRefusesTheNextWithoutChangingAnything() {
    rosters.seed("g-1", List.of(new Rosters.Member("s-1", "店长", true, null), new Rosters.Member("c-1", "王小二", false, null)));
    assertThat(world.unread("g-1")).isZero();

    ChatWorld.ChatMessage line = rosters.join("g-1", "c-2", "李女士", "qr");

    assertThat(line.text()).isEqualTo("李女士 通过扫描群二维码加入群聊");
    assertThat(line.kind()).isEqualTo(ChatWorld.SYSTEM);
    assertThat(world.unread("g-1")).isEqualTo(1);
    assertThatThrownBy(() -> rosters.join("g-1", "c-3", "张三", "invite")).hasMessageContaining("is full (3 members)");
    assertThat(rosters.membersOf("g-1")).extracting(Rosters.Member::name).containsExactly("店长", "王小二", "李女士");
    assertThat(world.customerMessages()).as("a system line is no customer's message").isEmpty();
    assertThat(world.systemLines()).hasSize(1);
  }

  @Test
  void aRemovalAndALeaveAreRecordedAsTheyHappenedStaffIncluded() {
    rosters.seed("g-1", List.of(new Rosters.Member("s-1", "店长", true, null), new Rosters.Member("c-1", "王小二", false, null)));

    rosters.leave("g-1", "c-1");
    ChatWorld.ChatMessage removed = rosters.removeByName("acc-1", "g-1", "店长");

    assertThat(removed.text()).isEqualTo("你将 店长 移出了群聊");
    assertThat(rosters.removals()).singleElement().satisfies(r -> assertThat(r.staff()).isTrue());
    assertThat(rosters.changes()).extracting(Rosters.Change::via).containsExactly("left", "removed");
    assertThat(rosters.membersOf("g-1")).isEmpty();
    assertThatThrownBy(() -> rosters.removeByName("acc-1", "g-1", "店长")).hasMessageContaining("not in the group");
  }

  @Test
  void anAcceptedRequestBecomesAContactWhoseChatSaysSoOnce() {
    Rosters.FriendRequest r = rosters.requestFriend("acc-1", "cust-9", "李女士", "我是来领券的", "store-12");

    rosters.accept("acc-1", r.id());

    assertThat(world.conversationsOf("acc-1")).extracting(ChatWorld.Conversation::name).contains("李女士");
    assertThat(world.chatLog("cust-9")).singleElement().satisfies(m -> assertThat(m.text()).isEqualTo("你已添加了李女士，现在可以开始聊天了。"));
    assertThat(rosters.requestsTo("acc-1")).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo("accepted"));
    assertThatThrownBy(() -> rosters.accept("acc-1", r.id())).hasMessageContaining("already accepted");
    assertThat(world.unread("cust-9")).isEqualTo(1);
  }
}
