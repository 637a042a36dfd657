package com.wecomrpa.controller.metrics;

import com.wecomrpa.controller.dispatch.DeviceStatus;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.limits.UsageReport;
import com.wecomrpa.controller.retention.StorageUse;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The controller's own meters. Events this node sees are counted and timed as they happen (leases,
 * offers, reports, expiries, risk signals); what the whole farm holds (jobs by state, skips by rule,
 * quota use per account) is sampled from the database, so every node reports the same totals.
 * Label values are bounded: states, outcomes, rule names, account ids, counters; never a job id.
 */
public final class ControllerMetrics implements AutoCloseable {
  private static final String P = "wecom_rpa.";

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Timer dueToLease;
  private final Timer offerToReport;
  private final MultiGauge jobs;
  private final MultiGauge skipped;
  private final MultiGauge quotaUsed;
  private final MultiGauge quotaCap;
  private final MultiGauge devices;
  private final MultiGauge storageRows;
  private final MultiGauge storageBytes;
  /** When each live lease was offered (fencing token → nanoTime); bounded, oldest dropped. */
  private final Map<Long, Long> offeredAt = new ConcurrentHashMap<>();

  public ControllerMetrics(MeterRegistry registry, Supplier<List<DeviceStatus>> localDevices) {
    this.registry = registry;
    dueToLease = keep(Timer.builder(P + "job.due.to.offer").description("From a job's due time to its lease and offer (business time)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofHours(1)).register(registry));
    offerToReport = keep(Timer.builder(P + "job.offer.to.report").description("From an offer to the agent's report of what happened")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofMinutes(10)).register(registry));
    jobs = MultiGauge.builder(P + "jobs").description("Jobs in each state, the whole farm (sampled from the database)").register(registry);
    skipped = MultiGauge.builder(P + "jobs.skipped").description("Skipped jobs by the rule that skipped them, the whole farm").register(registry);
    quotaUsed = MultiGauge.builder(P + "quota.used").description("An account's counter used in its current period").register(registry);
    quotaCap = MultiGauge.builder(P + "quota.cap").description("An account's counter cap in its current period").register(registry);
    storageRows = MultiGauge.builder(P + "storage.rows").description("Rows the store keeps of each kind retention applies to (heard, sent, screenshots, executions, audit)").register(registry);
    storageBytes = MultiGauge.builder(P + "storage.bytes").description("Disk the embedded store, its screenshots and its backups take").baseUnit("bytes").register(registry);
    devices = MultiGauge.builder(P + "devices").description("Devices connected to this node, by state").register(registry);
    keep(Gauge.builder(P + "agents.connected", () -> localDevices.get().stream().map(DeviceStatus::agentId).distinct().count())
        .description("Agents connected to this node").register(registry));
    this.localDevices = localDevices;
  }

  private final Supplier<List<DeviceStatus>> localDevices;

  private <M extends Meter> M keep(M meter) {
    meters.add(meter);
    return meter;
  }

  /** A lease was taken this long after its job became due. */
  public void leased(Duration afterDue) {
    dueToLease.record(afterDue);
  }

  public void offered(long fencingToken) {
    if (offeredAt.size() > 100_000) {
      offeredAt.clear();
    }
    offeredAt.put(fencingToken, System.nanoTime());
  }

  public void reported(long fencingToken, Outcome outcome) {
    Long at = offeredAt.remove(fencingToken);
    if (at != null) {
      offerToReport.record(Duration.ofNanos(System.nanoTime() - at));
    }
    counter(P + "reports", "Reports agents sent this node, by outcome", "outcome", outcome.name()).increment();
  }

  /** A lease ran out; {@code then}: what became of its job (QUEUED, UNKNOWN). */
  public void leaseExpired(String then) {
    counter(P + "lease.expiries", "Leases that ran out unreported", "then", then).increment();
  }

  /** Messages a listen read, new ones stored, and customer messages among them. */
  /** Joins, leaves and removals heard in groups. */
  public void members(int joins, int leaves, int removals) {
    Counter.builder(P + "group.members").description("Group member changes heard, by kind").tag("change", "joined").register(registry).increment(joins);
    Counter.builder(P + "group.members").description("Group member changes heard, by kind").tag("change", "left").register(registry)
        .increment(leaves - removals);
    Counter.builder(P + "group.members").description("Group member changes heard, by kind").tag("change", "removed").register(registry).increment(removals);
  }

  public void heard(int lines, int fresh, int fromCustomers) {
    Counter.builder(P + "messages.read").description("Message lines listening read (re-reads included)").register(registry).increment(lines);
    Counter.builder(P + "messages.heard").description("Messages stored once, by who wrote them").tag("from", "account").register(registry)
        .increment(fresh - fromCustomers);
    Counter.builder(P + "messages.heard").description("Messages stored once, by who wrote them").tag("from", "customer").register(registry)
        .increment(fromCustomers);
  }

  /** Customer messages called late by a reply-time rule. */
  public void replyLate(int messages) {
    Counter.builder(P + "replies.late").description("Customer messages left unanswered past their reply-time rule").register(registry).increment(messages);
  }

  public void riskSignal(String accountId, String signal) {
    registry.counter(P + "risk.signals", "account", accountId, "signal", signal).increment();
  }

  private Counter counter(String name, String help, String tag, String value) {
    return Counter.builder(name).description(help).tag(tag, value).register(registry);
  }

  /** This node's devices by state, as they are now (cheap: call at every scrape). */
  public void countDevices() {
    Map<String, Integer> byState = new HashMap<>();
    localDevices.get().forEach(d -> byState.merge(d.state(), 1, Integer::sum));
    devices.register(byState.entrySet().stream().map(e -> MultiGauge.Row.of(Tags.of("state", e.getKey()), e.getValue())).toList(), true);
  }

  /** Every how many samples the quota gauges are read: they cost a few queries per account. */
  private static final int QUOTA_EVERY = 4;
  private int samples;

  /**
   * Reads the farm's totals from the database (blocking: call on a worker, one at a time). Quota
   * use is read on every {@value #QUOTA_EVERY}th sample only.
   */
  public void sample(Database db, JdbcLimitStore limits, StorageUse storage, Instant now) {
    boolean quota = samples++ % QUOTA_EVERY == 0;
    if (quota) {
      storage(storage.now());
    }
    db.inTransaction(c -> {
      jobs.register(Sql.list(c, "SELECT state, COUNT(*) FROM jobs GROUP BY state",
          rs -> MultiGauge.Row.of(Tags.of("state", rs.getString(1)), rs.getLong(2))), true);
      skipped.register(Sql.list(c, "SELECT COALESCE(decided_by, CASE WHEN reason = 'expired' THEN 'expired' ELSE 'other' END), COUNT(*)"
              + " FROM jobs WHERE state = 'SKIPPED' GROUP BY 1",
          rs -> MultiGauge.Row.of(Tags.of("rule", rs.getString(1)), rs.getLong(2))), true);
      if (!quota) {
        return null;
      }
      List<MultiGauge.Row<?>> used = new ArrayList<>();
      List<MultiGauge.Row<?>> caps = new ArrayList<>();
      for (String account : Sql.list(c, "SELECT id FROM accounts ORDER BY id", rs -> rs.getString(1))) {
        for (UsageReport.Counter counter : UsageReport.counters(c, limits, account, now)) {
          Tags tags = Tags.of("account", account, "counter", counter.counter());
          used.add(MultiGauge.Row.of(tags, counter.used()));
          caps.add(MultiGauge.Row.of(tags, counter.cap()));
        }
      }
      quotaUsed.register(used, true);
      quotaCap.register(caps, true);
      return null;
    });
  }

  @SuppressWarnings("unchecked")
  private void storage(Map<String, Object> use) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    ((Map<String, Map<String, Object>>) use.get("kinds")).forEach((kind, k) -> rows.add(MultiGauge.Row.of(Tags.of("kind", kind), ((Number) k.get("rows")).longValue())));
    storageRows.register(rows, true);
    List<MultiGauge.Row<?>> bytes = new ArrayList<>();
    for (var part : Map.of("store", "storeBytes", "screenshots", "screenshotFolderBytes", "backups", "backupFolderBytes").entrySet()) {
      if (use.get(part.getValue()) instanceof Number n) {
        bytes.add(MultiGauge.Row.of(Tags.of("part", part.getKey()), n.longValue()));
      }
    }
    storageBytes.register(bytes, true);
  }

  /** Removes this controller's meters (a controller restarted in the same process registers anew). */
  @Override
  public void close() {
    meters.forEach(registry::remove);
    for (MultiGauge g : List.of(jobs, skipped, quotaUsed, quotaCap, devices, storageRows, storageBytes)) {
      g.register(List.of(), true);
    }
  }
}
