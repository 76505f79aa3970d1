// Log in with e-mail and password; the server sets an HttpOnly session cookie.
import { h, replace } from './dom.js';
import { field, errorBox, showError } from './ui.js';

export function render(ctx) {
  ctx.setTitle('Inloggen');
  const { onLogin, message, kind } = ctx.params;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, spellcheck: false });
  const pw = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const err = errorBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Inloggen');
  const form = h('form', { class: 'login-form', novalidate: true },
    field('E-mailadres', email), field('Wachtwoord', pw), err, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null);
    if (!email.value.trim() || !pw.value) {
      showError(err, new Error('Vul uw e-mailadres en wachtwoord in.'));
      (email.value.trim() ? pw : email).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Bezig met inloggen…';
    try {
      let r;
      try {
        r = await fetch('/api/login', {
          method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: email.value.trim(), password: pw.value }),
        });
      } catch {
        throw new Error('De server is niet bereikbaar. Controleer uw verbinding en probeer het opnieuw.');
      }
      if (!r.ok) {
        let body = null;
        try { body = await r.json(); } catch { /* not JSON */ }
        if (r.status === 401) throw new Error('Onbekend e-mailadres of onjuist wachtwoord.');
        throw new Error(body?.error?.message || `Inloggen is mislukt (${r.status}).`);
      }
      pw.value = '';
      await onLogin();
    } catch (ex) {
      showError(err, ex);
      pw.select();
      pw.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Inloggen';
    }
  });
  replace(ctx.root,
    h('div', { class: 'login' },
      h('div', { class: 'login-card' },
        h('h1', { tabIndex: -1 }, 'Inloggen bij Ketentafel'),
        h('p', { class: 'lead' }, 'De gedeelde agenda’s, actielijsten en chat van de overleggen waarin u met uw ketenpartners zit.'),
        message ? h('p', { class: `notice notice-${kind || 'warn'}`, role: 'alert' }, message) : null,
        form,
        h('p', { class: 'hint' }, 'Nog geen wachtwoord of vergeten? Vraag de beheerder van uw organisatie om een link om een wachtwoord in te stellen.'))));
  email.focus();
}
