package com.wecomrpa.controller.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.evidence.Screenshots;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.job.Execution;
import com.wecomrpa.controller.job.JobInterventions;
import com.wecomrpa.controller.job.JobQueries;
import com.wecomrpa.controller.job.JobState;
import com.wecomrpa.protocol.WireCodec;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Jobs, their attempts and the screenshots of failed attempts: what ops read to see why a job failed. */
public final class JobsApi implements ApiPart {
  private final WorkerExecutor workers;
  private final JobQueries queries;
  private final Screenshots screenshots;
  private final JobInterventions interventions;
  private final java.time.Clock clock;
  private final Runnable kickDispatch;
  private final ObjectMapper json = WireCodec.mapper();

  /** {@code kickDispatch} runs once a retried job is committed, so a device takes it at once. */
  private final java.util.function.Supplier<io.vertx.core.Future<?>> devices;

  /** {@code devices}: every node's devices now, to say what a due job waits for. */
  public JobsApi(WorkerExecutor workers, JobQueries queries, Screenshots screenshots, JobInterventions interventions, java.time.Clock clock, Runnable kickDispatch,
      java.util.function.Supplier<io.vertx.core.Future<?>> devices) {
    this.devices = devices;
    this.interventions = interventions;
    this.clock = clock;
    this.kickDispatch = kickDispatch;
    this.workers = workers;
    this.queries = queries;
    this.screenshots = screenshots;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/jobs").handler(ctx -> listJobs(ctx, replies));
    r.get("/jobs/:id").handler(ctx -> workers.executeBlocking(() -> queries.find(ctx.pathParam("id")).orElseThrow(() -> notFound("job", ctx.pathParam("id"))), false)
        .compose(job -> explained(List.of(job)))
        .onSuccess(jobs -> replies.send(ctx, 200, jobs.get(0)))
        .onFailure(ctx::fail));
    r.get("/jobs/:id/executions").handler(ctx -> replies.ok(ctx, () -> executionViews(ctx.pathParam("id"))));
    r.get("/executions/:id/screenshot").handler(this::screenshot);
    r.post("/jobs/:id/cancel").handler(ctx -> {
      String reason = RequestBodies.optionalReason(ctx);
      var who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> interventions.cancel(ctx.pathParam("id"), who, reason, clock.instant()));
    });
    r.post("/jobs/:id/retry").handler(ctx -> {
      String reason = RequestBodies.optionalReason(ctx);
      var who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> {
        var job = interventions.retry(ctx.pathParam("id"), who, reason, clock.instant());
        ctx.vertx().runOnContext(v -> kickDispatch.run());
        return job;
      });
    });
  }

  private void listJobs(RoutingContext ctx, Replies replies) {
    String state = ctx.queryParams().get("state");
    JobState s;
    try {
      s = state == null ? null : JobState.valueOf(state.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Rejected.invalid("state", "state must be one of " + List.of(JobState.values()));
    }
    int limit = RestApi.intParam(ctx, "limit", 1000, 1, 10000);
    var q = ctx.queryParams();
    String source = q.get("broadcastId") != null ? q.get("broadcastId") : q.get("planId");
    String order = q.get("order") == null ? "asc" : q.get("order");
    if (!order.equals("asc") && !order.equals("desc")) {
      throw Rejected.invalid("order", "order must be asc or desc");
    }
    var filter = new JobQueries.Filter(source, q.get("groupId"), q.get("customerId"), q.get("accountId"), q.get("deviceId"), s,
        PlanApi.instant(ctx, "from"), PlanApi.instant(ctx, "to"), order.equals("desc"), q.get("rule") == null || q.get("rule").isBlank() ? null : q.get("rule"));
    int offset = RestApi.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    workers.executeBlocking(() -> queries.page(filter, limit, offset), false)
        .compose(page -> explained(page.jobs()).map(jobs -> new JobQueries.Page(jobs, page.total())))
        .onSuccess(page -> {
          // The body stays the list it always was; the total rides in a header for paging.
          ctx.response().putHeader("x-total-count", String.valueOf(page.total()));
          replies.send(ctx, 200, page.jobs());
        })
        .onFailure(ctx::fail);
  }

  /** The jobs, each due one that no rule holds saying what it waits for (the devices are asked only then). */
  private io.vertx.core.Future<List<com.wecomrpa.controller.job.Job>> explained(List<com.wecomrpa.controller.job.Job> jobs) {
    boolean any = jobs.stream().anyMatch(j -> j.state() == JobState.QUEUED && j.decidedBy() == null && j.waitNote() == null);
    if (!any) {
      return io.vertx.core.Future.succeededFuture(jobs);
    }
    return devices.get().map(list -> WaitReasons.explain(jobs, (List<?>) list, clock.instant()))
        .recover(e -> io.vertx.core.Future.succeededFuture(jobs));
  }

  private List<Map<String, Object>> executionViews(String jobId) {
    if (queries.find(jobId).isEmpty()) {
      throw notFound("job", jobId);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Execution e : queries.executions(jobId)) {
      Map<String, Object> v = json.convertValue(e, LinkedHashMap.class);
      v.remove("hasScreenshot");
      v.put("screenshot", e.hasScreenshot() ? "/api/v1/executions/" + e.id() + "/screenshot" : null);
      out.add(v);
    }
    return out;
  }

  private void screenshot(RoutingContext ctx) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw Rejected.invalid("id", "execution id must be a number");
    }
    workers
        .executeBlocking(() -> queries.screenshotPath(id).flatMap(screenshots::read)
            .orElseThrow(() -> notFound("screenshot of execution", String.valueOf(id))), false)
        .onSuccess(png -> ctx.response().putHeader("content-type", "image/png").end(io.vertx.core.buffer.Buffer.buffer(png)))
        .onFailure(ctx::fail);
  }

  private static Rejected notFound(String what, String id) {
    return Rejected.notFound("id", what + " " + id + " not found");
  }
}
