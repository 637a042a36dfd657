package com.wecomrpa.controller.groupcode;

import com.wecomrpa.controller.customer.Customer;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Which pool of a group code takes a customer, by the code's rule; the {@code *} pool takes the rest. */
final class Routing {
  private Routing() {}

  static Optional<GroupCode.Pool> pool(Connection c, GroupCode code, Customer cu) throws SQLException {
    Optional<GroupCode.Pool> routed = switch (code.routeBy()) {
      case "channel" -> {
        String channel = Sql.one(c, "SELECT channel_code FROM customers WHERE id = ?", rs -> rs.getString(1), cu.id()).orElse(null);
        yield code.pools().stream().filter(p -> p.key().equals(channel)).findFirst();
      }
      case "location" -> nearest(code, cu).or(() -> byTag(c, code, cu));
      case "any" -> code.pools().stream().filter(p -> !p.key().equals(GroupCode.ANY)).findFirst();
      default -> byTag(c, code, cu);
    };
    return routed.or(() -> code.pools().stream().filter(p -> p.key().equals(GroupCode.ANY)).findFirst());
  }

  /** The first pool (in the code's order) whose key is one of the customer's tags. */
  private static Optional<GroupCode.Pool> byTag(Connection c, GroupCode code, Customer cu) {
    try {
      List<String> tags = Sql.list(c, "SELECT tag FROM customer_tags WHERE customer_id = ?", rs -> rs.getString(1), cu.id());
      return code.pools().stream().filter(p -> tags.contains(p.key())).findFirst();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The pool nearest the customer's {@code lat}/{@code lng} fields, among pools that have coordinates. */
  private static Optional<GroupCode.Pool> nearest(GroupCode code, Customer cu) {
    Double lat = number(cu.fields().get("lat"));
    Double lng = number(cu.fields().get("lng"));
    if (lat == null || lng == null) {
      return Optional.empty();
    }
    return code.pools().stream().filter(p -> p.lat() != null).min(Comparator.comparingDouble(p -> km(lat, lng, p.lat(), p.lng())));
  }

  /** Great-circle distance in km. */
  static double km(double lat1, double lng1, double lat2, double lng2) {
    double dLat = Math.toRadians(lat2 - lat1);
    double dLng = Math.toRadians(lng2 - lng1);
    double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
        + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 6371 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }

  private static Double number(String s) {
    try {
      double d = s == null ? Double.NaN : Double.parseDouble(s.trim());
      return Double.isNaN(d) || d < -180 || d > 180 ? null : d;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
