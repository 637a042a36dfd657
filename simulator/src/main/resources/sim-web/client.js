// The simulated client. It behaves like the chat app a UI driver sees: a list with search, a chat
// with a composer, bubbles that settle only after the server has the message.
(function () {
  const $ = (id) => document.getElementById(id);
  let conversations = [];
  let openGroup = null;

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
    });
    if (res.status === 401) { location.href = '/login'; throw new Error('logged out'); }
    const data = await res.json();
    if (!res.ok) throw new Error(data.error || res.status);
    return data;
  }

  function renderList() {
    const q = $('search').value.trim().toLowerCase();
    const ul = $('conversations');
    ul.replaceChildren();
    for (const c of conversations) {
      if (q && !c.name.toLowerCase().includes(q)) continue;
      const li = document.createElement('li');
      li.className = 'conversation';
      li.dataset.groupId = c.groupId;
      li.dataset.name = c.name;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = c.name;
      const preview = document.createElement('span');
      preview.className = 'preview';
      preview.textContent = c.preview;
      li.append(name, preview);
      li.addEventListener('click', () => openChat(c));
      ul.append(li);
    }
  }

  function bubble(text, mine, state) {
    const div = document.createElement('div');
    div.className = 'bubble' + (mine ? ' mine' : '') + (state ? ' ' + state : '');
    const span = document.createElement('span');
    span.className = 'text';
    span.textContent = text;
    div.append(span);
    return div;
  }

  async function openChat(c) {
    openGroup = c;
    $('messages').dataset.loaded = '';
    $('chat-title').textContent = c.name;
    $('messages').replaceChildren();
    $('composer').value = '';
    $('send').disabled = true;
    $('attach-menu').hidden = true;
    $('list-view').hidden = true;
    $('chat-view').hidden = false;
    const msgs = await api('GET', '/client/groups/' + encodeURIComponent(c.groupId) + '/messages');
    if (openGroup !== c) return;
    for (const m of msgs) {
      const b = bubble(m.text, true, 'sent');
      b.dataset.msgId = m.id;
      $('messages').append(b);
    }
    $('messages').dataset.loaded = 'true';
  }

  async function closeChat() {
    openGroup = null;
    $('messages').dataset.loaded = '';
    $('chat-view').hidden = true;
    $('list-view').hidden = false;
    await loadConversations();
  }

  async function send() {
    const text = $('composer').value;
    if (!text.trim() || !openGroup) return;
    const group = openGroup;
    $('composer').value = '';
    $('send').disabled = true;
    const b = bubble(text, true, 'pending');
    $('messages').append(b);
    b.scrollIntoView();
    try {
      const m = await api('POST', '/client/groups/' + encodeURIComponent(group.groupId) + '/messages', { text, kind: 'text' });
      b.classList.replace('pending', 'sent');
      b.dataset.msgId = m.id;
      group.preview = text;
    } catch (e) {
      b.classList.replace('pending', 'failed');
    }
  }

  async function loadConversations() {
    conversations = await api('GET', '/client/conversations');
    renderList();
  }

  $('search').addEventListener('input', renderList);
  $('back').addEventListener('click', closeChat);
  $('composer').addEventListener('input', () => { $('send').disabled = !$('composer').value.trim(); });
  $('send').addEventListener('click', send);
  $('attach').addEventListener('click', () => { $('attach-menu').hidden = !$('attach-menu').hidden; });

  api('GET', '/client/me').then((me) => { $('me').textContent = me.name; $('me').dataset.account = me.id; });
  loadConversations().then(() => { $('conversations').dataset.loaded = 'true'; });
})();
