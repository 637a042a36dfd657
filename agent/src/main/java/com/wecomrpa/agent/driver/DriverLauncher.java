package com.wecomrpa.agent.driver;

import com.wecomrpa.agent.device.DeviceProfile;

/** Opens a UI session for a device, through whichever driver its profile names. Blocking. */
@FunctionalInterface
public interface DriverLauncher {
  UiDriver start(DeviceProfile device);
}
