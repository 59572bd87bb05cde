// The sign-in form: POST /api/session sets the session cookie; then back to the page that was asked for.
const form = document.getElementById('login-form');
const input = document.getElementById('password');
const error = document.getElementById('password-error');
const button = document.getElementById('sign-in');

function target() {
  const next = new URLSearchParams(location.search).get('next') || '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/'; // only a page of this appliance
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  error.textContent = '';
  input.removeAttribute('aria-invalid');
  if (!input.value) {
    error.textContent = 'Enter the admin password.';
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = 'Signing in…';
  try {
    const res = await fetch('/api/session', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ password: input.value }),
    });
    if (res.ok) { location.assign(target()); return; }
    const body = await res.json().catch(() => ({}));
    if (res.status === 429) error.textContent = `Too many wrong passwords. Try again in ${res.headers.get('Retry-After') || 'a few'} s.`;
    else if (res.status === 401) error.textContent = 'That is not the admin password.';
    else error.textContent = body.message || `The appliance answered ${res.status}.`;
  } catch (e) {
    error.textContent = 'The appliance cannot be reached; check the network connection.';
  }
  input.setAttribute('aria-invalid', 'true');
  input.select();
  button.disabled = false;
  button.removeAttribute('aria-busy');
  button.textContent = 'Sign in';
});
input.focus();
