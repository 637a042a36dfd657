package com.wecomrpa.controller.caller;

/**
 * What a token may do. Admins own limits, accounts and tokens; operators own plans, broadcasts,
 * groups and events; viewers read; agents only speak the agent gateway.
 */
public enum Role {
  ADMIN,
  OPERATOR,
  VIEWER,
  AGENT
}
