// The wecom-rpa console: plain ES modules, no build step. Every read and every action goes through
// the REST API under /api/v1 with the user's own token, so the API's checks are the console's checks.
const API = '/api/v1';
const main = document.getElementById('main');
const STATES = ['QUEUED', 'LEASED', 'RUNNING', 'SUCCEEDED', 'SKIPPED', 'FAILED', 'UNKNOWN', 'CANCELLED'];
const RANK = { viewer: 1, operator: 2, admin: 3 };
// Done first, then in flight; what is still queued is the bar's empty rest.
const BAR_ORDER = ['SUCCEEDED', 'SKIPPED', 'FAILED', 'UNKNOWN', 'CANCELLED', 'RUNNING', 'LEASED'];

const state = { token: sessionStorage.getItem('wecom-rpa.token'), me: null, overview: null, live: null, stream: null };

// ---- helpers -------------------------------------------------------------------------------
// Live pages render every second: the page is replaced only when what it shows changed, so a
// link or button is not swapped out from under the user's pointer.
function setMain(h) {
  if (main.dataset.shown === h) return false;
  main.innerHTML = h;
  main.dataset.shown = h;
  return true;
}
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const when = (t) => (t ? new Date(t).toLocaleString() : '');
// Coarse on purpose: a live page changes when the farm does, not every second.
const ago = (ms) => (ms == null || ms < 0 ? '' : ms < 5000 ? '< 5 s' : ms < 30000 ? '< 30 s' : ms < 60000 ? '< 1 min' : Math.round(ms / 60000) + ' min ago');
const since = (t) => (t ? new Date(t).toLocaleTimeString() : '');
const badge = (s) => `<span class="badge ${esc(s)}">${esc(s)}</span>`;
const may = (role) => state.me && RANK[state.me.role] >= RANK[role];
const q = (params) => Object.entries(params).filter(([, v]) => v !== '' && v != null).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.field = body && body.field;
  }
}

async function api(path, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(API + path, { method: opts.method || 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (res.status === 401 && !opts.login) {
    logout('Your token is no longer valid: log in again.');
    throw new ApiError(401, body);
  }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

function bar(progress, total) {
  const n = total || Object.values(progress || {}).reduce((a, b) => a + b, 0) || 1;
  return `<div class="bar" title="${esc(STATES.map((s) => `${s} ${progress[s] || 0}`).join(', '))}">` +
    BAR_ORDER.filter((s) => progress[s]).map((s) => `<span class="${s}" style="width:${(100 * progress[s]) / n}%"></span>`).join('') + '</div>';
}

function legend(progress) {
  return '<span class="legend">' + STATES.filter((s) => progress[s]).map((s) => `${s.toLowerCase()} ${progress[s]}`).join(' · ') + '</span>';
}

function table(cols, rows, empty = 'Nothing here yet.') {
  if (!rows.length) return `<p class="muted">${esc(empty)}</p>`;
  return `<div class="scroll"><table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td${c && c.wrap ? ' class="wrap"' : ''}>${c && c.html !== undefined ? c.html : esc(c)}</td>`).join('')}</tr>`).join('') +
    '</tbody></table></div>';
}
const html = (h, wrap) => ({ html: h, wrap });

// Asks for a reason (and, for an action that needs one, a value such as a new name), then runs
// the action; the API refuses what the role may not do.
function confirmAction(text, run, field) {
  const dlg = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  const reason = document.getElementById('confirm-reason');
  reason.value = '';
  const fieldLabel = document.getElementById('confirm-field-label');
  const input = document.getElementById('confirm-field');
  fieldLabel.hidden = !field;
  input.required = !!field;
  if (field) {
    document.getElementById('confirm-field-name').textContent = field.name;
    input.value = field.value || '';
  }
  dlg.onclose = async () => {
    if (dlg.returnValue !== 'ok') return;
    let said;
    let bad = false;
    try {
      // An action may say what it did; otherwise its confirmation text is repeated.
      said = await run(reason.value.trim() || null, field ? input.value.trim() : undefined);
      if (typeof said !== 'string') said = 'Done: ' + text;
    } catch (e) {
      said = e.message;
      bad = true;
    }
    // The page is drawn again first, so the message is not wiped by the redraw.
    await render();
    flash(said, bad);
  };
  dlg.showModal();
  reason.focus();
}

// Above the page, not in it: a live page redrawing itself does not wipe what an action said.
// Going to another page clears it (render).
function flash(msg, bad) {
  let el = document.getElementById('flash');
  if (!el) {
    el = document.createElement('p');
    el.id = 'flash';
    main.before(el);
  }
  el.className = bad ? 'error' : 'muted';
  el.textContent = msg;
}

// ---- live updates: server-sent events read through fetch, so the token stays in a header ----
async function openStream() {
  if (state.stream) return;
  const ctl = new AbortController();
  state.stream = ctl;
  const live = document.getElementById('live');
  try {
    const res = await fetch(API + '/stream', { headers: { Authorization: 'Bearer ' + state.token }, signal: ctl.signal });
    if (!res.ok) throw new Error('stream ' + res.status);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = chunk.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (!data) continue;
        state.overview = JSON.parse(data);
        state.pushedAt = Date.now();
        live.className = 'on';
        live.textContent = 'live ' + new Date(state.overview.at).toLocaleTimeString();
        redraw();
      }
    }
  } catch (e) {
    if (ctl.signal.aborted) return;
  } finally {
    // A stream that ends for any reason gives its connection back: the browser has only six per
    // host, and a stream left open would starve the page's own API calls.
    ctl.abort();
    if (state.stream === ctl) state.stream = null;
  }
  live.className = '';
  live.textContent = 'reconnecting…';
  if (state.token) setTimeout(openStream, 2000);
}

// One redraw at a time: pushes that arrive while the page is being fetched ask for one more
// redraw after it, not one each, so a slow controller is not asked the same thing over and over.
// A redraw that hangs (a request the browser never finishes) is not waited for past 20 s.
let drawing = null;
let drawingSince = 0;
let drawAgain = false;
function redraw() {
  if (!state.live) return;
  if (drawing && Date.now() - drawingSince < 20000) {
    drawAgain = true;
    return;
  }
  drawingSince = Date.now();
  const mine = (drawing = state.live().finally(() => {
    if (drawing !== mine) return;
    drawing = null;
    if (drawAgain) {
      drawAgain = false;
      redraw();
    }
  }));
}

// A stream that goes quiet (a busy controller, a proxy holding the response) must not freeze a
// live page: after 5 s without a push the page redraws itself from the API, and after 15 s the
// stream is opened again.
setInterval(() => {
  if (!state.token || !state.stream || !state.pushedAt) return;
  const quiet = Date.now() - state.pushedAt;
  if (quiet > 5000) redraw();
  if (quiet > 15000) {
    state.pushedAt = Date.now();
    state.stream.abort();
    state.stream = null;
    openStream();
  }
}, 2500);

// ---- login ----------------------------------------------------------------------------------
function logout(message) {
  sessionStorage.removeItem('wecom-rpa.token');
  state.token = null;
  state.me = null;
  if (state.stream) state.stream.abort();
  state.stream = null;
  showLogin(message);
}

function showLogin(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('who').textContent = '';
  main.innerHTML = `<form class="stack login" id="login-form">
      <h1>Log in</h1>
      <p class="muted">Paste an API token (admin, operator or viewer), or open a one-time login link.</p>
      <label>Token <input id="token" type="password" autocomplete="off" required></label>
      <button class="primary" id="login-button">Log in</button>
      <p class="error" id="login-error">${esc(message || '')}</p>
    </form>`;
  document.getElementById('login-form').onsubmit = async (ev) => {
    ev.preventDefault();
    await login(document.getElementById('token').value.trim());
  };
}

async function login(token) {
  state.token = token;
  try {
    state.me = await api('/whoami', { login: true });
  } catch (e) {
    state.token = null;
    showLogin(e.status === 401 ? 'That token is not valid.' : e.message);
    return;
  }
  sessionStorage.setItem('wecom-rpa.token', token);
  document.getElementById('nav').hidden = false;
  document.getElementById('who').textContent = `${state.me.name} (${state.me.role})`;
  document.querySelectorAll('[data-role]').forEach((el) => (el.hidden = !may(el.dataset.role)));
  openStream();
  if (!location.hash.startsWith('#/')) location.hash = '#/overview';
  else render();
}

async function redeem(code) {
  history.replaceState(null, '', location.pathname + '#/overview');
  try {
    const t = await api('/login', { method: 'POST', body: { code }, login: true });
    await login(t.token);
  } catch (e) {
    showLogin(e.message);
  }
}

// ---- pages ----------------------------------------------------------------------------------
const pages = {};

pages.overview = async () => {
  const o = state.overview || (state.overview = await api('/overview'));
  const d = o.devices.byState;
  const card = (n, l, s = '', id = '') => `<div class="card"${id ? ` id="${id}"` : ''}><div class="n">${esc(n)}</div><div class="l">${esc(l)}</div><div class="s">${s}</div></div>`;
  const bcs = o.broadcasts.map((b) => {
    const done = (b.progress.SUCCEEDED || 0) + (b.progress.SKIPPED || 0) + (b.progress.FAILED || 0) + (b.progress.UNKNOWN || 0) + (b.progress.CANCELLED || 0);
    return [html(`<a href="#/broadcasts/${encodeURIComponent(b.id)}">${esc(b.id)}</a>`), html(badge(!b.running ? 'done' : b.sendAt && new Date(b.sendAt) > new Date() ? 'scheduled' : 'running')),
      html(`<span class="progress" data-broadcast="${esc(b.id)}">${done}/${b.jobCount}</span>`), html(bar(b.progress, b.jobCount)), html(legend(b.progress))];
  });
  setMain(`<h1>Overview</h1>
    <div class="cards">
      ${card(o.agents, 'agents connected')}
      ${card(o.devices.total, 'devices', Object.entries(d).map(([k, v]) => `${esc(k)} ${v}`).join(' · '))}
      ${card(o.today.sent, 'sent today', '', 'today-sent')}
      ${card(o.today.skipped, 'skipped today')}
      ${card(o.today.failed + o.today.unknown, 'failed today', o.today.unknown ? `${o.today.unknown} unknown` : '')}
      ${card(o.queue.QUEUED, 'queued', `${o.queue.LEASED + o.queue.RUNNING} in flight`)}
      ${card(o.broadcastsRunning, 'broadcasts running')}
      ${card(o.plans.active || 0, 'plans active', o.plans.paused ? `${o.plans.paused} paused` : '')}
      ${card(o.alerts.last24h, 'alerts, 24 h')}
      ${o.conversations ? card(o.conversations.messagesFromCustomers, 'customer messages heard today',
        `${o.conversations.tagsAdded} tags · ${o.conversations.autoRepliesSent} auto-replies · ${o.conversations.lateReplies} late`) : ''}
    </div>
    <h2>Broadcasts</h2>${table(['broadcast', '', 'done', 'progress', ''], bcs, 'No broadcast yet.')}
    <h2>Alerts to handle <small class="muted">${o.alerts.unresolved} unresolved, <a href="#/alerts">all alerts</a></small></h2>${table(['at', 'account', 'kind', 'detail'], o.alerts.latest.map((a) => [when(a.at), a.accountId, html(badge(a.kind)), html(esc(a.detail), true)]), 'Nothing to handle.')}
    <p class="muted">Today since ${esc(when(o.today.since))}.</p>`);
};
pages.overview.live = () => pages.overview();

pages.devices = async (id) => {
  if (id) return devicePage(id);
  const list = await api('/devices');
  const act = (d, a, label, cls = '') => `<button class="${cls}" data-device="${esc(d.deviceId)}" data-action="${a}">${label}</button>`;
  const changed = setMain(`<h1>Devices</h1><p class="muted">Open a device to watch its screen live.</p>` + table(['device', 'state', 'actions', 'account', 'client', 'scripts', 'current job', 'heartbeat', 'last error', 'screenshot'],
    list.map((d) => [
      html(`<a href="#/devices/${encodeURIComponent(d.deviceId)}">${esc(d.deviceId)}</a>`),
      html(badge(d.state) + (d.health === 'unhealthy' && d.state !== 'unhealthy' ? ' ' + badge('unhealthy') : '')),
      html(may('operator') ? deviceActions(d, act) : ''), d.accountId,
      html(esc(`${d.clientKind} ${d.clientVersion} (${d.driver})`), true), html(esc(d.scripts || ''), true),
      html(d.jobId ? `<a href="#/jobs/${encodeURIComponent(d.jobId)}">${esc(d.jobId)}</a><br><span class="muted">since ${esc(since(d.since))}</span>` : `<span class="muted">since ${esc(since(d.since))}</span>`),
      ago(d.heartbeatAgeMillis),
      html((d.problem ? `<div>${esc(d.problem)}</div>` : '') + (d.lastFailure ? `<a href="#/jobs/${encodeURIComponent(d.lastFailure.jobId)}">${esc(d.lastFailure.error || 'failed')}</a>` +
        `<div class="muted">${esc(d.lastFailure.step || '')} ${esc(when(d.lastFailure.at))}</div>` : ''), true),
      html(d.lastScreenshot ? `<a href="#" data-shot="${esc(d.lastScreenshot)}">view</a>` : ''),
    ]), 'No device connected.'));
  if (!changed) return;
  // The agents behind the devices, and where they run.
  const agents = {};
  list.forEach((d) => {
    const a = (agents[d.agentId] = agents[d.agentId] || { host: d.agentHost, devices: [], heartbeat: d.heartbeatAgeMillis });
    a.devices.push(d.deviceId);
  });
  main.insertAdjacentHTML('beforeend', '<h2>Agents</h2>' + table(['agent', 'host', 'devices', 'heartbeat'],
    Object.entries(agents).map(([id, a]) => [id, a.host || '', a.devices.join(', '), ago(a.heartbeat)]), 'No agent connected.'));
  main.querySelectorAll('button[data-action]').forEach((b) => (b.onclick = () =>
    confirmAction(`${b.dataset.action} device ${b.dataset.device}`, (reason) =>
      api(`/devices/${encodeURIComponent(b.dataset.device)}/${b.dataset.action}`, { method: 'POST', body: { reason } }))));
  main.querySelectorAll('a[data-shot]').forEach((a) => (a.onclick = (ev) => { ev.preventDefault(); showShot(a.dataset.shot); }));
};
pages.devices.live = (id) => (id ? deviceState(id) : pages.devices());

// A device's page keeps its picture; only its state is redrawn when the farm changes.
async function deviceState(id) {
  const d = (await api('/devices')).find((x) => x.deviceId === id);
  const el = document.getElementById('device-state');
  if (el) el.innerHTML = d ? badge(d.state) : badge('gone');
}

// Only what applies: drain a working device, resume a drained or unhealthy one, repair one that
// fails; unstick one whose lease has run long (the lease ends as if it ran out).
function deviceActions(d, act) {
  const out = [];
  if (d.state !== 'draining') out.push(act(d, 'drain', 'Drain'));
  if (d.state === 'draining' || d.health === 'unhealthy') out.push(act(d, 'resume', 'Resume'));
  if (d.health === 'unhealthy' || d.lastFailure || d.problem) out.push(act(d, 'repair', 'Repair'));
  if (d.jobId) {
    const long = d.since && Date.now() - new Date(d.since).getTime() > 5 * 60000;
    out.push(act(d, 'release', long ? 'Unstick: busy over 5 min…' : 'Unstick…', 'danger'));
  }
  return out.join(' ');
}

// A device's own page: its live screen while the page is open. Each picture asked for keeps the
// agent sending for a few seconds; leaving the page stops the asking, and so the pictures.
async function devicePage(id) {
  const list = await api('/devices');
  const d = list.find((x) => x.deviceId === id);
  if (!d) throw new Error(`device ${id} is not connected`);
  const act = (dv, a, label, cls = '') => `<button class="${cls}" data-device="${esc(dv.deviceId)}" data-action="${a}">${label}</button>`;
  main.innerHTML = `<h1>Device ${esc(id)} <span id="device-state">${badge(d.state)}</span></h1>
    <p>${may('operator') ? deviceActions(d, act) : ''}</p>
    <dl class="kv"><dt>account</dt><dd>${esc(d.accountId)}</dd><dt>client</dt><dd>${esc(`${d.clientKind} ${d.clientVersion} (${d.driver})`)}</dd>
      <dt>agent</dt><dd>${esc(d.agentId || '')}${d.agentHost ? ' on ' + esc(d.agentHost) : ''}</dd><dt>scripts</dt><dd>${esc(d.scripts || '')}</dd></dl>
    <h2>Screen <span class="muted" id="screen-when"></span></h2><p id="screen-step" class="muted">asking the device for its screen…</p>
    <img class="shot" id="screen" alt="the device's screen">`;
  main.querySelectorAll('button[data-action]').forEach((b) => (b.onclick = () =>
    confirmAction(`${b.dataset.action} device ${b.dataset.device}`, (reason) =>
      api(`/devices/${encodeURIComponent(b.dataset.device)}/${b.dataset.action}`, { method: 'POST', body: { reason } }))));
  const here = location.hash;
  const mine = (state.screenLoop = {});
  let shown = null;
  const pull = async () => {
    if (location.hash !== here || !state.token || state.screenLoop !== mine) return;
    try {
      const res = await fetch(`${API}/devices/${encodeURIComponent(id)}/screen`, { headers: { Authorization: 'Bearer ' + state.token } });
      if (res.status === 200 && location.hash === here) {
        const url = URL.createObjectURL(await res.blob());
        const img = document.getElementById('screen');
        if (img) {
          img.src = url;
          if (shown) URL.revokeObjectURL(shown);
          shown = url;
          const job = res.headers.get('x-job');
          const step = res.headers.get('x-step');
          document.getElementById('screen-step').innerHTML = job
            ? `working on <a href="#/jobs/${encodeURIComponent(job)}">${esc(job)}</a>${step ? ' · ' + esc(decodeURIComponent(step.replace(/\+/g, ' '))) : ''}`
            : 'idle';
          document.getElementById('screen-when').textContent = 'taken ' + since(res.headers.get('x-taken-at'));
          img.dataset.taken = res.headers.get('x-taken-at');
        }
      } else if (res.status === 204) {
        document.getElementById('screen-step').textContent = 'waiting for the first picture from the device…';
      }
    } catch (e) {
      // the next pull tries again
    }
    if (location.hash === here) setTimeout(pull, 1000);
  };
  pull();
}

async function screenshotUrl(path) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + state.token } });
  if (!res.ok) throw new Error('screenshot: HTTP ' + res.status);
  return URL.createObjectURL(await res.blob());
}

async function showShot(path) {
  state.live = null;
  main.innerHTML = `<h1>Screenshot</h1><p><a href="javascript:history.back()">back</a></p><img class="shot" id="shot" alt="screenshot">`;
  document.getElementById('shot').src = await screenshotUrl(path);
}

pages.accounts = async () => {
  const accounts = await api('/accounts');
  const usages = await Promise.all(accounts.map((a) => api(`/accounts/${encodeURIComponent(a.id)}/usage`).catch(() => null)));
  main.innerHTML = `<h1>Accounts</h1>` + table(['account', 'name', 'status', 'cooling until', 'next allowed send', 'risk signals', 'quota today', ''],
    accounts.map((a, i) => {
      const u = usages[i] || { counters: [] };
      const status = u.status || a.status;
      return [a.id, a.displayName, html(`<span data-account-status="${esc(a.id)}">${badge(status)}</span>`), when(u.coolingUntil), when(u.nextAllowedAt), u.riskSignals ?? '',
        html(u.counters.map((c) => `${esc(c.counter)} ${c.used}/${c.cap} <span class="muted">${esc(c.period)}</span>`).join('<br>'), true),
        html(may('admin') ? (status === 'paused'
          ? `<button data-account="${esc(a.id)}" data-status="resume">Resume</button>`
          : `<button class="danger" data-account="${esc(a.id)}" data-status="pause">Pause</button>`) : '')];
    }), may('admin') ? 'No account yet: add the first one below, then its groups on the Groups page.' : 'No account yet.') +
    (may('admin') ? `<form class="stack wide" id="new-account" novalidate><strong>New account</strong>
      <label>Id <input name="id" placeholder="acc-1" data-field="id"></label>
      <label>Name shown in the client <input name="displayName" placeholder="门店助手 1" data-field="displayName"></label>
      <label>Platform <select name="platform" data-field="platform"><option>wecom</option><option>wechat</option></select></label>
      <label>Time zone (its days, quotas and active hours) <input name="timeZone" value="Asia/Shanghai" data-field="timeZone"></label>
      <label class="full">Tags (comma separated; limits can be set per tag) <input name="tags" placeholder="new, careful" data-field="tags"></label>
      <p><button class="primary">Add account</button></p><p class="error" id="account-error"></p></form>` : '');
  main.querySelectorAll('button[data-status]').forEach((b) => (b.onclick = () =>
    confirmAction(`${b.dataset.status} account ${b.dataset.account}`, (reason) =>
      api(`/accounts/${encodeURIComponent(b.dataset.account)}/${b.dataset.status}`, { method: 'POST', body: { reason } }))));
  const form = document.getElementById('new-account');
  if (form) form.onsubmit = async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form).entries());
    try {
      await api('/accounts', { method: 'POST', body: { id: d.id, displayName: d.displayName, platform: d.platform, timeZone: d.timeZone,
        tags: d.tags.split(/[,，]/).map((x) => x.trim()).filter(Boolean) } });
      await render();
      flash(`Account ${d.id} added.`);
    } catch (e) {
      fieldError(form, e, document.getElementById('account-error'));
    }
  };
};

// Groups as CSV, one per line: id,name,accountId,tags (tags separated by |); a header line is
// allowed. All or none: a refused line is named by its line number and nothing is stored.
function groupsFromCsv(text) {
  const lines = text.split(/\r?\n/);
  const groups = [];
  const lineOf = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || (i === 0 && /^id\s*,/i.test(line))) return;
    const [id, name, accountId, tags] = line.split(',').map((x) => (x || '').trim());
    groups.push({ id, name, accountId, tags: (tags || '').split('|').map((x) => x.trim()).filter(Boolean) });
    lineOf.push(i + 1);
  });
  return { groups, lineOf };
}

pages.groups = async (id, params) => {
  if (id) return groupPage(id);
  const f = { q: params.get('q') || '', accountId: params.get('accountId') || '', tag: params.get('tag') || '' };
  const groups = await api('/groups?' + q({ ...f, usage: 'true' }));
  main.innerHTML = `<h1>Groups</h1>
    <form class="filters" id="group-filter">
      <label>Name <input name="q" value="${esc(f.q)}" placeholder="search"></label>
      <label>Account <input name="accountId" value="${esc(f.accountId)}"></label>
      <label>Tag <input name="tag" value="${esc(f.tag)}"></label>
      <button>Search</button>
    </form>` + table(['group', 'name', 'account', 'tags', 'posts today'], groups.slice(0, 500).map((g) =>
      [html(`<a href="#/groups/${encodeURIComponent(g.id)}">${esc(g.id)}</a>`), g.name, g.accountId, g.tags.join(', '), html(`${g.postsToday}/${g.cap}` + (g.postsToday >= g.cap ? ' ' + badge('capped') : ''))]),
      may('operator') ? 'No group matches. Add groups below (an account first, on the Accounts page).' : 'No group matches.') +
    (groups.length > 500 ? `<p class="muted">First 500 of ${groups.length}: narrow the search.</p>` : '') +
    (may('operator') ? `<form class="stack" id="import-groups" novalidate><strong>Add groups</strong>
      <label>One per line: <code>id,name,accountId,tags</code> (tags separated by |) <textarea name="csv" rows="5" placeholder="id,name,accountId,tags\ng-0001,门店群 0001,acc-1,store|store:0001"></textarea></label>
      <button class="primary">Add groups</button><p class="error" id="import-error"></p></form>` : '');
  filterForm('group-filter', '#/groups');
  const form = document.getElementById('import-groups');
  if (form) form.onsubmit = async (ev) => {
    ev.preventDefault();
    const out = document.getElementById('import-error');
    const { groups: batch, lineOf } = groupsFromCsv(new FormData(form).get('csv'));
    if (!batch.length) {
      out.textContent = 'Nothing to add: write one group per line.';
      return;
    }
    try {
      const r = await api('/groups/batch', { method: 'POST', body: { groups: batch } });
      await render();
      flash(`${r.created} groups added.`);
    } catch (e) {
      // groups[3].accountId is the fourth group: said as the line it came from.
      const m = /^groups\[(\d+)\]\.?(.*)$/.exec(e.field || '');
      out.textContent = m ? `line ${lineOf[Number(m[1])]}: ${m[2] ? m[2] + ': ' : ''}${e.message}; nothing was added` : e.message + '; nothing was added';
    }
  };
};

// ---- customers: a searchable list, and a profile that says where each tag and stage came from ----
pages.customers = async (id, params) => {
  if (id) return customerPage(id);
  const f = {};
  for (const k of ['q', 'tag', 'stage', 'accountId', 'channelCode']) f[k] = params.get(k) || '';
  const offset = Number(params.get('offset') || 0);
  const page = await api('/customers?' + q({ ...f, limit: 50, offset }));
  const from = page.total ? offset + 1 : 0;
  const to = offset + page.items.length;
  const nav = (o, label) => `<a href="#/customers?${q({ ...f, offset: o })}">${label}</a>`;
  main.innerHTML = `<h1>Customers</h1>
    <form class="filters" id="customer-filter">
      <label>Name or id <input name="q" value="${esc(f.q)}" placeholder="search"></label>
      <label>Tag <input name="tag" value="${esc(f.tag)}"></label>
      <label>Stage <input name="stage" value="${esc(f.stage)}"></label>
      <label>Account <input name="accountId" value="${esc(f.accountId)}"></label>
      <label>Channel code <input name="channelCode" value="${esc(f.channelCode)}"></label>
      <button>Search</button>
    </form>
    <p class="muted" id="customer-count">${from}–${to} of ${page.total}
      ${offset > 0 ? nav(Math.max(0, offset - 50), '‹ newer') : ''} ${to < page.total ? nav(to, 'older ›') : ''}</p>` +
    table(['customer', 'nickname', 'account', 'stage', 'tags', 'added'], page.items.map((c) => [
      html(`<a href="#/customers/${encodeURIComponent(c.id)}">${esc(c.id)}</a>`), c.nickname, c.accountId, c.stage || '',
      html(c.tags.map((t) => `<span class="chip">${esc(t)}</span>`).join(' '), true), when(c.addedAt)]),
    'No customer matches. Customers arrive with friend_added events (POST /events), orders, channel codes and what devices hear.');
  filterForm('customer-filter', '#/customers');
};

async function customerPage(id) {
  const e = encodeURIComponent(id);
  const [c, tags, journey, messages, orders, runs] = await Promise.all([api('/customers/' + e), api(`/customers/${e}/tags`),
    api(`/customers/${e}/stage`), api(`/customers/${e}/messages?limit=30`), api(`/customers/${e}/orders`), api(`/customers/${e}/plans`)]);
  const by = (ch) => (!ch.ruleId ? 'by hand' : ch.ruleId.startsWith('hand:') ? 'by hand (' + esc(ch.ruleId.slice(5)) + ')'
    : ch.ruleId.startsWith('channel:') ? esc(ch.ruleId) : `rule <a href="#/rules">${esc(ch.ruleId)}</a>`);
  const edit = may('operator');
  main.innerHTML = `<h1>${esc(c.nickname)} <span class="muted">${esc(c.id)}</span></h1>
    <dl class="kv"><dt>account</dt><dd>${esc(c.accountId)}</dd><dt>stage</dt><dd id="customer-stage">${esc(c.stage || '(none)')}</dd>
      <dt>status</dt><dd>${badge(c.status)}</dd></dl>
    <h2>Tags</h2><p id="customer-tags">${tags.tags.map((t) => `<span class="chip">${esc(t)}${edit ? ` <button class="link" data-untag="${esc(t)}" title="take off">×</button>` : ''}</span>`).join(' ')
      || '<span class="muted">none</span>'}${edit ? ' <button id="tag-customer">Tag…</button>' : ''}</p>` +
    table(['tag', 'change', 'by', 'message', 'at'], tags.changes.map((ch) => [ch.tag, ch.change, html(by(ch)),
      html(ch.messageId ? esc(textOf(messages.messages, ch.messageId)) : '', true), when(ch.at)]), 'No tag change yet.') +
    '<h2>Plans</h2>' + table(['plan', 'status', 'started', 'steps queued', 'ended because', ''], runs.map((r) => [
      html(`<a href="#/plans/${encodeURIComponent(r.planId)}">${esc(r.planName || r.planId)}</a>`), html(badge(r.status)), when(r.startedAt), r.queued,
      html(esc(r.exitReason || ''), true), html(edit && r.status !== 'exited' ? `<button class="danger" data-end-plan="${esc(r.planId)}">End…</button>` : '')]),
      'No plan has run for this customer.') + (edit ? '<p><button id="start-plan">Start a plan…</button></p>' : '') +
    '<h2>Stage moves</h2>' + table(['from', 'to', 'rule', 'cause', 'at'], (journey.transitions || []).map((m) => [m.from || '', m.to, m.rule || '', html(esc(m.cause || ''), true), when(m.at)]), 'No stage move yet.') +
    '<h2>Orders</h2>' + table(['order', 'status', 'amount', 'products', 'at'], orders.map((o) => [o.id, o.status, o.amount ?? '', (o.products || []).join?.(', ') ?? '', when(o.paidAt || o.at || o.createdAt)]), 'No order.') +
    '<h2>Messages</h2>' + table(['said', 'who', 'chat', 'text'], messages.messages.map((m) => [when(m.saidAt), m.mine ? 'us' : m.sender, m.chat, html(esc(m.text), true)]), 'Nothing heard yet.') +
    `<p><a href="#/jobs?${q({ customerId: c.id })}">jobs for this customer</a></p>` +
    (may('admin') ? '<p><button class="danger" id="erase-customer">Erase this customer…</button></p>' : '');
  if (may('admin')) {
    // On the person's request (PIPL): cannot be undone; the audit keeps that and when, not what.
    document.getElementById('erase-customer').onclick = () => confirmAction(`Erase ${c.nickname} (${c.id}) on their request: messages, tags, stage moves,`
      + ' plan runs and screenshots go, orders and jobs keep no name or content. This cannot be undone.',
    (reason) => api(`/customers/${e}`, { method: 'DELETE', body: { reason } }).then((r) => {
      location.hash = '#/customers';
      return `${c.id} erased: ${r.messages} messages, ${r.ordersPseudonymised} orders without a name, ${r.screenshots} screenshots`;
    }));
  }
  if (!edit) return;
  document.getElementById('tag-customer').onclick = () => confirmAction(`Tag ${c.nickname} (${c.id}); a plan started by this tag starts for them`,
    (reason, tag) => api(`/customers/${e}/tags/${encodeURIComponent(tag)}`, { method: 'PUT', body: { reason } })
      .then((r) => (r.added ? `${c.nickname} tagged ${tag}` : `${c.nickname} had ${tag} already`)), { name: 'Tag' });
  main.querySelectorAll('button[data-untag]').forEach((b) => (b.onclick = () => confirmAction(`Take ${b.dataset.untag} off ${c.nickname}`,
    (reason) => api(`/customers/${e}/tags/${encodeURIComponent(b.dataset.untag)}`, { method: 'DELETE', body: { reason } }))));
  document.getElementById('start-plan').onclick = () => confirmAction(`Start a customer plan for ${c.nickname} now, whatever its trigger`,
    (reason, planId) => api(`/customers/${e}/plans`, { method: 'POST', body: { planId, reason: reason || undefined } })
      .then((r) => `${r.planName} started for ${c.nickname}`), { name: 'Plan id' });
  main.querySelectorAll('button[data-end-plan]').forEach((b) => (b.onclick = () => confirmAction(`End ${b.dataset.endPlan} for ${c.nickname}: its queued steps are cancelled`,
    (reason) => api(`/customers/${e}/plans/${encodeURIComponent(b.dataset.endPlan)}/end`, { method: 'POST', body: { reason } })
      .then((r) => `${r.planName} ended for ${c.nickname}`))));
}
const textOf = (messages, id) => (messages.find((m) => m.id === id) || { text: `message ${id}` }).text;

// ---- rules: tags, replies and the keyword rules that use them ----
pages.rules = async () => {
  const [tags, replies, rules] = await Promise.all([api('/tags'), api('/replies'), api('/keyword-rules')]);
  const edit = may('operator');
  main.innerHTML = `<h1>Rules</h1><p class="muted">What devices hear is matched against these keyword rules: a match tags the customer and may answer from the reply library.</p>
    <h2>Keyword rules</h2>` + table(['rule', 'match', 'scope', 'adds', 'removes', 'reply', ''], rules.map((r) => [r.id, r.match === 'any' ? 'any of ' + (r.words || []).join('、') : `${r.match} ${r.pattern}`,
      r.scope || 'both', (r.addTags || []).join(', '), (r.removeTags || []).join(', '), r.reply ? r.reply.replyId : '',
      html(edit ? `<button class="danger" data-rule-delete="${esc(r.id)}">Delete…</button>` : '')]), 'No keyword rule yet' + (edit ? ': add one below.' : '.')) +
    (edit ? `<form class="stack wide" id="new-rule" novalidate><strong>New keyword rule</strong>
      <label>Id <input name="id" placeholder="price-words" data-field="id"></label>
      <label>Any of these words (comma separated) <input name="words" placeholder="价格, 多少钱" data-field="words"></label>
      <label>or a regular expression <input name="pattern" placeholder="退款|破损" data-field="pattern"></label>
      <label>Heard in <select name="scope"><option>both</option><option>private</option><option>group</option></select></label>
      <label>Add tags <input name="addTags" placeholder="询价" data-field="addTags"></label>
      <label>Answer with reply <select name="replyId" data-field="reply"><option value="">no answer</option>${replies.map((x) => `<option>${esc(x.id)}</option>`).join('')}</select></label>
      <button class="primary">Save rule</button><p class="error" id="rule-error"></p></form>` : '') +
    '<h2>Tags</h2>' + table(['tag', 'description', 'customers'], tags.map((t) => [t.name, t.description || '',
      html(`<a href="#/customers?${q({ tag: t.name })}">${t.customers ?? ''}</a>`)]), 'No tag yet.') +
    (edit ? `<form class="stack" id="new-tag" novalidate><strong>New tag</strong>
      <label>Name <input name="name" placeholder="询价" data-field="name"></label>
      <label>Description <input name="description" data-field="description"></label>
      <button>Save tag</button><p class="error" id="tag-error"></p></form>` : '') +
    '<h2>Replies</h2>' + table(['reply', 'text'], replies.map((x) => [x.id, html(esc(x.text || (x.content && x.content.text) || ''), true)]), 'No reply yet.') +
    (edit ? `<form class="stack" id="new-reply" novalidate><strong>New reply</strong>
      <label>Id <input name="id" placeholder="price" data-field="id"></label>
      <label>Text ({nickname} is the customer's name) <textarea name="text" rows="2" data-field="text"></textarea></label>
      <button>Save reply</button><p class="error" id="reply-error"></p></form>` : '');
  const list = (v) => (v || '').split(/[,，、]/).map((x) => x.trim()).filter(Boolean);
  const wire = (formId, errId, send) => wireForm(formId, errId, send, () => 'Saved.');
  wire('new-rule', 'rule-error', (d) => {
    const body = list(d.words).length ? { match: 'any', words: list(d.words) } : { match: 'regex', pattern: d.pattern };
    Object.assign(body, { scope: d.scope, addTags: list(d.addTags) });
    if (d.replyId) body.reply = { replyId: d.replyId };
    if (!d.id) throw Object.assign(new Error('id: give the rule an id'), { field: 'id' });
    return api('/keyword-rules/' + encodeURIComponent(d.id), { method: 'PUT', body });
  });
  wire('new-tag', 'tag-error', (d) => {
    if (!d.name) throw Object.assign(new Error('name: give the tag a name'), { field: 'name' });
    return api('/tags/' + encodeURIComponent(d.name), { method: 'PUT', body: { description: d.description || undefined } });
  });
  wire('new-reply', 'reply-error', (d) => {
    if (!d.id) throw Object.assign(new Error('id: give the reply an id'), { field: 'id' });
    return api('/replies/' + encodeURIComponent(d.id), { method: 'PUT', body: { text: d.text } });
  });
  main.querySelectorAll('button[data-rule-delete]').forEach((b) => (b.onclick = () =>
    confirmAction(`Delete keyword rule ${b.dataset.ruleDelete}: what it tagged stays tagged`, () => api('/keyword-rules/' + encodeURIComponent(b.dataset.ruleDelete), { method: 'DELETE' }))));
};

// A group's page: can the client reach it, its posts today against the cap, its members and days,
// its jobs; operators hold and release it, rename it and confirm it gone from here.
async function groupPage(id) {
  const e = encodeURIComponent(id);
  const [st, usage, days, members, jobs] = await Promise.all([api(`/groups/${e}/reachability`), api('/groups?' + q({ usage: 'true' })),
    api(`/groups/${e}/stats`).catch(() => ({ days: [] })), api(`/groups/${e}/members`).catch(() => ({ in: null, members: [] })),
    api('/jobs?' + q({ groupId: id, order: 'desc', limit: 30 }))]);
  const u = usage.find((g) => g.id === id) || {};
  const edit = may('operator');
  const held = st.reachability === 'unreachable';
  const buttons = !edit || st.reachability === 'gone' ? '' : (held ? '<button data-group-do="release">Release…</button>' : '<button data-group-do="hold">Hold…</button>') +
    ' <button data-group-do="rename">Rename…</button> <button class="danger" data-group-do="gone">Confirm gone…</button>';
  main.innerHTML = `<h1>${esc(st.name)} <span class="muted">${esc(id)}</span> <span id="group-state">${badge(held ? 'held' : st.reachability)}</span></h1><p>${buttons}</p>
    <dl class="kv"><dt>account</dt><dd>${esc(st.accountId)}</dd><dt>tags</dt><dd>${esc((st.tags || []).join(', '))}</dd>
      <dt>posts today</dt><dd id="group-posts">${u.postsToday ?? '?'} of ${u.cap ?? '?'} (the account's day)</dd>
      <dt>members</dt><dd>${members.in ?? 'not heard yet'}</dd>
      ${held ? `<dt>held</dt><dd id="group-held">${esc(st.reason || '')} · since ${esc(when(st.since))} · ${st.heldJobs} jobs waiting</dd>` : ''}</dl>
    <h2>Jobs</h2>` + table(['job', 'state', 'device', 'reason', 'updated'], jobs.map((j) => [html(`<a href="#/jobs/${encodeURIComponent(j.id)}">${esc(j.id)}</a>`),
      html(badge(j.state)), j.deviceId || '', html(esc(j.reason || j.waitNote || ''), true), when(j.updatedAt)]), 'No job for this group yet.') +
    `<p><a href="#/jobs?${q({ groupId: id })}">all jobs of this group</a></p><h2>Days</h2>` +
    table(['day', 'members', 'joins', 'leaves', 'removed', 'customer messages', 'our posts'], (days.days || []).map((d) => [d.day, d.members ?? '', d.joins, d.leaves, d.removals, d.customerMessages, d.ourPosts]), 'Nothing counted yet.');
  const say = { hold: `Hold ${st.name}: nothing is sent to it until it is released`, release: `Release ${st.name}: its waiting jobs go on`,
    rename: `Rename ${st.name} to what the client shows now: its waiting jobs look for the new name`, gone: `Confirm ${st.name} gone: its waiting jobs are cancelled` };
  main.querySelectorAll('button[data-group-do]').forEach((b) => (b.onclick = () => {
    const what = b.dataset.groupDo;
    if (what === 'rename') {
      confirmAction(say.rename, (reason, name) => api(`/groups/${e}/name`, { method: 'PUT', body: { name, reason } }).then(() => `Renamed to ${name}`), { name: 'New name', value: st.name });
    } else {
      confirmAction(say[what], (reason) => api(`/groups/${e}/${what}`, { method: 'POST', body: { reason: reason || (what === 'gone' ? 'confirmed gone in the console' : undefined) } }));
    }
  }));
}

// ---- trends: from what is stored, the last day or week ----
pages.trends = async (_, params) => {
  const span = params.get('span') === 'week' ? 'week' : 'day';
  const t = await api('/trends?span=' + span);
  const max = Math.max(1, ...t.hours.map((h) => h.sent + h.failed + h.unknown + h.skipped));
  const col = (h) => {
    const seg = (n, cls) => (n ? `<span class="${cls}" style="height:${(100 * n) / max}%"></span>` : '');
    return `<div class="col" title="${esc(since(h.hour))}: sent ${h.sent}, failed ${h.failed}, unknown ${h.unknown}, skipped ${h.skipped}">` +
      seg(h.sent, 'SUCCEEDED') + seg(h.failed, 'FAILED') + seg(h.unknown, 'UNKNOWN') + seg(h.skipped, 'SKIPPED') + '</div>';
  };
  const pct = (v) => (v * 100).toFixed(1) + '%';
  const rows = (list, skips) => table(['', 'sent', 'failed', 'unknown', ...(skips ? ['skipped', 'skip rate'] : []), 'failure rate'], list.map((r) => [r.key, r.sent, r.failed, r.unknown,
    ...(skips ? [r.skipped, pct(r.skipRate)] : []), html(r.failureRate > 0.05 ? `<strong class="error">${pct(r.failureRate)}</strong>` : pct(r.failureRate))]), 'Nothing in this span.');
  const total = t.hours.reduce((a, h) => ({ sent: a.sent + h.sent, failed: a.failed + h.failed + h.unknown, skipped: a.skipped + h.skipped }), { sent: 0, failed: 0, skipped: 0 });
  main.innerHTML = `<h1>Trends</h1><p><a href="#/trends?span=day"${span === 'day' ? ' class="active"' : ''}>last day</a> · <a href="#/trends?span=week"${span === 'week' ? ' class="active"' : ''}>last week</a>
    <span class="muted">from ${esc(when(t.from))} to ${esc(when(t.to))}</span></p>
    <p id="trend-totals">${total.sent} sent, ${total.failed} failed or unknown, ${total.skipped} skipped</p>
    <h2>Per hour</h2><div class="hours">${t.hours.map(col).join('')}</div>
    <p class="muted"><span class="legend-dot SUCCEEDED"></span> sent <span class="legend-dot FAILED"></span> failed <span class="legend-dot UNKNOWN"></span> unknown <span class="legend-dot SKIPPED"></span> skipped</p>
    <h2>By device</h2>${rows(t.byDevice, false)}<h2>By account</h2>${rows(t.byAccount, true)}<h2>By script version</h2>${rows(t.byScript, false)}`;
};

// ---- journeys: stage rules (preview before saving), channel codes and their report, webhooks ----
pages.journeys = async () => {
  const admin = may('admin');
  const edit = may('operator');
  const [rules, census, codes, report, hooks] = await Promise.all([api('/stage-rules'), api('/stages'), api('/channel-codes'),
    api('/channel-codes/report'), admin ? api('/webhooks') : Promise.resolve(null)]);
  const money = (cents) => (cents == null ? '' : (Number(cents) / 100).toFixed(2));
  const reportRows = (rows) => table(['', 'account', 'added', 'still there', 'orders', 'revenue'], (rows || []).map((r) => [r.key, r.accountId || '', r.added, r.stillThere, r.orders, r.revenue ?? '']), 'No customer came through a code in the last 90 days.');
  main.innerHTML = `<h1>Journeys</h1>
    <h2>Stages now</h2>` + table(['stage', 'customers'], Object.entries(census.customers || {}).map(([k, v]) => [k, v]), 'No customer yet.') +
    `<h2>Stage rules <span class="muted">version ${rules.version ?? 0}${rules.savedBy ? ' by ' + esc(rules.savedBy) : ''}</span></h2>
    <p class="muted">The first rule whose conditions all hold places the customer. Preview shows who would move, and saves nothing; Save moves them.</p>
    <form class="stack wide" id="stage-rules" novalidate>
      <label class="full">Rules (JSON) <textarea name="rules" rows="10" data-field="rules">${esc(JSON.stringify(rules.rules || [], null, 2))}</textarea></label>
      <p>${edit ? '<button type="button" id="preview-stages">Preview</button> ' : ''}${edit ? '<button class="primary" id="save-stages">Save…</button>' : ''}</p>
      <p class="error" id="stage-error"></p><div id="stage-preview"></div></form>
    <h2>Channel codes</h2>` + table(['code', 'account', 'source', 'tags', 'welcome plan'], codes.map((c) => [c.code, c.accountId, c.source, (c.tags || []).join(', '), c.welcomePlan || '']), 'No channel code yet.') +
    (edit ? `<form class="stack wide" id="new-code" novalidate><strong>New channel code</strong>
      <label>Code <input name="code" placeholder="store-12-li" data-field="code"></label>
      <label>Account that owns its customers <input name="accountId" placeholder="acc-1" data-field="accountId"></label>
      <label>Source <input name="source" placeholder="store-12" data-field="source"></label>
      <label>Tags (comma separated) <input name="tags" placeholder="store-12" data-field="tags"></label>
      <label>Welcome plan (a customer plan) <input name="welcomePlan" data-field="welcomePlan"></label>
      <p><button class="primary">Save code</button></p><p class="error" id="code-error"></p></form>` : '') +
    '<h3>Report by code</h3>' + reportRows(report.byCode) + '<h3>By account</h3>' + reportRows(report.byAccount) +
    (admin ? '<h2>Webhooks</h2>' + table(['subscription', 'url', 'events', 'since', ''], hooks.map((h) => [h.id, html(esc(h.url), true), (h.events || []).join(', '), when(h.createdAt),
      html(`<a href="#" data-deliveries="${esc(h.id)}">deliveries</a> <button class="danger" data-hook-delete="${esc(h.id)}">Remove…</button>`)]), 'No subscription.') +
      `<div id="deliveries"></div><form class="stack wide" id="new-hook" novalidate><strong>New webhook</strong>
      <label class="full">URL <input name="url" placeholder="https://crm.example/hooks/wecom-rpa" data-field="url"></label>
      <label class="full">Events (comma separated: alert, job.succeeded, job.failed, job.unknown, stage.changed) <input name="events" value="alert, job.failed" data-field="events"></label>
      <p><button class="primary">Subscribe</button></p><p class="error" id="hook-error"></p></form>` : '');
  const list = (v) => (v || '').split(/[,，]/).map((x) => x.trim()).filter(Boolean);
  const stageForm = document.getElementById('stage-rules');
  const stageRules = () => {
    try {
      return JSON.parse(new FormData(stageForm).get('rules'));
    } catch (e) {
      throw Object.assign(new Error('the rules do not parse as JSON: ' + e.message), { field: 'rules' });
    }
  };
  const preview = document.getElementById('preview-stages');
  if (preview) preview.onclick = async () => {
    try {
      const m = await api('/stage-rules/preview', { method: 'POST', body: { rules: stageRules() } });
      fieldError(stageForm, {}, document.getElementById('stage-error'));
      document.getElementById('stage-preview').innerHTML = `<p id="stage-preview-summary">${m.moving} of ${m.evaluated} customers would move.</p>` +
        table(['from', 'to', 'customers', 'e.g.'], m.moves.map((x) => [x.from || '(none)', x.to, x.count, (x.examples || []).map((e) => e.nickname).join('、')]), 'Nobody would move.');
    } catch (e) {
      document.getElementById('stage-preview').innerHTML = '';
      fieldError(stageForm, e, document.getElementById('stage-error'));
    }
  };
  stageForm.onsubmit = (ev) => {
    ev.preventDefault();
    let rulesNow;
    try {
      rulesNow = stageRules();
    } catch (e) {
      fieldError(stageForm, e, document.getElementById('stage-error'));
      return;
    }
    confirmAction('Save these stage rules as the next version: every customer they now place elsewhere moves', (note) =>
      api('/stage-rules', { method: 'PUT', body: { rules: rulesNow, note: note || undefined } }).then((r) => `Version ${r.version} saved; ${r.moves.moving} customers moved`));
  };
  const wire = wireForm;
  wire('new-code', 'code-error', (d) => {
    if (!d.code) throw Object.assign(new Error('give the code a name'), { field: 'code' });
    return api('/channel-codes/' + encodeURIComponent(d.code), { method: 'PUT', body: { accountId: d.accountId, source: d.source, tags: list(d.tags), welcomePlan: d.welcomePlan || undefined } });
  }, (r, d) => `Channel code ${d.code} saved.`);
  wire('new-hook', 'hook-error', (d) => api('/webhooks', { method: 'POST', body: { url: d.url, events: list(d.events) } }),
    (r) => `Subscribed ${r.id}. Its signing secret, shown this once: ${r.secret}`);
  main.querySelectorAll('a[data-deliveries]').forEach((a) => (a.onclick = async (ev) => {
    ev.preventDefault();
    const ds = await api(`/webhooks/${encodeURIComponent(a.dataset.deliveries)}/deliveries?limit=20`);
    document.getElementById('deliveries').innerHTML = `<h3>Deliveries to ${esc(a.dataset.deliveries)}</h3>` +
      table(['event', 'type', 'state', 'attempts', 'last status', 'last error', 'at'], ds.map((x) => [x.eventId, x.type, html(badge(x.state)), x.attempts, x.lastStatus ?? '',
        html(esc(x.lastError || ''), true), when(x.createdAt)]), 'Nothing delivered yet.');
  }));
  main.querySelectorAll('button[data-hook-delete]').forEach((b) => (b.onclick = () =>
    confirmAction(`Remove webhook ${b.dataset.hookDelete}: its pending deliveries are dropped`, () => api('/webhooks/' + encodeURIComponent(b.dataset.hookDelete), { method: 'DELETE' }))));
};

function filterForm(id, base) {
  document.getElementById(id).onsubmit = (ev) => {
    ev.preventDefault();
    const data = Object.fromEntries(new FormData(ev.target).entries());
    location.hash = base + '?' + q(data);
  };
}

pages.broadcasts = async (id) => {
  if (id) return broadcastPage(id);
  const list = await api('/broadcasts');
  main.innerHTML = `<h1>Broadcasts</h1>` + (may('operator') ? `<form class="stack" id="new-broadcast">
      <strong>New broadcast</strong>
      <label>Text <textarea name="text" rows="3" required></textarea></label>
      <label>Groups with tag <input name="tag" placeholder="e.g. demo"></label>
      <label>or group ids (comma separated) <input name="groupIds"></label>
      <label>Id (optional) <input name="id"></label>
      <label>Send at (optional, your local time; empty sends now) <input name="sendAt" type="datetime-local"></label>
      <p><button type="button" id="count-broadcast">Count the groups</button> <button class="primary">Send broadcast</button></p>
      <p id="broadcast-count" class="muted"></p><p class="error" id="broadcast-error"></p>
    </form>` : '') + '<h2>All broadcasts</h2>' +
    table(['broadcast', 'created', 'sends', 'text', 'jobs', 'progress', ''], list.map((b) => [html(`<a href="#/broadcasts/${encodeURIComponent(b.id)}">${esc(b.id)}</a>`),
      when(b.createdAt), b.sendAt ? when(b.sendAt) : 'at once', html(esc(b.content.text), true), b.jobCount, html(bar(b.progress, b.jobCount)), html(legend(b.progress))]), 'No broadcast yet.');
  const form = document.getElementById('new-broadcast');
  // Whom it would reach, before anything is sent: the groups with the tag, or the ids that exist.
  const count = document.getElementById('count-broadcast');
  if (count) count.onclick = async () => {
    const d = Object.fromEntries(new FormData(form).entries());
    const out = document.getElementById('broadcast-count');
    const all = await api('/groups?' + q({ tag: d.tag || undefined }));
    const ids = d.groupIds.split(',').map((x) => x.trim()).filter(Boolean);
    const hit = d.tag ? all : all.filter((g) => ids.includes(g.id));
    const missing = d.tag ? [] : ids.filter((x) => !all.some((g) => g.id === x));
    const per = {};
    hit.forEach((g) => (per[g.accountId] = (per[g.accountId] || 0) + 1));
    out.textContent = `Reaches ${hit.length} ${hit.length === 1 ? 'group' : 'groups'}` + (hit.length ? ` (${Object.entries(per).map(([a, n]) => `${a} ${n}`).join(', ')})` : '') +
      (missing.length ? `; no group ${missing.join(', ')}` : '') + '.';
  };
  if (form) form.onsubmit = async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form).entries());
    const target = d.tag ? { tag: d.tag } : { groupIds: d.groupIds.split(',').map((s) => s.trim()).filter(Boolean) };
    try {
      const sendAt = d.sendAt ? new Date(d.sendAt).toISOString() : undefined;
      const b = await api('/broadcasts', { method: 'POST', body: { id: d.id || undefined, content: { kind: 'text', text: d.text }, target, sendAt } });
      location.hash = '#/broadcasts/' + encodeURIComponent(b.id);
    } catch (e) {
      document.getElementById('broadcast-error').textContent = (e.field && !e.message.startsWith(e.field) ? e.field + ': ' : '') + e.message;
    }
  };
};

// What a source's queued jobs wait for, in words: held ones apart from those only waiting their turn.
const WAITS = { 'due': 'due, waiting their turn on a device', 'group-reachability': 'held: group unreachable or held by hand (see the group)',
  'account-status': 'held: account paused, cooling or restricted' };
function waitingText(w, sendAt) {
  const later = sendAt && new Date(sendAt) > new Date();
  const parts = Object.entries(w || {}).filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k === 'due' && later ? 'scheduled for ' + when(sendAt) : WAITS[k] || 'delayed by ' + k}`);
  return parts.length ? parts.join('; ') : 'nothing waiting';
}

async function broadcastPage(id) {
  const b = await api('/broadcasts/' + encodeURIComponent(id));
  const p = b.progress;
  const done = ['SUCCEEDED', 'SKIPPED', 'FAILED', 'UNKNOWN', 'CANCELLED'].reduce((a, s) => a + (p[s] || 0), 0);
  setMain(`<h1>Broadcast ${esc(b.id)}</h1>
    <dl class="kv"><dt>text</dt><dd>${esc(b.content.text)}</dd><dt>target</dt><dd>${esc(b.target.tag ? 'tag ' + b.target.tag : b.target.groupIds.join(', '))}</dd>
      <dt>created</dt><dd>${esc(when(b.createdAt))}</dd>${b.sendAt ? `<dt>sends at</dt><dd id="broadcast-send-at">${esc(when(b.sendAt))}</dd>` : ''}<dt>done</dt><dd id="broadcast-done">${done}/${b.jobCount}</dd>
      <dt>sent</dt><dd id="broadcast-sent">${p.SUCCEEDED || 0}</dd><dt>skipped</dt><dd>${p.SKIPPED || 0}</dd><dt>failed</dt><dd id="broadcast-failed">${(p.FAILED || 0) + (p.UNKNOWN || 0)}</dd>
      <dt>waiting</dt><dd id="broadcast-waiting">${waitingText(b.waiting, b.sendAt)}</dd>
      <dt>send time</dt><dd>${b.sendTimes ? `mean ${b.sendTimes.meanMillis} ms, p95 ${b.sendTimes.p95Millis} ms over ${b.sendTimes.count}` : 'nothing sent yet'}</dd></dl>
    <p>${bar(p, b.jobCount)} ${legend(p)}</p>
    <p><a href="#/jobs?${q({ broadcastId: b.id, state: 'FAILED' })}">failed jobs</a> · <a href="#/jobs?${q({ broadcastId: b.id, state: 'SKIPPED' })}">skipped jobs</a> · <a href="#/jobs?${q({ broadcastId: b.id })}">all jobs</a></p>
    ${may('operator') && (p.QUEUED || 0) + (p.UNKNOWN || 0) > 0 ? '<p><button id="cancel-broadcast" class="danger">Cancel what has not been sent…</button></p>' : ''}`);
  const cancel = document.getElementById('cancel-broadcast');
  if (cancel) cancel.onclick = () => confirmAction(`Cancel broadcast ${b.id}: its ${(p.QUEUED || 0) + (p.UNKNOWN || 0)} waiting jobs end; a job already on a device finishes there`,
    async (reason) => {
      const r = await api(`/broadcasts/${encodeURIComponent(b.id)}/cancel`, { method: 'POST', body: { reason } });
      return `${r.cancelled} jobs cancelled` + (r.finishing.length ? `; ${r.finishing.length} on a device finish there` : '');
    });
}
pages.broadcasts.live = (id) => (id ? broadcastPage(id) : null);

pages.plans = async (id) => {
  if (id) return planPage(id);
  const list = await api('/plans');
  main.innerHTML = `<h1>Plans</h1>` + (may('operator') ? PLAN_FORM : '') + '<h2>All plans</h2>' +
    table(['plan', 'name', 'kind', 'status', 'version', 'updated', ''], list.map((p) => [
    html(`<a href="#/plans/${encodeURIComponent(p.id)}">${esc(p.id)}</a>`), p.name, p.kind, html(badge(p.status)), p.version, when(p.updatedAt), html(planButtons(p))]),
    may('operator') ? 'No plan yet: write one above, preview it, then create it.' : 'No plan yet.');
  wirePlanButtons();
  wirePlanForm();
};

// Group and Moments plans from a form; any kind (customer plans too) as JSON. Preview asks the API
// what the plan would post (nothing stored); Create saves it. A refusal is shown beside its field.
const PLAN_FORM = `<form class="stack wide" id="new-plan" novalidate>
    <strong>New plan</strong>
    <label>Kind <select name="kind"><option value="group">group: posts to groups at times of day</option><option value="moments">moments: posts to accounts' Moments</option></select></label>
    <label>Id <input name="id" placeholder="e.g. morning-news" data-field="id"></label>
    <label>Name <input name="name" placeholder="e.g. 早间资讯" data-field="name"></label>
    <label>Groups: a tag selector or group ids <input name="target" placeholder="store:*  or  g-1, g-2" data-field="target"></label>
    <label>Accounts (moments) <input name="accounts" placeholder="acc-1, acc-2" data-field="accounts"></label>
    <label>Times of day, in each account's zone <input name="times" placeholder="09:00, 18:00" data-field="steps"></label>
    <label>Days (empty: every day) <input name="days" placeholder="MON, WED, FRI" data-field="schedule"></label>
    <label>Window: how late a post may still go <input name="window" placeholder="4h" data-field="window"></label>
    <label>Priority (higher wins a group's daily places) <input name="priority" placeholder="5" data-field="priority"></label>
    <label class="full">Text <textarea name="text" rows="2" placeholder="早安！{group_name} 今日新品到店。" data-field="content"></textarea></label>
    <details><summary>or any kind as JSON (customer plans: trigger, offsets, unless, exitOn)</summary>
      <textarea name="json" rows="8" placeholder='{"id":"day1","name":"首日问候","kind":"customer","trigger":{"event":"friend_added"},"steps":[{"offset":"day 2 at 10:00","content":{"kind":"text","text":"{nickname} 您好"}}]}'></textarea></details>
    <p><button type="button" id="preview-plan">Preview</button> <button class="primary" id="create-plan">Create plan</button></p>
    <p class="error" id="plan-error"></p><div id="plan-preview"></div>
  </form>`;

function planFromForm(form) {
  const d = Object.fromEntries(new FormData(form).entries());
  if (d.json && d.json.trim()) {
    try {
      return JSON.parse(d.json);
    } catch (e) {
      throw Object.assign(new Error('the JSON does not parse: ' + e.message), { field: 'json' });
    }
  }
  const list = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);
  const spec = { id: d.id || undefined, name: d.name || undefined, kind: d.kind, window: d.window || undefined,
    priority: d.priority ? Number(d.priority) : undefined,
    steps: list(d.times).map((at) => ({ at, content: { kind: 'text', text: d.text } })) };
  if (d.kind === 'group') {
    const t = list(d.target);
    spec.target = t.length === 1 && /[:*=&|!]/.test(t[0]) ? { selector: t[0] } : { groupIds: t };
  } else {
    spec.accounts = list(d.accounts);
  }
  if (list(d.days).length) spec.schedule = { daysOfWeek: list(d.days).map((x) => x.toUpperCase()) };
  return spec;
}

// A form that sends what it holds, redraws the page and says what was done; a refusal goes beside its field.
function wireForm(formId, errId, send, said) {
  const form = document.getElementById(formId);
  if (!form) return;
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form).entries());
    try {
      const r = await send(d);
      await render();
      flash(said(r, d));
    } catch (e) {
      fieldError(form, e, document.getElementById(errId));
    }
  };
}

// Puts an API refusal beside the input its field names (steps[0].at beside the times, and so on).
function fieldError(form, e, out) {
  form.querySelectorAll('.field-error').forEach((x) => x.remove());
  out.textContent = '';
  if (!e.message) return;
  const root = e.field ? e.field.split(/[.[]/)[0] : null;
  const input = root && form.querySelector(`[data-field="${root}"], [name="${root}"]`);
  if (input) {
    const p = document.createElement('span');
    p.className = 'error field-error';
    p.textContent = e.message;
    input.insertAdjacentElement('afterend', p);
  } else {
    out.textContent = (e.field && !e.message.startsWith(e.field) ? e.field + ': ' : '') + e.message;
  }
}

function previewText(p) {
  if (p.kind === 'customer') {
    return `<p id="plan-preview-summary">Starts for each customer on its trigger${p.customersNow != null ? `: ${p.customersNow} customers are in that stage or have that tag now` : ''}.</p>`;
  }
  const per = Object.entries(p.byAccount).map(([a, n]) => `${esc(a)} ${n}`).join(', ');
  const what = p.kind === 'moments' ? (p.count === 1 ? 'account' : 'accounts') : p.count === 1 ? 'group' : 'groups';
  return `<p id="plan-preview-summary">Reaches ${p.count} ${what} (${per || 'none'}); ${p.jobs} ${p.jobs === 1 ? 'post' : 'posts'} in the next 7 days.</p>` +
    (p.examples.length ? `<p class="muted">e.g. ${p.examples.map(esc).join(', ')}</p>` : '') +
    table(['next', 'step', 'targets'], p.next.map((o) => [o.local, 's' + o.step, o.targets]), 'Nothing due in the next 7 days: check the days, dates and target.');
}

function wirePlanForm() {
  const form = document.getElementById('new-plan');
  if (!form) return;
  const out = document.getElementById('plan-error');
  const shown = document.getElementById('plan-preview');
  document.getElementById('preview-plan').onclick = async () => {
    try {
      const p = await api('/plans?preview=true', { method: 'POST', body: planFromForm(form) });
      fieldError(form, {}, out);
      shown.innerHTML = previewText(p);
    } catch (e) {
      shown.innerHTML = '';
      fieldError(form, e, out);
    }
  };
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      const p = await api('/plans', { method: 'POST', body: planFromForm(form) });
      location.hash = '#/plans/' + encodeURIComponent(p.id);
    } catch (e) {
      fieldError(form, e, out);
    }
  };
}

function planButtons(p) {
  if (!may('operator') || p.status === 'deleted') return '';
  return p.status === 'paused' ? `<button data-plan="${esc(p.id)}" data-do="resume">Resume</button>` : `<button class="danger" data-plan="${esc(p.id)}" data-do="pause">Pause</button>`;
}

function wirePlanButtons() {
  main.querySelectorAll('button[data-plan]').forEach((b) => (b.onclick = () =>
    confirmAction(`${b.dataset.do} plan ${b.dataset.plan}`, () => api(`/plans/${encodeURIComponent(b.dataset.plan)}/${b.dataset.do}`, { method: 'POST' }))));
}

async function planPage(id) {
  const [p, history] = await Promise.all([api('/plans/' + encodeURIComponent(id)), api(`/plans/${encodeURIComponent(id)}/history`)]);
  const states = (p.report && p.report.states) || {};
  const reasons = (p.report && p.report.reasons) || {};
  const due = Object.values(states).reduce((a, b) => a + b, 0);
  main.innerHTML = `<h1>Plan ${esc(p.name)} ${badge(p.status)}</h1><p>${planButtons(p)}</p>
    <h2>Report</h2><div class="cards" id="plan-report">
      <div class="card"><div class="n">${due}</div><div class="l">due</div></div>
      <div class="card"><div class="n">${states.SUCCEEDED || 0}</div><div class="l">sent</div></div>
      <div class="card"><div class="n">${(states.SKIPPED || 0) + (states.CANCELLED || 0)}</div><div class="l">skipped or cancelled</div></div>
      <div class="card"><div class="n">${(states.FAILED || 0) + (states.UNKNOWN || 0)}</div><div class="l">failed</div></div>
      <div class="card"><div class="n">${(states.QUEUED || 0) + (states.LEASED || 0) + (states.RUNNING || 0)}</div><div class="l">to come</div></div>
    </div><p>${bar(states, due)}</p><p id="plan-waiting">Waiting: ${esc(waitingText(p.report && p.report.waiting))}</p>
    <h2>Why skipped</h2>${table(['reason', 'jobs'], Object.entries(reasons).map(([k, v]) => [html(esc(k), true), v]), 'Nothing skipped.')}
    <p><a href="#/jobs?${q({ planId: p.id })}">jobs of this plan</a></p>
    <h2>History</h2>` + table(['version', 'change', 'at', 'note'], history.map((h) => [h.version, h.change, when(h.at), html(esc(h.note || ''), true)])) +
    `<h2>Definition</h2><pre class="scroll" style="padding:.8rem">${esc(JSON.stringify(p.spec, null, 2))}</pre>`;
  wirePlanButtons();
}

pages.jobs = async (id, params) => {
  if (id) return jobPage(id);
  const f = {};
  for (const k of ['state', 'accountId', 'groupId', 'customerId', 'deviceId', 'broadcastId', 'planId', 'rule', 'from', 'to']) f[k] = params.get(k) || '';
  const offset = Number(params.get('offset') || 0);
  const res = await fetch(API + '/jobs?' + q({ ...f, order: 'desc', limit: 100, offset }), { headers: { Authorization: 'Bearer ' + state.token, Accept: 'application/json' } });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const list = await res.json();
  const total = Number(res.headers.get('x-total-count') || list.length);
  const nav = (o, label) => `<a href="#/jobs?${q({ ...f, offset: o })}">${label}</a>`;
  const opt = (s) => `<option${f.state === s ? ' selected' : ''}>${s}</option>`;
  main.innerHTML = `<h1>Jobs</h1>
    <form class="filters" id="job-filter">
      <label>State <select name="state"><option value="">any</option>${STATES.map(opt).join('')}</select></label>
      <label>Account <input name="accountId" value="${esc(f.accountId)}"></label>
      <label>Group <input name="groupId" value="${esc(f.groupId)}"></label>
      <label>Customer <input name="customerId" value="${esc(f.customerId)}"></label>
      <label>Device <input name="deviceId" value="${esc(f.deviceId)}"></label>
      <label>Broadcast <input name="broadcastId" value="${esc(f.broadcastId)}"></label>
      <label>Plan <input name="planId" value="${esc(f.planId)}"></label>
      <label>Rule that decided <input name="rule" value="${esc(f.rule)}" placeholder="quota:group-daily"></label>
      <label>Changed from <input name="from" value="${esc(f.from)}" placeholder="2026-11-23T00:00:00Z"></label>
      <label>to <input name="to" value="${esc(f.to)}"></label>
      <button>Filter</button>
    </form><p class="muted" id="job-count">${total ? offset + 1 : 0}–${offset + list.length} of ${total}, newest first
      ${offset > 0 ? nav(Math.max(0, offset - 100), '‹ newer') : ''} ${offset + list.length < total ? nav(offset + list.length, 'older ›') : ''}</p>` +
    table(['job', 'state', 'account', 'group', 'device', 'attempts', 'reason', 'updated'], list.map((j) => [
      html(`<a href="#/jobs/${encodeURIComponent(j.id)}">${esc(j.id)}</a>`), html(badge(j.state)), j.accountId,
      html(j.groupId ? `<a href="#/groups/${encodeURIComponent(j.groupId)}">${esc(j.groupId)}</a>` : j.customerId ? `<a href="#/customers/${encodeURIComponent(j.customerId)}">${esc(j.customerId)}</a>` : ''), j.deviceId || '',
      j.attempts, html(esc(j.reason || j.waitNote || '') + (j.decidedBy ? ` <span class="muted">(${esc(j.decidedBy)})</span>` : ''), true), when(j.updatedAt)]), 'No job matches.');
  filterForm('job-filter', '#/jobs');
};

async function jobPage(id) {
  const [j, execs] = await Promise.all([api('/jobs/' + encodeURIComponent(id)), api(`/jobs/${encodeURIComponent(id)}/executions`)]);
  const kv = (k, v) => (v === null || v === undefined || v === '' ? '' : `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`);
  main.innerHTML = `<h1>Job ${esc(j.id)} ${badge(j.state)}</h1>
    <dl class="kv">${kv('action', j.action)}${kv('account', j.accountId)}${kv('group', j.groupId)}${kv('customer', j.customerId)}
      ${kv('source', j.sourceKind + ' ' + j.sourceId)}${kv('reason', j.reason)}${kv('decided by rule', j.decidedBy)}${kv('waits because', j.waitNote)}${kv('waits until', when(j.waitUntil))}
      ${kv('not before', when(j.notBefore))}${kv('window ends', when(j.expiresAt))}${kv('attempts', j.attempts)}${kv('device', j.deviceId)}
      ${kv('created', when(j.createdAt))}${kv('updated', when(j.updatedAt))}${kv('text', j.params && j.params.text)}</dl>
    <h2>Attempts</h2>` + table(['#', 'device', 'agent', 'scripts', 'leased', 'started', 'finished', 'outcome', 'failed step', 'error', 'screenshot'], execs.map((e) => [
      e.attempt, e.deviceId, e.agentId, e.scriptVersion || '', when(e.leasedAt), when(e.startedAt), when(e.finishedAt), html(e.outcome ? badge(e.outcome) : ''),
      e.failedStep || '', html(esc(e.error || ''), true), html(e.screenshot ? `<a href="#" data-shot="${esc(e.screenshot)}">view</a>` : '')]),
      ['SKIPPED', 'CANCELLED'].includes(j.state) ? `Never attempted: it ended ${j.state} (see the reason above).` : 'Not attempted yet.') +
    '<div id="shots"></div>';
  // What an operator can do to this job from here: only what its state allows.
  if (may('operator')) {
    const acts = [];
    if (j.state === 'QUEUED' || j.state === 'UNKNOWN') acts.push('<button data-job-do="cancel" class="danger">Cancel…</button>');
    if (['FAILED', 'UNKNOWN', 'CANCELLED'].includes(j.state)) acts.push('<button data-job-do="retry">Retry…</button>');
    main.querySelector('h1').insertAdjacentHTML('afterend', acts.length ? `<p>${acts.join(' ')}</p>` : '');
    main.querySelectorAll('button[data-job-do]').forEach((b) => (b.onclick = () => confirmAction(
      b.dataset.jobDo === 'retry' ? `Retry job ${j.id} (verified on the device first if an attempt may have sent)` : `Cancel job ${j.id}`,
      async (reason) => {
        const r = await api(`/jobs/${encodeURIComponent(j.id)}/${b.dataset.jobDo}`, { method: 'POST', body: { reason } });
        return `Job ${r.id} is ${r.state}`;
      })));
  }
  const withShots = execs.filter((e) => e.screenshot);
  const shots = document.getElementById('shots');
  for (const e of withShots) {
    const fig = document.createElement('figure');
    fig.innerHTML = `<figcaption class="muted">attempt ${e.attempt} on ${esc(e.deviceId)}: ${esc(e.failedStep || e.outcome || '')}</figcaption>`;
    const img = document.createElement('img');
    img.className = 'shot';
    img.alt = 'screenshot of attempt ' + e.attempt;
    img.dataset.execution = e.id;
    fig.prepend(img);
    shots.append(fig);
    screenshotUrl(e.screenshot).then((u) => (img.src = u)).catch((err) => (fig.textContent = err.message));
  }
  main.querySelectorAll('a[data-shot]').forEach((a) => (a.onclick = (ev) => { ev.preventDefault(); showShot(a.dataset.shot); }));
}

pages.limits = async () => {
  const l = await api('/limits');
  const rows = [];
  for (const [k, v] of Object.entries(l.defaults)) rows.push(['default', '', k, v]);
  for (const [k, v] of Object.entries(l.global)) rows.push(['global', '', k, v]);
  for (const [tag, vals] of Object.entries(l.tags)) for (const [k, v] of Object.entries(vals)) rows.push(['tag', tag, k, v]);
  for (const [acc, vals] of Object.entries(l.accounts)) for (const [k, v] of Object.entries(vals)) rows.push(['account', acc, k, v]);
  main.innerHTML = `<h1>Limits</h1>
    <form class="filters" id="effective"><label>Effective for account <input name="account" required></label><button>Show</button></form><div id="effective-out"></div>
    <h2>Settings</h2>` + table(['scope', 'key', 'limit', 'value', ''], rows.map((r) => [...r, html(may('admin') && r[0] !== 'default'
      ? `<button class="danger" data-remove-scope="${esc(r[0] === 'tag' ? 'tags' : r[0] === 'account' ? 'accounts' : 'global')}" data-remove-key="${esc(r[1])}" data-remove-name="${esc(r[2])}">Remove…</button>` : '')])) +
    (may('admin') ? `<h2>Change a limit</h2>
    <form class="stack" id="limit-form">
      <label>Scope <select name="scope"><option value="global">global</option><option value="tags">tag</option><option value="accounts">account</option></select></label>
      <label>Tag or account (not for global) <input name="key"></label>
      <label>Limit <select name="name">${Object.keys(l.defaults).map((k) => `<option>${esc(k)}</option>`).join('')}</select></label>
      <label>Value <input name="value" required></label>
      <label>Reason (audited) <input name="reason" required></label>
      <button class="primary">Save</button><p class="error" id="limit-error"></p>
    </form>` : '');
  document.getElementById('effective').onsubmit = async (ev) => {
    ev.preventDefault();
    const acc = new FormData(ev.target).get('account');
    const out = document.getElementById('effective-out');
    try {
      const e = await api(`/accounts/${encodeURIComponent(acc)}/limits`);
      out.innerHTML = table(['limit', 'value', 'source'], Object.entries(e.values).map(([k, v]) => [k, v.value, v.source]));
    } catch (err) {
      out.innerHTML = `<p class="error">${esc(err.message)}</p>`;
    }
  };
  // Removing an override hands the limit back to the next scope (tag, global, default), audited.
  main.querySelectorAll('button[data-remove-name]').forEach((b) => (b.onclick = () => {
    const d = b.dataset;
    const path = d.removeScope === 'global' ? '/limits/global' : `/limits/${d.removeScope}/${encodeURIComponent(d.removeKey)}`;
    confirmAction(`Remove ${d.removeName} at ${d.removeScope === 'global' ? 'global' : d.removeKey}: the next scope's value holds at once`,
      (reason) => api(path, { method: 'PUT', body: { values: { [d.removeName]: null }, reason: reason || 'removed in the console' } }).then(() => `Removed ${d.removeName}`));
  }));
  const form = document.getElementById('limit-form');
  if (form) form.onsubmit = async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(form).entries());
    const path = d.scope === 'global' ? '/limits/global' : `/limits/${d.scope}/${encodeURIComponent(d.key)}`;
    try {
      await api(path, { method: 'PUT', body: { values: { [d.name]: d.value }, reason: d.reason } });
      await render();
      flash(`Saved ${d.name} = ${d.value}`);
    } catch (e) {
      document.getElementById('limit-error').textContent = (e.field && !e.message.startsWith(e.field) ? e.field + ': ' : '') + e.message;
    }
  };
};

pages.alerts = async () => {
  const list = await api('/alerts');
  // A restricted account's groups and customers need another account: one action hands them over.
  const restricted = new Set((await api('/accounts')).filter((a) => a.status === 'restricted').map((a) => a.id));
  const op = may('operator');
  const group = (a) => (a.subject && a.subject.startsWith('group:') ? a.subject.slice('group:'.length) : null);
  const actions = (a) => {
    if (!op || a.state === 'resolved') return '';
    const b = [];
    if (a.kind === 'risk:restricted' && restricted.has(a.accountId)) b.push(`<button data-handover="${esc(a.accountId)}">Hand over…</button>`);
    const g = group(a);
    if (a.kind === 'group:unreachable' && g) {
      // The three fixes of a group the client could not find; each resolves the alert by itself.
      b.push(`<button data-fix="rename" data-group="${esc(g)}">Rename…</button>`);
      b.push(`<button data-fix="retry" data-group="${esc(g)}">Retry…</button>`);
      b.push(`<button data-fix="gone" data-group="${esc(g)}" class="danger">Confirm gone…</button>`);
    }
    if (a.state === 'open') b.push(`<button data-alert="${a.id}" data-do="acknowledge">Acknowledge…</button>`);
    b.push(`<button data-alert="${a.id}" data-do="resolve">Resolve…</button>`);
    return b.join(' ');
  };
  const handled = (a) => (a.state === 'resolved'
    ? `resolved by ${esc(a.resolvedBy)} ${esc(when(a.resolvedAt))}${a.resolveNote ? ': ' + esc(a.resolveNote) : ''}`
    : a.state === 'acknowledged' ? `acknowledged by ${esc(a.acknowledgedBy)} ${esc(when(a.acknowledgedAt))}${a.acknowledgeNote ? ': ' + esc(a.acknowledgeNote) : ''}` : 'open');
  const rows = (xs) => xs.map((a) => [when(a.at), a.accountId, html(badge(a.kind)), html(esc(a.detail), true),
    html(a.jobId ? `<a href="#/jobs/${encodeURIComponent(a.jobId)}">${esc(a.jobId)}</a>` : ''),
    html(`<span data-alert-state="${a.id}">${handled(a)}</span>`, true), html(actions(a), true)]);
  const cols = ['at', 'account', 'kind', 'detail', 'job', 'handled', ''];
  const open = list.filter((a) => a.state !== 'resolved');
  main.innerHTML = `<h1>Alerts</h1><h2>To handle (${open.length})</h2>` + table(cols, rows(open), 'Nothing to handle: every alert is resolved.')
    + `<h2>Resolved</h2>` + table(cols, rows(list.filter((a) => a.state === 'resolved').slice(0, 100)), 'Nothing resolved yet.');
  main.querySelectorAll('button[data-alert]').forEach((b) => (b.onclick = () => confirmAction(
    `${b.dataset.do === 'resolve' ? 'Resolve' : 'Acknowledge'} alert ${b.dataset.alert} (the note says what was done)`,
    async (reason) => {
      const r = await api(`/alerts/${b.dataset.alert}/${b.dataset.do}`, { method: 'POST', body: { reason } });
      return `Alert ${r.id} is ${r.state}`;
    })));
  main.querySelectorAll('button[data-fix]').forEach((b) => {
    const g = b.dataset.group;
    const path = `/groups/${encodeURIComponent(g)}`;
    if (b.dataset.fix === 'rename') {
      b.onclick = async () => {
        const now = await api(path);
        confirmAction(`Rename group ${g} to what the client shows now; its held jobs then look for that name`, async (reason, name) => {
          const r = await api(`${path}/name`, { method: 'PUT', body: { name, reason } });
          return `Group ${g} is called ${r.name}; ${r.reachability === 'ok' ? 'its held jobs go on' : r.reachability}`;
        }, { name: 'Name in the client', value: now.name });
      };
    } else if (b.dataset.fix === 'retry') {
      b.onclick = () => confirmAction(`Try group ${g} again as it is (the bot was added back, or the client was wrong once)`, async (reason) => {
        await api(`${path}/retry`, { method: 'POST', body: { reason } });
        return `Group ${g} is tried again; its held jobs go on`;
      });
    } else {
      b.onclick = () => confirmAction(`Group ${g} is gone for good: its held and queued jobs end cancelled`, async (reason) => {
        await api(`${path}/gone`, { method: 'POST', body: { reason: reason || 'confirmed gone from the alert' } });
        return `Group ${g} confirmed gone; its waiting jobs are cancelled`;
      });
    }
  });
  main.querySelectorAll('button[data-handover]').forEach((b) => (b.onclick = async () => {
    const from = b.dataset.handover;
    const targets = (await api(`/accounts/${encodeURIComponent(from)}/handover-targets`)).filter((t) => t.status === 'active');
    if (!targets.length) return flash(`No active account can take ${from}'s groups and customers.`, true);
    const to = targets[0];
    confirmAction(`Hand all of ${from}'s groups and customers over to ${to.accountId} (room for ${to.room} groups)`, async (reason) => {
      const r = await api(`/accounts/${encodeURIComponent(from)}/handover`, { method: 'POST',
        body: { to: to.accountId, groups: 'all', customers: 'all', reason: reason || `${from} restricted by the platform` } });
      return (`${r.groupsMoved.length} groups and ${r.customersMoved.length} customers moved to ${r.to}; ${r.customersRefused.length} refused and stay with ${from}`
        + `; ${r.jobsMoved} queued jobs moved, ${r.jobsLeft.length} finish on ${from}'s device`);
    });
  }));
};

// Who may use the console and the API: tokens, and one-time login links made for a person, so the
// audit names whoever acted.
pages.people = async () => {
  const list = await api('/tokens');
  const roles = ['viewer', 'operator', 'admin'].map((r) => `<option>${r}</option>`).join('');
  main.innerHTML = `<h1>People and tokens</h1>
    <h2>Invite someone with a login link</h2>
    <form class="stack" id="link-form">
      <label>Person (the audit shows this name) <input name="person" required maxlength="100"></label>
      <label>Role <select name="role">${roles}</select></label>
      <label>Valid for minutes <input name="minutes" type="number" min="1" max="10080" value="60" required></label>
      <button class="primary">Make the link</button><p class="error" id="link-error"></p>
    </form>
    <p id="link-out" class="wrap"></p>
    <h2>New API token</h2>
    <form class="stack" id="token-form">
      <label>Name (who or what uses it) <input name="name" required maxlength="200"></label>
      <label>Role <select name="role">${roles}<option>agent</option></select></label>
      <button class="primary">Create</button><p class="error" id="token-error"></p>
    </form>
    <p id="token-out" class="wrap"></p>
    <h2>Tokens</h2>` + table(['name', 'role', 'created', 'revoked', ''], list.map((t) => [t.name, t.role, when(t.createdAt), t.revokedAt ? when(t.revokedAt) : '',
    html(t.revokedAt ? '' : `<button data-revoke="${esc(t.id)}" class="danger">Revoke…</button>`)]), 'No tokens.');
  const fieldError = (el, e) => (el.textContent = (e.field && !e.message.startsWith(e.field) ? e.field + ': ' : '') + e.message);
  document.getElementById('link-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(ev.target).entries());
    try {
      const l = await api('/login-links', { method: 'POST', body: { person: d.person, role: d.role, minutes: Number(d.minutes) } });
      document.getElementById('link-error').textContent = '';
      const url = location.origin + l.path;
      // Shown once: only the code's hash is stored.
      document.getElementById('link-out').innerHTML = `Send this to ${esc(l.person)} (works once, ${esc(l.role)}, until ${esc(when(l.expiresAt))}):`
        + ` <code id="link-url">${esc(url)}</code>`;
    } catch (e) {
      fieldError(document.getElementById('link-error'), e);
    }
  };
  document.getElementById('token-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(ev.target).entries());
    try {
      const t = await api('/tokens', { method: 'POST', body: { name: d.name, role: d.role } });
      await render();
      document.getElementById('token-out').innerHTML = `Token for ${esc(t.name)} (${esc(t.role)}), shown only now: <code id="token-secret">${esc(t.token)}</code>`;
    } catch (e) {
      fieldError(document.getElementById('token-error'), e);
    }
  };
  main.querySelectorAll('button[data-revoke]').forEach((b) => (b.onclick = () => confirmAction(`Revoke token ${b.dataset.revoke}: whoever uses it is refused from now on`,
    async () => {
      await api(`/tokens/${encodeURIComponent(b.dataset.revoke)}`, { method: 'DELETE' });
      return `Token ${b.dataset.revoke} revoked`;
    })));
};

pages.audit = async () => {
  const list = await api('/audit');
  main.innerHTML = `<h1>Audit</h1>` + table(['at', 'who', 'action', 'target', 'before', 'after', 'reason'], list.map((e) => [when(e.at), e.actor, e.action, e.target,
    html(esc(e.oldValue || ''), true), html(esc(e.newValue || ''), true), html(esc(e.reason || ''), true)]), 'Nothing audited yet.');
};

pages.scripts = async () => {
  const all = await api('/scripts');
  let h = '<h1>Scripts</h1>';
  for (const [client, c] of Object.entries(all)) {
    const r = c.rollout;
    h += `<h2>${esc(client)}</h2><p>stable <b>${esc(r.stable || "agent's own")}</b>` + (r.canary ? ` · canary <b>${esc(r.canary)}</b> on ${r.canaryPercent}% and ${esc((r.canaryDevices || []).join(', ') || 'no named device')}` : '') + '</p>' +
      table(['version', 'supports', 'uploaded', 'outcomes'], c.versions.map((v) => [v.version, (v.supports || []).join(', '), when(v.uploadedAt),
        html(Object.entries(v.outcomes || {}).map(([k, n]) => `${badge(k)} ${n}`).join(' '))]));
    if (may('operator')) {
      h += `<form class="filters" data-client="${esc(client)}"><label>Canary version <input name="canary"></label><label>percent <input name="percent" type="number" min="0" max="100" value="10"></label>
        <label>devices <input name="devices" placeholder="dev-1,dev-2"></label><button data-do="canary">Start canary</button>
        <button type="button" data-do="promote">Promote canary</button><button type="button" class="danger" data-do="rollback">Roll back</button></form>`;
    }
  }
  main.innerHTML = Object.keys(all).length ? h : h + '<p class="muted">No script set uploaded: agents run their own.</p>';
  main.querySelectorAll('form[data-client]').forEach((form) => {
    const client = encodeURIComponent(form.dataset.client);
    form.onsubmit = (ev) => {
      ev.preventDefault();
      const d = Object.fromEntries(new FormData(form).entries());
      confirmAction(`canary ${d.canary} for ${form.dataset.client}`, (reason) => api(`/scripts/${client}/rollout`, { method: 'PUT',
        body: { canary: d.canary, percent: Number(d.percent), devices: d.devices ? d.devices.split(',').map((s) => s.trim()) : [], reason } }));
    };
    form.querySelectorAll('button[type=button]').forEach((b) => (b.onclick = () =>
      confirmAction(`${b.dataset.do} ${form.dataset.client}`, (reason) => api(`/scripts/${client}/${b.dataset.do}`, { method: 'POST', body: { reason } }))));
  });
};

// ---- routing --------------------------------------------------------------------------------
async function render() {
  if (!state.token) return showLogin();
  const [path, query] = location.hash.slice(2).split('?');
  const [name, ...rest] = path.split('/');
  const id = rest.length ? decodeURIComponent(rest.join('/')) : null;
  const params = new URLSearchParams(query || '');
  const page = pages[name] || pages.overview;
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.getAttribute('href') === '#/' + (pages[name] ? name : 'overview')));
  // A page's redraw never throws into the stream that asked for it, and a page that has nothing
  // live to draw (a list without an id) returns nothing.
  state.live = page.live ? () => Promise.resolve().then(() => page.live(id, params)).catch(() => {}) : null;
  delete main.dataset.shown;
  document.getElementById('flash')?.remove();
  // Another page's buttons must not stay clickable while this one loads: an admin who follows a
  // link from one customer to another could otherwise erase the first.
  if (state.drawn !== location.hash) main.innerHTML = '<p class="muted">Loading…</p>';
  state.drawn = location.hash;
  try {
    await page(id, params);
  } catch (e) {
    main.innerHTML = `<p class="error">${esc(e.status === 403 ? 'Your role may not see this page: ' + e.message : e.message)}</p>`;
  }
}

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#login=')) redeem(location.hash.slice(7));
  else render().then(() => window.scrollTo(0, 0));
});

if (location.hash.startsWith('#login=')) redeem(location.hash.slice(7));
else if (state.token) login(state.token);
else showLogin();
