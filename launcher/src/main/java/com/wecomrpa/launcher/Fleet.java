package com.wecomrpa.launcher;

import com.wecomrpa.simulator.ChatWorld;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's accounts and groups: {@code acc-1..acc-N}, and groups spread round-robin over them,
 * each named like a store group and tagged {@code demo}.
 */
public record Fleet(List<String> accounts, List<GroupSeed> groups) {
  public record GroupSeed(String id, String accountId, String name) {}

  public static Fleet of(int accountCount, int groupCount) {
    if (accountCount < 1) {
      throw new IllegalArgumentException("--accounts must be at least 1");
    }
    if (groupCount < 0 || groupCount > accountCount * 200) {
      throw new IllegalArgumentException("--groups must be 0.." + accountCount * 200 + " (at most 200 groups per account)");
    }
    List<String> accounts = new ArrayList<>();
    for (int a = 1; a <= accountCount; a++) {
      accounts.add("acc-" + a);
    }
    List<GroupSeed> groups = new ArrayList<>();
    for (int g = 1; g <= groupCount; g++) {
      String account = accounts.get((g - 1) % accountCount);
      groups.add(new GroupSeed(String.format("g-%04d", g), account, String.format("门店群 %04d", g)));
    }
    return new Fleet(accounts, groups);
  }

  void seed(ChatWorld world) {
    world.addAccounts(accounts.stream().map(a -> new ChatWorld.Account(a, "Bot " + a)).toList());
    world.addGroups(groups.stream().map(g -> new ChatWorld.Group(g.id(), g.accountId(), g.name())).toList());
  }
}
