package com.wecomrpa.controller.broadcast;

import java.util.List;

/**
 * Who a broadcast goes to: groups by a list of ids or by a tag, or customers by a segment (one
 * private message each, through the account that holds them). Exactly one is set.
 */
public record Target(List<String> groupIds, String tag, Segment customers) {
  public Target(List<String> groupIds, String tag) {
    this(groupIds, tag, null);
  }
}
