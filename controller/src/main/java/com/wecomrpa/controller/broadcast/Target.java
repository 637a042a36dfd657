package com.wecomrpa.controller.broadcast;

import java.util.List;

/** Which groups a broadcast goes to: a list of ids, or every group with a tag. Exactly one is set. */
public record Target(List<String> groupIds, String tag) {}
