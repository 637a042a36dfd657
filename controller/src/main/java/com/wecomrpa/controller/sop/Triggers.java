package com.wecomrpa.controller.sop;

import java.util.Set;

/** The one vocabulary of customer events: what an intake accepts and what may start a plan. */
public final class Triggers {
  public static final String FRIEND_ADDED = "friend_added";
  public static final String CUSTOMER_ADDED = "customer_added";
  public static final String JOINED_GROUP = "joined_group";
  public static final String LEFT_GROUP = "left_group";
  public static final String ORDER_PLACED = "order_placed";
  public static final String STAGE_ENTERED = "stage_entered";
  public static final String STAGE_LEFT = "stage_left";
  public static final String TAG_ADDED = "tag_added";
  public static final String CUSTOMER_DELETED = "customer_deleted";
  public static final String CUSTOMER_BLOCKED = "customer_blocked";

  /** Events a CRM or order system sends. */
  public static final Set<String> FED =
      Set.of(FRIEND_ADDED, CUSTOMER_ADDED, JOINED_GROUP, LEFT_GROUP, ORDER_PLACED, STAGE_ENTERED, CUSTOMER_DELETED, CUSTOMER_BLOCKED);
  /** Events a customer plan may start on: those fed that keep the customer, and those the controller sees itself. */
  public static final Set<String> PLAN_STARTS =
      Set.of(FRIEND_ADDED, CUSTOMER_ADDED, JOINED_GROUP, ORDER_PLACED, STAGE_ENTERED, STAGE_LEFT, TAG_ADDED);

  private Triggers() {}
}
