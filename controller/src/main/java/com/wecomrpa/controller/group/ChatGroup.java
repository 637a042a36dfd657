package com.wecomrpa.controller.group;

import java.util.List;

/** A customer group served by one account. */
public record ChatGroup(String id, String name, String accountId, List<String> tags) {}
