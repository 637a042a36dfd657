package com.wecomrpa.controller.account;

/** The client family an account lives on. */
public enum Platform {
  WECOM,
  WECHAT;

  public String wireName() {
    return name().toLowerCase();
  }
}
