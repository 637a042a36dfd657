package com.wecomrpa.controller;

import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.api.RestApi;
import com.wecomrpa.controller.broadcast.JdbcBroadcastStore;
import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.dispatch.ExpireLeasesTask;
import com.wecomrpa.controller.gateway.AgentGateway;
import com.wecomrpa.controller.gateway.ScreenshotFolder;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.job.JdbcJobStore;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane in one verticle: REST API and agent gateway on one loopback port, dispatch and
 * lease expiry on its event loop, the database on a worker pool. Everything it opens, stop closes.
 */
public final class Controller extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
  /** Large enough for a report carrying a full-page screenshot. */
  private static final int MAX_WS_MESSAGE = 16 << 20;

  private final ControllerOptions options;
  private final Clock clock;
  private Database db;
  private WorkerExecutor workers;
  private HttpServer server;
  private ExpireLeasesTask expireLeases;

  public Controller(ControllerOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    workers = vertx.createSharedWorkerExecutor("controller-store", 8);
    return workers
        .executeBlocking(() -> Database.embedded(options.dataDir(), 10), false)
        .compose(
            database -> {
              db = database;
              GroupDailyQuota quota = new GroupDailyQuota(options.postsPerGroupPerDay());
              JdbcJobStore jobs = new JdbcJobStore(db, quota);
              DeviceBoard board = new DeviceBoard(clock);
              Dispatcher dispatcher = new Dispatcher(workers, board, jobs, clock, options.leaseDuration());
              AgentGateway gateway =
                  new AgentGateway(
                      vertx, workers, board, dispatcher, jobs,
                      new ScreenshotFolder(options.dataDir().resolve("screenshots")), clock,
                      options.agentToken(), options.leaseDuration(), options.heartbeatInterval(), options.maxAttempts());
              RestApi api =
                  new RestApi(
                      vertx, workers, options, clock, new JdbcAccountStore(db), new JdbcGroupStore(db),
                      new JdbcBroadcastStore(db, jobs), jobs, board, dispatcher);
              Router root = Router.router(vertx);
              root.route("/agent").handler(ctx -> ctx.request().toWebSocket().onSuccess(gateway::accept).onFailure(ctx::fail));
              root.route("/api/v1/*").subRouter(api.router());
              expireLeases = new ExpireLeasesTask(vertx, workers, jobs, board, dispatcher, clock);
              expireLeases.start(Duration.ofMillis(Math.max(100, Math.min(1000, options.leaseDuration().toMillis() / 4))));
              return vertx
                  .createHttpServer(
                      new HttpServerOptions().setMaxWebSocketMessageSize(MAX_WS_MESSAGE).setMaxWebSocketFrameSize(1 << 20))
                  .requestHandler(root)
                  .listen(options.port(), options.host());
            })
        .onSuccess(
            s -> {
              server = s;
              LOG.info("controller listening on http://{}:{}/api/v1 (data in {})", options.host(), s.actualPort(), options.dataDir());
            });
  }

  @Override
  public Future<?> stop() {
    if (expireLeases != null) {
      expireLeases.stop();
    }
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.compose(
        v ->
            workers.executeBlocking(
                () -> {
                  if (db != null) {
                    db.close();
                  }
                  return null;
                }))
        .eventually(() -> workers.close());
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }
}
