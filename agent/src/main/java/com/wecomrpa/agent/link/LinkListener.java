package com.wecomrpa.agent.link;

import com.wecomrpa.protocol.ControllerDeviceHealth;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerLeaseRevoked;

/** What the link hears from the controller. */
public interface LinkListener {
  void onOffer(ControllerJobOffer offer);

  void onRevoked(ControllerLeaseRevoked revoked);

  /** The controller's view of a device's health changed (unhealthy: repair it). */
  void onDeviceHealth(ControllerDeviceHealth health);

  /** The controller asks an idle device to read new messages. */
  void onListen(com.wecomrpa.protocol.ControllerListen listen);

  /** Someone watches a device's screen: send pictures for a while. */
  default void onWatch(com.wecomrpa.protocol.ControllerWatch watch) {}
}
