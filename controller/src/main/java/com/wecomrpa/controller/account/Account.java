package com.wecomrpa.controller.account;

import java.time.Instant;
import java.util.List;

/**
 * A bot account. Its time zone decides which calendar day a group's daily posts count against.
 * {@code status} is {@code active} until an admin pauses it ({@code paused}) or a risk signal
 * cools it down ({@code cooling}, {@code restricted}). Tags select limit overrides.
 */
public record Account(
    String id,
    String platform,
    String displayName,
    String timeZone,
    String status,
    int groupCount,
    List<String> tags,
    Instant createdAt) {}
