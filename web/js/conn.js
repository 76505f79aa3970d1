// The one WebSocket to the server: requests with replies, pushed events, and staying live.
//
// After a drop it reconnects with exponential back-off (with jitter) and re-subscribes every
// body from the last seq it saw, so the server replays exactly what was missed: no gap, no
// duplicate. Events at or below the last seen seq of a body are dropped here, once, for all views.
// Every seq of a stream arrives (what this user may not see as "stream.skipped", seq only): it
// moves the last seen seq on and is not passed to the views.
//
// Staying live costs the server as little as possible: the connection asks for heartbeats
// (/ws?heartbeat=30), so the server sends a small frame whenever it has sent nothing for 30 s and
// says within how many seconds the next frame comes at the latest; its own WebSocket pings the
// browser answers by itself. A connection that hears nothing for that long (plus a margin) is
// taken for dead and reconnected. A server that sends no heartbeat (an older one) gets the `ping`
// op every 25 s instead, as before.

export class RequestError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const OFFLINE_MSG = 'Geen verbinding met de server. Uw wijziging is niet opgeslagen; probeer het zo opnieuw.';
const BACKOFF_MIN = 500;
const BACKOFF_MAX = 15000;
const PING_EVERY = 25000;      // only for a server that sends no heartbeats
const PING_TIMEOUT = 10000;
const HEARTBEAT_EVERY = 30;    // seconds: asked of the server
const SILENCE_MARGIN = 10000;  // ms on top of the server's bound: the network's delay
const WATCH_EVERY = 5000;
const REQUEST_TIMEOUT = 30000;

// Ops that change nothing. Every other op is a write: it carries a request `key`, so that when
// the connection drops before its reply, the client can send it again after reconnecting and
// the server answers with the first result instead of doing it twice.
const READS = new Set(['ping', 'me.get', 'meeting.upcoming', 'scope.list', 'org.list', 'person.list',
  'person.search', 'body.list', 'body.get', 'meeting.get', 'meeting.list', 'action.list',
  'chat.history', 'abbreviation.list', 'flag.list', 'notification.list', 'preferences.get', 'feed.list',
  'overlap.map', 'body.suggest']);
// Not resent after a reconnect: the connection re-subscribes by itself.
const SESSION_OPS = new Set(['subscribe', 'unsubscribe', 'notification.subscribe', 'ping']);

function requestKey() {
  const a = new Uint8Array(12);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class Connection extends EventTarget {
  constructor(url) {
    super();
    this.url = url || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?heartbeat=${HEARTBEAT_EVERY}`;
    this.ws = null;
    this.status = 'idle';          // idle | connecting | online | reconnecting | offline | ended
    this.nextId = 1;
    this.pending = new Map();      // id -> {resolve, reject, timer, frame, sent}
    this.subs = new Map();         // body -> {lastSeq, active}
    this.attempt = 0;
    this.stopped = true;
    this.retryTimer = null;
    this.pingTimer = null;         // the watch: silence, or the ping op for an older server
    this.heardAt = 0;              // Date.now() of the last frame from the server
    this.within = 0;               // ms: the server's bound between two frames; 0: no heartbeats
    this.pingedAt = 0;
    this.waiters = [];
    this.everConnected = false;
    window.addEventListener('online', () => this.kick());
    window.addEventListener('offline', () => { if (!this.stopped) this.setStatus('offline'); });
  }

  on(type, fn) {
    const l = (e) => fn(e.detail);
    this.addEventListener(type, l);
    return () => this.removeEventListener(type, l);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  setStatus(s) {
    if (this.status === s) return;
    this.status = s;
    this.emit('status', s);
  }

  start() {
    this.stopped = false;
    this.open();
  }

  /** Closes for good (logout or ended session); forgets subscriptions. */
  stop(status = 'idle') {
    this.stopped = true;
    this.everConnected = false;
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.subs.clear();
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000, 'afgemeld');
    this.failPending('stopped', 'De verbinding is gesloten.');
    this.setStatus(status);
  }

  /** Try now (browser back online, or the user pressed "opnieuw verbinden"). */
  kick() {
    if (this.stopped || (this.ws && this.ws.readyState <= 1)) return;
    clearTimeout(this.retryTimer);
    this.open();
  }

  open() {
    clearTimeout(this.retryTimer);
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.onOpen(ws);
    ws.onmessage = (m) => this.onMessage(m);
    ws.onclose = (e) => this.onClose(ws, e);
  }

  onOpen(ws) {
    if (ws !== this.ws) return;
    const resumed = this.everConnected;
    this.everConnected = true;
    this.attempt = 0;
    this.setStatus('online');
    clearInterval(this.pingTimer);
    this.heardAt = this.pingedAt = Date.now();
    this.within = 0;
    this.pingTimer = setInterval(() => this.watch(), WATCH_EVERY);
    // Requests cut off by the drop go again (writes with the same key: done at most once).
    const cut = [...this.pending.values()];
    for (const [body, sub] of this.subs) this.sendSubscribe(body, sub);
    for (const p of cut) {
      try { ws.send(p.frame); } catch { /* the next drop fails them */ }
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
    if (resumed) this.emit('resumed', null);
  }

  /** Every few seconds while online: a silent connection is dead; without heartbeats, ping. */
  watch() {
    if (this.status !== 'online' || !this.ws) return;
    const now = Date.now();
    if (this.within) {
      if (now - this.heardAt > this.within + SILENCE_MARGIN) this.ws.close(4000, 'geen antwoord');
    } else if (now - this.pingedAt >= PING_EVERY) {
      this.pingedAt = now;
      this.ping();
    }
  }

  async ping() {
    const ws = this.ws;
    try {
      await this.request('ping', {}, { timeout: PING_TIMEOUT });
    } catch (e) {
      if (ws === this.ws && e.code === 'timeout' && ws) ws.close(4000, 'geen antwoord');
    }
  }

  onMessage(m) {
    this.heardAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(m.data);
    } catch {
      return;
    }
    if (frame.heartbeat) {
      this.within = (frame.heartbeat.within || HEARTBEAT_EVERY) * 1000;
      return;
    }
    if (frame.event) {
      this.onEvent(frame);
      return;
    }
    const p = this.pending.get(frame.id);
    if (!p) return;
    this.pending.delete(frame.id);
    clearTimeout(p.timer);
    if (frame.ok) p.resolve(frame.result);
    else p.reject(new RequestError(frame.error?.code || 'error', frame.error?.message || 'Er ging iets mis.'));
  }

  onEvent(frame) {
    const sub = this.subs.get(frame.body);
    if (sub) {
      if (frame.seq <= sub.lastSeq) return; // already seen (replay overlap)
      sub.lastSeq = frame.seq;
    }
    if (frame.event === 'stream.skipped') return; // nothing in it for us
    this.emit('event', frame);
  }

  onClose(ws, e) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearInterval(this.pingTimer);
    // Session-bound requests fail now; the others wait (until their timeout) to be sent again.
    for (const [id, p] of this.pending) {
      if (!SESSION_OPS.has(p.op) && !this.stopped && e.code !== 4401) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new RequestError('offline', OFFLINE_MSG));
    }
    if (this.stopped) return;
    if (e.code === 4401) {
      this.stop('ended');
      this.emit('session-ended', { reason: e.reason || 'sessie beëindigd' });
      return;
    }
    this.setStatus(this.attempt >= 2 ? 'offline' : 'reconnecting');
    this.scheduleRetry();
  }

  async scheduleRetry() {
    if (this.stopped) return;
    this.attempt += 1;
    // A refused upgrade looks like any other drop; ask HTTP whether the session is still valid.
    if (this.attempt > 1 && this.everConnected) {
      try {
        const r = await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store' });
        if (r.status === 401) {
          this.stop('ended');
          this.emit('session-ended', { reason: 'sessie verlopen' });
          return;
        }
      } catch { /* the server is unreachable: keep trying */ }
    }
    if (this.stopped) return;
    const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** Math.min(this.attempt - 1, 6));
    const delay = Math.round(base * (0.6 + Math.random() * 0.4));
    this.nextRetryAt = Date.now() + delay;
    this.emit('retry', { delay, attempt: this.attempt });
    if (this.attempt >= 3) this.setStatus('offline');
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  failPending(code, message) {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new RequestError(code, message));
    }
    this.pending.clear();
  }

  waitOnline(ms) {
    if (this.status === 'online') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { resolve: () => { clearTimeout(t); resolve(); } };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new RequestError('offline', OFFLINE_MSG));
      }, ms);
      this.waiters.push(w);
    });
  }

  /** Sends {id, op, ...args}; resolves with result or rejects with RequestError (Dutch message). */
  async request(op, args = {}, { timeout = REQUEST_TIMEOUT, wait = 10000 } = {}) {
    if (this.stopped) throw new RequestError('stopped', 'U bent niet ingelogd.');
    if (this.status !== 'online' || !this.ws || this.ws.readyState !== 1) await this.waitOnline(wait);
    const id = this.nextId++;
    const msg = { id, op, ...args };
    if (!READS.has(op) && !SESSION_OPS.has(op)) msg.key = requestKey();
    const frame = JSON.stringify(msg);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError('timeout', this.status === 'online'
          ? 'De server antwoordt niet op tijd. Probeer het opnieuw.'
          : 'De verbinding viel weg voordat de server antwoordde. Kijk zodra de verbinding terug is of uw wijziging is opgeslagen.'));
      }, timeout);
      this.pending.set(id, { resolve, reject, timer, frame, op });
      try {
        this.ws.send(frame);
      } catch { /* sent again after the reconnect */ }
    });
  }

  /** Follows body (0: the directory) from seq `since` (a snapshot's seq), or from now. Idempotent. */
  subscribe(body, since) {
    let sub = this.subs.get(body);
    if (sub) return sub.ready;
    sub = { lastSeq: since ?? -1, ready: null };
    this.subs.set(body, sub);
    sub.ready = this.status === 'online' ? this.sendSubscribe(body, sub) : Promise.resolve();
    return sub.ready;
  }

  isSubscribed(body) {
    return this.subs.has(body);
  }

  lastSeq(body) {
    return this.subs.get(body)?.lastSeq ?? null;
  }

  /** body < 0 is a person's own stream (notifications): -person id. */
  sendSubscribe(body, sub) {
    const args = body < 0 ? {} : { body };
    if (sub.lastSeq >= 0) args.since = sub.lastSeq;
    const op = body < 0 ? 'notification.subscribe' : 'subscribe';
    const p = this.request(op, args, { wait: 0 }).then((r) => {
      if (sub.lastSeq < 0) sub.lastSeq = r.since;
      return r;
    }).catch((e) => {
      if (this.subs.get(body) !== sub) return null;
      if (e.code === 'invalid_since' || e.code === 'resync') {
        // invalid_since: what was missed can no longer be replayed (older than the server
        // keeps, or the server's history is not ours: a restored database); resync: it lies
        // before we joined. Take a fresh snapshot and follow from its seq.
        this.subs.delete(body);
        this.emit('resync', { body, code: e.code });
      } else if (e.code === 'not_member' || e.code === 'not_found') {
        this.subs.delete(body);
      }
      return null;
    });
    sub.ready = p;
    return p;
  }

  unsubscribe(body) {
    if (!this.subs.delete(body)) return;
    if (this.status === 'online' && body >= 0) this.request('unsubscribe', { body }, { wait: 0 }).catch(() => {});
  }
}
