package com.wecomrpa.script;

import java.util.List;

/** The steps of one action (e.g. send_group_text) and the parameters a job must supply. */
public record Flow(String action, List<String> params, List<Step> steps, String file) {}
