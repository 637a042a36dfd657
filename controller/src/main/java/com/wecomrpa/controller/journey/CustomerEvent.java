package com.wecomrpa.controller.journey;

import java.util.Map;

/**
 * Something that happened to a customer, fed by a CRM or order system. {@code id} makes delivery
 * idempotent: an event seen before is acknowledged and ignored. {@code at} defaults to now.
 * {@code channelCode} (customer_added) attributes the customer to a channel code.
 */
public record CustomerEvent(
    String id, String type, String accountId, String customerId, String at, String nickname, String stage, Map<String, String> fields, String channelCode) {
  public CustomerEvent(String id, String type, String accountId, String customerId, String at, String nickname, String stage, Map<String, String> fields) {
    this(id, type, accountId, customerId, at, nickname, stage, fields, null);
  }
}
