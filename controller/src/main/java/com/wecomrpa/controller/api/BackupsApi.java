package com.wecomrpa.controller.api;

import com.wecomrpa.controller.backup.StoreBackups;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * {@code POST /backups}: an online copy of the embedded store into the data folder's
 * {@code backups/} (admins only, audited); {@code bin/wecom-rpa backup} calls it when the
 * controller runs. The file name is the controller's, never the caller's: no path from outside.
 */
public final class BackupsApi implements ApiPart {
  private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

  private final Clock clock;
  private final StoreBackups backups;
  private final Path folder;

  public BackupsApi(Clock clock, StoreBackups backups, Path dataDir) {
    this.clock = clock;
    this.backups = backups;
    this.folder = dataDir.resolve("backups");
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.post("/backups").handler(ctx -> {
      var who = AdminApi.caller(ctx);
      replies.created(ctx, () -> {
        var now = clock.instant();
        return backups.take(folder.resolve("controller-" + NAME.format(now) + ".zip"), who, now);
      });
    });
  }
}
