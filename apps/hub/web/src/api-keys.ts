import type { Api } from './job-options';

interface KeyInfo {
  keyId: string;
  label: string;
  kind: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/**
 * The key for the page's own reads that cannot send a header (the live events, map tiles and
 * download links), as the cookie the Hub honours for reads only.
 */
export function rememberKeyForReads(key: string): void {
  document.cookie = key
    ? `aerial_key=${encodeURIComponent(key)}; path=/; SameSite=Strict`
    : 'aerial_key=; path=/; SameSite=Strict; max-age=0';
}

/**
 * The Keys panel (admin keys only): list the keys (never a secret), create one (its secret shown
 * once, here), revoke one. Loaded when the panel is opened.
 */
export function initApiKeys(api: Api): void {
  const panel = el<HTMLDetailsElement>('keys-panel');
  const status = el('keys-status');
  const refresh = async () => {
    try {
      const { keys } = await api<{ keys: KeyInfo[] }>('/api/keys');
      status.textContent = '';
      renderKeys(keys, async (keyId) => {
        await api(`/api/keys/${keyId}/revoke`, { method: 'POST', body: '{}' }).catch((e: Error) => {
          status.textContent = e.message;
        });
        await refresh();
      });
    } catch (e) {
      status.textContent = (e as Error).message;
    }
  };
  panel.addEventListener('toggle', () => {
    if (panel.open) void refresh();
  });
  el<HTMLFormElement>('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const label = el<HTMLInputElement>('key-label').value.trim();
    const kind = el<HTMLSelectElement>('key-kind').value;
    void api<KeyInfo & { key: string }>('/api/keys', { method: 'POST', body: JSON.stringify({ label, kind }) })
      .then(async (created) => {
        el('key-secret').textContent = created.key;
        el('key-created').hidden = false;
        el<HTMLInputElement>('key-label').value = '';
        await refresh();
      })
      .catch((e: Error) => {
        status.textContent = e.message;
      });
  });
}

function renderKeys(keys: KeyInfo[], revoke: (keyId: string) => Promise<void>): void {
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');
  el('keys').replaceChildren(
    ...keys.map((key) => {
      const tr = document.createElement('tr');
      tr.dataset.keyId = key.keyId;
      // The sidebar is narrow: the id and both dates in the row's tooltip, the last use shown.
      tr.title = `id ${key.keyId}, created ${when(key.createdAt)}, last used ${when(key.lastUsedAt)}`;
      if (key.revokedAt) tr.className = 'revoked';
      for (const text of [
        key.label,
        key.kind,
        key.lastUsedAt ? new Date(key.lastUsedAt).toLocaleDateString() : 'never',
      ]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      const td = document.createElement('td');
      if (key.revokedAt) td.textContent = 'revoked';
      else {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = 'Revoke';
        button.setAttribute('aria-label', `revoke ${key.label}`);
        button.addEventListener('click', () => {
          if (confirm(`Revoke the key "${key.label}"? Whoever uses it is refused from now on.`)) void revoke(key.keyId);
        });
        td.append(button);
      }
      tr.append(td);
      return tr;
    }),
  );
}
