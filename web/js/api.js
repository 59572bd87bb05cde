// Calls to the appliance's REST API with the session cookie; a lost session goes back to the sign-in page.
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `The appliance answered ${status}`);
    this.status = status;
    this.errors = (body && body.errors) || [];
  }
}

export async function api(method, path, body) {
  const opts = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, { message: 'The appliance cannot be reached; check the network connection' });
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text.slice(0, 200) }; }
  if (res.status === 401 && !path.startsWith('/api/session')) {
    const here = location.pathname + location.search;
    location.assign(`/login?next=${encodeURIComponent(here)}`);
    throw new ApiError(401, { message: 'Signed out; please sign in again' });
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const get = (p) => api('GET', p);
export const post = (p, b = {}) => api('POST', p, b);
export const put = (p, b = {}) => api('PUT', p, b);
export const del = (p) => api('DELETE', p);
