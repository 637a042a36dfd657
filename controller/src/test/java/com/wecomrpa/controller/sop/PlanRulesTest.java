package com.wecomrpa.controller.sop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.protocol.WireCodec;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlanRulesTest {
  static final ObjectMapper JSON = WireCodec.mapper().copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  final PlanRules rules = new PlanRules(2000);

  static PlanSpec spec(String json) {
    try {
      return JSON.readValue(json.replace('\'', '"'), PlanSpec.class);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static final String GROUP_OK =
      "{'id':'news','name':'Morning news','kind':'group','target':{'selector':'store:*'},"
          + "'steps':[{'at':'09:00','content':{'kind':'text','text':'早安 {group_name}'}}]}";
  static final String CUSTOMER_OK =
      "{'id':'welcome','name':'Welcome','kind':'customer','trigger':{'event':'friend_added'},"
          + "'steps':[{'offset':'+3m','content':{'kind':'text','text':'你好 {nickname}'}},{'offset':'day 2 at 09:00','content':{'kind':'text','text':'{coupon|满100减10}'}}]}";

  @Test
  void wellFormedPlansCompile() {
    Plan g = rules.compile(spec(GROUP_OK));
    assertThat(g.kind()).isEqualTo(Plan.Kind.GROUP);
    assertThat(g.steps().get(0).at()).isEqualTo(LocalTime.of(9, 0));
    assertThat(g.selector().matches(Set.of("store:001", "region=east"))).isTrue();
    assertThat(g.selector().matches(Set.of("region=east"))).isFalse();
    Plan c = rules.compile(spec(CUSTOMER_OK));
    assertThat(c.window().toHours()).isEqualTo(4);
    assertThat(c.steps()).hasSize(2);
  }

  static Stream<Arguments> badPlans() {
    return Stream.of(
        Arguments.of(GROUP_OK.replace("{group_name}", "{nickname}"), "steps[0].content.text"),
        Arguments.of(GROUP_OK.replace("'09:00'", "'24:30'"), "steps[0].at"),
        Arguments.of(GROUP_OK.replace("'09:00'", "'9am'"), "steps[0].at"),
        Arguments.of(GROUP_OK.replace("[{'at':'09:00','content':{'kind':'text','text':'早安 {group_name}'}}]", "[]"), "steps"),
        Arguments.of(GROUP_OK.replace("'store:*'", "'store:* & '"), "target.selector"),
        Arguments.of(GROUP_OK.replace("'store:*'", "'store 1'"), "target.selector"),
        Arguments.of(GROUP_OK.replace("'store:*'", "'*'"), "target.selector"),
        Arguments.of(GROUP_OK.replace("'kind':'group'", "'kind':'campaign'"), "kind"),
        Arguments.of(GROUP_OK.replace("早安 {group_name}", "早安 {group_name"), "steps[0].content.text"),
        Arguments.of(GROUP_OK.replace("'kind':'text','text':'早安 {group_name}'", "'kind':'link','title':'x','url':'ftp://x'"), "steps[0].content.url"),
        Arguments.of(GROUP_OK.replace("'kind':'text','text':'早安 {group_name}'", "'kind':'miniprogram','title':'x','appId':'wx1'"), "steps[0].content.path"),
        Arguments.of(GROUP_OK.replace("'kind':'text','text':'早安 {group_name}'", "'kind':'image','url':'https://x/y.png','name':'y'"), "steps[0].content.name"),
        Arguments.of(GROUP_OK.replace("'steps'", "'schedule':{'daysOfWeek':['MON','FUNDAY']},'steps'"), "schedule.daysOfWeek[1]"),
        Arguments.of(GROUP_OK.replace("'steps'", "'schedule':{'startDate':'2026-12-01','endDate':'2026-11-01'},'steps'"), "schedule.endDate"),
        Arguments.of(GROUP_OK.replace("'steps'", "'window':'forever','steps'"), "window"),
        Arguments.of(CUSTOMER_OK.replace("'day 2 at 09:00'", "'+1m'"), "steps[1].offset"),
        Arguments.of(CUSTOMER_OK.replace("'+3m'", "'in three minutes'"), "steps[0].offset"),
        Arguments.of(CUSTOMER_OK.replace("'day 2 at 09:00'", "'day 2 at 25:00'"), "steps[1].offset"),
        Arguments.of(CUSTOMER_OK.replace("'friend_added'", "'birthday'"), "trigger.event"),
        Arguments.of(CUSTOMER_OK.replace("{'event':'friend_added'}", "{'event':'stage_entered'}"), "trigger.stage"),
        Arguments.of(CUSTOMER_OK.replace("'steps'", "'repeat':{'count':4,'intervalDays':1},'steps'"), "repeat.intervalDays"),
        Arguments.of(GROUP_OK.replace("'content'", "'unless':['replied'],'content'"), "steps[0].unless"),
        Arguments.of(GROUP_OK.replace("'content'", "'transactional':true,'content'"), "steps[0].transactional"),
        Arguments.of(GROUP_OK.replace("'steps'", "'exitOn':['reply'],'steps'"), "exitOn"),
        Arguments.of(CUSTOMER_OK.replace("{'offset':'+3m',", "{'offset':'+3m','unless':['replied','moon'],"), "steps[0].unless[1]"),
        Arguments.of(CUSTOMER_OK.replace("'steps'", "'exitOn':['tag:'],'steps'"), "exitOn[0]"),
        Arguments.of(CUSTOMER_OK.replace("{'event':'friend_added'}", "{'event':'date'}"), "trigger.field"),
        Arguments.of(CUSTOMER_OK.replace("{'event':'friend_added'}", "{'event':'friend_added','field':'birthday'}"), "trigger.field"),
        Arguments.of(CUSTOMER_OK.replace("你好 {nickname}", "订单 {order_id}"), "steps[0].content.text"),
        Arguments.of("{'id':'m','name':'M','kind':'moments','steps':[{'at':'21:00','content':{'kind':'text','text':'晚安'}}]}", "accounts"),
        Arguments.of("{'id':'m','name':'M','kind':'moments','accounts':['acc-1'],'steps':[{'at':'21:00','content':{'kind':'link','url':'https://a','title':'t'}}]}", "steps[0].content.kind"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badPlans")
  void aBadPlanIsRefusedNamingTheField(String json, String field) {
    assertThatThrownBy(() -> rules.compile(spec(json)))
        .isInstanceOf(Rejected.class)
        .satisfies(e -> assertThat(((Rejected) e).field()).isEqualTo(field));
  }

  @Test
  void variablesRenderAndAMissingOneTakesItsDefault() {
    String text = "{nickname}，您的{coupon|满100减10}券已到账，{store|附近门店}见";

    assertThat(ContentTemplate.render(text, Map.of("nickname", "小王", "coupon", "满200减30")))
        .isEqualTo("小王，您的满200减30券已到账，附近门店见");
    assertThat(ContentTemplate.render(text, Map.of("nickname", "小李", "coupon", " ")))
        .isEqualTo("小李，您的满100减10券已到账，附近门店见");
  }

  @Test
  void dayNAtTimeIsCountedFromTheEventsCalendarDayInTheAccountsZone() {
    ZoneId shanghai = ZoneId.of("Asia/Shanghai");
    Instant lateEvening = Instant.parse("2026-11-22T15:30:00Z"); // 23:30 in Shanghai

    assertThat(StepOffset.parse("o", "day 2 at 09:00").dueAfter(lateEvening, shanghai)).isEqualTo(Instant.parse("2026-11-24T01:00:00Z"));
    assertThat(StepOffset.parse("o", "+3m").dueAfter(lateEvening, shanghai)).isEqualTo(Instant.parse("2026-11-22T15:33:00Z"));
  }
}
