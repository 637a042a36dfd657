package com.wecomrpa.controller.broadcast;

import java.util.List;

/**
 * Active customers a 1:1 broadcast reaches; every condition given must hold. Tags: all of {@code
 * tagsAll}, at least one of {@code tagsAny}, none of {@code tagsNone}. {@code addedFrom}/{@code
 * addedTo}: the day they became a contact, inclusive, in their account's zone. {@code bought} /
 * {@code notBought}: a paid order with that product, or none. {@code silentDays}: they wrote
 * nothing in that many days. {@code accountIds}: only the customers of these accounts.
 */
public record Segment(
    List<String> tagsAll,
    List<String> tagsAny,
    List<String> tagsNone,
    String stage,
    String channelCode,
    String addedFrom,
    String addedTo,
    String bought,
    String notBought,
    Integer silentDays,
    List<String> accountIds) {}
