// The simulated client. It behaves like the chat app a UI driver sees: a list with search, chats
// with a composer and an attachment menu, Moments; bubbles settle only after the server has them.
(function () {
  const $ = (id) => document.getElementById(id);
  let conversations = [];
  let openChatOf = null;
  let richKind = null;

  // Which form fields each attachment kind asks for.
  const RICH_FIELDS = {
    image: ['rich-url'],
    file: ['rich-url', 'rich-title'],
    link: ['rich-url', 'rich-title', 'rich-desc', 'rich-cover'],
    miniprogram: ['rich-appid', 'rich-path', 'rich-title', 'rich-cover'],
    groupcard: ['rich-group'],
  };
  const RICH_LABEL = { image: '发送图片', file: '发送文件', link: '发送链接', miniprogram: '发送小程序', groupcard: '邀请加入群聊' };

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
    });
    if (res.status === 401) { location.href = '/login'; throw new Error('logged out'); }
    const data = await res.json();
    if (!res.ok) {
      const e = new Error(data.error || res.status);
      e.risk = data.risk;
      e.refused = data.refused;
      throw e;
    }
    return data;
  }

  function show(view) {
    for (const v of ['list-view', 'chat-view', 'moments-view', 'members-view', 'contacts-view']) $(v).hidden = v !== view;
  }

  // Updates the list in place, as a real client's list view does: a row keeps its element while
  // its chat is listed, so a tap is never lost to a refresh (new messages, badges) under the finger.
  function renderList() {
    const q = $('search').value.trim().toLowerCase();
    const ul = $('conversations');
    const rows = new Map([...ul.children].map((li) => [li.dataset.id, li]));
    const wanted = [];
    for (const c of conversations) {
      if (q && !c.name.toLowerCase().includes(q)) continue;
      let li = rows.get(c.id);
      if (!li) {
        li = document.createElement('li');
        const name = document.createElement('span');
        name.className = 'name';
        const preview = document.createElement('span');
        preview.className = 'preview';
        li.append(name, preview);
        li.addEventListener('click', () => openChat(li.conversation));
      }
      li.conversation = c;
      li.className = 'conversation ' + c.type;
      li.dataset.id = c.id;
      li.dataset.name = c.name;
      li.dataset.type = c.type;
      li.querySelector('.name').textContent = c.name;
      li.querySelector('.preview').textContent = c.preview;
      // The unread badge: customer messages not yet opened, as the real list shows them.
      li.dataset.unread = c.unread || 0;
      let badge = li.querySelector('.badge');
      if (c.unread > 0) {
        if (!badge) {
          badge = document.createElement('span');
          badge.className = 'badge';
          li.append(badge);
        }
        badge.textContent = c.unread > 99 ? '99+' : String(c.unread);
      } else if (badge) {
        badge.remove();
      }
      wanted.push(li);
    }
    const keep = new Set(wanted);
    for (const li of [...ul.children]) if (!keep.has(li)) li.remove();
    wanted.forEach((li, i) => { if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] || null); });
  }

  function hhmm(ms) {
    const d = new Date(ms);
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  function bubble(m, state) {
    if (m.kind === 'system') return systemLine(m);
    const div = document.createElement('div');
    const mine = m.mine !== false;
    div.className = 'bubble ' + (mine ? 'mine' : 'theirs') + ' kind-' + (m.kind || 'text') + (state ? ' ' + state : '');
    div.dataset.kind = m.kind || 'text';
    div.dataset.mine = String(mine);
    if (!mine) {
      // Who wrote it, as a group shows the member's name above the bubble.
      const who = document.createElement('span');
      who.className = 'sender';
      who.textContent = m.senderName;
      div.append(who);
      div.dataset.sender = m.senderName;
    }
    const span = document.createElement('span');
    span.className = 'text';
    span.textContent = m.text;
    div.append(span);
    const p = m.payload || {};
    const meta = p.url || p.appId || '';
    if (meta && m.kind !== 'text') {
      const small = document.createElement('span');
      small.className = 'meta';
      small.textContent = (p.appId ? p.appId + ' ' + (p.path || '') : meta);
      div.append(small);
    }
    if (m.id) div.dataset.msgId = m.id;
    return stamped(div, m);
  }

  // The time the server received it, shown as hh:mm and kept exact in data-ts.
  function stamped(div, m) {
    if (m.receivedAt) {
      div.dataset.ts = Date.parse(m.receivedAt);
      const time = document.createElement('span');
      time.className = 'time';
      time.textContent = hhmm(Date.parse(m.receivedAt));
      div.append(time);
    }
    return div;
  }

  // A line the client writes itself (someone joined, left, was removed, was added), centred, in grey.
  function systemLine(m) {
    const div = document.createElement('div');
    div.className = 'system-line';
    div.dataset.kind = 'system';
    div.dataset.mine = 'false';
    div.dataset.sender = m.senderName;
    div.dataset.msgId = m.id;
    const span = document.createElement('span');
    span.className = 'text';
    span.textContent = m.text;
    div.append(span);
    return stamped(div, m);
  }

  // The member list of the open group: a member's name, "员工" for staff, and the owner's remove button.
  async function openMembers() {
    const chat = openChatOf;
    if (!chat) return;
    show('members-view');
    $('members').dataset.loaded = '';
    $('members').dataset.lastRemoved = '';
    $('members').dataset.group = chat.name;
    const list = await api('GET', '/client/conversations/' + encodeURIComponent(chat.id) + '/members');
    $('members').replaceChildren(...list.map((m) => {
      const li = document.createElement('li');
      li.className = 'member';
      li.dataset.name = m.name;
      li.dataset.role = m.staff ? 'staff' : 'customer';
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = m.name;
      li.append(name);
      if (m.staff) {
        const role = document.createElement('span');
        role.className = 'role';
        role.textContent = '员工';
        li.append(role);
      }
      const remove = document.createElement('button');
      remove.className = 'remove';
      remove.textContent = '移出';
      remove.addEventListener('click', () => confirmThen('将 ' + m.name + ' 移出群聊？', () => removeMember(chat, m.name)));
      li.append(remove);
      return li;
    }));
    $('members-title').textContent = '群成员(' + list.length + ')';
    $('members').dataset.loaded = 'true';
  }

  function confirmThen(text, action) {
    $('confirm-text').textContent = text;
    $('confirm').hidden = false;
    $('confirm-ok').onclick = () => { $('confirm').hidden = true; action(); };
    $('confirm-cancel').onclick = () => { $('confirm').hidden = true; };
  }

  // The list reloads after a removal; it names the member last removed once the server has it.
  async function removeMember(chat, name) {
    $('members').dataset.loaded = '';
    let removed = false;
    try {
      await api('POST', '/client/conversations/' + encodeURIComponent(chat.id) + '/removals', { name });
      removed = true;
    } catch (e) {
      showRisk(e);
    }
    if (openChatOf === chat) await openMembers();
    if (removed) $('members').dataset.lastRemoved = name;
  }

  // New contacts: friend requests, newest first, each with its note and where it came from.
  let requestsShown = '';
  async function openContacts() {
    show('contacts-view');
    requestsShown = '';
    $('friend-requests').dataset.loaded = '';
    await loadRequests();
    $('friend-requests').dataset.loaded = 'true';
  }

  async function loadRequests() {
    const list = await api('GET', '/client/friend-requests');
    const pending = list.filter((r) => r.state === 'pending').length;
    $('tab-contacts').dataset.pending = pending;
    $('contacts-badge').textContent = String(pending);
    $('contacts-badge').hidden = pending === 0;
    const text = JSON.stringify(list);
    if ($('contacts-view').hidden || text === requestsShown) return;
    requestsShown = text;
    $('friend-requests').replaceChildren(...list.map((r) => {
      const li = document.createElement('li');
      li.className = 'friend-request ' + r.state;
      li.dataset.name = r.name;
      li.dataset.state = r.state;
      li.dataset.channel = r.channel || '';
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = r.name;
      const note = document.createElement('span');
      note.className = 'note';
      note.textContent = r.note;
      li.append(name, note);
      if (r.channel) {
        const source = document.createElement('span');
        source.className = 'source';
        source.textContent = '来自渠道活码 ' + r.channel;
        li.append(source);
      }
      if (r.state === 'pending') {
        const accept = document.createElement('button');
        accept.className = 'accept';
        accept.textContent = '接受';
        accept.addEventListener('click', async () => {
          accept.disabled = true;
          try {
            await api('POST', '/client/friend-requests/' + r.id + '/accept');
          } catch (e) {
            showRisk(e);
          }
          await loadRequests();
        });
        li.append(accept);
      } else {
        const done = document.createElement('span');
        done.className = 'done';
        done.textContent = '已添加';
        li.append(done);
      }
      return li;
    }));
  }

  async function openChat(c) {
    openChatOf = c;
    $('messages').dataset.loaded = '';
    // The title comes with the chat itself, as the client loads it: a name changed since the list
    // was drawn shows changed.
    $('chat-title').textContent = '';
    $('messages').replaceChildren();
    $('composer').value = '';
    $('send').disabled = true;
    $('attach-menu').hidden = true;
    $('rich-form').hidden = true;
    $('chat-members').hidden = c.type !== 'group';
    $('chat-count').textContent = '';
    // Invitations to a group go from a private chat; the others are for any chat.
    $('attach-group').hidden = c.type !== 'private';
    show('chat-view');
    const [chat, msgs] = await Promise.all([api('GET', '/client/conversations/' + encodeURIComponent(c.id)),
      api('GET', '/client/conversations/' + encodeURIComponent(c.id) + '/messages')]);
    if (openChatOf !== c) return;
    $('chat-title').textContent = chat.name;
    $('chat-count').textContent = chat.members === undefined ? '' : '(' + chat.members + ')';
    for (const m of msgs) $('messages').append(bubble(m, 'sent'));
    $('messages').dataset.loaded = 'true';
  }

  async function backToList() {
    openChatOf = null;
    $('messages').dataset.loaded = '';
    show('list-view');
    lastList = '';
    await loadConversations();
  }

  async function deliver(message) {
    const chat = openChatOf;
    if (!chat) return;
    const b = bubble(message, 'pending');
    $('messages').append(b);
    b.scrollIntoView();
    try {
      const m = await api('POST', '/client/conversations/' + encodeURIComponent(chat.id) + '/messages', message);
      b.classList.replace('pending', 'sent');
      b.dataset.msgId = m.id;
      b.dataset.ts = Date.parse(m.receivedAt);
    } catch (e) {
      b.classList.replace('pending', 'failed');
      if (e.refused) {
        // The platform refused the content: the client says so under the bubble.
        b.classList.add('refused');
        const note = document.createElement('div');
        note.className = 'refused-note';
        note.textContent = e.message;
        b.append(note);
      }
      showRisk(e);
    }
  }

  // The platform's warning, as the real client shows it: a dialog over everything until dismissed.
  function showRisk(e) {
    if (!e.risk) return;
    $('risk-banner').dataset.kind = e.risk;
    $('risk-text').textContent = e.message;
    $('risk-banner').hidden = false;
  }

  function sendText() {
    const text = $('composer').value;
    if (!text.trim()) return;
    $('composer').value = '';
    $('send').disabled = true;
    deliver({ kind: 'text', text });
  }

  function openRich(kind) {
    richKind = kind;
    $('attach-menu').hidden = true;
    $('rich-kind').textContent = RICH_LABEL[kind];
    for (const id of ['rich-url', 'rich-title', 'rich-desc', 'rich-cover', 'rich-appid', 'rich-path', 'rich-group']) {
      $(id).value = '';
      $(id).hidden = !RICH_FIELDS[kind].includes(id);
    }
    $('rich-form').hidden = false;
  }

  function sendRich() {
    const v = (id) => $(id).value.trim();
    const payload = {};
    if (v('rich-url')) payload.url = v('rich-url');
    if (v('rich-title')) payload.title = v('rich-title');
    if (v('rich-desc')) payload.description = v('rich-desc');
    if (v('rich-cover')) payload.cover = v('rich-cover');
    if (v('rich-appid')) payload.appId = v('rich-appid');
    if (v('rich-path')) payload.path = v('rich-path');
    const text = richKind === 'groupcard' ? v('rich-group') : richKind === 'image' ? payload.url : payload.title;
    if (!text) return;
    $('rich-form').hidden = true;
    deliver({ kind: richKind, text, payload });
  }

  async function openMoments() {
    show('moments-view');
    $('moment-feed').dataset.loaded = '';
    const posts = await api('GET', '/client/moments');
    $('moment-feed').replaceChildren(...posts.map((p) => moment(p, 'sent')));
    $('moment-feed').dataset.loaded = 'true';
  }

  function moment(p, state) {
    const div = document.createElement('div');
    div.className = 'moment ' + state;
    const span = document.createElement('span');
    span.className = 'text';
    span.textContent = p.text;
    div.append(span);
    if (p.postedAt) div.dataset.ts = Date.parse(p.postedAt);
    return div;
  }

  async function publishMoment() {
    const text = $('moment-text').value;
    if (!text.trim()) return;
    const image = $('moment-image').value.trim();
    $('moment-text').value = '';
    $('moment-image').value = '';
    const d = moment({ text }, 'pending');
    $('moment-feed').prepend(d);
    try {
      const posted = await api('POST', '/client/moments', { kind: 'text', text, payload: image ? { image } : {} });
      d.classList.replace('pending', 'sent');
      d.dataset.ts = Date.parse(posted.postedAt);
    } catch (e) {
      d.classList.replace('pending', 'failed');
      showRisk(e);
    }
  }

  let lastList = '';
  async function loadConversations() {
    const fresh = await api('GET', '/client/conversations');
    const text = JSON.stringify(fresh);
    // Re-render only on change, as a client would: a steady list keeps its elements.
    if (text !== lastList) {
      lastList = text;
      conversations = fresh;
      renderList();
    }
  }

  $('search').addEventListener('input', renderList);
  // A driver's clear fires change, not input: an emptied search shows every chat again.
  $('search').addEventListener('change', () => { if (!$('search').value) renderList(); });
  $('back').addEventListener('click', backToList);
  $('composer').addEventListener('input', () => { $('send').disabled = !$('composer').value.trim(); });
  $('send').addEventListener('click', sendText);
  $('attach').addEventListener('click', () => { $('attach-menu').hidden = !$('attach-menu').hidden; $('rich-form').hidden = true; });
  for (const b of document.querySelectorAll('#attach-menu button')) b.addEventListener('click', () => openRich(b.dataset.kind));
  $('rich-send').addEventListener('click', sendRich);
  $('tab-moments').addEventListener('click', openMoments);
  $('moments-back').addEventListener('click', backToList);
  $('moment-publish').addEventListener('click', publishMoment);
  $('chat-members').addEventListener('click', openMembers);
  $('members-back').addEventListener('click', backToList);
  $('tab-contacts').addEventListener('click', openContacts);
  $('contacts-back').addEventListener('click', backToList);
  $('risk-dismiss').addEventListener('click', () => { $('risk-banner').hidden = true; });

  api('GET', '/client/me').then((me) => { $('me').textContent = me.name; $('me').dataset.account = me.id; });
  loadConversations().then(() => { $('conversations').dataset.loaded = 'true'; });
  // New chats (a customer just added, a group just joined) arrive without a reload, as pushed.
  setInterval(() => {
    if (!$('list-view').hidden) loadConversations().catch(() => {});
    if (!$('list-view').hidden || !$('contacts-view').hidden) loadRequests().catch(() => {});
  }, 1000);
  loadRequests().catch(() => {});
})();
