// Set a password from a setup link (#/wachtwoord/<token>) that an administrator handed out.
import { h, replace } from './dom.js';
import { field, errorBox, showError } from './ui.js';

export function render(ctx) {
  ctx.setTitle('Wachtwoord instellen');
  const pw = h('input', { type: 'password', autocomplete: 'new-password', required: true, minLength: 10 });
  const pw2 = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const err = errorBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Wachtwoord opslaan');
  const form = h('form', { class: 'login-form', novalidate: true },
    field('Nieuw wachtwoord', pw, { hint: 'Minstens 10 tekens. Een zin van een paar woorden is sterk en goed te onthouden.' }),
    field('Herhaal het wachtwoord', pw2), err, submit);
  const card = h('div', { class: 'login-card' },
    h('h1', { tabIndex: -1 }, 'Wachtwoord instellen'),
    h('p', { class: 'lead' }, 'Kies een wachtwoord voor uw Ketentafel-account. Daarna logt u in met uw e-mailadres en dit wachtwoord.'),
    form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null);
    if (pw.value.length < 10) {
      showError(err, new Error('Het wachtwoord moet minstens 10 tekens lang zijn.'));
      pw.focus();
      return;
    }
    if (pw.value !== pw2.value) {
      showError(err, new Error('De twee wachtwoorden zijn niet gelijk.'));
      pw2.focus();
      return;
    }
    submit.disabled = true;
    try {
      let r;
      try {
        r = await fetch('/api/password', {
          method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ token: ctx.params.token, password: pw.value }),
        });
      } catch {
        throw new Error('De server is niet bereikbaar. Probeer het zo opnieuw.');
      }
      if (!r.ok) {
        let body = null;
        try { body = await r.json(); } catch { /* not JSON */ }
        throw new Error(body?.error?.message || `Het wachtwoord kon niet worden opgeslagen (${r.status}).`);
      }
      replace(card,
        h('h1', { tabIndex: -1 }, 'Wachtwoord ingesteld'),
        h('p', { class: 'notice notice-ok', role: 'status' }, 'Uw wachtwoord is opgeslagen. Eventuele andere sessies zijn afgemeld.'),
        h('p', null, h('a', { class: 'btn btn-primary', href: '#/' }, 'Naar inloggen')));
      card.querySelector('h1').focus();
    } catch (ex) {
      showError(err, ex);
    } finally {
      submit.disabled = false;
    }
  });
  replace(ctx.root, h('div', { class: 'login' }, card));
  pw.focus();
}
