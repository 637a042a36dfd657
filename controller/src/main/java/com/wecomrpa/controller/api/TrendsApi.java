package com.wecomrpa.controller.api;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.trends.Trends;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;

/** {@code GET /trends?span=day|week}: sends per hour and failure and skip rates, from what is stored. */
public final class TrendsApi implements ApiPart {
  private final Clock clock;
  private final Trends trends;

  public TrendsApi(Clock clock, Trends trends) {
    this.clock = clock;
    this.trends = trends;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/trends").handler(ctx -> {
      String span = ctx.queryParams().get("span") == null ? "day" : ctx.queryParams().get("span");
      Duration d = switch (span) {
        case "day" -> Duration.ofDays(1);
        case "week" -> Duration.ofDays(7);
        default -> throw Rejected.invalid("span", "span must be day or week, not '" + span + "'");
      };
      replies.ok(ctx, () -> trends.over(d, clock.instant()));
    });
  }
}
