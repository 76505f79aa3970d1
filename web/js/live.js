// Follow one body's events from a snapshot on. Listening starts before the snapshot is asked
// for, so nothing that arrives in between is lost; events at or below the snapshot's seq are
// already in the snapshot and are skipped by the caller's filter.
export function liveBody(ctx, body) {
  const buf = [];
  let handler = null;
  const off = ctx.conn.on('event', (f) => {
    if (f.body !== body) return;
    if (handler) handler(f);
    else buf.push(f);
  });
  ctx.onCleanup(off);
  return {
    start(seq, fn) {
      handler = fn;
      ctx.conn.subscribe(body, seq);
      for (const f of buf.splice(0)) fn(f);
    },
  };
}
