package com.wecomrpa.agent.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DeviceProfileTest {
  static final Path PROFILES = Path.of("..", "profiles");

  @Test
  void aSimulatorDeviceNeedsNoProfile() {
    DeviceProfile d = DeviceProfile.parse("id=dev-1,account=acc-1,url=http://127.0.0.1:8090", PROFILES);

    assertThat(d.driver()).isEqualTo("selenium");
    assertThat(d.clientKind()).isEqualTo("wecom-sim");
    assertThat(d.capabilities()).isEmpty();
  }

  @Test
  void theWeComAndroidProfileOpensTheAppThroughUiAutomator2OnTheNamedPhone() {
    DeviceProfile d = DeviceProfile.parse("id=phone-1,account=acc-9,profile=wecom-android,version=4.1.33,udid=R58M12ABC", PROFILES);

    assertThat(d.driver()).isEqualTo("appium");
    assertThat(d.clientKind()).isEqualTo("wecom-android");
    assertThat(d.clientVersion()).isEqualTo("4.1.33");
    assertThat(d.capabilities())
        .containsEntry("platformName", "Android")
        .containsEntry("appium:automationName", "UiAutomator2")
        .containsEntry("appium:appPackage", "com.tencent.wework")
        .containsEntry("appium:udid", "R58M12ABC")
        .containsEntry("appium:noReset", true);
    assertThat(DeviceProfile.parse("id=phone-2,account=acc-9,profile=wechat-android,version=8.0.53,udid=X", PROFILES).capabilities())
        .containsEntry("appium:appPackage", "com.tencent.mm");
  }

  @Test
  void aProfileNamesWhatTheSpecIsMissing() {
    assertThatThrownBy(() -> DeviceProfile.parse("id=phone-1,account=acc-9,profile=wecom-android,version=4.1.33", PROFILES))
        .hasMessage("device profile wecom-android needs udid=... in the device spec");
    assertThatThrownBy(() -> DeviceProfile.parse("id=phone-1,account=acc-9,profile=wecom-android,udid=R5", PROFILES))
        .hasMessageContaining("version is required with a profile");
    assertThatThrownBy(() -> DeviceProfile.parse("id=phone-1,account=acc-9,profile=ios-wecom,version=1,udid=R5", PROFILES))
        .hasMessageStartingWith("no device profile 'ios-wecom'");
  }
}
