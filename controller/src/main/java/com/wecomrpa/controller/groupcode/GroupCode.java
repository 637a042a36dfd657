package com.wecomrpa.controller.groupcode;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A group code (群活码): pools of groups, and how a customer is routed to a pool: by a tag they
 * carry that names a pool (a store, a city or district, an intent), by the channel code that
 * brought them, or by location (their {@code lat}/{@code lng} fields to the nearest pool that has
 * coordinates, else a tag). A pool's groups are filled in order: a group takes invitations until
 * its members and pending invitations reach {@code memberCap} less {@code margin}, then the next.
 */
public record GroupCode(String id, String name, String routeBy, List<Pool> pools, Integer memberCap, Integer margin, Boolean enabled) {

  /** One pool: the key a customer is routed by, its groups in the order they fill, and where it is (optional). */
  public record Pool(String key, List<String> groups, Double lat, Double lng) {}

  static final Set<String> ROUTES = Set.of("tag", "channel", "location", "any");
  /** The pool every customer no other pool takes goes to, when a code has one. */
  static final String ANY = "*";

  static GroupCode checked(String id, GroupCode in) {
    Fields.id("id", id);
    if (in == null) {
      throw Rejected.invalid("body", "body must be a group code object");
    }
    String name = Fields.maxLength("name", in.name() == null ? id : in.name(), 200);
    String route = in.routeBy() == null ? "tag" : in.routeBy();
    if (!ROUTES.contains(route)) {
      throw Rejected.invalid("routeBy", "routeBy must be one of tag, channel, location, any");
    }
    if (in.pools() == null || in.pools().isEmpty()) {
      throw Rejected.invalid("pools", "pools must name at least one pool of groups");
    }
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < in.pools().size(); i++) {
      Pool p = in.pools().get(i);
      String f = "pools[" + i + "]";
      if (p == null) {
        throw Rejected.invalid(f, f + " must be an object");
      }
      String key = Fields.maxLength(f + ".key", Fields.required(f + ".key", p.key()), 128);
      if (!keys.add(key)) {
        throw Rejected.invalid(f + ".key", f + ".key " + key + " is given twice");
      }
      if (p.groups() == null || p.groups().isEmpty()) {
        throw Rejected.invalid(f + ".groups", f + ".groups must name at least one group");
      }
      for (int j = 0; j < p.groups().size(); j++) {
        Fields.id(f + ".groups[" + j + "]", p.groups().get(j));
      }
      if ((p.lat() == null) != (p.lng() == null)) {
        throw Rejected.invalid(f + (p.lat() == null ? ".lat" : ".lng"), f + ": give lat and lng together");
      }
      if (p.lat() != null && (p.lat() < -90 || p.lat() > 90 || p.lat().isNaN())) {
        throw Rejected.invalid(f + ".lat", f + ".lat must be -90 to 90");
      }
      if (p.lng() != null && (p.lng() < -180 || p.lng() > 180 || p.lng().isNaN())) {
        throw Rejected.invalid(f + ".lng", f + ".lng must be -180 to 180");
      }
    }
    int cap = in.memberCap() == null ? 200 : in.memberCap();
    if (cap < 1 || cap > 500) {
      throw Rejected.invalid("memberCap", "memberCap must be 1 to 500 (a WeCom customer group holds 200)");
    }
    int margin = in.margin() == null ? 5 : in.margin();
    if (margin < 0 || margin >= cap) {
      throw Rejected.invalid("margin", "margin must be 0 to memberCap - 1");
    }
    return new GroupCode(id, name, route, List.copyOf(in.pools()), cap, margin, in.enabled() == null || in.enabled());
  }
}
