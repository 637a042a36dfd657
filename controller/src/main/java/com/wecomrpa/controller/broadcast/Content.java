package com.wecomrpa.controller.broadcast;

/** What a post says. Only {@code text} exists so far; other kinds come with the SOP engine. */
public record Content(String kind, String text) {}
