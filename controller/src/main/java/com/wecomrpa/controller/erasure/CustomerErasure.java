package com.wecomrpa.controller.erasure;

import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.cadence.CustomerCadence;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.evidence.Screenshots;
import com.wecomrpa.controller.groupcode.GroupCodes;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.job.CustomerJobs;
import com.wecomrpa.controller.journey.EventIntake;
import com.wecomrpa.controller.listen.HeardIntake;
import com.wecomrpa.controller.members.Membership;
import com.wecomrpa.controller.orders.OrderIntake;
import com.wecomrpa.controller.sop.PlanRuns;
import com.wecomrpa.controller.stage.StageEngine;
import com.wecomrpa.controller.store.Database;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A customer erased on request (PIPL): in one transaction, each owner removes what names the
 * person (messages heard, tags and their history, stage moves, events, plan runs, friend requests,
 * group routings, cadence slots, the customer row), orders and jobs keep their amounts and states
 * under a pseudonym but lose their content, and the audit keeps one line without content. Refused
 * while a device holds a job to the customer. Screenshots of their jobs go once it commits.
 */
public final class CustomerErasure {
  private final Database db;
  private final Screenshots screenshots;
  private final AuditLog audit;

  public CustomerErasure(Database db, Screenshots screenshots, AuditLog audit) {
    this.db = db;
    this.screenshots = screenshots;
    this.audit = audit;
  }

  /** What went, by kind. */
  public Map<String, Object> erase(Caller who, String customerId, String reason, Instant now) {
    String pseudonym = "erased-" + UUID.randomUUID();
    Map<String, Object> out = new LinkedHashMap<>();
    List<String> shots = db.inTransaction(c -> {
      if (!Customers.exists(c, customerId)) {
        throw Rejected.notFound("id", "no customer " + customerId);
      }
      long busy = CustomerJobs.inFlight(c, customerId);
      if (busy > 0) {
        throw Rejected.conflict("id", "a device is sending to customer " + customerId + " now (" + busy + " job(s) in flight): erase once it has finished");
      }
      out.put("customerId", customerId);
      out.put("messages", HeardIntake.erase(c, customerId));
      out.put("stageMoves", StageEngine.erase(c, customerId));
      out.put("events", EventIntake.erase(c, customerId));
      out.put("planRuns", PlanRuns.erase(c, customerId));
      out.put("groupRoutings", GroupCodes.erase(c, customerId));
      out.put("cadenceSlots", CustomerCadence.erase(c, customerId));
      Membership.erase(c, customerId);
      out.put("ordersPseudonymised", OrderIntake.erase(c, customerId, pseudonym));
      List<String> refs = CustomerJobs.erase(c, customerId, pseudonym, now);
      Customers.erase(c, customerId);
      // The audit says that and when, never what: no content of the person in it.
      audit.record(c, who, "customer.erase", customerId, null, null, reason, now);
      return refs;
    });
    shots.forEach(screenshots::delete);
    out.put("screenshots", shots.size());
    return out;
  }
}
