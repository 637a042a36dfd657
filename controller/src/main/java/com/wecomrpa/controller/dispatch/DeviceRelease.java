package com.wecomrpa.controller.dispatch;

/**
 * A device's lease ended (reported, handed back, released by an operator, expired): its slot is
 * free again and a dispatch pass is asked for, so the device is offered its next job at once.
 * Call on the controller's event loop, like the dispatcher's kick.
 */
public final class DeviceRelease {
  private final DeviceBoard board;
  private final Runnable kick;

  public DeviceRelease(DeviceBoard board, Runnable kick) {
    this.board = board;
    this.kick = kick;
  }

  public void release(String deviceId, String jobId, long token) {
    board.release(deviceId, jobId, token);
    kick.run();
  }
}
