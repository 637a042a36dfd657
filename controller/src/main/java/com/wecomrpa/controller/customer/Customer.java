package com.wecomrpa.controller.customer;

import java.util.Map;

/** A customer of one account, as CRM events describe them: stage, status and custom fields. */
public record Customer(String id, String accountId, String nickname, String stage, String status, Map<String, String> fields) {}
