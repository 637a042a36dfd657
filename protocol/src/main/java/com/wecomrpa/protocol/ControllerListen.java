package com.wecomrpa.protocol;

import java.util.List;

/**
 * Asks an idle device to read new messages: every chat with an unread badge (when {@code unread}),
 * and the {@code chats} named, reading the last {@code perChat} messages of each, and spending no
 * more than {@code budgetMillis}: the device stops between chats once it is spent, and a job
 * waiting for the device goes first. Answered with one {@link AgentHeard}.
 */
public record ControllerListen(String listenId, String deviceId, String accountId, boolean unread, List<String> chats, int maxChats, int perChat, long budgetMillis)
    implements Message {}
