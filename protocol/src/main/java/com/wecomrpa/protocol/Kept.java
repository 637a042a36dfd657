package com.wecomrpa.protocol;

/**
 * A message the agent keeps on disk until the controller acknowledges it by this id (a {@link
 * ControllerReportAck} naming it): job reports, and what listening heard.
 */
public interface Kept {
  String keptId();
}
