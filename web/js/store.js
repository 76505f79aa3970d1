// Shared client state: who is logged in, my bodies and roles, and cached directory lists
// (organisations, persons) that many views need for names and pickers. Kept current from
// pushed events; views listen with store.on('change', fn).
import { Connection } from './conn.js';

// Follow the directory (body 0: organisations, persons, bodies created or changed).
export const DIRECTORY_STREAM = true;

class Store extends EventTarget {
  constructor() {
    super();
    this.conn = new Connection();
    this.me = null;            // person
    this.bodies = new Map();   // my bodies: id -> body (with role)
    this.orgs = null;          // Map id -> org, loaded on demand
    this.persons = null;       // Map id -> person
    this.allBodies = null;     // Map id -> body (body.list), loaded on demand
    this.itemWhere = new Map(); // item id -> {body, meeting}: where the items seen so far sit
    this.sessionExpires = null;
    this.notes = { list: new Map(), unread: 0, more: false, next: null, loaded: false };
    this.conn.on('event', (f) => this.onEvent(f));
  }

  on(type, fn) {
    const l = (e) => fn(e.detail);
    this.addEventListener(type, l);
    return () => this.removeEventListener(type, l);
  }

  changed(what) {
    this.dispatchEvent(new CustomEvent('change', { detail: what }));
  }

  request(op, args, opts) {
    return this.conn.request(op, args, opts);
  }

  /** body.get with all of its members and meetings: a big body pages them (members_next,
   * meetings_more: PROTOCOL.md), each reply bounded; the backlog stays one page (args may say
   * which: backlog_from / backlog_limit), the rest on "Meer laden". */
  async bodyGet(id, args = {}) {
    const snap = await this.request('body.get', { body: id, ...args });
    let from = snap.members_next;
    while (snap.members_more && from !== null) {
      const page = await this.request('body.get', { body: id, members_from: from, backlog_limit: 0 });
      snap.members.push(...page.members);
      snap.members_more = page.members_more;
      from = page.members_next;
    }
    if (snap.meetings_more && snap.meetings.length) {
      const meetings = [];
      let after = null;
      const from0 = snap.meetings[0].start;
      for (;;) {
        const r = await this.request('meeting.list', { body: id, from: from0, ...(after ? { after } : {}) });
        meetings.push(...r.meetings);
        if (!r.more || !r.next) break;
        after = r.next;
      }
      snap.meetings = meetings;
      snap.meetings_more = false;
    }
    return snap;
  }

  /** Every row of a list that pages by after / next (scope.list, org.list, person.list,
   * body.list, flag.list: PROTOCOL.md), each reply bounded; the first page's other members
   * (directory_seq, seq) are kept: events after them bring what changed while paging. */
  async listAll(op, key, args = {}) {
    const first = await this.request(op, args);
    const rows = [...first[key]];
    let r = first;
    while (r.more && r.next) {
      r = await this.request(op, { ...args, after: r.next });
      rows.push(...r[key]);
    }
    return { ...first, [key]: rows, more: false, next: null };
  }

  /**
   * A meeting's whole snapshot (meeting.get comes in pages: agenda, attendance and outcomes each
   * with its own cursor): the first page's meeting, verslag and seq, every entry of the three
   * lists once (by id: one added between two pages may come twice) and the notes and message
   * counts of every item.
   */
  async meetingGet(id) {
    const first = await this.request('meeting.get', { meeting: id });
    const out = {
      ...first, agenda: [...first.agenda], attendance: [...first.attendance], outcomes: [...first.outcomes],
      notes: { ...first.notes }, message_counts: { ...first.message_counts },
    };
    let r = first;
    for (let pages = 1; r.agenda_more || r.attendance_more || r.outcomes_more; pages++) {
      if (pages > 1000) throw new Error('De vergadering kon niet helemaal worden geladen.');
      r = await this.request('meeting.get', {
        meeting: id,
        agenda_from: r.agenda_more ? r.agenda_next : out.agenda.length,
        attendance_from: r.attendance_more ? r.attendance_next : out.attendance.length,
        outcomes_from: r.outcomes_more ? r.outcomes_next : out.outcomes.length,
        ...(r.agenda_more ? {} : { agenda_limit: 0 }),
        ...(r.attendance_more ? {} : { attendance_limit: 0 }),
        ...(r.outcomes_more ? {} : { outcomes_limit: 0 }),
      });
      for (const key of ['agenda', 'attendance', 'outcomes']) {
        const known = new Set(out[key].map((x) => x.id));
        out[key].push(...r[key].filter((x) => !known.has(x.id)));
      }
      Object.assign(out.notes, r.notes);
      Object.assign(out.message_counts, r.message_counts);
    }
    return { ...out, agenda_more: false, agenda_next: null, attendance_more: false, attendance_next: null, outcomes_more: false, outcomes_next: null };
  }

  /** Loads me.get and follows every body I am in, plus the directory. */
  async loadMe() {
    const r = await this.request('me.get');
    this.me = r.person;
    this.sessionExpires = r.session_expires;
    this.bodies = new Map(r.bodies.map((b) => [b.id, b]));
    if (DIRECTORY_STREAM) this.conn.subscribe(0, r.directory_seq);
    for (const b of r.bodies) this.conn.subscribe(b.id);
    this.changed('me');
    this.loadNotifications().catch(() => {});
    return r;
  }

  /** My notifications (meldingen), then my personal stream from that snapshot. */
  async loadNotifications() {
    const r = await this.request('notification.list', { limit: 50 });
    this.notes.list = new Map(r.notifications.map((n) => [n.id, n]));
    this.notes.unread = r.unread;
    this.notes.more = r.more;
    this.notes.next = r.next; // the before of the next page (hidden ones may lie between)
    this.notes.loaded = true;
    this.notes.seq = r.seq;
    this.conn.subscribe(-this.me.id, r.seq);
    this.changed('notifications');
  }

  async markRead(ids) {
    const r = await this.request('notification.read', ids === 'all' ? { all: true } : { ids });
    this.applyRead(r);
  }

  applyRead(d) {
    for (const [id, n] of this.notes.list) {
      if (d.all || d.ids.includes(id)) this.notes.list.set(id, { ...n, read: true });
    }
    this.notes.unread = d.unread;
    this.changed('notifications');
  }

  roleIn(body) {
    return this.bodies.get(body)?.role || null;
  }

  async loadOrgs(force = false) {
    if (this.orgs && !force) return this.orgs;
    const r = await this.listAll('org.list', 'organisations');
    this.orgs = new Map(r.organisations.map((o) => [o.id, o]));
    return this.orgs;
  }

  async loadPersons(force = false) {
    if (this.persons && !force) return this.persons;
    const r = await this.listAll('person.list', 'persons');
    this.persons = new Map(r.persons.map((p) => [p.id, p]));
    return this.persons;
  }

  async loadAllBodies(force = false) {
    if (this.allBodies && !force) return this.allBodies;
    const r = await this.listAll('body.list', 'bodies');
    this.allBodies = new Map(r.bodies.map((b) => [b.id, b]));
    return this.allBodies;
  }

  /** Remembers where agenda items sit (meeting, or null: the backlog), so that an action list can
   *  link an action's origin item to its meeting without loading every agenda. */
  noteItems(items) {
    for (const it of items || []) {
      if (it?.id) this.itemWhere.set(it.id, { body: it.body, meeting: it.meeting ?? null });
    }
  }

  personName(id) {
    if (!id) return '';
    return this.persons?.get(id)?.name || `persoon ${id}`;
  }

  orgName(id) {
    if (!id) return '';
    return this.orgs?.get(id)?.name || `organisatie ${id}`;
  }

  onEvent(f) {
    const d = f.data || {};
    switch (f.event) {
      case 'notification.created':
        if (d.notification?.id && !this.notes.list.has(d.notification.id)) {
          this.notes.list.set(d.notification.id, d.notification);
          if (!d.notification.read) this.notes.unread += 1;
          this.dispatchEvent(new CustomEvent('notification', { detail: d.notification }));
          this.changed('notifications');
        }
        break;
      case 'notification.updated': {
        // A later change of the same burst merged into it: unread again, counted once.
        const n = d.notification;
        if (!n?.id) break;
        const before = this.notes.list.get(n.id);
        this.notes.list.set(n.id, n);
        const wasUnread = before && !before.read;
        if (!n.read && !wasUnread) this.notes.unread += 1;
        if (!wasUnread) this.dispatchEvent(new CustomEvent('notification', { detail: n }));
        this.changed('notifications');
        break;
      }
      case 'notification.read':
        this.applyRead(d);
        break;
      case 'org.created': case 'org.updated':
        if (this.orgs && d.organisation) this.orgs.set(d.organisation.id, d.organisation);
        this.changed('orgs');
        break;
      case 'person.created': case 'person.updated':
        if (this.persons && d.person) this.persons.set(d.person.id, d.person);
        if (this.me && d.person && d.person.id === this.me.id) this.me = d.person;
        this.changed('persons');
        break;
      case 'body.created': case 'body.updated': {
        const b = d.body;
        if (!b) break;
        if (this.allBodies) this.allBodies.set(b.id, { ...this.allBodies.get(b.id), ...b });
        if (this.bodies.has(b.id)) this.bodies.set(b.id, { ...b, role: this.bodies.get(b.id).role });
        this.changed('bodies');
        break;
      }
      case 'agenda.added': case 'agenda.updated':
        this.noteItems([d.item]);
        break;
      case 'agenda.removed':
        this.itemWhere.delete(d.item);
        break;
      case 'membership.added': case 'membership.updated':
        if (this.me && d.person === this.me.id) {
          const known = this.bodies.has(f.body);
          this.refreshMyBodies().then(() => { if (!known) this.conn.subscribe(f.body); });
        }
        break;
      case 'membership.removed':
        if (this.me && d.person === this.me.id) {
          this.bodies.delete(f.body);
          this.conn.unsubscribe(f.body);
          this.changed('bodies');
        }
        break;
      default:
    }
  }

  async refreshMyBodies() {
    const r = await this.request('me.get');
    this.me = r.person;
    this.bodies = new Map(r.bodies.map((b) => [b.id, b]));
    this.changed('bodies');
  }

  reset() {
    this.me = null;
    this.bodies = new Map();
    this.orgs = this.persons = this.allBodies = null;
    this.itemWhere = new Map();
    this.notes = { list: new Map(), unread: 0, more: false, next: null, loaded: false };
  }
}

export const store = new Store();
