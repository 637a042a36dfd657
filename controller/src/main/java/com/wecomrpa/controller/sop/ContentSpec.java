package com.wecomrpa.controller.sop;

/**
 * What a step posts, as written in a plan. Which fields apply depends on {@code kind}: text (text),
 * image (url), link (url, title, description, cover), miniprogram (appId, path, title, cover),
 * file (url, name); and webhook (method, url, body, timeout), which the controller calls itself.
 */
public record ContentSpec(
    String kind, String text, String url, String title, String description, String cover, String appId, String path, String name,
    String method, com.fasterxml.jackson.databind.JsonNode body, String timeout) {}
