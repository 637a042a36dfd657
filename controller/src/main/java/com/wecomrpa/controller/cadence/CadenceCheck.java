package com.wecomrpa.controller.cadence;

import com.wecomrpa.controller.limits.CadenceRate;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Whether a customer's cadence has a free slot now, by their stage and tags; the claim and a preview ask the same. */
public final class CadenceCheck {
  private final JdbcLimitStore limits;

  public CadenceCheck(JdbcLimitStore limits) {
    this.limits = limits;
  }

  /** Why the customer may get no marketing message now (naming the message that used the slot); empty when they may. */
  public Optional<String> full(Connection c, String customerId, Instant now) throws SQLException {
    String stage = Sql.one(c, "SELECT stage FROM customers WHERE id = ?", rs -> rs.getString(1), customerId).orElse(null);
    List<String> tags = Sql.list(c, "SELECT tag FROM customer_tags WHERE customer_id = ?", rs -> rs.getString(1), customerId);
    CadenceRate.ForCustomer cadence = limits.cadenceFor(c, stage, tags);
    Optional<CadenceRate> rate = cadence.limited();
    if (rate.isEmpty() || CustomerCadence.usedSince(c, customerId, now.minus(Duration.ofDays(rate.get().days()))) < rate.get().max()) {
      return Optional.empty();
    }
    String last = CustomerCadence.latest(c, customerId).map(s -> "; the slot was used by " + s.jobId() + " at " + s.takenAt()).orElse("");
    return Optional.of("cadence: customer " + customerId + " gets at most " + rate.get().describe() + " (" + cadence.source() + ")" + last);
  }
}
