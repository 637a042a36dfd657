package com.wecomrpa.protocol;

import java.util.Map;

/**
 * A script set version as uploaded: file name to content ({@code script-set.yaml}, {@code
 * locators.yaml}, {@code flows/*.yaml}). {@code error} is set, and {@code files} empty, when the
 * controller has no such version.
 */
public record ControllerScriptBundle(String client, String version, Map<String, String> files, String error) implements Message {}
