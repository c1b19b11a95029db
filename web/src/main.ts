import { mount } from 'svelte';
import App from './App.svelte';
import './styles/base.css';
import './styles/search.css';
import './styles/badge.css';
import './styles/watchlist.css';
import './styles/chart.css';
import './styles/replay.css';
import { Dashboard } from './lib/dashboard.svelte.js';
import { socketUrlFor } from './lib/market.svelte.js';
import { accessTokenFrom, withAccessToken } from './lib/access-token.js';

function localStorageIfAllowed(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    // Disabled storage throws on access (some privacy modes).
    return undefined;
  }
}

const target = document.getElementById('app');
if (target === null) throw new Error('index.html has no #app element');

const token = accessTokenFrom(window.location.hash);
const dashboard = new Dashboard({
  url: withAccessToken(socketUrlFor(window.location), token),
  directoryUrl: withAccessToken('/api/symbols', token),
  storage: localStorageIfAllowed(),
});
dashboard.start();
mount(App, { target, props: { dashboard } });
