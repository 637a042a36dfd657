package com.wecomrpa.controller.api;

import com.wecomrpa.controller.account.Account;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.account.Platform;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Bot accounts: created with their platform, name and time zone; listed; read one by one. */
public final class AccountsApi implements ApiPart {
  record AccountRequest(String id, String platform, String displayName, String timeZone, List<String> tags) {}

  private final Clock clock;
  private final JdbcAccountStore accounts;

  public AccountsApi(Clock clock, JdbcAccountStore accounts) {
    this.clock = clock;
    this.accounts = accounts;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.post("/accounts").handler(ctx -> replies.created(ctx, createAccount(RequestBodies.read(ctx, AccountRequest.class))));
    r.get("/accounts").handler(ctx -> replies.ok(ctx, accounts::list));
    r.get("/accounts/:id").handler(ctx -> replies.ok(ctx, () -> accounts.find(ctx.pathParam("id"))
        .orElseThrow(() -> Rejected.notFound("id", "account " + ctx.pathParam("id") + " not found"))));
  }

  private Callable<Account> createAccount(AccountRequest req) {
    String id = Fields.id("id", req.id());
    String platform = Fields.required("platform", req.platform()).toLowerCase(Locale.ROOT);
    if (!List.of("wecom", "wechat").contains(platform)) {
      throw Rejected.invalid("platform", "platform must be one of wecom, wechat");
    }
    Platform.valueOf(platform.toUpperCase(Locale.ROOT));
    String name = Fields.maxLength("displayName", Fields.required("displayName", req.displayName()), 100);
    String zone = Fields.required("timeZone", req.timeZone());
    try {
      ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw Rejected.invalid("timeZone", "timeZone " + zone + " is not a known time zone (e.g. Asia/Shanghai)");
    }
    List<String> tags = req.tags() == null ? List.of() : req.tags();
    for (int t = 0; t < tags.size(); t++) {
      Fields.maxLength("tags[" + t + "]", Fields.required("tags[" + t + "]", tags.get(t)), 128);
    }
    Account a = new Account(id, platform, name, zone, "active", 0, List.copyOf(new java.util.LinkedHashSet<>(tags)), clock.instant());
    return () -> accounts.create(a);
  }
}
