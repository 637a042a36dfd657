package com.wecomrpa.controller.broadcast;

import com.wecomrpa.controller.sop.ContentSpec;

/**
 * What a broadcast sends, as a plan step's content: text (text), image (url), link (url, title,
 * description, cover), miniprogram (appId, path, title, cover) or file (url, name).
 */
public record Content(String kind, String text, String url, String title, String description, String cover, String appId, String path, String name) {
  public static Content text(String text) {
    return new Content("text", text, null, null, null, null, null, null, null);
  }

  public ContentSpec spec() {
    return new ContentSpec(kind == null ? "text" : kind, text, url, title, description, cover, appId, path, name, null, null, null);
  }
}
