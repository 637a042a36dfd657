package com.wecomrpa.controller.account;

import java.time.Instant;

/**
 * A bot account. Its time zone decides which calendar day a group's daily posts count against.
 * {@code status} is {@code active} until an admin or a risk signal pauses it.
 */
public record Account(
    String id,
    String platform,
    String displayName,
    String timeZone,
    String status,
    int groupCount,
    Instant createdAt) {}
